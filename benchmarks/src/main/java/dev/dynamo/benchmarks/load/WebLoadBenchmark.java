package dev.dynamo.benchmarks.load;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each agent costs a web service under load: the Spring Boot application of the start-up
 * benchmark ({@code benchmarks/spring-app}, embedded Tomcat), started in serving mode and loaded with
 * {@code wrk} (one thread, keep-alive connections) on {@code GET /price/apple/3}, whose controller
 * method and the service method it calls are both annotated: two measured calls per request. The
 * dynamo agent serves its metrics and is scraped once a second during the measured period, a short
 * Prometheus interval; the OpenTelemetry agent runs with every exporter off, and instruments Spring MVC
 * and Tomcat besides the {@code @WithSpan} methods, as it does by default.
 *
 * <p>Each case runs in a fresh JVM per round, in a rotating order: {@code bench.load.warmup} seconds
 * of load (20) to compile the request path, then {@code bench.load.seconds} measured (20). Recorded:
 * wrk's requests per second and latency percentiles, and the application's CPU time per request
 * ({@code /proc/<pid>/stat} before and after the measured period: everything the JVM spent, its
 * compiler, collector and the agent's server included). After each dynamo run the agent's own count
 * of the controller method is checked against the requests wrk completed, so that a run in which the
 * agent measured nothing cannot pass. Rows go to {@code results/web-load.csv}.
 */
public final class WebLoadBenchmark {
    public static final String NO_AGENT = "no agent";
    public static final String DYNAMO = "dynamo agent (scraped every second)";
    public static final String OTEL = "OpenTelemetry agent (@WithSpan, exporters off)";
    public static final String PATH = "/price/apple/3";
    private static final Pattern SERVING = Pattern.compile("SERVING port=(\\d+)");
    private static final Pattern METRICS_PORT = Pattern.compile("serving metrics on http://[^ ]*:(\\d+)/metrics");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([0-9.]+)(m?s)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern CONTROLLER_COUNT = Pattern.compile(
            "dynamo_component_requests_total\\{[^}]*dynamo_endpoint=\"price\"[^}]*} ([0-9.e+E]+)");

    private WebLoadBenchmark() {
    }

    /** One way of starting the application. */
    private static final class Case {
        final String name;
        final List<String> flags;
        final Map<String, String> environment;
        final boolean scraped;

        Case(String name, List<String> flags, Map<String, String> environment, boolean scraped) {
            this.name = name;
            this.flags = flags;
            this.environment = environment;
            this.scraped = scraped;
        }
    }

    public static void run() throws IOException, InterruptedException {
        String wrk = findWrk();
        int rounds = Integer.getInteger("bench.load.rounds", 5);
        int warmup = Integer.getInteger("bench.load.warmup", 20);
        int seconds = Integer.getInteger("bench.load.seconds", 20);
        int connections = Integer.getInteger("bench.load.connections", 8);
        List<Case> cases = cases();
        Path out = BenchmarkFiles.resultsDir().resolve("web-load.csv");
        Files.write(out, "case,round,connections,requests,seconds,requests_per_second,p50_ms,p90_ms,p99_ms,cpu_ms,scrapes\n"
                .getBytes(StandardCharsets.UTF_8));
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get((i + round) % cases.size());
                String row = runOnce(c, wrk, warmup, seconds, connections);
                Files.write(out, (c.name + "," + round + "," + connections + "," + row + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.APPEND);
            }
            System.out.println("web-load round " + round + "/" + rounds);
        }
        System.out.println("web-load results -> " + out);
    }

    private static List<Case> cases() {
        Map<String, String> serverOff = new LinkedHashMap<>();
        serverOff.put("DYN_SYSTEM_PORT", null);
        serverOff.put("DYN_SYSTEM_ENABLED", null);
        Map<String, String> serverOn = new LinkedHashMap<>();
        serverOn.put("DYN_SYSTEM_PORT", "0");
        serverOn.put("DYN_SYSTEM_HOST", "127.0.0.1");
        serverOn.put("DYN_LOG", "info");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(NO_AGENT, List.of(), serverOff, false));
        cases.add(new Case(DYNAMO, List.of("-javaagent:" + BenchmarkFiles.agent("dynamo-agent")), serverOn, true));
        cases.add(new Case(OTEL, List.of("-javaagent:" + BenchmarkFiles.agent("opentelemetry-javaagent"),
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"),
                serverOff, false));
        return cases;
    }

    /** One run of one case: the CSV row's figures after the case name and round. */
    private static String runOnce(Case c, String wrk, int warmup, int seconds, int connections)
            throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of("-Xms256m", "-Xmx256m", "-Dbench.serve=true"));
        flags.addAll(c.flags);
        try (ChildJvm app = ChildJvm.start(flags, c.environment, BenchmarkFiles.springApp().toString(),
                "org.springframework.boot.loader.launch.JarLauncher", "--server.port=0", "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off", "--logging.level.root=warn")) {
            String url = "http://127.0.0.1:" + app.await(SERVING, 120) + PATH;
            String metricsUrl = c.scraped ? "http://127.0.0.1:" + app.await(METRICS_PORT, 60) + "/metrics" : null;
            String warm = wrk(wrk, url, warmup, connections);
            long cpuBefore = cpuTicks(app.pid());
            Scraper scraper = metricsUrl == null ? null : Scraper.start(metricsUrl);
            String measured = wrk(wrk, url, seconds, connections);
            if (scraper != null) {
                scraper.stop();
            }
            long cpuAfter = cpuTicks(app.pid());
            long requests = requests(measured);
            double elapsed = elapsedSeconds(measured);
            if (metricsUrl != null) {
                checkCounted(metricsUrl, requests(warm) + requests, connections, app);
            }
            Map<String, Double> percentiles = percentiles(measured);
            double cpuMillis = (cpuAfter - cpuBefore) * 1000.0 / CLOCK_TICKS_PER_SECOND;
            return requests + "," + elapsed + "," + requests / elapsed + "," + percentiles.get("50") + ","
                    + percentiles.get("90") + "," + percentiles.get("99") + "," + cpuMillis + ","
                    + (scraper == null ? 0 : scraper.scrapes.get());
        }
    }

    /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux this runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** The process's user plus system CPU time, in clock ticks, from {@code /proc/<pid>/stat}. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")), StandardCharsets.UTF_8);
        // The command name, in parentheses, may hold spaces: fields are counted after its closing one.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static String wrk(String wrk, String url, int seconds, int connections)
            throws IOException, InterruptedException {
        String output = ChildJvm.runToExit(List.of(wrk, "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                url), seconds + 60L, "wrk");
        if (output.contains("Non-2xx or 3xx responses") || output.contains("Socket errors")) {
            throw new IllegalStateException("wrk saw failed requests; the benchmark measures successful ones only:\n"
                    + output);
        }
        return output;
    }

    static long requests(String wrkOutput) {
        Matcher matcher = REQUESTS.matcher(wrkOutput);
        if (!matcher.find()) {
            throw new IllegalStateException("no request count in wrk's output:\n" + wrkOutput);
        }
        return Long.parseLong(matcher.group(1));
    }

    static double elapsedSeconds(String wrkOutput) {
        Matcher matcher = REQUESTS.matcher(wrkOutput);
        if (!matcher.find()) {
            throw new IllegalStateException("no duration in wrk's output:\n" + wrkOutput);
        }
        double value = Double.parseDouble(matcher.group(2));
        return matcher.group(3).equals("ms") ? value / 1000 : value;
    }

    /** wrk's latency distribution ({@code --latency}), in milliseconds, by percentile. */
    static Map<String, Double> percentiles(String wrkOutput) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher matcher = PERCENTILE.matcher(wrkOutput);
        while (matcher.find()) {
            double value = Double.parseDouble(matcher.group(2));
            String unit = matcher.group(3);
            values.put(matcher.group(1), unit.equals("us") ? value / 1000 : unit.equals("s") ? value * 1000 : value);
        }
        if (!values.keySet().containsAll(Arrays.asList("50", "90", "99"))) {
            throw new IllegalStateException("no latency distribution in wrk's output:\n" + wrkOutput);
        }
        return values;
    }

    /**
     * The agent counted every request wrk completed, and the application's own call at start-up: at
     * least that many, and at most one more per connection at the end of each of the two wrk runs (a
     * request wrk sent but stopped waiting for when its time was up).
     */
    private static void checkCounted(String metricsUrl, long completed, int connections, ChildJvm app)
            throws IOException, InterruptedException {
        String page = get(metricsUrl);
        Matcher matcher = CONTROLLER_COUNT.matcher(page);
        if (!matcher.find()) {
            throw new IllegalStateException("the dynamo agent has no count for the controller method price:\n" + page
                    + "\n" + app.output());
        }
        double counted = Double.parseDouble(matcher.group(1));
        if (counted < completed + 1 || counted > completed + 1 + 2L * connections) {
            throw new IllegalStateException("the dynamo agent counted " + counted + " calls of price; wrk completed "
                    + completed + " requests");
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Scrapes the agent's {@code /metrics} once a second, as a Prometheus server would. */
    private static final class Scraper {
        final AtomicInteger scrapes = new AtomicInteger();
        private final Thread thread;
        private volatile boolean stopped;
        private volatile Exception failure;

        private Scraper(String url) {
            thread = new Thread(() -> {
                while (!stopped) {
                    try {
                        get(url);
                        scrapes.incrementAndGet();
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        return;
                    } catch (IOException | RuntimeException failed) {
                        failure = failed;
                        return;
                    }
                }
            }, "scraper");
            thread.setDaemon(true);
        }

        static Scraper start(String url) {
            Scraper scraper = new Scraper(url);
            scraper.thread.start();
            return scraper;
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join(15_000);
            if (failure != null) {
                throw new IllegalStateException("a scrape failed: " + failure, failure);
            }
        }
    }

    private static String findWrk() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Paths.get(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("the load benchmark needs wrk on the PATH: apt-get install wrk"
                + " (benchmarks/run.sh installs it)");
    }
}
