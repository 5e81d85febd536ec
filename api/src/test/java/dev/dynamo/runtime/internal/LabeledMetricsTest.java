package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.GaugeVec;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGaugeVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.family;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabeledMetricsTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static MetricsRegistry metrics() {
        return DistributedRuntime.get().metrics();
    }

    private static CounterVec modelSizeCounters(String name) {
        return metrics().createCounterVec(name, "By model and size", Arrays.asList("model", "size"), NO_LABELS);
    }

    @Test
    void returnsTheSameChildForTheSameLabelValues() {
        CounterVec vec = modelSizeCounters(unique("by_model"));

        Counter first = vec.withLabelValues("llama", "7b");

        assertSame(first, vec.withLabelValues("llama", "7b"));
        assertSame(first, vec.withLabelValues(new String[] {"llama", "7b"}));
        assertNotSame(first, vec.withLabelValues("llama", "70b"));
        assertNotSame(first, vec.withLabelValues("7b", "llama"));
    }

    @Test
    void exposesOneSeriesPerChild() {
        String name = unique("by_model");
        CounterVec vec = modelSizeCounters(name);
        vec.withLabelValues("llama", "7b").inc();
        vec.withLabelValues("llama", "7b").inc(2);
        vec.withLabelValues("mistral", "").inc(5);

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(2, family.samples().size());
        assertEquals(3.0, sample(family, PREFIX + name + "_total", map("model", "llama", "size", "7b")).value());
        assertEquals(5.0, sample(family, PREFIX + name + "_total", map("model", "mistral", "size", "")).value());
    }

    /**
     * Half of a character (a string cut inside an emoji) can only be written to the UTF-8 page as a
     * replacement: a tester's three values became three series of one name there, and Prometheus kept
     * one. Values that differ only in such halves are one series, in the API as on the page.
     */
    @Test
    void labelValuesWithHalfACharacterAreOneSeriesWithTheReplacementCharacter() {
        String name = unique("cut");
        CounterVec vec = metrics().createCounterVec(name, "Cut values", Arrays.asList("v"),
                Collections.singletonMap("c", "\uDC00"));
        vec.withLabelValues("x\uD800y").inc(1);
        vec.withLabelValues("x\uDBFFy").inc(2);
        vec.withLabelValues("x?y").inc(4);
        vec.withLabelValues("ok\uD83D\uDE00").inc(8);

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(3, family.samples().size(), family.samples().toString());
        assertEquals(3.0, sample(family, PREFIX + name + "_total", map("c", "\uFFFD", "v", "x\uFFFDy")).value());
        assertEquals(4.0, sample(family, PREFIX + name + "_total", map("c", "\uFFFD", "v", "x?y")).value());
        assertEquals(8.0, sample(family, PREFIX + name + "_total", map("c", "\uFFFD", "v", "ok\uD83D\uDE00")).value());
        assertSame(vec.withLabelValues("x\uD800y"), vec.withLabelValues("x\uFFFDy"));
        assertTrue(vec.remove("x\uDBFFy"));
    }

    @Test
    void exposesNoSeriesBeforeTheFirstChild() {
        String name = unique("unused");
        modelSizeCounters(name);

        assertTrue(family(PREFIX + name).samples().isEmpty());
    }

    @Test
    void rejectsTheWrongNumberOfLabelValues() {
        CounterVec vec = modelSizeCounters(unique("by_model"));

        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> vec.withLabelValues("llama"));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> vec.withLabelValues("llama", "7b", "fp16"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> vec.withLabelValues((String[]) null));

        assertTrue(tooFew.getMessage().startsWith("Expected 2 label values for [model, size] but got 1"),
                tooFew.getMessage());
        assertTrue(tooMany.getMessage().startsWith("Expected 2 label values for [model, size] but got 3"),
                tooMany.getMessage());
        assertTrue(none.getMessage().startsWith("Expected 2 label values for [model, size] but got 0"),
                none.getMessage());
    }

    @Test
    void rejectsANullLabelValue() {
        String name = unique("by_model");
        CounterVec vec = modelSizeCounters(name);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> vec.withLabelValues("llama", null));

        assertTrue(error.getMessage().startsWith("Label value for 'size' is null"), error.getMessage());
        assertTrue(family(PREFIX + name).samples().isEmpty());
    }

    @Test
    void isNotChangedByLaterChangesToTheValuesArray() {
        String name = unique("by_model");
        CounterVec vec = modelSizeCounters(name);
        String[] values = {"llama", "7b"};
        Counter child = vec.withLabelValues(values);
        values[0] = "mistral";

        assertSame(child, vec.withLabelValues("llama", "7b"));
        assertEquals(1, family(PREFIX + name).samples().size());
    }

    @Test
    void removesAChildAndStartsAFreshOneOnNextUse() {
        String name = unique("by_model");
        CounterVec vec = modelSizeCounters(name);
        vec.withLabelValues("llama", "7b").inc(4);
        vec.withLabelValues("mistral", "7b").inc();

        assertTrue(vec.remove("llama", "7b"));
        assertFalse(vec.remove("llama", "7b"));
        assertEquals(1, family(PREFIX + name).samples().size());
        assertEquals(0.0, vec.withLabelValues("llama", "7b").get());
        assertThrows(IllegalArgumentException.class, () -> vec.remove("llama"));
    }

    @Test
    void reportsItsLabelNamesInOrder() {
        CounterVec vec = modelSizeCounters(unique("by_model"));

        assertEquals(Arrays.asList("model", "size"), vec.getLabelNames());
        assertThrows(UnsupportedOperationException.class, () -> vec.getLabelNames().add("x"));
    }

    @Test
    void givesEveryVecTypeWorkingChildren() {
        String ns = unique("ns");
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).metrics();
        String intCounters = unique("int_counters");
        String gauges = unique("gauges");
        String intGauges = unique("int_gauges");
        IntCounterVec icv = metrics.createIntCounterVec(intCounters, "h", Arrays.asList("k"), NO_LABELS);
        GaugeVec gv = metrics.createGaugeVec(gauges, "h", Arrays.asList("k"), NO_LABELS);
        IntGaugeVec igv = metrics.createIntGaugeVec(intGauges, "h", Arrays.asList("k"), NO_LABELS);

        icv.withLabelValues("a").inc(7);
        gv.withLabelValues("a").set(1.5);
        gv.withLabelValues("a").sub(0.25);
        igv.withLabelValues("a").dec();

        Map<String, String> labels = map("dynamo_namespace", ns, "k", "a");
        assertEquals(7L, icv.withLabelValues("a").get());
        assertEquals(7.0, sample(family(PREFIX + intCounters), PREFIX + intCounters + "_total", labels).value());
        assertEquals(1.25, sample(family(PREFIX + gauges), PREFIX + gauges, labels).value());
        assertEquals(-1.0, sample(family(PREFIX + intGauges), PREFIX + intGauges, labels).value());
    }

    @Test
    void rejectsANegativeIncrementOfAChild() {
        CounterVec vec = modelSizeCounters(unique("by_model"));

        assertThrows(IllegalArgumentException.class, () -> vec.withLabelValues("llama", "7b").inc(-1));
        assertThrows(IllegalArgumentException.class, () -> metrics()
                .createIntCounterVec(unique("ints"), "h", Arrays.asList("k"), NO_LABELS).withLabelValues("v").inc(-1));
    }
}
