package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8: under {@code JAVA_TOOL_OPTIONS=-javaagent:dynamo-agent.jar} (the Kubernetes way) every
 * JVM of the container loads the agent. The application serves metrics; the JDK tools and build
 * launchers started next to it print nothing from the agent and leave its port alone. With the
 * application holding the port, a tool that tried to bind it would print "already in use".
 */
@Timeout(300)
class JdkToolsIT {
    /** Any line the agent writes: its log lines and its last-resort start failure line. */
    private static final Pattern AGENT_OUTPUT =
            Pattern.compile("(TRACE|DEBUG|INFO|WARN|ERROR) dynamo-agent|NoClassDefFoundError");

    @RegisterExtension
    final Processes processes = new Processes();

    private Map<String, String> toolEnvironment(int port) {
        Map<String, String> environment = new LinkedHashMap<>();
        System.getenv().forEach((key, value) -> {
            if (!key.startsWith("DYN_") && !key.endsWith("JAVA_OPTIONS") && !key.equals("JAVA_TOOL_OPTIONS")
                    && !key.equals("MAVEN_OPTS")) {
                environment.put(key, value);
            }
        });
        environment.put("JAVA_TOOL_OPTIONS", "-javaagent:" + Artifacts.agentJar());
        environment.put("DYN_SYSTEM_PORT", String.valueOf(port));
        environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
        return environment;
    }

    @Test
    void jdkToolsAndBuildLaunchersPrintNothingAndBindNothingWhileTheApplicationServes() throws Exception {
        ManagedProcess app = processes.start(JvmLauncher.withoutAgent("demo-server").jar(Artifacts.demoJar())
                .args("server", "--host", "127.0.0.1", "--port", "0").env("JAVA_TOOL_OPTIONS",
                        "-javaagent:" + Artifacts.agentJar()).env("DYN_SYSTEM_PORT", "0"));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        int demoPort = DemoTraffic.awaitServerPort(app);
        assertEquals(200, DemoTraffic.post(demoPort, 1, false));
        MetricsScraper scraper = new MetricsScraper(port);
        assertEquals(200, scraper.get("/metrics").status(), "the application under JAVA_TOOL_OPTIONS serves");

        Path bin = Jdk.current().home().resolve("bin");
        String pid = String.valueOf(app.pid());
        Path source = processes.outputDir().resolve("Hello.java");
        Files.writeString(source, "public class Hello { public static void main(String[] a) {} }\n");
        Map<String, List<String>> tools = new LinkedHashMap<>();
        tools.put("jcmd", List.of(bin.resolve("jcmd").toString(), "-l"));
        tools.put("jcmd-pid", List.of(bin.resolve("jcmd").toString(), pid, "VM.version"));
        tools.put("jps", List.of(bin.resolve("jps").toString(), "-l"));
        tools.put("jstack", List.of(bin.resolve("jstack").toString(), pid));
        tools.put("jinfo", List.of(bin.resolve("jinfo").toString(), "-flags", pid));
        tools.put("jmap", List.of(bin.resolve("jmap").toString(), "-histo:live", pid));
        tools.put("javac", List.of(bin.resolve("javac").toString(), "-d", processes.outputDir().toString(),
                source.toString()));
        tools.put("java-version", List.of(bin.resolve("java").toString(), "-version"));
        tools.put("keytool", List.of(bin.resolve("keytool").toString(), "-help"));
        tools.put("jar", List.of(bin.resolve("jar").toString(), "--version"));
        tools.put("agent-attach-help", List.of(bin.resolve("java").toString(), "-jar",
                Artifacts.agentJar().toString(), "--help"));
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, List<String>> tool : tools.entrySet()) {
            ManagedProcess run = processes.start(tool.getKey(), tool.getValue(), toolEnvironment(port));
            int exit = run.awaitExit(Timeouts.EXIT);
            check(tool.getKey(), run, exit, failures);
        }

        // jshell starts a second JVM to run the snippets; both inherit the agent.
        ManagedProcess jshell = processes.start("jshell", List.of(bin.resolve("jshell").toString(), "-q"),
                toolEnvironment(port));
        jshell.sendAndClose("System.out.println(6 * 7)\n/exit\n");
        check("jshell", jshell, jshell.awaitExit(Timeouts.EXIT), failures);
        assertTrue(jshell.stdout().contains("42"), jshell.describe());

        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
        assertTrue(app.isAlive(), app.describe());
        assertEquals(200, scraper.get("/metrics").status(), "the application still serves on its port");
        assertFalse(AGENT_OUTPUT.matcher(app.stderr().replaceAll(".*serving metrics on.*", "")).find(),
                "nothing but the serving line from the application's agent: " + app.describe());
    }

    @Test
    void mavenUnderJavaToolOptionsPrintsNothingFromTheAgent() {
        Path mvn = Tools.require("mvn", "install Maven (apt-get install maven)");
        ManagedProcess run = processes.start("mvn", List.of(mvn.toString(), "-v"), toolEnvironment(9));
        List<String> failures = new ArrayList<>();

        check("mvn", run, run.awaitExit(Timeouts.EXIT), failures);

        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
        assertTrue(run.stdout().contains("Apache Maven"), run.describe());
    }

    @Test
    void aRestrictionToOneMainClassKeepsTheAgentOutOfOtherApplications() {
        Map<String, String> environment = toolEnvironment(0);
        environment.put("DYN_AGENT_MAIN", "*.DemoMain,demo-target.jar");
        environment.put("DYN_LOG", "info");
        ManagedProcess other = processes.start("other-app", JvmLauncher.withoutAgent("other-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(GuideMetrics.MAIN_CLASS)
                .args("--no-wait").command(),
                environment);
        ManagedProcess demo = processes.start("demo-server", JvmLauncher.withoutAgent("demo-server")
                .jar(Artifacts.demoJar()).args("server", "--host", "127.0.0.1", "--port", "0", "--max-requests", "1")
                .command(), environment);

        assertTrue(demo.awaitMetricsPort(Timeouts.STARTUP) > 0, demo.describe());
        other.awaitStdoutLine(GuideMetrics.LAST_LINE, Timeouts.STARTUP);
        assertEquals(0, other.awaitExit(Timeouts.EXIT), other.describe());
        assertFalse(AGENT_OUTPUT.matcher(other.stderr()).find(), "the other application is untouched even at"
                + " DYN_LOG=info: " + other.describe());
        assertEquals(200, DemoTraffic.post(DemoTraffic.awaitServerPort(demo), 1, false));
    }

    private static void check(String tool, ManagedProcess run, int exit, List<String> failures) {
        String output = run.stdout() + run.stderr();
        if (AGENT_OUTPUT.matcher(output).find()) {
            failures.add(tool + " printed agent output: " + run.describe());
        }
        if (exit != 0) {
            failures.add(tool + " exited with " + exit + ": " + run.describe());
        }
    }
}
