package dev.dynamo.agent.internal.server;

import io.prometheus.client.Collector;
import io.prometheus.client.Predicate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
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

    /**
     * The quick answer of a {@code name[]} query's filter for a family (a family whose samples' names share no
     * stem with the names asked for has none of them) is the answer of asking for each sample's name: names
     * of one to three parts, each name followed by up to two suffixes, every family against every query.
     */
    @Test
    void aQuerysQuickAnswerForAFamilyIsTheAnswerOfItsSamplesNames() {
        List<String> suffixes = Arrays.asList("", "_total", "_created", "_count", "_sum", "_bucket", "_info", "_gcount",
                "_gsum", "_x");
        List<String> stems = Arrays.asList("a", "ab", "a_total_b", "count", "_sum", "x_g");
        List<String> names = new ArrayList<String>();
        for (String stem : stems) {
            for (String first : suffixes) {
                for (String second : suffixes) {
                    names.add(stem + first + second);
                }
            }
        }
        Random random = new Random(42);
        int compared = 0;
        for (int query = 0; query < 300; query++) {
            Set<String> asked = new HashSet<String>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                asked.add(names.get(random.nextInt(names.size())));
            }
            Predicate<String> quick = ScrapeRegistry.namedBy(asked);
            Predicate<String> oneByOne = sample -> ScrapeRegistry.isOrBelongsTo(sample, asked);
            for (String family : names) {
                assertEquals(ScrapeRegistry.familyMayHave(family, oneByOne), ScrapeRegistry.familyMayHave(family, quick),
                        family + " for " + asked);
                compared++;
            }
        }
        assertEquals(300 * names.size(), compared);
    }

    @Test
    void sizesACollectorThatCannotTellItsSizeByItsLastCollection() {
        ScrapeSize size = registry.sizeOf(Collections.<String>emptySet());

        assertEquals(1 + ScrapeRegistry.UNCOLLECTED_SAMPLES, size.samples,
                "the JVM collector as its registration collected it, the API's not collected yet");
        familyNames(registry.metricFamilySamples());
        assertEquals(2, registry.sizeOf(Collections.<String>emptySet()).samples);
    }

    @Test
    void asksASizedCollectorWithTheFilterOfTheNamesAskedFor() {
        List<Predicate<String>> asked = new ArrayList<Predicate<String>>();
        ScrapeRegistry sized = new ScrapeRegistry();
        sized.registerNamedByPrefix(new SizedCounting(asked), "dynamo_component_");

        ScrapeSize size = sized.sizeOf(new HashSet<String>(Collections.singletonList("dynamo_component_a_total")));
        sized.sizeOf(Collections.<String>emptySet());

        assertEquals(7, size.samples);
        assertEquals(700, size.textBytes);
        assertTrue(asked.get(0).test("dynamo_component_a") && !asked.get(0).test("dynamo_component_b"));
        assertEquals(null, asked.get(1), "a scrape of everything");
        assertEquals(0, sized.sizeOf(new HashSet<String>(Collections.singletonList("jvm_threads_current"))).samples,
                "a collector no name asked for is not counted");
    }

    private static final class SizedCounting extends Collector implements SizedCollector {
        private final List<Predicate<String>> asked;

        SizedCounting(List<Predicate<String>> asked) {
            this.asked = asked;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            return Collections.emptyList();
        }

        @Override
        public ScrapeSize sizeOf(Predicate<String> sampleNameFilter) {
            asked.add(sampleNameFilter);
            return new ScrapeSize(7, 700, 0);
        }
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
