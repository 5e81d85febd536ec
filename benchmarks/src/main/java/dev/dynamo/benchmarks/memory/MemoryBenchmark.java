package dev.dynamo.benchmarks.memory;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap used by 1,000 series, and by the agent itself, measured in fresh JVMs ({@link MemoryProbe})
 * with the serial collector so that a full GC leaves exactly the live objects. Each configuration
 * runs {@code bench.memory.runs} times (3); raw figures go to {@code results/memory.csv}.
 */
public final class MemoryBenchmark {
    public static final int SERIES = 1000;
    private static final Pattern HEAP = Pattern.compile("HEAP_BEFORE=(\\d+) HEAP_AFTER=(\\d+)");
    private static final List<String> FLAGS = Arrays.asList("-XX:+UseSerialGC", "-Xms256m", "-Xmx256m");

    private MemoryBenchmark() {
    }

    public static void run() throws Exception {
        int runs = Integer.getInteger("bench.memory.runs", 3);
        StringBuilder csv = new StringBuilder("kind,type,run,heap_before,heap_after,series\n");
        for (int run = 1; run <= runs; run++) {
            measure(csv, run, "none", "counter", 0);
            for (String type : new String[] {"counter", "histogram"}) {
                measure(csv, run, "dynamo", type, SERIES);
                measure(csv, run, "simpleclient", type, SERIES);
            }
            System.out.println("memory round " + run + "/" + runs);
        }
        Path out = BenchmarkFiles.resultsDir().resolve("memory.csv");
        Files.write(out, csv.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("memory results -> " + out);
    }

    private static void measure(StringBuilder csv, int run, String kind, String type, int series) throws Exception {
        List<String> flags = new ArrayList<>(FLAGS);
        Map<String, String> environment = new HashMap<>();
        if (kind.equals("dynamo")) {
            flags.add("-javaagent:" + BenchmarkFiles.agent("dynamo-agent"));
            // The agent as a user runs it: serving /metrics.
            environment.put("DYN_SYSTEM_PORT", "0");
            environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
        }
        try (ChildJvm probe = ChildJvm.start(flags, environment, MemoryProbe.class, kind, type,
                Integer.toString(series))) {
            String line = probe.await(HEAP, 120);
            Matcher matcher = HEAP.matcher(probe.output());
            if (!matcher.find() || line == null) {
                throw new IllegalStateException("no heap figures from " + kind + ": " + probe.output());
            }
            csv.append(kind).append(',').append(type).append(',').append(run).append(',')
                    .append(matcher.group(1)).append(',').append(matcher.group(2)).append(',').append(series)
                    .append('\n');
        }
    }
}
