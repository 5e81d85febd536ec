package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.AgentStartCost;
import dev.dynamo.agent.internal.instrumentation.EndpointInstrumentation;
import dev.dynamo.agent.internal.instrumentation.InstrumentationCost;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The agent's own cost to the application, for an operator who wants to know what the agent added
 * to the start of their application: {@code dynamo_system_agent_start_seconds}, the agent's own
 * start ({@link AgentStartCost}), and {@code dynamo_system_instrumentation_*}, its cost to the
 * application's class loading ({@link InstrumentationCost}).
 */
public final class AgentCostCollector extends Collector implements Collector.Describable {
    static final String AGENT_START = "dynamo_system_agent_start_seconds";
    static final String CLASSES_SEEN = "dynamo_system_instrumentation_classes_seen";
    static final String CLASSES_INSTRUMENTED = "dynamo_system_instrumentation_classes_instrumented";
    static final String SECONDS = "dynamo_system_instrumentation_seconds";

    /** The duration of the agent's start in ns, -1 until it has finished. */
    private final LongSupplier startNanos;

    public AgentCostCollector() {
        this(new LongSupplier() {
            @Override
            public long getAsLong() {
                return AgentStartCost.nanos();
            }
        });
    }

    AgentCostCollector(LongSupplier startNanos) {
        this.startNanos = startNanos;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        EndpointInstrumentation.weaveStackStarvedClasses();
        // The start's family is absent for the moment between the server's start and the end of the agent's.
        long start = startNanos.getAsLong();
        return families(start >= 0 ? start : null);
    }

    /** Every family, the start's too: a {@code name[]} filter decides from this which collectors run. */
    @Override
    public List<MetricFamilySamples> describe() {
        return families(0L);
    }

    /** @param start the start's duration in ns, or null to leave its family out */
    private static List<MetricFamilySamples> families(Long start) {
        List<MetricFamilySamples> families = new ArrayList<MetricFamilySamples>(4);
        if (start != null) {
            families.add(new GaugeMetricFamily(AGENT_START, "Time the agent took to start, on the thread that"
                    + " started it: premain before the application's main (or agentmain on a dynamic attach, with"
                    + " the instrumentation of the classes loaded before it), with this server's start unless it"
                    + " serves TLS. Not included: the JDK's own start-up for any -javaagent", start / 1e9));
        }
        families.addAll(Arrays.<MetricFamilySamples>asList(
                new CounterMetricFamily(CLASSES_SEEN, "Classes the agent's transformer searched for"
                        + " @DynamoEndpoint: those loaded or retransformed after the agent's start by any class loader"
                        + " but the bootstrap loader, whose classes (most of the JDK's) it skips; hidden classes"
                        + " (lambdas) never reach it", InstrumentationCost.classesSeen()),
                new CounterMetricFamily(CLASSES_INSTRUMENTED, "Classes the agent rewrote to measure their"
                        + " @DynamoEndpoint methods (and gRPC's call handlers)", InstrumentationCost.classesInstrumented()),
                new CounterMetricFamily(SECONDS, "Time the agent's transformer spent on the threads that loaded"
                        + " classes: searching every class for @DynamoEndpoint and rewriting those that have it",
                        InstrumentationCost.nanos() / 1e9)));
        return families;
    }
}
