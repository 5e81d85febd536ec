package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.instrumentation.InstrumentationCost;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;

import java.util.Arrays;
import java.util.List;

/**
 * {@code dynamo_system_instrumentation_*}: the agent's own cost to the application's class loading
 * ({@link InstrumentationCost}), for an operator who wants to know what the agent added to the
 * start of their application.
 */
public final class InstrumentationCostCollector extends Collector implements Collector.Describable {
    static final String CLASSES_SEEN = "dynamo_system_instrumentation_classes_seen";
    static final String CLASSES_INSTRUMENTED = "dynamo_system_instrumentation_classes_instrumented";
    static final String SECONDS = "dynamo_system_instrumentation_seconds";

    @Override
    public List<MetricFamilySamples> collect() {
        return Arrays.<MetricFamilySamples>asList(
                new CounterMetricFamily(CLASSES_SEEN, "Classes the agent's transformer was given: every class"
                        + " loaded or retransformed after the agent's start", InstrumentationCost.classesSeen()),
                new CounterMetricFamily(CLASSES_INSTRUMENTED, "Classes the agent rewrote to measure their"
                        + " @DynamoEndpoint methods (and gRPC's call handlers)", InstrumentationCost.classesInstrumented()),
                new CounterMetricFamily(SECONDS, "Time the agent's transformer spent on the threads that loaded"
                        + " classes: searching every class for @DynamoEndpoint and rewriting those that have it",
                        InstrumentationCost.nanos() / 1e9));
    }

    @Override
    public List<MetricFamilySamples> describe() {
        return collect();
    }
}
