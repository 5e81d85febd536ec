package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4: the agent on every JDK installed on the machine, with the demo server and client on that JDK. */
@Timeout(180)
class JdkMatrixIT {
    private static final Map<String, String> ENDPOINT = Labels.endpoint("system", "component", "endpoint");

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    @Test
    void findsAtLeastTwoJdkReleasesOnThisMachine() {
        List<Integer> features = Jdks.installed().stream().map(Jdk::feature).distinct().collect(Collectors.toList());
        if (features.size() < 2) {
            Tools.missing("only one JDK release is installed " + Jdks.installed()
                    + "; the agent must be tried on at least two (e.g. apt-get install openjdk-17-jdk temurin-25-jdk)");
        }
        assertTrue(features.size() >= 2, features.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void demoServerWithTheAgentIsScrapedOn(Jdk jdk) {
        // No DYN_LOG: the port the system chose is announced at the default level.
        ManagedProcess server = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0").jdk(jdk)
                .env("DYN_SYSTEM_PORT", "0"));
        MetricsScraper scraper = new MetricsScraper(server.awaitMetricsPort(Timeouts.STARTUP));
        int serverPort = DemoTraffic.awaitServerPort(server);

        ManagedProcess client = processes.start(JvmLauncher.demoClient("demo-client", serverPort,
                "--requests", "8", "--fail", "3", "--concurrency", "2").jdk(jdk));
        assertEquals(0, client.awaitExit(Timeouts.EXIT), client.describe());

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", ENDPOINT, 8);
        assertEquals(3, page.value("dynamo_component_errors_total",
                Labels.with(ENDPOINT, "error_type", "RequestFailedException")));
        assertEquals(8, page.value("dynamo_component_service_requests_total",
                Labels.with(ENDPOINT, "service", "backend")));
        List<Exposition.Sample> jvmInfo = page.samples("jvm_info");
        assertEquals(1, jvmInfo.size(), "jvm_info: " + jvmInfo);
        assertTrue(jvmInfo.get(0).labels().get("version").startsWith(jdk.version()),
                "the server really ran on " + jdk + ": " + jvmInfo);
        List<String> stderr = server.stderrLines();
        assertEquals(1, stderr.size(), "only the agent's own line on stderr: " + stderr);
        assertTrue(stderr.get(0).contains("serving metrics on"), stderr.toString());
    }

    /**
     * {@code java -javaagent:... Greeter.java}: the JVM's main class is the JDK's source launcher
     * ({@code com.sun.tools.javac.launcher.Main} on JDK 17, {@code ...SourceLauncher} on JDK 22 and
     * later), yet the program is the application. Before, the agent took it for a JDK tool and stayed
     * off, saying so only at debug.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aProgramRunFromItsSourceFileIsMeasuredOn(Jdk jdk) throws Exception {
        Path source = Files.createDirectories(processes.outputDir()).resolve("Greeter.java");
        Files.writeString(source, String.join("\n",
                "import dev.dynamo.runtime.DynamoEndpoint;",
                "public class Greeter {",
                "    @DynamoEndpoint(namespace = \"scripts\", component = \"greeter\", endpoint = \"greet\")",
                "    static String greet(int i) {",
                "        if (i % 3 == 0) throw new IllegalStateException(\"no \" + i);",
                "        return \"hello \" + i;",
                "    }",
                "    public static void main(String[] args) throws Exception {",
                "        for (int i = 1; i <= 7; i++) {",
                "            try { greet(i); } catch (IllegalStateException expected) { }",
                "        }",
                "        System.out.println(\"called\");",
                "        System.in.read();",
                "    }",
                "}", ""));
        ManagedProcess program = processes.start(JvmLauncher.withAgent("source-file").jdk(jdk)
                .classpath(Artifacts.apiJar()).mainClass(source.toString()).env("DYN_SYSTEM_PORT", "0"));
        MetricsScraper scraper = new MetricsScraper(program.awaitMetricsPort(Timeouts.STARTUP));
        program.awaitStdoutLine("called", Timeouts.STARTUP);

        Map<String, String> greet = Labels.endpoint("scripts", "greeter", "greet");
        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", greet, 7);
        assertEquals(7, page.value("dynamo_component_request_duration_seconds_count", greet));
        assertEquals(2, page.value("dynamo_component_errors_total",
                Labels.with(greet, "error_type", "IllegalStateException")));
        assertEquals(0, page.value("dynamo_component_inflight_requests", greet));
        assertFalse(program.stderr().contains("WARN") || program.stderr().contains("ERROR"), program.describe());
    }
}
