package dev.dynamo.it;

import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Promtool;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: the quick start — the demo server with the agent and {@code DYN_SYSTEM_PORT}, the demo
 * client sending requests (some failing on purpose), then {@code /metrics}, {@code /health} and
 * {@code promtool} on what the server exposes.
 */
@Timeout(180)
class QuickStartIT {
    static final Map<String, String> ENDPOINT = Labels.endpoint("system", "component", "endpoint");
    static final Map<String, String> SERVICE = Labels.with(ENDPOINT, "service", "backend");

    @RegisterExtension
    final Processes processes = new Processes();

    /** Starts the demo server with DYN_SYSTEM_PORT on a free port; returns [server port, metrics port]. */
    private int[] startDemoServer() {
        int metricsPort = FreePorts.pick();
        ManagedProcess server = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0")
                .env("DYN_SYSTEM_PORT", String.valueOf(metricsPort)));
        return new int[] {DemoTraffic.awaitServerPort(server), metricsPort};
    }

    private ManagedProcess runClient(int serverPort, String... args) {
        ManagedProcess client = processes.start(JvmLauncher.demoClient("demo-client", serverPort, args));
        assertEquals(0, client.awaitExit(Timeouts.EXIT), client.describe());
        return client;
    }

    @Test
    void clientRequestsShowUpAsTheExamplesCustomAndAutomaticMetrics() {
        int[] ports = startDemoServer();
        MetricsScraper scraper = new MetricsScraper(ports[1]);

        ManagedProcess client = runClient(ports[0], "--requests", "20", "--fail", "5", "--concurrency", "4");

        assertTrue(client.stdout().contains("succeeded:           15"), client.describe());
        assertTrue(client.stdout().contains("failed as asked:     5"), client.describe());
        assertTrue(client.stdout().contains("unexpected outcomes: 0"), client.describe());
        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", ENDPOINT, 20);

        // Automatic work-handler metrics of the @DynamoEndpoint handler.
        assertEquals(5, page.value("dynamo_component_errors_total",
                Labels.with(ENDPOINT, "error_type", "RequestFailedException")));
        assertEquals(1, page.samples("dynamo_component_errors_total").size(), "no other error type");
        assertEquals(0, page.value("dynamo_component_inflight_requests", ENDPOINT));
        assertEquals(0, page.value("dynamo_component_cancellation_total", ENDPOINT));
        assertEquals(20, page.value("dynamo_component_request_duration_seconds_count", ENDPOINT));
        assertEquals(List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
                "20.0", "30.0", "60.0", "120.0", "300.0", "600.0", "+Inf"),
                page.bucketEdges("dynamo_component_request_duration_seconds", ENDPOINT));
        assertHelpAndType(page, "dynamo_component_requests_total", "counter",
                "Total number of requests processed by work handler");
        assertHelpAndType(page, "dynamo_component_request_duration_seconds", "histogram",
                "Time spent processing requests by work handler");
        assertHelpAndType(page, "dynamo_component_inflight_requests", "gauge",
                "Number of requests currently being processed by work handler");
        assertHelpAndType(page, "dynamo_component_errors_total", "counter",
                "Total number of errors in work handler processing");
        assertHelpAndType(page, "dynamo_component_cancellation_total", "counter",
                "Total number of requests cancelled by work handler");

        // The example's own metrics, recorded through the API on the same endpoint.
        assertEquals(20, page.value("dynamo_component_service_requests_total", SERVICE));
        assertEquals("counter", page.type("dynamo_component_service_requests_total"));
        assertEquals(20, page.value("dynamo_component_service_request_duration_seconds_count", SERVICE));
        assertEquals(List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
                "+Inf"), page.bucketEdges("dynamo_component_service_request_duration_seconds", SERVICE));

        // The runtime's uptime and the JVM's own metrics.
        assertTrue(page.value("dynamo_component_uptime_seconds", Labels.of()) > 0);
        assertHelpAndType(page, "dynamo_component_uptime_seconds", "gauge",
                "Total uptime of the DistributedRuntime in seconds");
        assertTrue(page.sampleNames().stream().anyMatch(name -> name.startsWith("jvm_")), "jvm_* metrics");
        assertTrue(page.sampleNames().stream().anyMatch(name -> name.startsWith("process_")), "process_* metrics");

        // What instrumentation cost the demo server's class loading: its one annotated class was rewritten.
        double seen = page.value("dynamo_system_instrumentation_classes_seen_total", Labels.of());
        double instrumented = page.value("dynamo_system_instrumentation_classes_instrumented_total", Labels.of());
        assertEquals(1, instrumented, "classes with @DynamoEndpoint methods in the demo server");
        assertTrue(seen > 100, "every class the server loaded after premain was searched: " + seen);
        double seconds = page.value("dynamo_system_instrumentation_seconds_total", Labels.of());
        assertTrue(seconds > 0 && seconds < 10, "time in the transformer: " + seconds);
        assertEquals("counter", page.type("dynamo_system_instrumentation_seconds_total"));
        // And what the agent's own start took, before the demo server's main could run.
        double start = page.value("dynamo_system_agent_start_seconds", Labels.of());
        assertTrue(start > 0 && start < 10, "the agent's start: " + start);
        assertEquals("gauge", page.type("dynamo_system_agent_start_seconds"));
    }

    @Test
    void healthReportsTheEndpointReadyAndOtherPathsAre404() {
        int[] ports = startDemoServer();
        MetricsScraper scraper = new MetricsScraper(ports[1]);

        MetricsScraper.Response health = scraper.get("/health");
        assertEquals(200, health.status(), health.body());
        assertTrue(health.body().contains("\"status\":\"ready\""), health.body());
        assertTrue(health.body().contains("\"endpoints\":{\"endpoint\":\"ready\"}"), health.body());
        assertEquals(200, scraper.get("/live").status());
        assertEquals(404, scraper.get("/compute").status());
    }

    @Test
    void promtoolAcceptsTheDemoPage() {
        int[] ports = startDemoServer();
        MetricsScraper scraper = new MetricsScraper(ports[1]);
        runClient(ports[0], "--requests", "6", "--fail", "2");
        scraper.awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", ENDPOINT, 6);

        Promtool.assertAccepts(processes, scraper.scrapeText());
    }

    private static void assertHelpAndType(Exposition page, String family, String type, String help) {
        assertEquals(type, page.type(family), "# TYPE of " + family);
        assertEquals(help, page.help(family), "# HELP of " + family);
    }
}
