package dev.dynamo.benchmarks.percall;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.JmhSettings;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every {@link PerCallCase} with one and with two threads, each in its own fork with its own
 * agent flags; one JSON result file per run ({@code results/percall-<method>-t<threads>.json}).
 */
public final class PerCallRunner {
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
            for (PerCallCase each : cases) {
                Path result = BenchmarkFiles.resultsDir().resolve("percall-" + each.method() + "-t" + threads + ".json");
                Options options = JmhSettings.options(result)
                        .include(PerCallBenchmark.class.getName() + "\\." + each.method() + "$")
                        .threads(threads)
                        .jvmArgsAppend(each.jvmArgs().toArray(new String[0]))
                        .build();
                System.out.println("== per-call: " + each.label() + ", " + threads + " thread(s) -> " + result);
                new Runner(options).run();
            }
        }
    }
}
