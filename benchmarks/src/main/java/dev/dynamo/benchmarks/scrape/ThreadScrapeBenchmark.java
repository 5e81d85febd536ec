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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a scrape costs an application with {@link #appThreads} threads, with JVM metrics on: the
 * dynamo agent against simpleclient 0.16 ({@code DefaultExports}) and client_java 1.x
 * ({@code JvmMetrics}), each serving 100 counter series besides. {@code full} fetches the whole
 * page; {@code filtered} asks with {@code name[]} for the 100 series only. The target JVM logs its
 * safepoints ({@code -Xlog:safepoint}); at the end of a trial the safepoints and the target's CPU
 * time since set-up, divided by the scrapes, go to {@code results/scrape-threads.csv}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadScrapeBenchmark {
    static final int SERIES = 100;
    private static final Pattern AGENT_PORT = Pattern.compile("serving metrics on http://[^ ]*:(\\d+)/metrics");
    private static final Pattern PEER_PORT = Pattern.compile("READY port=(\\d+)");
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"(\\w+)\"");
    /** Linux's USER_HZ: the unit of the CPU times in {@code /proc/<pid>/stat}. */
    private static final double TICKS_PER_SECOND = 100;

    @Param({"dynamo", "simpleclient", "clientjava1"})
    public String server;

    @Param({"100", "3000"})
    public int appThreads;

    @Param({"full", "filtered"})
    public String scrape;

    private ChildJvm target;
    private HttpClient client;
    private HttpRequest request;
    private Path safepointLog;
    private long scrapes;
    private Map<String, Integer> safepointsAtStart;
    private long cpuTicksAtStart;

    @Setup(Level.Trial)
    public void startTarget() throws Exception {
        safepointLog = BenchmarkFiles.resultsDir().resolve("safepoints-" + server + "-" + appThreads + "-" + scrape
                + ".log");
        Files.deleteIfExists(safepointLog);
        List<String> flags = new ArrayList<>(Arrays.asList("-Xms256m", "-Xmx256m",
                "-Dsun.net.httpserver.nodelay=true", "-Xlog:safepoint=info:file=" + safepointLog + "::filecount=0"));
        String[] args = {server, Integer.toString(SERIES), Integer.toString(appThreads), "true"};
        int port;
        if (server.equals("dynamo")) {
            Map<String, String> environment = new HashMap<>();
            environment.put("DYN_SYSTEM_PORT", "0");
            environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
            environment.put("DYN_LOG", "info");
            flags.add("-javaagent:" + BenchmarkFiles.agent("dynamo-agent"));
            target = ChildJvm.start(flags, environment, ScrapeTarget.class, args);
            target.await(Pattern.compile("^READY$"), 120);
            port = Integer.parseInt(target.await(AGENT_PORT, 120));
        } else {
            Map<String, String> environment = new HashMap<>();
            environment.put("PROMETHEUS_DISABLE_CREATED_SERIES", "true");
            target = ChildJvm.start(flags, environment, ScrapeTarget.class, args);
            port = Integer.parseInt(target.await(PEER_PORT, 120));
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String query = scrape.equals("filtered") ? "?name[]=dynamo_component_" + ScrapeTarget.METRIC + "_total" : "";
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics" + query)).GET().build();
        check(new String(fetch(), StandardCharsets.UTF_8));
        scrapes = 0;
        safepointsAtStart = safepoints();
        cpuTicksAtStart = cpuTicks();
    }

    @Benchmark
    public int scrape() throws IOException, InterruptedException {
        scrapes++;
        return fetch().length;
    }

    @TearDown(Level.Trial)
    public void stopTarget() throws Exception {
        if (target == null) {
            return;
        }
        try {
            double cpuMs = (cpuTicks() - cpuTicksAtStart) * 1000 / TICKS_PER_SECOND;
            Map<String, Integer> now = safepoints();
            int all = 0;
            for (Map.Entry<String, Integer> entry : now.entrySet()) {
                all += entry.getValue() - safepointsAtStart.getOrDefault(entry.getKey(), 0);
            }
            int deadlocks = now.getOrDefault("FindDeadlocks", 0) - safepointsAtStart.getOrDefault("FindDeadlocks", 0);
            int dumps = now.getOrDefault("ThreadDump", 0) - safepointsAtStart.getOrDefault("ThreadDump", 0);
            String row = server + "," + appThreads + "," + scrape + "," + scrapes + "," + all + "," + deadlocks + ","
                    + dumps + "," + cpuMs + "\n";
            Files.write(BenchmarkFiles.resultsDir().resolve("scrape-threads.csv"), row.getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } finally {
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

    /** The page must hold the series, and the JVM's thread count exactly when it is not filtered. */
    private void check(String page) {
        String prefix = "dynamo_component_" + ScrapeTarget.METRIC + "_total{";
        long found = page.lines().filter(line -> line.startsWith(prefix)).count();
        boolean threads = page.contains("jvm_threads_current") || page.contains("jvm_threads_live_threads");
        if (found != SERIES || threads == scrape.equals("filtered")) {
            throw new IllegalStateException(server + " (" + scrape + ") answered " + found + " series of " + prefix
                    + "} and " + (threads ? "" : "no ") + "thread metrics:\n" + page.substring(0,
                    Math.min(3000, page.length())));
        }
    }

    private Map<String, Integer> safepoints() throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        if (Files.exists(safepointLog)) {
            Matcher matcher = SAFEPOINT.matcher(Files.readString(safepointLog));
            while (matcher.find()) {
                counts.merge(matcher.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** User plus system CPU time of the target process, in clock ticks. */
    private long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + target.pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
