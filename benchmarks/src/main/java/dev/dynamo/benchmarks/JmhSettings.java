package dev.dynamo.benchmarks;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.profile.StackProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;

/**
 * The JMH settings every programmatic run shares: modest, because the machine has two cores that
 * other work shares. Each can be changed with a system property ({@code -Dbench.forks=2}, ...).
 */
public final class JmhSettings {
    public static final int FORKS = Integer.getInteger("bench.forks", 1);
    public static final int WARMUP_ITERATIONS = Integer.getInteger("bench.warmup", 3);
    public static final int MEASUREMENT_ITERATIONS = Integer.getInteger("bench.iterations", 5);
    public static final int ITERATION_SECONDS = Integer.getInteger("bench.seconds", 1);
    /** Heap of every benchmark fork. */
    public static final String HEAP = System.getProperty("bench.heap", "512m");

    private JmhSettings() {
    }

    /** A builder with the shared settings, the gc profiler, and JSON results written to {@code result}. */
    public static ChainedOptionsBuilder options(Path result) {
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .forks(FORKS)
                .warmupIterations(WARMUP_ITERATIONS)
                .warmupTime(TimeValue.seconds(ITERATION_SECONDS))
                .measurementIterations(MEASUREMENT_ITERATIONS)
                .measurementTime(TimeValue.seconds(ITERATION_SECONDS))
                .jvmArgs("-Xms" + HEAP, "-Xmx" + HEAP)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        if (Boolean.getBoolean("bench.stack")) {
            builder.addProfiler(StackProfiler.class, "lines=10;top=15;detailLine=true");
        }
        return builder;
    }

    /** One line for the docs: what a run used. */
    public static String describe() {
        return FORKS + " fork(s), " + WARMUP_ITERATIONS + " warm-up × " + ITERATION_SECONDS + " s, "
                + MEASUREMENT_ITERATIONS + " measurement × " + ITERATION_SECONDS + " s iterations, -Xmx" + HEAP
                + ", -prof gc";
    }
}
