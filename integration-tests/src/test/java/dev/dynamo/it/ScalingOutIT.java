package dev.dynamo.it;

import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.PrometheusProcess;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 13, docs/scaling-out.md proved with real servers: one Prometheus scrapes three agent JVMs;
 * a second one federates from it ({@code /federate}), or receives its samples by remote write
 * ({@code --web.enable-remote-write-receiver}). PromQL on the second gives the exact sums over the
 * hierarchy labels.
 */
@Timeout(240)
class ScalingOutIT {
    private static final String BY_HIERARCHY = "sum by (dynamo_namespace, dynamo_component, dynamo_endpoint) ";
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Requests and deliberate failures each demo JVM gets. */
    private static final int[][] TRAFFIC = {{7, 2}, {5, 1}, {3, 0}};

    @RegisterExtension
    final Processes processes = new Processes();

    /** Starts the demo JVMs, sends each its traffic, and returns their metrics targets. */
    private List<String> demoTargets() {
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < TRAFFIC.length; i++) {
            int metricsPort = FreePorts.pick();
            ManagedProcess server = processes.start(JvmLauncher.demoServer("demo-server-" + (i + 1), "--port", "0")
                    .env("DYN_SYSTEM_PORT", String.valueOf(metricsPort)));
            int serverPort = DemoTraffic.awaitServerPort(server);
            for (int request = 0; request < TRAFFIC[i][0]; request++) {
                boolean fail = request < TRAFFIC[i][1];
                assertEquals(fail ? 500 : 200, DemoTraffic.post(serverPort, request, fail));
            }
            targets.add("'127.0.0.1:" + metricsPort + "'");
        }
        return targets;
    }

    private static String scrapeConfig(List<String> targets, String... extra) {
        return String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "  external_labels:",
                "    cluster: it",
                "scrape_configs:",
                "  - job_name: dynamo",
                "    static_configs:",
                "      - targets: [" + String.join(", ", targets) + "]",
                String.join("\n", extra),
                "");
    }

    /** The sums the three JVMs' traffic adds up to, asked of {@code prometheus}. */
    private static void assertHierarchySums(PrometheusProcess prometheus) {
        prometheus.awaitValues(BY_HIERARCHY + "(dynamo_component_requests_total)", WAIT, 15);
        prometheus.awaitValues(BY_HIERARCHY + "(dynamo_component_errors_total)", WAIT, 3);
        prometheus.awaitValues(BY_HIERARCHY + "(dynamo_component_request_duration_seconds_count)", WAIT, 15);
        prometheus.awaitValues("count by (dynamo_endpoint) (dynamo_component_requests_total)", WAIT, 3);
        prometheus.awaitValues(
                "sum by (dynamo_endpoint) (dynamo_component_service_requests_total{service=\"backend\"})", WAIT, 15);
    }

    @Test
    void aSecondPrometheusFederatingTheFirstSeesTheExactSums() {
        List<String> targets = demoTargets();
        PrometheusProcess first = PrometheusProcess.start(processes, "prometheus-scraper", scrapeConfig(targets));
        assertHierarchySums(first);

        PrometheusProcess global = PrometheusProcess.start(processes, "prometheus-global", String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: federate",
                "    honor_labels: true",
                "    metrics_path: /federate",
                "    params:",
                "      'match[]':",
                "        - '{__name__=~\"dynamo_component_.*\"}'",
                "    static_configs:",
                "      - targets: ['" + first.address() + "']",
                ""));

        assertHierarchySums(global);
        global.awaitValues("count(dynamo_component_requests_total{job=\"dynamo\",cluster=\"it\"})", WAIT, 3);
    }

    @Test
    void aReceiverOfTheFirstPrometheusRemoteWriteSeesTheExactSums() {
        List<String> targets = demoTargets();
        PrometheusProcess receiver = PrometheusProcess.start(processes, "prometheus-receiver", String.join("\n",
                "global:",
                "  evaluation_interval: 1s",
                ""), "--web.enable-remote-write-receiver");
        PrometheusProcess first = PrometheusProcess.start(processes, "prometheus-scraper", scrapeConfig(targets,
                "remote_write:",
                "  - url: http://" + receiver.address() + "/api/v1/write",
                "    queue_config:",
                "      batch_send_deadline: 1s",
                "      min_backoff: 100ms",
                "      max_backoff: 1s",
                "    write_relabel_configs:",
                "      - source_labels: [__name__]",
                "        regex: 'dynamo_component_.*|up'",
                "        action: keep"));

        assertHierarchySums(first);
        assertHierarchySums(receiver);
        receiver.awaitValues("count(up{job=\"dynamo\",cluster=\"it\"} == 1)", WAIT, 3);
    }
}
