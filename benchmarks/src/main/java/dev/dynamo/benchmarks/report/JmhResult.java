package dev.dynamo.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One benchmark result read from JMH's JSON output ({@code -rf json}). */
final class JmhResult {
    final String method;
    final int threads;
    final JsonObject params;
    final double score;
    final double error;
    final String unit;
    /** Every measurement iteration of every fork, sorted. */
    final double[] iterations;
    /** {@code gc.alloc.rate.norm} in bytes per operation, or NaN when the gc profiler was off. */
    final double allocBytesPerOp;
    final JsonObject raw;
    /** How many JMH runs (rounds) this result merges. */
    final int runs;

    private JmhResult(String method, int threads, JsonObject params, double score, double error, String unit,
            double[] iterations, double allocBytesPerOp, JsonObject raw, int runs) {
        this.method = method;
        this.threads = threads;
        this.params = params;
        this.score = score;
        this.error = error;
        this.unit = unit;
        this.iterations = iterations;
        this.allocBytesPerOp = allocBytesPerOp;
        this.raw = raw;
        this.runs = runs;
    }

    private JmhResult(JsonObject json) {
        runs = 1;
        raw = json;
        String benchmark = json.get("benchmark").getAsString();
        method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        threads = json.get("threads").getAsInt();
        params = json.has("params") ? json.getAsJsonObject("params") : new JsonObject();
        JsonObject primary = json.getAsJsonObject("primaryMetric");
        score = primary.get("score").getAsDouble();
        error = number(primary.get("scoreError"));
        unit = primary.get("scoreUnit").getAsString();
        List<Double> values = new ArrayList<>();
        for (JsonElement fork : primary.getAsJsonArray("rawData")) {
            for (JsonElement value : (JsonArray) fork) {
                values.add(value.getAsDouble());
            }
        }
        iterations = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        JsonObject secondary = json.getAsJsonObject("secondaryMetrics");
        allocBytesPerOp = secondary != null && secondary.has("gc.alloc.rate.norm")
                ? secondary.getAsJsonObject("gc.alloc.rate.norm").get("score").getAsDouble() : Double.NaN;
    }

    /**
     * The results of several runs of one benchmark as one: all their iterations; the mean of those as
     * score (JMH's error does not combine, so it is NaN); the mean allocation of the runs.
     */
    static JmhResult merge(List<JmhResult> results) {
        if (results.size() == 1) {
            return results.get(0);
        }
        JmhResult first = results.get(0);
        double[] all = results.stream().flatMapToDouble(r -> Arrays.stream(r.iterations)).sorted().toArray();
        double alloc = results.stream().mapToDouble(r -> r.allocBytesPerOp).average().orElse(Double.NaN);
        return new JmhResult(first.method, first.threads, first.params, Arrays.stream(all).average().orElse(Double.NaN),
                Double.NaN, first.unit, all, alloc, first.raw, results.size());
    }

    static List<JmhResult> read(Path file) throws IOException {
        List<JmhResult> results = new ArrayList<>();
        JsonElement root = JsonParser.parseString(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        for (JsonElement each : root.getAsJsonArray()) {
            results.add(new JmhResult(each.getAsJsonObject()));
        }
        return results;
    }

    double median() {
        return Stats.median(iterations);
    }

    double min() {
        return iterations[0];
    }

    double max() {
        return iterations[iterations.length - 1];
    }

    String param(String name) {
        return params.has(name) ? params.get(name).getAsString() : null;
    }

    /** Warm-up and measurement settings as JMH recorded them. */
    String settings() {
        return (runs > 1 ? runs + " rounds × " : "") + raw.get("forks").getAsInt() + " fork(s), " + raw.get("warmupIterations").getAsInt() + " warm-up × "
                + raw.get("warmupTime").getAsString() + ", " + raw.get("measurementIterations").getAsInt()
                + " measurement × " + raw.get("measurementTime").getAsString();
    }

    String jvmArgs() {
        List<String> args = new ArrayList<>();
        for (JsonElement arg : raw.getAsJsonArray("jvmArgs")) {
            args.add(arg.getAsString());
        }
        return String.join(" ", args);
    }

    private static double number(JsonElement element) {
        String text = element.getAsString();
        return text.equals("NaN") ? Double.NaN : Double.parseDouble(text);
    }

    @Override
    public String toString() {
        return method + " t" + threads + " " + params + " " + score + " " + unit + " " + Arrays.toString(iterations);
    }
}
