package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: the environment of SPEC §5 against the demo server. In every case the application itself
 * runs normally: it serves a request and exits 0 ({@code --max-requests 1}).
 */
@Timeout(180)
class EnvironmentIT {
    private static final String SERVING = "serving metrics on http://";

    @RegisterExtension
    final Processes processes = new Processes();

    private ManagedProcess demo(String... environment) {
        JvmLauncher launcher = JvmLauncher.demoServer("demo-server", "--port", "0", "--max-requests", "1");
        for (int i = 0; i < environment.length; i += 2) {
            launcher.env(environment[i], environment[i + 1]);
        }
        return processes.start(launcher);
    }

    /** Sends the one request the demo serves and checks that it then exits 0 on its own. */
    private static void assertAppServesAndExitsNormally(ManagedProcess demo) {
        assertEquals(200, DemoTraffic.post(DemoTraffic.awaitServerPort(demo), 1, false));
        assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
        assertTrue(demo.stdout().contains("demo server: served 1 requests (0 failed), exiting"), demo.describe());
    }

    private static void assertOneStderrLineNaming(ManagedProcess demo, String... fragments) {
        List<String> stderr = demo.stderrLines();
        assertEquals(1, stderr.size(), "exactly one line on stderr: " + stderr);
        for (String fragment : fragments) {
            assertTrue(stderr.get(0).contains(fragment), "the line names '" + fragment + "': " + stderr);
        }
    }

    @Test
    void portServesOnThatPortQuietly() {
        int port = FreePorts.pick();
        ManagedProcess demo = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0",
                "--max-requests", "2").env("DYN_SYSTEM_PORT", String.valueOf(port)));
        int serverPort = DemoTraffic.awaitServerPort(demo);

        assertEquals(200, DemoTraffic.post(serverPort, 1, false));

        new MetricsScraper(port).awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total",
                Labels.endpoint("system", "component", "endpoint"), 1);
        assertEquals(200, DemoTraffic.post(serverPort, 2, false));
        assertEquals(0, demo.awaitExit(Timeouts.EXIT), demo.describe());
        assertEquals(List.of(), demo.stderrLines(), "nothing on stderr without DYN_LOG");
    }

    @Test
    void portZeroServesOnAnyFreePortAndLogsIt() {
        ManagedProcess demo = demo("DYN_SYSTEM_PORT", "0", "DYN_LOG", "info");

        int port = demo.awaitMetricsPort(Timeouts.STARTUP);

        assertTrue(port > 0);
        new MetricsScraper(port).awaitPage(Timeouts.SCRAPE, "the demo endpoint's series",
                page -> page.has("dynamo_component_inflight_requests",
                        Labels.endpoint("system", "component", "endpoint")));
        assertAppServesAndExitsNormally(demo);
    }

    @Test
    void enabledAloneServesOnPort8000() {
        boolean free = FreePorts.isFree(8000);
        ManagedProcess demo = demo("DYN_SYSTEM_ENABLED", "true", "DYN_LOG", "info");

        if (free) {
            assertEquals(8000, demo.awaitMetricsPort(Timeouts.STARTUP), demo.describe());
            assertEquals(200, new MetricsScraper(8000).get("/metrics").status());
        } else {
            // Something else holds 8000 on this machine: the agent must have tried it, and said so.
            demo.awaitStderr("port 8000", Timeouts.STARTUP);
        }
        assertAppServesAndExitsNormally(demo);
    }

    @ParameterizedTest(name = "DYN_SYSTEM_ENABLED={0}")
    @CsvSource({"false", "0", "off", "NO"})
    void enabledFalsyKeepsTheServerOffEvenWithAPort(String falsy) {
        int port = FreePorts.pick();
        ManagedProcess demo = demo("DYN_SYSTEM_ENABLED", falsy, "DYN_SYSTEM_PORT", String.valueOf(port),
                "DYN_LOG", "info");

        assertAppServesAndExitsNormally(demo);

        assertFalse(demo.stderr().contains(SERVING), demo.describe());
        assertFalse(FreePorts.isListening(port), "nothing listens on " + port);
    }

    @ParameterizedTest(name = "DYN_SYSTEM_PORT={0}")
    @CsvSource({"''", "-1"})
    void unsetOrNegativePortKeepsTheServerOff(String port) {
        ManagedProcess demo = port.isEmpty() ? demo("DYN_LOG", "info")
                : demo("DYN_SYSTEM_PORT", port, "DYN_LOG", "info");

        assertAppServesAndExitsNormally(demo);

        assertFalse(demo.stderr().contains(SERVING), demo.describe());
        assertFalse(demo.stderr().contains("ERROR"), demo.describe());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "DYN_SYSTEM_PORT, abc",
        "DYN_SYSTEM_PORT, 70000",
        "DYN_SYSTEM_ENABLED, maybe",
        "DYN_SYSTEM_STARTING_HEALTH_STATUS, sometimes",
        "DYN_SYSTEM_JVM_METRICS, perhaps",
        "DYN_LOG, chatty",
    })
    void badValueIsOneLineNamingTheVariableAndTheValue(String variable, String value) {
        // A fixed port: the port the system chooses for 0 is announced on stderr too.
        ManagedProcess demo = variable.equals("DYN_SYSTEM_PORT") ? demo(variable, value)
                : demo("DYN_SYSTEM_PORT", String.valueOf(FreePorts.pick()), variable, value);

        assertAppServesAndExitsNormally(demo);

        assertOneStderrLineNaming(demo, variable, value);
    }

    /**
     * Under a C locale stderr writes only ASCII: a bad value in another script (here from the settings file,
     * read as UTF-8) is quoted with escapes, so that the line still shows what was set. Before, it showed
     * {@code DYN_SYSTEM_PORT='??'} (a re-tester). The JVM itself cannot decode such bytes of the environment
     * in that locale: a variable's value shows one {@code \ufffd} for each, no longer a {@code ?} that a value
     * could hold itself.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.dynamo.it.support.Jdks#installed")
    void aBadValueBeyondAsciiIsQuotedWithEscapesUnderACLocale(Jdk jdk) throws IOException {
        Path file = Files.createDirectories(Artifacts.workDir().resolve("EnvironmentIT"))
                .resolve("c-locale-" + jdk.feature() + ".properties");
        Files.write(file, "port=\u0661\u0669\n".getBytes(StandardCharsets.UTF_8));
        ManagedProcess fromFile = processes.start(JvmLauncher.demoServer("demo-server-c-locale", "--port", "0",
                "--max-requests", "1").jdk(jdk).env("LC_ALL", "C").env("LANG", "C")
                .env("DYN_CONFIG_FILE", file.toString()));
        assertAppServesAndExitsNormally(fromFile);
        assertOneStderrLineNaming(fromFile, "DYN_SYSTEM_PORT='\\u0661\\u0669' is not a port number");

        ManagedProcess fromEnvironment = processes.start(JvmLauncher.demoServer("demo-server-c-locale-env", "--port",
                "0", "--max-requests", "1").jdk(jdk).env("LC_ALL", "C").env("LANG", "C")
                .env("DYN_SYSTEM_PORT", "\u0661\u0669"));
        assertAppServesAndExitsNormally(fromEnvironment);
        assertOneStderrLineNaming(fromEnvironment, "DYN_SYSTEM_PORT='\\ufffd\\ufffd\\ufffd\\ufffd' is not a port number");
    }

    @Test
    void takenPortIsOneLineNamingThePortAndTheAppRunsOn() throws Exception {
        try (ServerSocket taken = FreePorts.occupy()) {
            String port = String.valueOf(taken.getLocalPort());
            ManagedProcess demo = demo("DYN_SYSTEM_PORT", port);

            assertAppServesAndExitsNormally(demo);

            assertOneStderrLineNaming(demo, port);
        }
    }

    /** Before, the line said only {@code java.nio.channels.UnsupportedAddressTypeException} (a re-tester). */
    @Test
    void anIpv6HostInAJvmWithoutIpv6SocketsIsOneLineNamingTheProperty() {
        ManagedProcess demo = processes.start(JvmLauncher.demoServer("demo-server-ipv4-stack", "--port", "0",
                "--max-requests", "1").jvmArgs("-Djava.net.preferIPv4Stack=true").env("DYN_SYSTEM_HOST", "::1")
                .env("DYN_SYSTEM_PORT", "0"));

        assertAppServesAndExitsNormally(demo);

        assertOneStderrLineNaming(demo, "DYN_SYSTEM_HOST=::1 is an IPv6 address", "-Djava.net.preferIPv4Stack=true",
                "set DYN_SYSTEM_HOST to an IPv4 address");
    }

    @Test
    void hostBindsTheGivenAddress() {
        ManagedProcess demo = demo("DYN_SYSTEM_HOST", "127.0.0.1", "DYN_SYSTEM_PORT", "0", "DYN_LOG", "info");

        int port = demo.awaitMetricsPort(Timeouts.STARTUP);

        assertTrue(demo.stderr().contains(SERVING + "127.0.0.1:" + port + "/metrics"), demo.describe());
        assertEquals(200, new MetricsScraper(port).get("/metrics").status());
        assertAppServesAndExitsNormally(demo);
    }

    @Test
    void hostDefaultsToEveryInterface() {
        ManagedProcess demo = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0", "--max-requests",
                "1").unsetEnv("DYN_SYSTEM_HOST").env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));

        int port = demo.awaitMetricsPort(Timeouts.STARTUP);

        String stderr = demo.stderr();
        assertTrue(stderr.contains(SERVING + "0.0.0.0:" + port) || stderr.contains(SERVING + "[::]:" + port)
                || stderr.contains(SERVING + "0:0:0:0:0:0:0:0:" + port), "a wildcard address: " + stderr);
        assertEquals(200, new MetricsScraper(port).get("/metrics").status(), "reachable on loopback too");
        assertAppServesAndExitsNormally(demo);
    }

    @Test
    void healthAndLivePathsFollowTheirSettings() {
        ManagedProcess demo = demo("DYN_SYSTEM_PORT", "0", "DYN_LOG", "info",
                "DYN_SYSTEM_HEALTH_PATH", "/healthz", "DYN_SYSTEM_LIVE_PATH", "/livez");
        MetricsScraper scraper = new MetricsScraper(demo.awaitMetricsPort(Timeouts.STARTUP));
        DemoTraffic.awaitServerPort(demo);

        MetricsScraper.Response health = scraper.get("/healthz");
        assertEquals(200, health.status(), health.body());
        assertTrue(health.body().contains("\"status\":\"ready\""), health.body());
        assertEquals(200, scraper.get("/livez").status());
        assertEquals(404, scraper.get("/health").status());
        assertEquals(404, scraper.get("/live").status());
        assertAppServesAndExitsNormally(demo);
    }

    @ParameterizedTest(name = "DYN_SYSTEM_STARTING_HEALTH_STATUS={0}")
    @CsvSource({"'', 503, notready", "notready, 503, notready", "ready, 200, ready"})
    void startingHealthStatusAppliesBeforeAnyEndpointIsLoaded(String setting, int status, String health) {
        // The guide app has no @DynamoEndpoint class, so the starting status is all there is.
        JvmLauncher launcher = JvmLauncher.withAgent("guide-app").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(GuideMetrics.MAIN_CLASS).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info");
        if (!setting.isEmpty()) {
            launcher.env("DYN_SYSTEM_STARTING_HEALTH_STATUS", setting);
        }
        ManagedProcess app = processes.start(launcher);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine(GuideMetrics.READY_LINE, Timeouts.STARTUP);

        MetricsScraper.Response response = scraper.get("/health");

        assertEquals(status, response.status(), response.body());
        assertTrue(response.body().contains("\"status\":\"" + health + "\""), response.body());
        assertEquals(200, scraper.get("/live").status(), "liveness does not depend on readiness");
    }

    @ParameterizedTest(name = "DYN_SYSTEM_JVM_METRICS={0}")
    @CsvSource({"'', true", "true, true", "false, false"})
    void jvmMetricsAreOnUnlessTurnedOff(String setting, boolean expected) {
        ManagedProcess demo = setting.isEmpty() ? demo("DYN_SYSTEM_PORT", "0", "DYN_LOG", "info")
                : demo("DYN_SYSTEM_PORT", "0", "DYN_LOG", "info", "DYN_SYSTEM_JVM_METRICS", setting);

        Exposition page = new MetricsScraper(demo.awaitMetricsPort(Timeouts.STARTUP)).scrape();

        assertEquals(expected, page.sampleNames().stream().anyMatch(name -> name.startsWith("jvm_")),
                page.sampleNames().toString());
        assertEquals(expected, page.sampleNames().stream().anyMatch(name -> name.startsWith("process_")),
                page.sampleNames().toString());
        assertTrue(page.has("dynamo_component_uptime_seconds", Labels.of()), "dynamo metrics stay");
        assertAppServesAndExitsNormally(demo);
    }
}
