package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.HistogramVec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.family;
import static dev.dynamo.runtime.internal.Snapshots.labels;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static dev.dynamo.runtime.internal.Snapshots.samples;
import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BucketHistogramTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static Histogram histogram(String name, Double... buckets) {
        return DistributedRuntime.get().metrics().createHistogram(name, "Latency", NO_LABELS, Arrays.asList(buckets));
    }

    /**
     * An observation that ends while a page reads the histogram: read once each, the counts came before it and
     * the sum after, and the page's {@code _sum} was above its {@code _count} (a re-tester: observations of 1.0,
     * 1 to 3 % of pages). The counts are read again until no observation came between.
     */
    @Test
    void aPageShowsTheSumOfTheObservationsItCountsWhenOneEndsDuringTheRead() {
        BucketHistogram[] histogram = new BucketHistogram[1];
        java.util.concurrent.atomic.DoubleAdder observingOnce = new java.util.concurrent.atomic.DoubleAdder() {
            private static final long serialVersionUID = 1L;
            private boolean observed;

            @Override
            public double sum() {
                if (!observed) {
                    observed = true;
                    histogram[0].observe(1.0);
                }
                return super.sum();
            }
        };
        double[] bounds = {0.5, 1.5};
        histogram[0] = new BucketHistogram(bounds, BucketHistogram.boundLabels(bounds), observingOnce);
        histogram[0].observe(1.0);
        histogram[0].observe(1.0);

        List<Sample> page = new ArrayList<Sample>();
        histogram[0].collect(new SampleNames(PREFIX + "ones", Collections.<String>emptyList()),
                Collections.<String>emptyList(), page);

        Map<String, Double> values = new LinkedHashMap<String, Double>();
        for (Sample sample : page) {
            values.put(sample.name() + sample.labelValues(), sample.value());
        }
        assertEquals(3.0, values.get(PREFIX + "ones_count[]"), values.toString());
        assertEquals(3.0, values.get(PREFIX + "ones_bucket[+Inf]"), values.toString());
        assertEquals(3.0, values.get(PREFIX + "ones_sum[]"), values.toString());
    }

    @Test
    void countsEachObservationInTheFirstBucketThatHoldsIt() {
        Histogram histogram = histogram(unique("latency"), 1.0, 2.0, 5.0);

        for (double value : new double[] {0.5, 1.0, 1.5, 3.0, 10.0}) {
            histogram.observe(value);
        }

        assertArrayEquals(new long[] {2, 3, 4, 5}, histogram.getCumulativeCounts());
        assertEquals(5L, histogram.getCount());
        assertEquals(16.0, histogram.getSum());
        assertEquals(Arrays.asList(1.0, 2.0, 5.0), histogram.getBuckets());
    }

    @Test
    void putsAValueOnABoundIntoThatBucket() {
        Histogram histogram = histogram(unique("latency"), 0.1, 0.2);

        histogram.observe(0.1);
        histogram.observe(0.2);

        assertArrayEquals(new long[] {1, 2, 2}, histogram.getCumulativeCounts());
    }

    @Test
    void countsNegativeAndInfiniteObservationsInTheOuterBuckets() {
        Histogram histogram = histogram(unique("latency"), 0.0, 1.0);

        histogram.observe(-3.0);
        histogram.observe(Double.POSITIVE_INFINITY);

        assertArrayEquals(new long[] {1, 1, 2}, histogram.getCumulativeCounts());
    }

    @Test
    void exposesCumulativeBucketsWithAnInfBucketEqualToTheCount() {
        String name = unique("latency");
        Histogram histogram = histogram(name, 0.01, 0.1, 1.0);
        histogram.observe(0.005);
        histogram.observe(0.05);
        histogram.observe(0.05);
        histogram.observe(2.0);

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(MetricType.Exposition.HISTOGRAM, family.type());
        assertEquals(1.0, sample(family, PREFIX + name + "_bucket", map("le", "0.01")).value());
        assertEquals(3.0, sample(family, PREFIX + name + "_bucket", map("le", "0.1")).value());
        assertEquals(3.0, sample(family, PREFIX + name + "_bucket", map("le", "1.0")).value());
        double inf = sample(family, PREFIX + name + "_bucket", map("le", "+Inf")).value();
        assertEquals(4.0, inf);
        assertEquals(inf, sample(family, PREFIX + name + "_count", NO_LABELS).value());
        assertEquals(2.105, sample(family, PREFIX + name + "_sum", NO_LABELS).value(), 1e-12);
        assertEquals(6, family.samples().size());
    }

    @Test
    void exposesBucketsInIncreasingOrderWithLeAsTheLastLabel() {
        Endpoint endpoint = DistributedRuntime.get().namespace(unique("ns")).component("comp").endpoint("ep");
        String name = unique("latency");
        endpoint.metrics().createHistogram(name, "Latency", map("model", "llama"), Arrays.asList(0.5, 1.0))
                .observe(0.7);

        List<String> les = new ArrayList<String>();
        for (Sample bucket : samples(family(PREFIX + name), PREFIX + name + "_bucket")) {
            assertEquals(Arrays.asList("dynamo_namespace", "dynamo_component", "dynamo_endpoint", "model", "le"),
                    bucket.labelNames());
            les.add(labels(bucket).get("le"));
        }
        assertEquals(Arrays.asList("0.5", "1.0", "+Inf"), les);
    }

    @Test
    void labelsEachSetOfBoundsWithItsOwnValuesWhenSetsAlternate() {
        double[] first = {0.5, 1.0};
        double[] second = {2.0, 4.0, 8.0};

        assertArrayEquals(new String[] {"0.5", "1.0", "+Inf"}, BucketHistogram.boundLabels(first));
        assertArrayEquals(new String[] {"2.0", "4.0", "8.0", "+Inf"}, BucketHistogram.boundLabels(second));
        first[0] = 0.25; // the caller's array changes: the labels made for the old values must not be reused
        assertArrayEquals(new String[] {"0.25", "1.0", "+Inf"}, BucketHistogram.boundLabels(first));
        assertArrayEquals(new String[] {"2.0", "4.0", "8.0", "+Inf"}, BucketHistogram.boundLabels(second.clone()));
    }

    @Test
    void rejectsANaNObservation() {
        Histogram histogram = histogram(unique("latency"), 1.0);
        histogram.observe(0.5);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> histogram.observe(Double.NaN));

        assertTrue(error.getMessage().contains("NaN"), error.getMessage());
        assertEquals(1L, histogram.getCount());
        assertEquals(0.5, histogram.getSum());
    }

    @Test
    void keepsOneHistogramPerLabelValueInAVec() {
        String ns = unique("ns");
        String name = unique("latency_by_model");
        HistogramVec vec = DistributedRuntime.get().namespace(ns).metrics()
                .createHistogramVec(name, "Latency", Arrays.asList("model"), NO_LABELS, Arrays.asList(1.0));
        vec.withLabelValues("llama").observe(0.5);
        vec.withLabelValues("llama").observe(2.0);
        vec.withLabelValues("mistral").observe(0.1);

        assertEquals(2L, vec.withLabelValues("llama").getCount());
        assertEquals(1L, vec.withLabelValues("mistral").getCount());
        FamilySnapshot family = family(PREFIX + name);
        Map<String, String> llamaInf = new LinkedHashMap<String, String>(map("dynamo_namespace", ns, "model", "llama"));
        llamaInf.put("le", "+Inf");
        assertEquals(2.0, sample(family, PREFIX + name + "_bucket", llamaInf).value());
        assertEquals(1.0, sample(family, PREFIX + name + "_count",
                map("dynamo_namespace", ns, "model", "mistral")).value());
    }
}
