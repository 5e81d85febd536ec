package dev.dynamo.benchmarks.percall;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.JmhSettings;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs every {@link PerCallCase} with one and with two threads, each in its own fork with its own
 * agent flags; one JSON result file per run ({@code results/percall-<method>-t<threads>-r<round>.json}).
 * The cases run in rounds, forward then backward, so that a change in the machine's load during
 * the run weighs on every case alike.
 */
public final class PerCallRunner {
    /** Forks per case and round. */
    static final int FORKS = Integer.getInteger("bench.percall.forks", 1);
    /** Rounds over all cases; each case gets {@code ROUNDS × FORKS} forks in all. */
    static final int ROUNDS = Integer.getInteger("bench.percall.rounds", 2);

    private PerCallRunner() {
    }

    /** {@code only}: case methods to run (all when empty). */
    public static void run(List<String> only) throws RunnerException {
        List<PerCallCase> cases = new ArrayList<>();
        for (PerCallCase each : PerCallCase.values()) {
            if (only.isEmpty() || only.contains(each.method())) {
                cases.add(each);
            }
        }
        for (int threads : new int[] {1, 2}) {
            for (int round = 1; round <= ROUNDS; round++) {
                List<PerCallCase> order = new ArrayList<>(cases);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (PerCallCase each : order) {
                    runOne(each, threads, round);
                }
            }
        }
    }

    private static void runOne(PerCallCase each, int threads, int round) throws RunnerException {
        Path result = BenchmarkFiles.resultsDir().resolve(
                "percall-" + each.method() + "-t" + threads + "-r" + round + ".json");
        Options options = JmhSettings.options(result)
                .forks(FORKS)
                .include(PerCallBenchmark.class.getName() + "\\." + each.method() + "$")
                .threads(threads)
                .jvmArgsAppend(each.jvmArgs().toArray(new String[0]))
                .build();
        System.out.println("== per-call: " + each.label() + ", " + threads + " thread(s), round " + round
                + " -> " + result);
        new Runner(options).run();
    }
}
