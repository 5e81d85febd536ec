package dev.dynamo.agent.internal.server;

import io.prometheus.client.Collector;
import io.prometheus.client.Predicate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScrapeRegistryTest {
    private final ScrapeRegistry registry = new ScrapeRegistry();
    private final CountingCollector jvm = new CountingCollector(Collector.Type.GAUGE, "jvm_threads_current");
    private final CountingCollector api = new CountingCollector(Collector.Type.COUNTER, "dynamo_component_requests");

    ScrapeRegistryTest() {
        registry.register(jvm);
        registry.registerNamedByPrefix(api, "dynamo_component_");
    }

    private static List<String> familyNames(java.util.Enumeration<Collector.MetricFamilySamples> families) {
        List<String> names = new ArrayList<String>();
        while (families.hasMoreElements()) {
            names.add(families.nextElement().name);
        }
        return names;
    }

    @Test
    void collectsACollectorThatDoesNotDescribeItselfOnceAtRegistration() {
        assertEquals(1, jvm.collects.get());
        assertEquals(0, api.collects.get(), "a prefixed collector is not collected to learn its names");
    }

    @Test
    void runsEveryCollectorForAFullScrape() {
        assertEquals(Arrays.asList("jvm_threads_current", "dynamo_component_requests"),
                familyNames(registry.metricFamilySamples()));
    }

    @Test
    void doesNotRunTheJvmCollectorsForAnApiMetric() {
        int before = jvm.collects.get();

        List<String> names = familyNames(registry.familiesNamed(
                new HashSet<String>(Collections.singletonList("dynamo_component_requests_total"))));

        assertEquals(Collections.singletonList("dynamo_component_requests"), names);
        assertEquals(before, jvm.collects.get(), "the unrelated collector ran");
        assertEquals(1, api.collects.get());
    }

    @Test
    void runsOnlyTheCollectorThatHasTheNameAndTellsItWhichNames() {
        List<String> names = familyNames(registry.familiesNamed(
                new HashSet<String>(Collections.singletonList("jvm_threads_current"))));

        assertEquals(Collections.singletonList("jvm_threads_current"), names);
        assertEquals(0, api.collects.get(), "the API collector ran for a JVM metric");
        assertTrue(jvm.lastFilter.test("jvm_threads_current"));
        assertFalse(jvm.lastFilter.test("jvm_threads_deadlocked"));
    }

    @Test
    void findsACollectorBySampleNamesOfItsFamilies() {
        CountingCollector histogram = new CountingCollector(Collector.Type.HISTOGRAM, "jvm_gc_pause_seconds");
        registry.register(histogram);

        familyNames(registry.familiesNamed(new HashSet<String>(Collections.singletonList("jvm_gc_pause_seconds_count"))));

        assertEquals(2, histogram.collects.get());
        assertTrue(histogram.lastFilter.test("jvm_gc_pause_seconds_count"));
    }

    @Test
    void runsNothingForAnUnknownName() {
        int before = jvm.collects.get();

        assertEquals(Collections.emptyList(), familyNames(registry.familiesNamed(
                new HashSet<String>(Collections.singletonList("no_such_metric")))));

        assertEquals(before, jvm.collects.get());
        assertEquals(0, api.collects.get());
    }

    @Test
    void filtersSamplesAsSimpleclientDoes() {
        List<String> names = familyNames(registry.filteredMetricFamilySamples(
                new HashSet<String>(Collections.singletonList("dynamo_component_requests_total"))));

        assertEquals(Collections.singletonList("dynamo_component_requests"), names);
    }

    @Test
    void refusesANameTakenByAnotherCollector() {
        assertThrows(IllegalArgumentException.class,
                () -> registry.register(new CountingCollector(Collector.Type.GAUGE, "jvm_threads_current")));
    }

    @Test
    void forgetsAnUnregisteredCollector() {
        registry.unregister(jvm);

        assertEquals(Collections.singletonList("dynamo_component_requests"), familyNames(registry.metricFamilySamples()));
        registry.register(new CountingCollector(Collector.Type.GAUGE, "jvm_threads_current"));
    }

    @Test
    void tellsSampleNamesOfARequestedFamily() {
        HashSet<String> names = new HashSet<String>(Arrays.asList("a", "b_total"));
        assertTrue(ScrapeRegistry.isOrBelongsTo("a_bucket", names));
        assertTrue(ScrapeRegistry.isOrBelongsTo("b", names));
        assertTrue(ScrapeRegistry.isOrBelongsTo("a", names));
        assertFalse(ScrapeRegistry.isOrBelongsTo("ab", names));
    }

    /** One family of one sample, counting its collections and remembering the last filter. */
    private static final class CountingCollector extends Collector {
        final AtomicInteger collects = new AtomicInteger();
        final Type type;
        final String name;
        volatile Predicate<String> lastFilter;

        CountingCollector(Type type, String name) {
            this.type = type;
            this.name = name;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            collects.incrementAndGet();
            String sampleName = type == Type.COUNTER ? name + "_total" : type == Type.HISTOGRAM ? name + "_count" : name;
            return Collections.singletonList(new MetricFamilySamples(name, type, "help", Collections.singletonList(
                    new MetricFamilySamples.Sample(sampleName, Collections.<String>emptyList(),
                            Collections.<String>emptyList(), 1))));
        }

        @Override
        public List<MetricFamilySamples> collect(Predicate<String> filter) {
            lastFilter = filter;
            return collect();
        }
    }
}
