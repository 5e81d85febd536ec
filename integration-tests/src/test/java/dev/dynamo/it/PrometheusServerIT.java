package dev.dynamo.it;

import dev.dynamo.it.support.DemoTraffic;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 4: a real Prometheus server (Debian package {@code prometheus}) scrapes two demo JVMs with
 * the agent; PromQL over the hierarchy labels, through its HTTP API, sees what the clients sent.
 */
@Timeout(240)
class PrometheusServerIT {
    private static final String HIERARCHY =
            "{dynamo_namespace=\"system\",dynamo_component=\"component\",dynamo_endpoint=\"endpoint\"}";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** One element of a vector result: {"metric":{...},"value":[<time>,"<value>"]}. */
    private static final Pattern VECTOR_ELEMENT =
            Pattern.compile("\"metric\":\\{([^}]*)\\},\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void promqlOverTheHierarchyLabelsSumsWhatTheClientsOfTwoDemoJvmsSent() throws IOException {
        Path prometheus = Tools.require("prometheus",
                "install the Debian package prometheus (apt-get install prometheus)");
        List<String> targets = new ArrayList<>();
        int[][] traffic = {{7, 2}, {5, 1}};
        for (int i = 0; i < traffic.length; i++) {
            int metricsPort = FreePorts.pick();
            ManagedProcess server = processes.start(JvmLauncher.demoServer("demo-server-" + (i + 1), "--port", "0")
                    .env("DYN_SYSTEM_PORT", String.valueOf(metricsPort)));
            int serverPort = DemoTraffic.awaitServerPort(server);
            ManagedProcess client = processes.start(JvmLauncher.demoClient("demo-client-" + (i + 1), serverPort,
                    "--requests", String.valueOf(traffic[i][0]), "--fail", String.valueOf(traffic[i][1])));
            assertEquals(0, client.awaitExit(Timeouts.EXIT), client.describe());
            targets.add("'127.0.0.1:" + metricsPort + "'");
        }

        Path config = processes.outputDir().resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: dynamo-demo",
                "    static_configs:",
                "      - targets: [" + String.join(", ", targets) + "]",
                ""));
        int apiPort = FreePorts.pick();
        ManagedProcess server = processes.start("prometheus", List.of(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + processes.outputDir().resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + apiPort), System.getenv());

        Duration timeout = Duration.ofSeconds(90);
        awaitQuery(server, apiPort, timeout, "up{job=\"dynamo-demo\"}", List.of("1", "1"));
        awaitQuery(server, apiPort, timeout, "sum(dynamo_component_requests_total" + HIERARCHY + ")", List.of("12"));
        awaitQuery(server, apiPort, timeout, "sum(dynamo_component_errors_total" + HIERARCHY.replace("}",
                ",error_type=\"RequestFailedException\"}") + ")", List.of("3"));
        awaitQuery(server, apiPort, timeout, "sum(dynamo_component_service_requests_total{service=\"backend\"})",
                List.of("12"));
        awaitQuery(server, apiPort, timeout, "count(dynamo_component_request_duration_seconds_count" + HIERARCHY
                + ")", List.of("2"));
    }

    /** Queries until the result is a vector with exactly {@code expected} as values, in any order. */
    private static void awaitQuery(ManagedProcess prometheus, int port, Duration timeout, String query,
            List<String> expected) {
        String[] last = {"(no answer)"};
        Polling.await(timeout, () -> query + " should give " + expected + "; last answer: " + last[0] + "\n"
                + prometheus.describe(), () -> {
                    String body = query(port, query);
                    last[0] = body;
                    List<String> values = new ArrayList<>();
                    Matcher element = VECTOR_ELEMENT.matcher(body);
                    while (element.find()) {
                        values.add(element.group(2));
                    }
                    values.sort(null);
                    List<String> sortedExpected = new ArrayList<>(expected);
                    sortedExpected.sort(null);
                    return body.contains("\"status\":\"success\"") && values.equals(sortedExpected) ? body : null;
                });
    }

    private static String query(int port, String query) {
        try {
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8));
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException notYet) {
            throw new UncheckedIOException(notYet);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
