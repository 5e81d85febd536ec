package dev.dynamo.it.support;

import org.yaml.snakeyaml.Yaml;

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
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus server (Debian package {@code prometheus}) on a loopback port, with its HTTP
 * API. Under {@code CI=true} a missing binary fails the test; elsewhere it skips it.
 *
 * <pre>{@code
 * PrometheusProcess prometheus = PrometheusProcess.start(processes, "scraper", configYaml);
 * List<Map<String, Object>> vector = prometheus.awaitVector("sum(up)", Timeouts.SCRAPE, v -> !v.isEmpty());
 * }</pre>
 */
public final class PrometheusProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ManagedProcess process;
    private final int port;

    private PrometheusProcess(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts Prometheus with {@code config} (YAML text) and waits until it is ready. */
    public static PrometheusProcess start(Processes processes, String name, String config, String... flags) {
        Path prometheus = Tools.require("prometheus", "install the Debian package prometheus (apt-get install"
                + " prometheus), or run ./test.sh, which does");
        Path dir = processes.outputDir().resolve(name);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prometheus.yml"), config);
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
        int port = FreePorts.pick();
        List<String> command = new ArrayList<>(List.of(prometheus.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port));
        command.addAll(List.of(flags));
        PrometheusProcess started = new PrometheusProcess(processes.start(name, command, System.getenv()), port);
        Polling.await(Timeouts.STARTUP, () -> name + " never became ready: " + started.process.describe(),
                () -> started.get("/-/ready").statusCode() == 200 ? "" : null);
        return started;
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** {@code GET /api/v1/query?query=...}: the decoded JSON answer ({@code status}, {@code data}, ...). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> query(String promql) {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return (Map<String, Object>) new Yaml().load(response.body());
    }

    /** The instant vector of {@code promql}; fails when Prometheus rejects the query. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> vector(String promql) {
        Map<String, Object> answer = query(promql);
        if (!"success".equals(answer.get("status"))) {
            throw new AssertionError("Prometheus rejected " + promql + ": " + answer);
        }
        Map<String, Object> data = (Map<String, Object>) answer.get("data");
        if (!"vector".equals(data.get("resultType"))) {
            throw new AssertionError(promql + " is not an instant vector: " + answer);
        }
        return (List<Map<String, Object>>) data.get("result");
    }

    /** The value of one element of {@link #vector(String)}. */
    @SuppressWarnings("unchecked")
    public static double value(Map<String, Object> element) {
        return Double.parseDouble(String.valueOf(((List<Object>) element.get("value")).get(1)));
    }

    /** The labels of one element of {@link #vector(String)}. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> labels(Map<String, Object> element) {
        return (Map<String, String>) element.get("metric");
    }

    /** Queries until the vector has one element per expected value (any order), with exactly those values. */
    public List<Map<String, Object>> awaitValues(String promql, Duration timeout, double... expected) {
        String[] last = {"(no answer)"};
        return Polling.await(timeout, () -> promql + " should give " + Arrays.toString(expected)
                + "; last: " + last[0] + "\n" + process.describe(), () -> {
                    List<Map<String, Object>> vector = vector(promql);
                    last[0] = vector.toString();
                    List<Double> values = new ArrayList<>();
                    for (Map<String, Object> element : vector) {
                        values.add(value(element));
                    }
                    values.sort(null);
                    List<Double> wanted = new ArrayList<>();
                    for (double value : expected) {
                        wanted.add(value);
                    }
                    wanted.sort(null);
                    return values.equals(wanted) ? vector : null;
                });
    }

    public String describe() {
        return process.describe();
    }

    private HttpResponse<String> get(String pathAndQuery) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address() + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
