package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
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
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: a real Prometheus scrapes the demo server under its client's load, and every query of
 * {@code deploy/grafana/dashboards/dynamo-endpoints.json} — each panel's and each variable's — is
 * evaluated through Prometheus's HTTP API with the variables filled in as a user would pick them:
 * each parses and returns data.
 */
@Timeout(240)
class DashboardQueriesIT {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)\\}?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    final Processes processes = new Processes();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dashboard() throws IOException {
        Path file = Artifacts.deployDir().resolve("grafana/dashboards/dynamo-endpoints.json");
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    /** What a user would pick: the demo's hierarchy, the scrape job, all instances, a one-minute rate window. */
    private static String substitute(String query) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("namespace", "system");
        values.put("component", "component");
        values.put("endpoint", "endpoint");
        values.put("job", "dynamo");
        values.put("instance", ".*");
        values.put("__rate_interval", "1m");
        values.put("__interval", "15s");
        Matcher matcher = VARIABLE.matcher(query);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new AssertionError("the dashboard uses a variable this test does not know: " + matcher.group()
                        + " in " + query);
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private void sendTraffic(int demoPort, String name) {
        ManagedProcess client = processes.start(JvmLauncher.demoClient(name, demoPort, "--requests", "60", "--fail",
                "6", "--concurrency", "2"));
        assertEquals(0, client.awaitExit(Timeouts.EXIT), client.describe());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPanelAndVariableQueryParsesAndReturnsDataForTheDemoUnderLoad() throws IOException {
        int metricsPort = FreePorts.pick();
        ManagedProcess demo = processes.start(JvmLauncher.demoServer("demo-server", "--port", "0")
                .env("DYN_SYSTEM_PORT", String.valueOf(metricsPort)));
        int demoPort = DemoTraffic.awaitServerPort(demo);
        PrometheusProcess prometheus = PrometheusProcess.start(processes, "prometheus", String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: dynamo",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort + "']",
                ""));
        prometheus.awaitValues("up{job=\"dynamo\"}", WAIT, 1);
        // Two rounds of traffic a few scrapes apart, so that every rate has an increase to show.
        sendTraffic(demoPort, "demo-client-1");
        prometheus.awaitValues("sum(dynamo_component_requests_total)", WAIT, 60);
        sendTraffic(demoPort, "demo-client-2");
        prometheus.awaitValues("sum(dynamo_component_requests_total)", WAIT, 120);
        prometheus.awaitValues("sum(dynamo_component_errors_total)", WAIT, 12);

        Map<String, Object> dashboard = dashboard();
        List<String> failures = new ArrayList<>();
        int queries = 0;
        for (Map<String, Object> variable : (List<Map<String, Object>>) ((Map<String, Object>) dashboard
                .get("templating")).get("list")) {
            if (!"query".equals(variable.get("type"))) {
                continue;
            }
            Matcher labelValues = LABEL_VALUES.matcher(String.valueOf(variable.get("definition")));
            assertTrue(labelValues.matches(), "a label_values(...) query: " + variable);
            String promql = "count by (" + labelValues.group(2) + ") (" + substitute(labelValues.group(1)) + ")";
            queries++;
            check("variable " + variable.get("name"), promql, prometheus, failures);
        }
        int panels = 0;
        for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard.get("panels")) {
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            panels++;
            List<Map<String, Object>> targets = (List<Map<String, Object>>) panel.get("targets");
            assertFalse(targets == null || targets.isEmpty(), "panel " + panel.get("title") + " has no query");
            for (Map<String, Object> target : targets) {
                queries++;
                String expr = String.valueOf(target.get("expr"));
                // Picking a job or an instance scopes every panel, the endpoint panels too.
                if (!expr.contains("job=~\"$job\"") || !expr.contains("instance=~\"$instance\"")) {
                    failures.add("panel '" + panel.get("title") + "' is not scoped by $job and $instance: " + expr);
                }
                check("panel '" + panel.get("title") + "' " + target.get("refId"), substitute(expr), prometheus,
                        failures);
            }
        }

        assertTrue(failures.isEmpty(), failures.size() + " of " + queries + " queries failed:\n"
                + String.join("\n", failures));
        assertTrue(panels >= 12, "the dashboard's panels were found: " + panels);
    }

    /** The query parses and its vector has at least one element with a number (not NaN). */
    private static void check(String what, String promql, PrometheusProcess prometheus, List<String> failures) {
        try {
            List<Map<String, Object>> vector = prometheus.vector(promql);
            boolean hasNumber = vector.stream().anyMatch(element -> !Double.isNaN(PrometheusProcess.value(element)));
            if (!hasNumber) {
                failures.add(what + ": no data for " + promql + " -> " + vector);
            }
        } catch (AssertionError | RuntimeException failed) {
            failures.add(what + ": " + failed.getMessage());
        }
    }
}
