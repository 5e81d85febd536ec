package dev.dynamo.benchmarks.report;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.load.WebLoadBenchmark;
import dev.dynamo.benchmarks.percall.PerCallCase;
import dev.dynamo.benchmarks.startup.StartupBenchmark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Writes {@code results/report.md} from the result files of the last runs: JMH JSON for per-call and
 * scrape, CSV for start-up and memory. Every figure in it comes from those files; the verdict on
 * each target of issue 5 is computed from the same figures. {@code --into FILE} also replaces the
 * part of FILE between {@link #BEGIN} and {@link #END}.
 */
public final class ReportWriter {
    public static final String BEGIN = "<!-- BEGIN GENERATED RESULTS: java -jar benchmarks/target/benchmarks.jar report -->";
    public static final String END = "<!-- END GENERATED RESULTS -->";
    /** Allocation below this many bytes per call is JMH's measurement noise: no object was allocated. */
    private static final double ZERO_ALLOCATION = 0.5;

    private final Path results;
    private final StringBuilder out = new StringBuilder();
    private final List<String> verdicts = new ArrayList<>();

    private ReportWriter(Path results) {
        this.results = results;
    }

    public static void write(Path into) throws IOException {
        ReportWriter writer = new ReportWriter(BenchmarkFiles.resultsDir());
        String report = writer.render();
        Path file = writer.results.resolve("report.md");
        Files.write(file, report.getBytes(StandardCharsets.UTF_8));
        System.out.println("report -> " + file);
        if (into != null) {
            String doc = new String(Files.readAllBytes(into), StandardCharsets.UTF_8);
            int begin = doc.indexOf(BEGIN);
            int end = doc.indexOf(END);
            if (begin < 0 || end < begin) {
                throw new IllegalStateException(into + " has no section between " + BEGIN + " and " + END);
            }
            String updated = doc.substring(0, begin) + BEGIN + "\n\n" + report + "\n" + doc.substring(end);
            Files.write(into, updated.getBytes(StandardCharsets.UTF_8));
            System.out.println("updated " + into);
        }
    }

    private String render() throws IOException {
        machine();
        perCall();
        scrape();
        scrapeThreads();
        jvmCalls();
        startup();
        webLoad();
        memory();
        out.append("### Targets (issues 5 and 10)\n\n");
        for (String verdict : verdicts) {
            out.append("- ").append(verdict).append('\n');
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- machine

    private void machine() throws IOException {
        Properties versions = new Properties();
        try (InputStream in = ReportWriter.class.getResourceAsStream("/dev/dynamo/benchmarks/versions.properties")) {
            versions.load(in);
        }
        out.append("### Machine and versions\n\n");
        out.append("| | |\n|---|---|\n");
        out.append("| CPU | ").append(Runtime.getRuntime().availableProcessors()).append(" × ")
                .append(procField("/proc/cpuinfo", "model name")).append(" |\n");
        out.append("| memory | ").append(procField("/proc/meminfo", "MemTotal")).append(" |\n");
        out.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch")).append(" |\n");
        out.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (").append(System.getProperty("java.vendor"))
                .append(") |\n");
        out.append("| compared | dynamo-agent ").append(versions.getProperty("dynamo"))
                .append(", simpleclient ").append(versions.getProperty("simpleclient"))
                .append(", Micrometer ").append(versions.getProperty("micrometer"))
                .append(" + AspectJ weaver ").append(versions.getProperty("aspectj"))
                .append(", OpenTelemetry Java agent ").append(versions.getProperty("opentelemetry"))
                .append(", client_java ").append(versions.getProperty("client_java"))
                .append(", jmx_exporter ").append(versions.getProperty("jmx_exporter"))
                .append(", JMH ").append(versions.getProperty("jmh")).append(" |\n");
        Path load = results.resolve("load.csv");
        if (Files.exists(load)) {
            out.append("| load average (1, 5, 15 min) when each part started |");
            for (String line : Files.readAllLines(load)) {
                String[] f = line.split(",");
                out.append(' ').append(f[0]).append(": ").append(f[1]).append(", ").append(f[2]).append(", ")
                        .append(f[3]).append(';');
            }
            out.setLength(out.length() - 1);
            out.append(" |\n");
        }
        out.append('\n');
    }

    private static String procField(String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(field)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return "unknown (" + file + " unreadable)";
        }
        return "unknown";
    }

    // ---------------------------------------------------------------- per call

    private void perCall() throws IOException {
        Map<Integer, Map<PerCallCase, List<JmhResult>>> runs = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(results, "percall-*.json")) {
            for (Path file : files) {
                for (JmhResult result : JmhResult.read(file)) {
                    PerCallCase each = PerCallCase.ofMethod(result.method);
                    if (each != null) {
                        runs.computeIfAbsent(result.threads, t -> new TreeMap<>())
                                .computeIfAbsent(each, c -> new ArrayList<>()).add(result);
                    }
                }
            }
        }
        Map<Integer, Map<PerCallCase, JmhResult>> byThreads = new TreeMap<>();
        runs.forEach((threads, cases) -> cases.forEach((each, list) ->
                byThreads.computeIfAbsent(threads, t -> new TreeMap<>()).put(each, JmhResult.merge(list))));
        out.append("### 1. Per-call cost of a small handler\n\n");
        if (byThreads.isEmpty()) {
            out.append("No results (run `percall`).\n\n");
            return;
        }
        JmhResult any = byThreads.values().iterator().next().values().iterator().next();
        out.append("JMH: average time per call, ").append(any.settings()).append(", `-prof gc`; fork JVM flags `")
                .append(any.jvmArgs()).append("` plus the case's agent. The cases run in rounds (forward, then")
                .append(" backward) so that a change in the machine's load weighs on all alike. ns/call is the median")
                .append(" of all measurement iterations of a case, with their min–max and mean; “added” is the")
                .append(" median minus case (a)'s; B/call is `gc.alloc.rate.norm` (mean of the rounds).\n\n");
        for (Map.Entry<Integer, Map<PerCallCase, JmhResult>> entry : byThreads.entrySet()) {
            int threads = entry.getKey();
            Map<PerCallCase, JmhResult> cases = entry.getValue();
            JmhResult base = cases.get(PerCallCase.NO_AGENT);
            out.append("**").append(threads).append(threads == 1 ? " thread" : " threads")
                    .append(" (time per call, per thread)**\n\n");
            out.append("| case | ns/call (median) | min–max | mean | added vs (a), ns | × (a) | B/call |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (Map.Entry<PerCallCase, JmhResult> row : cases.entrySet()) {
                JmhResult r = row.getValue();
                out.append("| ").append(row.getKey().label())
                        .append(" | ").append(Stats.format(r.median()))
                        .append(" | ").append(Stats.format(r.min())).append("–").append(Stats.format(r.max()))
                        .append(" | ").append(Stats.format(r.score))
                        .append(Double.isNaN(r.error) ? "" : " ± " + Stats.format(r.error))
                        .append(" | ").append(base == null ? "n/a" : Stats.format(r.median() - base.median()))
                        .append(" | ").append(base == null ? "n/a" : Stats.format(r.median() / base.median()) + "×")
                        .append(" | ").append(Stats.format(r.allocBytesPerOp)).append(" |\n");
            }
            out.append('\n');
            perCallVerdicts(threads, cases);
        }
    }

    private void perCallVerdicts(int threads, Map<PerCallCase, JmhResult> cases) {
        JmhResult base = cases.get(PerCallCase.NO_AGENT);
        JmhResult dynamo = cases.get(PerCallCase.DYNAMO);
        JmhResult hand = cases.get(PerCallCase.HAND_WRITTEN);
        JmhResult otel = cases.get(PerCallCase.OTEL);
        String where = threads + (threads == 1 ? " thread" : " threads");
        if (base == null || dynamo == null) {
            return;
        }
        double added = dynamo.median() - base.median();
        out.append("With ").append(where).append(" the agent adds ").append(Stats.format(added))
                .append(" ns per call to the plain method");
        if (hand != null) {
            double handAdded = hand.median() - base.median();
            out.append("; the hand-written simpleclient recording adds ").append(Stats.format(handAdded))
                    .append(" ns, so the agent costs ").append(Stats.format(Math.abs(dynamo.median() - hand.median())))
                    .append(dynamo.median() <= hand.median() ? " ns per call less" : " ns per call more")
                    .append(" than the hand-written code");
            verdicts.add((added <= handAdded ? "**met**" : "**missed**") + " (" + where
                    + ") added cost per annotated call ≤ hand-written simpleclient: " + Stats.format(added)
                    + " ns vs " + Stats.format(handAdded) + " ns");
        }
        out.append(".");
        if (otel != null) {
            double otelAdded = otel.median() - base.median();
            double factor = otelAdded / added;
            out.append(" The OpenTelemetry agent's `@WithSpan` adds ").append(Stats.format(otelAdded))
                    .append(" ns: ").append(Stats.format(factor)).append("× the agent's.");
            verdicts.add((factor >= 10 ? "**met**" : "**missed**") + " (" + where
                    + ") at least 10× below OpenTelemetry `@WithSpan`: " + Stats.format(factor) + "×");
        }
        out.append("\n\n");
        verdicts.add((dynamo.allocBytesPerOp < ZERO_ALLOCATION ? "**met**" : "**missed**") + " (" + where
                + ") zero bytes allocated per annotated call: gc.alloc.rate.norm = "
                + Stats.format(dynamo.allocBytesPerOp) + " B/call (case (a): " + Stats.format(base.allocBytesPerOp)
                + ")");
    }

    // ---------------------------------------------------------------- scrape

    private void scrape() throws IOException {
        Path file = results.resolve("scrape.json");
        out.append("### 2. Scrape cost\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `scrape`).\n\n");
            return;
        }
        // tcpNoDelay -> server -> series
        Map<String, Map<String, Map<Integer, JmhResult>>> grouped = new TreeMap<>(Comparator.reverseOrder());
        for (JmhResult result : JmhResult.read(file)) {
            grouped.computeIfAbsent(String.valueOf(result.param("tcpNoDelay")), k -> new TreeMap<>())
                    .computeIfAbsent(result.param("server"), k -> new TreeMap<>())
                    .put(Integer.parseInt(result.param("series")), result);
        }
        Map<String, String> bytes = new LinkedHashMap<>();
        Path csv = results.resolve("scrape-bytes.csv");
        if (Files.exists(csv)) {
            for (String line : Files.readAllLines(csv)) {
                String[] f = line.split(",");
                bytes.put(f[0] + "/" + f[1], String.format("%,d", Long.parseLong(f[2])));
            }
        }
        JmhResult any = grouped.values().iterator().next().values().iterator().next().values().iterator().next();
        out.append("JMH: one `GET /metrics` of another JVM (`-Xmx256m`) holding N counter series with four labels,")
                .append(" by the JDK's `HttpClient` (HTTP/1.1, kept alive, no gzip); ").append(any.settings())
                .append(". The dynamo JVM runs the agent (`DYN_SYSTEM_JVM_METRICS=false`); the others serve a plain")
                .append(" simpleclient 0.16 registry with its `HTTPServer` (`PROMETHEUS_DISABLE_CREATED_SERIES=true`, so")
                .append(" the bodies hold the same series) and a client_java 1.x registry with its `HTTPServer`. The")
                .append(" agent serves with its own non-blocking server (`java.nio`), which sets `TCP_NODELAY` on each")
                .append(" of its sockets; both peers' `HTTPServer`s are the JDK's `com.sun.net.httpserver`. The")
                .append(" first table sets `-Dsun.net.httpserver.nodelay=true` in the target JVMs, the second")
                .append(" keeps the JDK default (Nagle on); the property changes only the peers' servers, so the")
                .append(" dynamo column measures the same server in both tables.")
                .append(" Times in ms per scrape: median of iterations (min–max).\n\n");
        for (Map.Entry<String, Map<String, Map<Integer, JmhResult>>> entry : grouped.entrySet()) {
            boolean noDelay = entry.getKey().equals("true");
            out.append(noDelay ? "**Peers with TCP_NODELAY on (`sun.net.httpserver.nodelay=true`)**\n\n"
                    : "**Peers with the JDK default sockets (Nagle on)**\n\n");
            scrapeTable(entry.getValue(), bytes, noDelay ? "TCP_NODELAY" : "JDK default sockets");
        }
    }

    private void scrapeTable(Map<String, Map<Integer, JmhResult>> byServer, Map<String, String> bytes, String setting) {
        out.append("| series | dynamo agent, ms | simpleclient 0.16 HTTPServer, ms | client_java 1.x HTTPServer, ms")
                .append(" | dynamo ÷ simpleclient | dynamo ÷ client_java 1.x | dynamo bytes | simpleclient bytes")
                .append(" | client_java 1.x bytes |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<Integer, JmhResult> dynamo = byServer.getOrDefault("dynamo", new TreeMap<>());
        Map<Integer, JmhResult> plain = byServer.getOrDefault("simpleclient", new TreeMap<>());
        Map<Integer, JmhResult> one = byServer.getOrDefault("clientjava1", new TreeMap<>());
        for (Integer series : dynamo.keySet()) {
            JmhResult d = dynamo.get(series);
            JmhResult p = plain.get(series);
            JmhResult o = one.get(series);
            out.append("| ").append(String.format("%,d", series))
                    .append(" | ").append(ms(d)).append(" | ").append(p == null ? "n/a" : ms(p))
                    .append(" | ").append(o == null ? "n/a" : ms(o))
                    .append(" | ").append(p == null ? "n/a" : Stats.format(d.median() / p.median()) + "×")
                    .append(" | ").append(o == null ? "n/a" : Stats.format(d.median() / o.median()) + "×")
                    .append(" | ").append(bytes.getOrDefault("dynamo/" + series, "n/a"))
                    .append(" | ").append(bytes.getOrDefault("simpleclient/" + series, "n/a"))
                    .append(" | ").append(bytes.getOrDefault("clientjava1/" + series, "n/a")).append(" |\n");
        }
        out.append('\n');
        JmhResult d = dynamo.get(10000);
        JmhResult p = plain.get(10000);
        if (d != null && p != null) {
            verdicts.add((d.median() <= p.median() ? "**met**" : "**missed**")
                    + " (" + setting + ") scrape of 10,000 series no slower than plain simpleclient: "
                    + Stats.format(d.median() / 1000) + " ms vs " + Stats.format(p.median() / 1000) + " ms ("
                    + Stats.format(d.median() / p.median()) + "×)");
        }
        JmhResult o = one.get(10000);
        if (d != null && o != null) {
            verdicts.add((d.median() <= o.median() ? "**met**" : "**missed**")
                    + " (" + setting + ") scrape of 10,000 series no slower than client_java 1.x: "
                    + Stats.format(d.median() / 1000) + " ms vs " + Stats.format(o.median() / 1000) + " ms ("
                    + Stats.format(d.median() / o.median()) + "×)");
        }
    }

    // ---------------------------------------------------------------- scrape with application threads

    private void scrapeThreads() throws IOException {
        Path file = results.resolve("scrape-threads.json");
        out.append("### 2b. Scrape cost with application threads\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `scrape-threads`).\n\n");
            return;
        }
        // server -> "threads/scrape" -> result
        Map<String, Map<String, JmhResult>> times = new LinkedHashMap<>();
        for (String server : List.of("dynamo", "simpleclient", "clientjava1")) {
            times.put(server, new LinkedHashMap<>());
        }
        JmhResult any = null;
        for (JmhResult result : JmhResult.read(file)) {
            times.computeIfAbsent(result.param("server"), k -> new LinkedHashMap<>())
                    .put(result.param("appThreads") + "/" + result.param("scrape"), result);
            any = result;
        }
        // server/threads/scrape -> {scrapes, all safepoints, FindDeadlocks, ThreadDump, CPU ms}
        Map<String, double[]> costs = new LinkedHashMap<>();
        Path csv = results.resolve("scrape-threads.csv");
        if (Files.exists(csv)) {
            for (String line : Files.readAllLines(csv)) {
                String[] f = line.split(",");
                costs.put(f[0] + "/" + f[1] + "/" + f[2], new double[] {Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                        Double.parseDouble(f[7])});
            }
        }
        out.append("JMH: one `GET /metrics` (full) or `GET /metrics?name[]=dynamo_component_scrape_series_total`")
                .append(" (filtered) of another JVM (`-Xmx256m`; `-Dsun.net.httpserver.nodelay=true` for the peers'")
                .append(" JDK `HTTPServer`s, the agent's own server sets `TCP_NODELAY` itself) with N")
                .append(" application threads waiting on a latch, 100 counter series and the JVM metrics of each")
                .append(" library: the dynamo agent (defaults), simpleclient 0.16 with `DefaultExports` and its")
                .append(" `HTTPServer`, client_java 1.x with `JvmMetrics` and its `HTTPServer`; ").append(any == null
                        ? "" : any.settings())
                .append(". The target logs its safepoints (`-Xlog:safepoint`); safepoints and the target's CPU time")
                .append(" (`/proc/<pid>/stat`, 10 ms ticks) are counted from the first scrape to the end of the trial")
                .append(" and divided by the scrapes. Time: ms per scrape, median of iterations (min–max).\n\n");
        out.append("| threads | scrape | server | ms per scrape | target CPU ms per scrape | safepoints per scrape")
                .append(" | FindDeadlocks + ThreadDump per scrape |\n");
        out.append("|---:|---|---|---:|---:|---:|---:|\n");
        for (String key : List.of("100/full", "3000/full", "100/filtered", "3000/filtered")) {
            for (Map.Entry<String, Map<String, JmhResult>> server : times.entrySet()) {
                JmhResult r = server.getValue().get(key);
                if (r == null) {
                    continue;
                }
                String[] parts = key.split("/");
                double[] cost = costs.get(server.getKey() + "/" + key);
                out.append("| ").append(String.format("%,d", Integer.parseInt(parts[0]))).append(" | ").append(parts[1])
                        .append(" | ").append(serverLabel(server.getKey())).append(" | ").append(ms(r))
                        .append(" | ").append(cost == null ? "n/a" : Stats.format(cost[4] / cost[0]))
                        .append(" | ").append(cost == null ? "n/a" : Stats.format(cost[1] / cost[0]))
                        .append(" | ").append(cost == null ? "n/a" : Stats.format((cost[2] + cost[3]) / cost[0]))
                        .append(" |\n");
            }
        }
        out.append('\n');
        Map<String, JmhResult> dynamo = times.get("dynamo");
        for (String kind : List.of("filtered", "full")) {
            JmhResult few = dynamo.get("100/" + kind);
            JmhResult many = dynamo.get("3000/" + kind);
            if (few != null && many != null) {
                double limit = kind.equals("filtered") ? 1.5 : 3;
                double ratio = many.median() / few.median();
                verdicts.add((ratio <= limit ? "**met**" : "**missed**") + " " + kind + " scrape with 3,000 threads"
                        + " within " + Stats.format(limit) + "× of the same with 100: " + Stats.format(ratio) + "× ("
                        + Stats.format(many.median() / 1000) + " ms vs " + Stats.format(few.median() / 1000) + " ms)");
            }
        }
        double deadlockSafepoints = 0;
        double scrapes = 0;
        for (Map.Entry<String, double[]> cost : costs.entrySet()) {
            if (cost.getKey().startsWith("dynamo/")) {
                deadlockSafepoints += cost.getValue()[2] + cost.getValue()[3];
                scrapes += cost.getValue()[0];
            }
        }
        if (scrapes > 0) {
            verdicts.add((deadlockSafepoints == 0 ? "**met**" : "**missed**") + " zero `FindDeadlocks` (and"
                    + " `ThreadDump`) safepoints per scrape by default: " + Stats.format(deadlockSafepoints) + " in "
                    + String.format("%,.0f", scrapes) + " scrapes");
        }
    }

    private void jvmCalls() throws IOException {
        Path file = results.resolve("jvm-calls.csv");
        out.append("### 2c. The calls behind the JVM metrics\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `jvm-calls`).\n\n");
            return;
        }
        List<String> lines = Files.readAllLines(file);
        String[] first = lines.size() > 1 ? lines.get(1).split(",") : new String[] {"", "", "?", "?"};
        out.append("Each call in a fresh JVM with ").append(String.format("%,d", Integer.parseInt(first[2])))
                .append(" threads waiting on a latch, ")
                .append(first[3]).append(" calls after at least 50 unrecorded ones and 1 s, `-Xlog:safepoint`; the safepoints are")
                .append(" those logged during the recorded calls, by VM operation (`Cleanup` is the JVM's own periodic")
                .append(" one, `G1CollectForAllocation` a young collection).\n\n");
        out.append("| call | µs per call | safepoints during the calls |\n|---|---:|---|\n");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            out.append("| ").append(f[1]).append(" | ").append(Stats.format(Double.parseDouble(f[4]))).append(" | ")
                    .append(f.length > 5 && !f[5].equals("{}") ? f[5] : "none").append(" |\n");
        }
        out.append('\n');
    }

    private static String serverLabel(String server) {
        switch (server) {
            case "dynamo":
                return "dynamo agent";
            case "simpleclient":
                return "simpleclient 0.16";
            case "clientjava1":
                return "client_java 1.x";
            default:
                return server;
        }
    }

    private static String ms(JmhResult r) {
        return Stats.format(r.median() / 1000) + " (" + Stats.format(r.min() / 1000) + "–" + Stats.format(r.max() / 1000)
                + ")";
    }

    // ---------------------------------------------------------------- start-up

    /** The start-up runs of one agent on one application: run index → {wall, start to main, in main, CPU}. */
    /** The figures of one case (one agent on one application) in each round of a benchmark, by round. */
    private static final class RoundFigures {
        final Map<Integer, double[]> byRun = new TreeMap<>();

        List<Double> column(int index) {
            List<Double> values = new ArrayList<>();
            for (double[] figures : byRun.values()) {
                values.add(figures[index]);
            }
            return values;
        }

        /** Per-run differences to {@code base} (the same round), for the figures at {@code index}. */
        List<Double> added(RoundFigures base, int index) {
            List<Double> values = new ArrayList<>();
            for (Map.Entry<Integer, double[]> run : byRun.entrySet()) {
                double[] other = base.byRun.get(run.getKey());
                if (other != null) {
                    values.add(run.getValue()[index] - other[index]);
                }
            }
            return values;
        }
    }

    private void startup() throws IOException {
        Path file = results.resolve("startup.csv");
        out.append("### 3. Start-up\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `startup`).\n\n");
            return;
        }
        // config -> application -> runs
        Map<String, Map<String, RoundFigures>> runs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        if (!lines.get(0).startsWith("config,application,")) {
            out.append("`startup.csv` is from an older version of the benchmark; run `startup` again.\n\n");
            return;
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double[] figures = {Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6])};
            runs.computeIfAbsent(f[0], k -> new LinkedHashMap<>())
                    .computeIfAbsent(f[1], k -> new RoundFigures()).byRun.put(Integer.parseInt(f[2]), figures);
        }
        Map<String, RoundFigures> base = runs.get(StartupBenchmark.NO_AGENT);
        if (base == null) {
            out.append("No runs without an agent in `startup.csv`.\n\n");
            return;
        }
        int count = base.values().iterator().next().byRun.size();
        for (Map<String, RoundFigures> config : runs.values()) {
            for (RoundFigures measured : config.values()) {
                count = Math.min(count, measured.byRun.size());
            }
        }
        out.append("Whole processes `java -Xms64m -Xmx256m [agent] -cp app.jar:lib.jar StartupApp`. The application")
                .append(" has N generated classes with two methods each, every method annotated with both")
                .append(" `@DynamoEndpoint` and `@WithSpan`; `main` calls each method once and returns. As handlers of")
                .append(" real applications do, the methods return objects of the application's own types: the first a")
                .append(" `Reply` that all classes share (like a framework's response type), the second a `Result` nested")
                .append(" in its own class (like a DTO per endpoint); the dynamo agent reads the class file of each such")
                .append(" type to learn whether it is a `CompletionStage`. `lib.jar`")
                .append(" holds the dynamo API and the OpenTelemetry annotations. The dynamo agent runs without its")
                .append(" server (`DYN_SYSTEM_PORT` unset) unless said; OpenTelemetry with all exporters `none`;")
                .append(" jmx_exporter with an empty configuration. The Spring Boot application is a fat jar")
                .append(" (`spring-boot-maven-plugin` repackage, Spring Boot 3.5.7, embedded Tomcat) with three")
                .append(" controllers and three services, 12 methods annotated the same way; it starts on a free port,")
                .append(" calls each controller method once and exits. At least ").append(count)
                .append(" runs of each pair, all pairs interleaved in rotating order after unrecorded warm-up rounds.")
                .append(" Wall time is from process start to exit, as seen by the parent; CPU is the process's CPU")
                .append(" time at the end of `main`. “Added” is the median of the per-round differences to the run")
                .append(" without an agent on the same application, with their min–max. Times in ms.\n\n");
        out.append("| application | agent | wall, median (min–max) | added wall | added JVM start → main | CPU | added CPU |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|\n");
        for (String classes : base.keySet()) {
            for (Map.Entry<String, Map<String, RoundFigures>> config : runs.entrySet()) {
                RoundFigures measured = config.getValue().get(classes);
                if (measured == null) {
                    continue;
                }
                boolean isBase = config.getKey().equals(StartupBenchmark.NO_AGENT);
                out.append("| ").append(applicationLabel(classes))
                        .append(" | ").append(config.getKey())
                        .append(" | ").append(spread(measured.column(0)))
                        .append(" | ").append(isBase ? "" : spread(measured.added(base.get(classes), 0)))
                        .append(" | ").append(isBase ? "" : Stats.format(Stats.median(measured.added(base.get(classes), 1))))
                        .append(" | ").append(Stats.format(Stats.median(measured.column(3))))
                        .append(" | ").append(isBase ? "" : spread(measured.added(base.get(classes), 3)))
                        .append(" |\n");
            }
        }
        out.append('\n');
        startupAgentCost();
        out.append("**Cost per annotated class**, in wall time and in CPU time (on a busy machine the CPU time")
                .append(" is the steadier figure): the first annotated class is the added time with 1 class minus that")
                .append(" with none; each further class is the slope between the two largest applications. ms.\n\n");
        out.append("| agent | added wall, no annotated class | first class | each further class")
                .append(" | added CPU, no annotated class | first class | each further class |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        List<Integer> sizes = new ArrayList<>();
        for (String app : base.keySet()) {
            if (!app.equals(StartupBenchmark.SPRING)) {
                sizes.add(Integer.valueOf(app));
            }
        }
        java.util.Collections.sort(sizes);
        int largest = sizes.get(sizes.size() - 1);
        int second = sizes.size() > 1 ? sizes.get(sizes.size() - 2) : largest;
        for (Map.Entry<String, Map<String, RoundFigures>> config : runs.entrySet()) {
            // The agent-cost runs also start the server and scrape it at the end of main: no start-up of their own.
            if (config.getKey().equals(StartupBenchmark.NO_AGENT)
                    || config.getKey().equals(StartupBenchmark.DYNAMO_SERVER_AGENT_COST) || config.getValue().size() < 2) {
                continue;
            }
            out.append("| ").append(config.getKey());
            double[] slopes = new double[2];
            int column = 0;
            for (int index : new int[] {0, 3}) {
                double none = added(config.getValue(), base, 0, index);
                double one = added(config.getValue(), base, 1, index);
                slopes[column++] = (added(config.getValue(), base, largest, index)
                        - added(config.getValue(), base, second, index)) / (largest - second);
                out.append(" | ").append(Stats.format(none)).append(" | ").append(Stats.format(one - none))
                        .append(" | ").append(Stats.format(slopes[column - 1]));
            }
            out.append(" |\n");
            if (config.getKey().equals(StartupBenchmark.DYNAMO)) {
                double hundred = added(config.getValue(), base, 100, 0);
                double hundredCpu = added(config.getValue(), base, 100, 3);
                verdicts.add((hundred <= 100 ? "**met**" : "**missed**") + " added start-up ≤ 100 ms with 100 annotated"
                        + " classes (median, whole process): " + Stats.format(hundred) + " ms wall ("
                        + Stats.format(hundredCpu) + " ms CPU)");
                verdicts.add((slopes[0] <= 0.3 ? "**met**" : "**missed**") + " ≤ 0.3 ms per further annotated class: "
                        + Stats.format(slopes[0]) + " ms wall, " + Stats.format(slopes[1]) + " ms CPU ("
                        + String.format("%,d", second) + " → " + String.format("%,d", largest) + " classes)");
            }
        }
        out.append('\n');
    }

    /** What the agent's own {@code /metrics} said each start cost it ({@code startup-agent-cost.csv}). */
    private void startupAgentCost() throws IOException {
        Path file = results.resolve("startup-agent-cost.csv");
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file);
        if (!lines.get(0).startsWith("config,application,run,agent_start_ms,")) {
            out.append("`startup-agent-cost.csv` is from an older version of the benchmark; run `startup` again.\n\n");
            return;
        }
        // application -> {agent start ms, transform ms, classes seen, classes instrumented} per run
        Map<String, List<double[]>> byApplication = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            byApplication.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new double[] {
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])});
        }
        if (byApplication.isEmpty()) {
            return;
        }
        out.append("**What the agent says a start cost it**, from its own `/metrics` at the end of `main` (run with its")
                .append(" server on a free port): `dynamo_system_agent_start_seconds`, its `premain` with the server's")
                .append(" start; `dynamo_system_instrumentation_seconds_total`, the time in its transformer on the")
                .append(" threads that loaded classes; and the classes it was given and rewrote. Not in them: the")
                .append(" JDK's own start-up for any `-javaagent`, and the JIT compilation of the agent's code.")
                .append(" Median (min–max).\n\n");
        out.append("| application | runs | `premain`, ms | transformer, ms | classes seen | classes instrumented |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> application : byApplication.entrySet()) {
            List<List<Double>> columns = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                columns.add(new ArrayList<>());
            }
            for (double[] run : application.getValue()) {
                for (int i = 0; i < 4; i++) {
                    columns.get(i).add(run[i]);
                }
            }
            out.append("| ").append(applicationLabel(application.getKey())).append(" | ").append(application.getValue().size())
                    .append(" | ").append(spread(columns.get(0))).append(" | ").append(spread(columns.get(1)))
                    .append(" | ").append(String.format("%,d", (long) Stats.median(columns.get(2))))
                    .append(" | ").append(String.format("%,d", (long) Stats.median(columns.get(3)))).append(" |\n");
        }
        out.append('\n');
        // The transformer's own cost per class, without the whole process's noise: the two largest generated applications.
        List<Integer> sizes = new ArrayList<>();
        for (String application : byApplication.keySet()) {
            if (!application.equals(StartupBenchmark.SPRING)) {
                sizes.add(Integer.parseInt(application));
            }
        }
        Collections.sort(sizes);
        if (sizes.size() >= 2) {
            int largest = sizes.get(sizes.size() - 1);
            int second = sizes.get(sizes.size() - 2);
            double perClass = (medianTransformMillis(byApplication.get(Integer.toString(largest)))
                    - medianTransformMillis(byApplication.get(Integer.toString(second)))) / (largest - second);
            out.append("Time in the transformer per further annotated class (").append(String.format("%,d", second))
                    .append(" → ").append(String.format("%,d", largest)).append(" classes, medians): ")
                    .append(Stats.format(perClass)).append(" ms.\n\n");
        }
    }

    private static double medianTransformMillis(List<double[]> runs) {
        List<Double> millis = new ArrayList<>();
        for (double[] run : runs) {
            millis.add(run[1]);
        }
        return Stats.median(millis);
    }

    private static String applicationLabel(String app) {
        if (app.equals(StartupBenchmark.SPRING)) {
            return "Spring Boot fat jar";
        }
        int classes = Integer.parseInt(app);
        return String.format("%,d", classes) + (classes == 1 ? " class" : " classes");
    }

    /**
     * Median added time (figure {@code index}: 0 wall, 3 CPU) of {@code config} on the application with
     * {@code classes} classes; NaN if not run.
     */
    private static double added(Map<String, RoundFigures> config, Map<String, RoundFigures> base, int classes, int index) {
        RoundFigures measured = config.get(Integer.toString(classes));
        RoundFigures reference = base.get(Integer.toString(classes));
        return measured == null || reference == null ? Double.NaN : Stats.median(measured.added(reference, index));
    }

    private static String spread(List<Double> values) {
        return Stats.format(Stats.median(values)) + " (" + Stats.format(Stats.min(values)) + "–"
                + Stats.format(Stats.max(values)) + ")";
    }

    // ---------------------------------------------------------------- web service under load

    private void webLoad() throws IOException {
        Path file = results.resolve("web-load.csv");
        out.append("### 3b. A web service under load\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `web-load`).\n\n");
            return;
        }
        // case -> round -> {requests/s, p50, p90, p99, CPU µs per request, scrapes}
        Map<String, RoundFigures> runs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        int seconds = 0;
        String connections = "";
        for (String line : lines.subList(1, lines.size())) {
            String[] f = splitWithFreeTextFirst(line, 11);
            connections = f[2];
            double requests = Double.parseDouble(f[3]);
            seconds = (int) Math.round(Double.parseDouble(f[4]));
            double cpuMicrosPerRequest = Double.parseDouble(f[9]) * 1000 / requests;
            runs.computeIfAbsent(f[0], k -> new RoundFigures()).byRun.put(Integer.parseInt(f[1]), new double[] {
                Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]),
                cpuMicrosPerRequest, Double.parseDouble(f[10])});
        }
        RoundFigures base = runs.get(WebLoadBenchmark.NO_AGENT);
        int rounds = base == null ? 0 : base.byRun.size();
        out.append("The Spring Boot application of part 3 (embedded Tomcat, `-Xms256m -Xmx256m`) kept serving, loaded")
                .append(" by `wrk -t1 -c").append(connections).append(" --latency` on `GET ").append(WebLoadBenchmark.PATH).append("`, whose controller")
                .append(" method and the service method it calls are both annotated (two measured calls per request).")
                .append(" Each case in a fresh JVM per round, ").append(rounds).append(" rounds in rotating order: wrk")
                .append(" first warms the JVM up, then ").append(seconds).append(" s are measured. The dynamo agent")
                .append(" serves its metrics and is scraped once a second meanwhile; after each of its runs its count of")
                .append(" the controller method is checked against the requests wrk completed. OpenTelemetry runs with")
                .append(" every exporter off (it also instruments Spring MVC and Tomcat by default). CPU is the")
                .append(" application's whole process (`/proc/<pid>/stat`) over the measured period, divided by the")
                .append(" requests completed; wrk and the application share the two cores. Medians (min–max);")
                .append(" \"added\" is the median of the per-round differences to the run without an agent.\n\n");
        out.append("| agent | requests/s | latency p50, ms | p90, ms | p99, ms | CPU per request, µs | added CPU per request, µs | scrapes per run |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, RoundFigures> entry : runs.entrySet()) {
            RoundFigures figures = entry.getValue();
            out.append("| ").append(entry.getKey())
                    .append(" | ").append(spread(figures.column(0)))
                    .append(" | ").append(Stats.format(Stats.median(figures.column(1))))
                    .append(" | ").append(Stats.format(Stats.median(figures.column(2))))
                    .append(" | ").append(Stats.format(Stats.median(figures.column(3))))
                    .append(" | ").append(spread(figures.column(4)))
                    .append(" | ").append(entry.getKey().equals(WebLoadBenchmark.NO_AGENT) || base == null ? ""
                            : spread(figures.added(base, 4)))
                    .append(" | ").append(Stats.format(Stats.median(figures.column(5)))).append(" |\n");
        }
        out.append('\n');
    }

    /**
     * Splits a CSV row whose first column is a free-text case name that may itself hold commas: the
     * other {@code columns - 1} columns are numbers, so they are taken from the right.
     */
    static String[] splitWithFreeTextFirst(String line, int columns) {
        String[] f = new String[columns];
        int end = line.length();
        for (int i = columns - 1; i > 0; i--) {
            int comma = line.lastIndexOf(',', end - 1);
            if (comma < 0) {
                throw new IllegalArgumentException("expected " + columns + " columns in: " + line);
            }
            f[i] = line.substring(comma + 1, end);
            end = comma;
        }
        f[0] = line.substring(0, end);
        return f;
    }

    // ---------------------------------------------------------------- memory

    private void memory() throws IOException {
        Path file = results.resolve("memory.csv");
        out.append("### 4. Memory\n\n");
        if (!Files.exists(file)) {
            out.append("No results (run `memory`).\n\n");
            return;
        }
        Map<String, List<Double>> before = new LinkedHashMap<>();
        Map<String, List<Double>> perSeries = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        int series = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String key = f[0] + "/" + f[1];
            double heapBefore = Double.parseDouble(f[3]);
            double heapAfter = Double.parseDouble(f[4]);
            int n = Integer.parseInt(f[5]);
            before.computeIfAbsent(f[0], k -> new ArrayList<>()).add(heapBefore);
            if (n > 0) {
                series = n;
                perSeries.computeIfAbsent(key, k -> new ArrayList<>()).add((heapAfter - heapBefore) / n);
            }
        }
        int runs = before.get("none").size();
        out.append("Fresh JVMs (`-XX:+UseSerialGC -Xmx256m`), heap used after `System.gc()` before and after creating ")
                .append(String.format("%,d", series)).append(" series (label values `series-00000`…, four labels in")
                .append(" all) after a 10-series warm-up family; histograms have the agent's 17 duration buckets.")
                .append(" The dynamo JVM runs the agent with `DYN_SYSTEM_PORT=0` and creates the series through the")
                .append(" API; the simpleclient JVM serves its registry with `HTTPServer`. ").append(runs)
                .append(runs == 1 ? " run each" : " runs each").append("; medians (min–max).\n\n");
        out.append("| JVM | heap after start-up, KiB | added vs no agent, KiB | bytes per counter series | bytes per histogram series |\n");
        out.append("|---|---:|---:|---:|---:|\n");
        double baseHeap = Stats.median(before.get("none"));
        String[][] rows = {{"none", "no agent, nothing created"}, {"dynamo", "dynamo agent + API"},
                {"simpleclient", "plain simpleclient + HTTPServer"}};
        for (String[] row : rows) {
            List<Double> heap = before.get(row[0]);
            if (heap == null) {
                continue;
            }
            out.append("| ").append(row[1])
                    .append(" | ").append(kib(heap))
                    .append(" | ").append(Stats.format((Stats.median(heap) - baseHeap) / 1024))
                    .append(" | ").append(bytesPerSeries(perSeries.get(row[0] + "/counter")))
                    .append(" | ").append(bytesPerSeries(perSeries.get(row[0] + "/histogram"))).append(" |\n");
        }
        out.append("\nThe heap after start-up of the dynamo and simpleclient rows is measured after the 10-series")
                .append(" warm-up family (and, for simpleclient, `HTTPServer`) exist.\n\n");
    }

    private static String kib(List<Double> bytes) {
        return Stats.format(Stats.median(bytes) / 1024) + " (" + Stats.format(Stats.min(bytes) / 1024) + "–"
                + Stats.format(Stats.max(bytes) / 1024) + ")";
    }

    private static String bytesPerSeries(List<Double> values) {
        if (values == null) {
            return "n/a";
        }
        return Stats.format(Stats.median(values)) + " (" + Stats.format(Stats.min(values)) + "–"
                + Stats.format(Stats.max(values)) + ")";
    }
}
