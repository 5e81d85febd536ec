package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.instrumentation.InstrumentationCost;
import dev.dynamo.agent.internal.server.ScrapeRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentCostCollectorTest {
    @Test
    void exposesTheTransformersCountsAndTimeAsCounters() {
        long seenBefore = InstrumentationCost.classesSeen();
        long instrumentedBefore = InstrumentationCost.classesInstrumented();
        long nanosBefore = InstrumentationCost.nanos();

        Map<String, MetricFamilySamples> families = byName(new AgentCostCollector(() -> -1).collect());

        assertEquals(List.of("dynamo_system_instrumentation_classes_instrumented",
                "dynamo_system_instrumentation_classes_seen", "dynamo_system_instrumentation_seconds"),
                new ArrayList<>(families.keySet()));
        for (MetricFamilySamples family : families.values()) {
            assertEquals(Collector.Type.COUNTER, family.type, family.name);
            assertEquals(1, family.samples.size(), family.name);
            assertEquals(family.name + "_total", family.samples.get(0).name);
            assertTrue(family.help.length() > 20, family.name);
        }
        // The transformer returns at once for the bootstrap loader's classes: they are not counted.
        String seenHelp = families.get("dynamo_system_instrumentation_classes_seen").help;
        assertTrue(seenHelp.contains("but the bootstrap loader"), seenHelp);
        // Classes may load while the collector reads: each value lies between the readings around it.
        assertBetween(seenBefore, InstrumentationCost.classesSeen(),
                value(families, "dynamo_system_instrumentation_classes_seen"));
        assertBetween(instrumentedBefore, InstrumentationCost.classesInstrumented(),
                value(families, "dynamo_system_instrumentation_classes_instrumented"));
        double seconds = value(families, "dynamo_system_instrumentation_seconds");
        assertTrue(seconds >= nanosBefore / 1e9 && seconds <= InstrumentationCost.nanos() / 1e9, "seconds " + seconds);
    }

    @Test
    void theAgentsStartIsAGaugeInSecondsOnceItHasFinished() {
        AtomicLong startNanos = new AtomicLong(-1);
        AgentCostCollector collector = new AgentCostCollector(startNanos::get);
        assertFalse(byName(collector.collect()).containsKey("dynamo_system_agent_start_seconds"),
                "no value while the start has not finished");

        startNanos.set(42_500_000L);
        MetricFamilySamples start = byName(collector.collect()).get("dynamo_system_agent_start_seconds");

        assertEquals(Collector.Type.GAUGE, start.type);
        assertEquals(1, start.samples.size());
        assertEquals("dynamo_system_agent_start_seconds", start.samples.get(0).name);
        assertEquals(0.0425, start.samples.get(0).value, 1e-12);
        assertTrue(start.help.contains("premain"), start.help);
    }

    @Test
    void aNameFilteredScrapeFindsTheFamilyItNames() {
        ScrapeRegistry registry = new ScrapeRegistry();
        registry.register(new AgentCostCollector(() -> 7_000_000L));

        List<MetricFamilySamples> selected = Collections.list(registry.filteredMetricFamilySamples(
                Collections.singleton("dynamo_system_instrumentation_seconds_total")));

        assertEquals(1, selected.size());
        assertEquals("dynamo_system_instrumentation_seconds", selected.get(0).name);
    }

    @Test
    void aNameFilteredScrapeFindsTheStartRegisteredBeforeTheStartHadFinished() {
        // The server registers the collector during the agent's start, before the start's duration is known.
        AtomicLong startNanos = new AtomicLong(-1);
        ScrapeRegistry registry = new ScrapeRegistry();
        registry.register(new AgentCostCollector(startNanos::get));
        startNanos.set(3_000_000L);

        List<MetricFamilySamples> selected = Collections.list(registry.filteredMetricFamilySamples(
                Collections.singleton("dynamo_system_agent_start_seconds")));

        assertEquals(1, selected.size());
        assertEquals(0.003, selected.get(0).samples.get(0).value, 1e-12);
    }

    private static Map<String, MetricFamilySamples> byName(List<MetricFamilySamples> families) {
        Map<String, MetricFamilySamples> byName = new TreeMap<>();
        for (MetricFamilySamples family : families) {
            byName.put(family.name, family);
        }
        return byName;
    }

    private static double value(Map<String, MetricFamilySamples> families, String name) {
        return families.get(name).samples.get(0).value;
    }

    private static void assertBetween(long low, long high, double value) {
        assertTrue(value >= low && value <= high, value + " not within [" + low + ", " + high + "]");
    }
}
