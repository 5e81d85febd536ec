package dev.dynamo.benchmarks.scrape;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Time to scrape {@code /metrics} of another JVM holding {@link #series} counter series: the dynamo
 * agent versus a plain simpleclient 0.16 {@code HTTPServer} and client_java 1.x's {@code HTTPServer},
 * fetched by the same client (the JDK's
 * {@link HttpClient}, HTTP/1.1, kept-alive connection, no compression). The body size of each
 * target is appended to {@code results/scrape-bytes.csv}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScrapeBenchmark {
    private static final Pattern AGENT_PORT = Pattern.compile("serving metrics on http://[^ ]*:(\\d+)/metrics");
    private static final Pattern SIMPLECLIENT_PORT = Pattern.compile("READY port=(\\d+)");
    private static final List<String> TARGET_HEAP = Arrays.asList("-Xms256m", "-Xmx256m");

    @Param({"dynamo", "simpleclient", "clientjava1"})
    public String server;

    @Param({"100", "1000", "10000"})
    public int series;

    /**
     * {@code sun.net.httpserver.nodelay} in the target JVM. It changes only the peers, whose
     * {@code HTTPServer}s are the JDK's {@code com.sun.net.httpserver}: without it, a body that fits
     * one segment waits for the client's delayed ACK of the headers. The dynamo agent serves with its
     * own non-blocking server, which sets {@code TCP_NODELAY} on each socket either way.
     */
    @Param({"true", "false"})
    public boolean tcpNoDelay;

    private ChildJvm target;
    private HttpClient client;
    private HttpRequest request;

    @Setup(Level.Trial)
    public void startTarget() throws Exception {
        int port;
        List<String> targetFlags = new ArrayList<>(TARGET_HEAP);
        targetFlags.add("-Dsun.net.httpserver.nodelay=" + tcpNoDelay);
        if (server.equals("dynamo")) {
            Map<String, String> environment = new HashMap<>();
            environment.put("DYN_SYSTEM_PORT", "0");
            environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
            environment.put("DYN_LOG", "info");
            // Neither side exports JVM metrics: the comparison is the same series, rendered.
            environment.put("DYN_SYSTEM_JVM_METRICS", "false");
            // One family of up to 10,000 label sets: above the default limit of 2,000 per family,
            // beyond which new label sets would fold into one __overflow__ series.
            environment.put("DYN_METRICS_MAX_SERIES", "20000");
            targetFlags.add("-javaagent:" + BenchmarkFiles.agent("dynamo-agent"));
            target = ChildJvm.start(targetFlags, environment, ScrapeTarget.class, "dynamo", Integer.toString(series));
            target.await(Pattern.compile("^READY$"), 60);
            port = Integer.parseInt(target.await(AGENT_PORT, 60));
        } else {
            Map<String, String> environment = new HashMap<>();
            // The agent exposes no _created series (SPEC §3); ask simpleclient for the same output
            // (client_java 1.x writes none in the Prometheus text format).
            environment.put("PROMETHEUS_DISABLE_CREATED_SERIES", "true");
            target = ChildJvm.start(targetFlags, environment, ScrapeTarget.class, server, Integer.toString(series));
            port = Integer.parseInt(target.await(SIMPLECLIENT_PORT, 60));
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build();
        recordBody(fetch());
    }

    @Benchmark
    public int scrape() throws IOException, InterruptedException {
        return fetch().length;
    }

    @TearDown(Level.Trial)
    public void stopTarget() throws Exception {
        if (target != null) {
            target.close();
        }
    }

    private byte[] fetch() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + request.uri() + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** Checks that the body holds exactly the expected series, and records its size. */
    private void recordBody(byte[] body) throws IOException {
        String text = new String(body, StandardCharsets.UTF_8);
        String prefix = "dynamo_component_" + ScrapeTarget.METRIC + "_total{";
        long found = text.lines().filter(line -> line.startsWith(prefix)).count();
        if (found != series) {
            throw new IllegalStateException(server + " exposes " + found + " series of " + prefix + "}, expected "
                    + series + ":\n" + text.substring(0, Math.min(2000, text.length())));
        }
        long lines = text.lines().count();
        Path csv = BenchmarkFiles.resultsDir().resolve("scrape-bytes.csv");
        String row = server + "," + series + "," + body.length + "," + lines + "\n";
        Files.write(csv, row.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
