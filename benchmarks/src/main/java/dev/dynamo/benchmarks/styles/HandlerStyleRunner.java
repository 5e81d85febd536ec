package dev.dynamo.benchmarks.styles;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.JmhSettings;
import dev.dynamo.benchmarks.percall.PerCallCase;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs each {@link HandlerStyleBenchmark} method in its own fork with the flags of its agent (those
 * of the per-call benchmark's cases); one JSON result per method and thread count
 * ({@code results/styles-<method>-t<threads>.json}).
 */
public final class HandlerStyleRunner {
    /** Thread counts to run, e.g. {@code -Dbench.styles.threads=1,2}. */
    static final String THREADS = System.getProperty("bench.styles.threads", "1");
    private static final String[] METHODS = {
        "suspendNoAgent", "suspendDynamo", "suspendOtel", "monoNoAgent", "monoDynamo", "monoOtel",
        "listenableFutureNoAgent", "listenableFutureDynamo", "listenableFutureOtel", "grpcNoAgent", "grpcDynamo", "grpcOtel",
    };
    /**
     * Turns off the OpenTelemetry agent's own gRPC instrumentation in the gRPC fork: its client and
     * server spans would be measured with {@code @WithSpan}'s, and would make the set-up's span check
     * pass without {@code @WithSpan}.
     */
    static final String OTEL_GRPC_OFF = "otel.instrumentation.grpc.enabled=false";

    private HandlerStyleRunner() {
    }

    /** {@code only}: methods to run (all when empty). */
    public static void run(List<String> only) throws RunnerException {
        for (String threads : THREADS.split(",")) {
            for (String method : METHODS) {
                if (only.isEmpty() || only.contains(method)) {
                    runOne(method, Integer.parseInt(threads.trim()));
                }
            }
        }
    }

    private static void runOne(String method, int threads) throws RunnerException {
        Path result = BenchmarkFiles.resultsDir().resolve("styles-" + method + "-t" + threads + ".json");
        PerCallCase flags = method.endsWith("Dynamo") ? PerCallCase.DYNAMO
                : method.endsWith("Otel") ? PerCallCase.OTEL : PerCallCase.NO_AGENT;
        List<String> jvmArgs = new ArrayList<>(flags.jvmArgs());
        if (method.equals("grpcOtel")) {
            jvmArgs.add("-D" + OTEL_GRPC_OFF);
        }
        Options options = JmhSettings.options(result)
                .include(HandlerStyleBenchmark.class.getName() + "\\." + method + "$")
                .threads(threads)
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                .build();
        System.out.println("== handler styles: " + method + ", " + threads + " thread(s) -> " + result);
        new Runner(options).run();
    }
}
