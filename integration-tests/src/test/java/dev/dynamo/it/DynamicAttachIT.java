package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3: {@code java -jar dynamo-agent.jar <pid>} attaches to a JVM that is already running and
 * has already loaded and called its annotated methods; calls after the attach are counted, calls
 * before are not, and a second attach changes nothing.
 */
@Timeout(180)
class DynamicAttachIT {
    @RegisterExtension
    final Processes processes = new Processes();

    private ManagedProcess app;

    private ManagedProcess attach(String name) {
        return attach(name, "0");
    }

    private ManagedProcess attach(String name, String port) {
        ManagedProcess attach = processes.start(JvmLauncher.withoutAgent(name).jar(Artifacts.agentJar())
                .env("DYN_SYSTEM_PORT", port).env("DYN_LOG", "info").args(String.valueOf(app.pid())));
        assertEquals(0, attach.awaitExit(Timeouts.EXIT), attach.describe());
        return attach;
    }

    /**
     * An attach whose port was taken leaves the server off; an attach with a free port then starts it, as the
     * first one's line advises, without a restart. Before, the second attach's port was ignored and the JVM had to
     * be restarted to be scraped (a re-tester).
     */
    @Test
    void aLaterAttachStartsTheServerThatCouldNotStart() throws IOException {
        app = processes.start(JvmLauncher.withoutAgent("port-taken-app")
                .jvmArgs("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS));
        EndpointsAppConsole console = new EndpointsAppConsole(app);
        try (ServerSocket taken = FreePorts.occupy()) {
            attach("attach-taken", String.valueOf(taken.getLocalPort()));
            app.awaitStderr("port " + taken.getLocalPort() + " is already in use", Timeouts.STARTUP);
        }
        console.send("load 1 2");

        attach("attach-free", "0");

        app.awaitStderr("its metrics server is off: it could not start on", Timeouts.STARTUP);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        console.send("load 1 3");
        scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", Labels.endpoint("it", "load", "work"), 5);
        assertTrue(app.isAlive(), app.describe());
    }

    @Test
    void countsTheCallsMadeAfterAttachingToARunningJvm() {
        app = processes.start(JvmLauncher.withoutAgent("running-app")
                // JDK 21+ warns about dynamically loaded agents unless the JVM allows them up front.
                .jvmArgs("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS));
        EndpointsAppConsole console = new EndpointsAppConsole(app);
        assertEquals("done 345", console.send("load 1 5"));
        assertEquals("x present", console.send("names"), "compiled with parameter names");

        ManagedProcess attach = attach("attach");
        // Before Java 19 the JVM drops them from every retransformed class (JDK-8240908), and Spring 6
        // then fails every request that binds a parameter by its name: the agent puts them back.
        assertEquals("x present", console.send("names"), "the attach keeps the parameter names");

        assertTrue(attach.stdout().contains("attached to JVM " + app.pid()), attach.describe());
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        Map<String, String> work = Labels.endpoint("it", "load", "work");
        console.send("load 1 7");
        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", work, 7);
        assertEquals(7, page.value("dynamo_component_request_duration_seconds_count", work));
        // agentmain's own duration, with the retransformation of the classes loaded before it.
        double agentStart = page.value("dynamo_system_agent_start_seconds", Labels.of());
        assertTrue(agentStart > 0 && agentStart < 30, "agentmain took " + agentStart + " s");

        // A class first loaded after the attach is instrumented at load time.
        console.send("defaults");
        scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total",
                Labels.endpoint("dynamo", "DefaultsHandler", "defaults"), 1);

        // Attaching again is harmless: the same server, no double counting.
        attach("attach-again");
        console.send("load 1 3");
        Exposition again = scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", work, 10);
        assertEquals(10, again.value("dynamo_component_request_duration_seconds_count", work));
        assertEquals(agentStart, again.value("dynamo_system_agent_start_seconds", Labels.of()),
                "a second attach that changes nothing leaves the first start's duration");
        assertTrue(app.isAlive(), app.describe());

        // Attaching with other settings keeps those in force, its log's level too, and says which ones it ignored.
        int settingsLines = app.stderr().split("\\[AgentStarter\\] settings: ", -1).length;
        ManagedProcess other = processes.start(JvmLauncher.withoutAgent("attach-other").jar(Artifacts.agentJar())
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "debug").env("DYN_NAMESPACE", "elsewhere")
                .args(String.valueOf(app.pid())));
        assertEquals(0, other.awaitExit(Timeouts.EXIT), other.describe());
        app.awaitStderr("differing ones are ignored: DYN_LOG=debug (kept: info), DYN_NAMESPACE=elsewhere (kept: unset)",
                Timeouts.STARTUP);
        assertEquals(settingsLines, app.stderr().split("\\[AgentStarter\\] settings: ", -1).length,
                "the ignored settings are named in the warning only: " + app.describe());
        assertFalse(app.stderr().contains("DEBUG dynamo-agent"), "the log stays at info: " + app.describe());
        assertTrue(app.stderr().contains("Its metrics server serves metrics on http://"),
                "says what became of the server the settings in force asked for: " + app.describe());
        assertTrue(app.stderr().contains("WARN dynamo-agent"), app.describe());
        console.send("load 1 1");
        scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", work, 11);
    }

    /**
     * A JVM whose limited metaspace has no room for the agent's classes is not attached to, with one line saying
     * what to do; the application runs on and can still load its classes. Before, the agent's classes took the
     * room, and the application's next class failed with {@code OutOfMemoryError: Metaspace} (a re-tester).
     */
    @Test
    void refusesAJvmWhoseMetaspaceHasNoRoomForTheAgent() {
        app = processes.start(JvmLauncher.withoutAgent("tight-metaspace-app")
                .jvmArgs("-XX:+IgnoreUnrecognizedVMOptions", "-XX:+EnableDynamicAgentLoading", "-XX:MaxMetaspaceSize=5m")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS));
        EndpointsAppConsole console = new EndpointsAppConsole(app);
        console.send("load 1 5");

        attach("attach-tight");
        app.awaitStderr("not attaching: this JVM's Metaspace is limited to 5 MB (-XX:MaxMetaspaceSize)", Timeouts.STARTUP);

        assertEquals("done", console.send("defaults"), "a class loaded after the refusal");
        assertTrue(app.isAlive(), app.describe());
        assertFalse(app.stderr().contains("OutOfMemoryError"), app.describe());
        assertFalse(app.stderr().contains("serving metrics on"), app.describe());
    }

    /**
     * The attach command run by a Java runtime without the module {@code jdk.attach} (a JRE, a jlink image)
     * says that runtime is the cause, not the target. Before, the line asked whether the target was a running
     * JVM of the same user (a re-tester).
     */
    @Test
    void anAttachFromARuntimeWithoutAttachSupportNamesThatRuntime() {
        app = processes.start(JvmLauncher.withoutAgent("running-app-no-attach-runtime")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS));
        assertEquals("done 345", new EndpointsAppConsole(app).send("load 1 5"));

        ManagedProcess attach = processes.start(JvmLauncher.withoutAgent("attach-without-jdk-attach")
                .jvmArgs("--limit-modules", "java.base,java.instrument,java.logging,java.management")
                .jar(Artifacts.agentJar()).args(String.valueOf(app.pid())));
        assertEquals(1, attach.awaitExit(Timeouts.EXIT), attach.describe());
        assertTrue(attach.stderr().contains("has no attach support: the module jdk.attach is not among its"
                + " modules"), attach.describe());
        assertFalse(attach.stderr().contains("DisableAttachMechanism"), attach.describe());
        assertFalse(app.stderr().contains("dynamo-agent"), "nothing reached the target: " + app.describe());
    }
}
