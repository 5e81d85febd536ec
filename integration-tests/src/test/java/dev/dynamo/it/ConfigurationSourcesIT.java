package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 13: every source of settings against the demo server — agent arguments, system properties,
 * the environment and a properties file — and their precedence; issue 8: the messages a user sees
 * at start.
 */
@Timeout(240)
class ConfigurationSourcesIT {
    private static final String SERVING = "serving metrics on http://";

    @RegisterExtension
    final Processes processes = new Processes();

    /** The demo server; the launcher already sets DYN_SYSTEM_HOST=127.0.0.1 in the environment. */
    private static JvmLauncher demo() {
        return JvmLauncher.demoServer("demo-server", "--port", "0", "--max-requests", "2");
    }

    /** The demo serves its two requests and exits 0; in between, {@code metricsPath} on {@code port} shows them. */
    private static void assertServesOn(ManagedProcess demo, int port, String metricsPath) {
        MetricsScraper scraper = new MetricsScraper(port);
        int serverPort = DemoTraffic.awaitServerPort(demo);
        assertEquals(200, DemoTraffic.post(serverPort, 1, false));
        Polling.await(Timeouts.SCRAPE, () -> metricsPath + " on " + port + " shows no request: " + demo.describe(),
                () -> scraper.get(metricsPath).body().contains("dynamo_component_requests_total{") ? "" : null);
        if (!metricsPath.equals("/metrics")) {
            assertEquals(404, scraper.get("/metrics").status(), "the page has moved to " + metricsPath);
        }
        assertEquals(200, DemoTraffic.post(serverPort, 2, false));
        assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
    }

    private static void assertServingLine(ManagedProcess demo, int port, String metricsPath) {
        assertTrue(demo.stderr().contains(SERVING + "127.0.0.1:" + port + metricsPath + " "), demo.describe());
    }

    private Path propertiesFile(String... lines) throws IOException {
        Path file = processes.outputDir().resolve("dynamo.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private static MetricsScraper scraperOnceServing(ManagedProcess app, int port) {
        app.awaitStderr(SERVING, Timeouts.STARTUP);
        return new MetricsScraper(port);
    }

    @Test
    void agentArgumentsInTheCommaFormNeedNoQuoting() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().agentArguments("port=" + port
                + ",log=warn,dev.dynamo.agent=info,host=127.0.0.1"));

        assertServesOn(demo, port, "/metrics");
        assertServingLine(demo, port, "/metrics");
        assertTrue(demo.stderr().contains("DYN_SYSTEM_PORT=" + port + " (agent argument port)"), demo.describe());
        assertTrue(demo.stderr().contains("DYN_LOG=warn,dev.dynamo.agent=info (agent argument log)"),
                "the log directives continue over the comma: " + demo.describe());
    }

    @Test
    void agentArgumentsInTheOlderFormStillWork() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().agentArguments("DYN_SYSTEM_PORT=" + port + "&DYN_LOG=info"));

        assertServesOn(demo, port, "/metrics");
    }

    @Test
    void systemPropertiesAreRead() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().jvmArgs("-Ddyn.system.port=" + port, "-Ddyn.log=info",
                "-Ddyn.system.metrics.path=/prometheus"));

        assertServesOn(demo, port, "/prometheus");
        assertServingLine(demo, port, "/prometheus");
        assertTrue(demo.stderr().contains("DYN_SYSTEM_PORT=" + port + " (system property dyn.system.port)"),
                demo.describe());
    }

    @Test
    void environmentIsRead() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().env("DYN_SYSTEM_PORT", String.valueOf(port))
                .env("DYN_LOG", "info"));

        assertServesOn(demo, port, "/metrics");
        assertTrue(demo.stderr().contains("DYN_SYSTEM_PORT=" + port + " (environment)"), demo.describe());
    }

    @Test
    void aPropertiesFileIsRead() throws IOException {
        int port = FreePorts.pick();
        Path file = propertiesFile("# the agent's settings", "port=" + port, "dyn.log=info",
                "DYN_SYSTEM_METRICS_PATH=/stats");
        ManagedProcess demo = processes.start(demo().env("DYN_CONFIG_FILE", file.toString()));

        assertServesOn(demo, port, "/stats");
        assertServingLine(demo, port, "/stats");
        assertTrue(demo.stderr().contains("(file " + file + ")"), demo.describe());
    }

    @Test
    void argumentsBeatPropertiesBeatEnvironmentBeatsTheFile() throws IOException {
        int[] ports = {FreePorts.pick(), FreePorts.pick(), FreePorts.pick(), FreePorts.pick()};
        Path file = propertiesFile("port=" + ports[3], "namespace=from_file", "health.path=/file-health",
                "live.path=/file-live", "metrics.path=/file-metrics");
        ManagedProcess app = processes.start(JvmLauncher.withAgent("guide-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(GuideMetrics.MAIN_CLASS)
                .agentArguments("port=" + ports[0])
                .jvmArgs("-Ddyn.system.port=" + ports[1], "-Ddyn.system.health.path=/property-health")
                .env("DYN_SYSTEM_PORT", String.valueOf(ports[2])).env("DYN_SYSTEM_LIVE_PATH", "/env-live")
                .env("DYN_CONFIG_FILE", file.toString()).env("DYN_LOG", "info"));
        MetricsScraper scraper = scraperOnceServing(app, ports[0]);
        app.awaitStdoutLine(GuideMetrics.READY_LINE, Timeouts.STARTUP);

        assertEquals(200, scraper.get("/file-metrics").status(), "metrics path from the file");
        assertEquals(503, scraper.get("/property-health").status(), "health path from the system property");
        assertEquals(200, scraper.get("/env-live").status(), "live path from the environment");
        for (int i = 1; i < ports.length; i++) {
            assertFalse(FreePorts.isListening(ports[i]), "the weaker port " + ports[i] + " is not bound");
        }
        String settings = app.stderr().lines().filter(line -> line.contains("settings: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no settings line: " + app.describe()));
        assertTrue(settings.contains("DYN_SYSTEM_PORT=" + ports[0] + " (agent argument port)"), settings);
        assertTrue(settings.contains("DYN_SYSTEM_HEALTH_PATH=/property-health (system property"), settings);
        assertTrue(settings.contains("DYN_SYSTEM_LIVE_PATH=/env-live (environment)"), settings);
        assertTrue(settings.contains("DYN_NAMESPACE=from_file (file " + file + ")"), settings);
    }

    @Test
    void anUnknownArgumentIsOneLineNamingTheAcceptedNamesAndTheAppRunsOn() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().agentArguments("prot=1,port=" + port));

        assertServesOn(demo, port, "/metrics");
        List<String> stderr = demo.stderrLines();
        assertEquals(1, stderr.size(), stderr.toString());
        assertTrue(stderr.get(0).contains("agent argument 'prot' is not a setting; accepted: "), stderr.toString());
        assertTrue(stderr.get(0).contains("DYN_SYSTEM_PORT (port)"), stderr.toString());
    }

    /**
     * A port taken when the server starts: the line names the port as it was given and the application runs on.
     * Before, it said to set DYN_SYSTEM_PORT, a variable the user never set (a re-tester).
     */
    @Test
    void aTakenPortGivenAsAnAgentArgumentIsNamedAsGiven() throws IOException {
        try (ServerSocket taken = FreePorts.occupy()) {
            ManagedProcess demo = processes.start(demo().agentArguments("port=" + taken.getLocalPort()));

            int serverPort = DemoTraffic.awaitServerPort(demo);
            assertEquals(200, DemoTraffic.post(serverPort, 1, false));
            String line = Polling.await(Timeouts.STARTUP, demo::describe, () -> demo.stderrLines().stream()
                    .filter(l -> l.contains("is already in use")).findFirst().orElse(null));
            assertTrue(line.contains("port " + taken.getLocalPort() + " is already in use; set agent argument port to"
                    + " a free port"), line);
            assertFalse(line.contains("DYN_SYSTEM_PORT"), line);
        }
    }

    @Test
    void agentEnabledFalseTurnsTheWholeAgentOff() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().env("DYN_SYSTEM_PORT", String.valueOf(port))
                .env("DYN_AGENT_ENABLED", "false"));

        int serverPort = DemoTraffic.awaitServerPort(demo);
        assertEquals(200, DemoTraffic.post(serverPort, 1, false));
        assertFalse(FreePorts.isListening(port));
        assertEquals(200, DemoTraffic.post(serverPort, 2, false));
        assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
        assertFalse(demo.stderr().contains(" dynamo-agent ["), "no line from the agent: " + demo.describe());
        assertTrue(demo.stderr().contains("not exported: the dynamo agent is not attached"),
                "the API says it exports nothing");
    }

    @Test
    void theChosenPortIsOneLineAtTheDefaultLevel() {
        ManagedProcess demo = processes.start(demo().env("DYN_SYSTEM_PORT", "0"));

        int port = demo.awaitMetricsPort(Timeouts.STARTUP);

        assertServesOn(demo, port, "/metrics");
        List<String> stderr = demo.stderrLines();
        assertEquals(1, stderr.size(), stderr.toString());
        assertTrue(stderr.get(0).contains(" INFO dynamo-agent "), "a normal event, not a warning: " + stderr);
        assertServingLine(demo, port, "/metrics");
    }

    @Test
    void anAddressOfAnotherMachineIsNotReportedAsATakenPort() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
        ManagedProcess demo = processes.start(demo().env("DYN_SYSTEM_HOST", "192.0.2.7")
                .env("DYN_SYSTEM_PORT", String.valueOf(FreePorts.pick())));

        int serverPort = DemoTraffic.awaitServerPort(demo);
        assertEquals(200, DemoTraffic.post(serverPort, 1, false));
        assertEquals(200, DemoTraffic.post(serverPort, 2, false));
        assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
        List<String> stderr = demo.stderrLines();
        assertEquals(1, stderr.size(), stderr.toString());
        assertTrue(stderr.get(0).contains("192.0.2.7 is not an address of this machine; set DYN_SYSTEM_HOST"),
                stderr.toString());
        assertFalse(stderr.get(0).contains("in use"), stderr.toString());
    }

    private Path namedPipe(String name) throws IOException, InterruptedException {
        Path pipe = processes.outputDir().resolve(name);
        Files.createDirectories(pipe.getParent());
        Files.deleteIfExists(pipe);
        assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "needs mkfifo");
        return pipe;
    }

    @Test
    void aConfigFileThatIsANamedPipeIsOneLineAndTheOtherSourcesApply() throws Exception {
        // Opening the pipe would have blocked premain until a writer came: main never ran.
        Path pipe = namedPipe("agent.properties");
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(demo().env("DYN_CONFIG_FILE", pipe.toString())
                .env("DYN_SYSTEM_PORT", String.valueOf(port)));

        assertServesOn(demo, port, "/metrics");
        List<String> stderr = demo.stderrLines();
        assertEquals(1, stderr.size(), stderr.toString());
        assertTrue(stderr.get(0).contains("DYN_CONFIG_FILE='" + pipe + "' cannot be read: it is not a regular file"
                + " (a named pipe, device or socket); use the path of a readable properties file (a regular file of"
                + " at most 1 MiB)"), stderr.toString());
    }

    @Test
    void aWebConfigThatIsANamedPipeOrADeviceKeepsTheServerOffAndTheApplicationRuns() throws Exception {
        Path pipe = namedPipe("web-config.yml");
        for (String webConfig : List.of(pipe.toString(), "/dev/zero")) {
            int port = FreePorts.pick();
            ManagedProcess demo = processes.start(demo().env("DYN_SYSTEM_WEB_CONFIG", webConfig)
                    .env("DYN_SYSTEM_PORT", String.valueOf(port)));

            int serverPort = DemoTraffic.awaitServerPort(demo);
            assertEquals(200, DemoTraffic.post(serverPort, 1, false));
            demo.awaitStderr("DYN_SYSTEM_WEB_CONFIG=" + webConfig + ": cannot read it: it is not a regular file",
                    Timeouts.STARTUP);
            assertFalse(FreePorts.isListening(port));
            assertEquals(200, DemoTraffic.post(serverPort, 2, false));
            assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
            assertEquals(1, demo.stderrLines().size(), demo.describe());
        }
    }
}
