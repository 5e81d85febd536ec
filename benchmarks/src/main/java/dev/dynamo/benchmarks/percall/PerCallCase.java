package dev.dynamo.benchmarks.percall;

import dev.dynamo.benchmarks.BenchmarkFiles;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The cases of {@link PerCallBenchmark}: the benchmark method, a label, and the JVM flags of its fork. */
public enum PerCallCase {
    NO_AGENT("noAgent", "(a) no agent, unannotated"),
    CLOCK_READS("clockReadsOnly", "(ref) (a) + two System.nanoTime() reads"),
    DYNAMO("dynamoAgent", "(b) dynamo agent, @DynamoEndpoint"),
    HAND_WRITTEN("handWrittenSimpleclient", "(c) hand-written simpleclient 0.16"),
    MICROMETER("micrometerTimedAspectJ", "(d) Micrometer @Timed, AspectJ LTW"),
    OTEL("otelWithSpan", "(e) OpenTelemetry agent, @WithSpan");

    private final String method;
    private final String label;

    PerCallCase(String method, String label) {
        this.method = method;
        this.label = label;
    }

    public String method() {
        return method;
    }

    public String label() {
        return label;
    }

    /** The case whose benchmark method is {@code method}, or null. */
    public static PerCallCase ofMethod(String method) {
        for (PerCallCase each : values()) {
            if (each.method.equals(method)) {
                return each;
            }
        }
        return null;
    }

    /** The flags appended to the fork's command line; resolves the agent jars, so call it in the runner only. */
    public List<String> jvmArgs() {
        switch (this) {
            case DYNAMO:
                return Collections.singletonList("-javaagent:" + BenchmarkFiles.agent("dynamo-agent"));
            case MICROMETER:
                return Collections.singletonList("-javaagent:" + BenchmarkFiles.agent("aspectjweaver"));
            case OTEL:
                return new ArrayList<>(Arrays.asList(
                        "-javaagent:" + BenchmarkFiles.agent("opentelemetry-javaagent"),
                        "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"));
            default:
                return Collections.emptyList();
        }
    }
}
