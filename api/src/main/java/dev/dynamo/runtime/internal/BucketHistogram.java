package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link Histogram} keeping one non-cumulative {@link LongAdder} per bucket. The count is the sum of
 * the buckets, so an observation costs one bucket increment and one sum update, and a scrape never
 * sees a count that disagrees with its buckets.
 */
final class BucketHistogram implements Histogram, Collectable {
    /** The bounds and labels {@link #boundLabels} made last. */
    private static volatile BoundLabels lastBoundLabels;

    private final double[] upperBounds;
    /** One per upper bound, plus the +Inf bucket last. */
    private final LongAdder[] buckets;
    private final DoubleAdder sum;
    /** The {@code le} label value of each bucket, +Inf last. */
    private final String[] boundLabels;

    BucketHistogram(double[] upperBounds) {
        this(upperBounds, boundLabels(upperBounds));
    }

    /** @param boundLabels {@link #boundLabels(double[])} of {@code upperBounds}, shared by a vec's children */
    BucketHistogram(double[] upperBounds, String[] boundLabels) {
        this(upperBounds, boundLabels, new DoubleAdder());
    }

    /** @param sum where the sum is kept: tests give one that observes while it is read */
    BucketHistogram(double[] upperBounds, String[] boundLabels, DoubleAdder sum) {
        this.sum = sum;
        this.upperBounds = upperBounds;
        this.boundLabels = boundLabels;
        this.buckets = new LongAdder[upperBounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /**
     * The {@code le} label values of {@code upperBounds} as Prometheus clients print them, then
     * {@code +Inf}. Shared, never written: every endpoint's duration histogram has the same bounds,
     * so the last result is kept and formatting 18 doubles is not repeated for each one.
     */
    static String[] boundLabels(double[] upperBounds) {
        BoundLabels last = lastBoundLabels;
        if (last != null && Arrays.equals(last.upperBounds, upperBounds)) {
            return last.labels;
        }
        String[] labels = new String[upperBounds.length + 1];
        for (int i = 0; i < upperBounds.length; i++) {
            labels[i] = Double.toString(upperBounds[i]);
        }
        labels[upperBounds.length] = "+Inf";
        lastBoundLabels = new BoundLabels(upperBounds.clone(), labels);
        return labels;
    }

    private static final class BoundLabels {
        final double[] upperBounds;
        final String[] labels;

        BoundLabels(double[] upperBounds, String[] labels) {
            this.upperBounds = upperBounds;
            this.labels = labels;
        }
    }

    @Override
    public void observe(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("Histogram cannot observe NaN; observe a number");
        }
        // The count (the buckets) last: an observation cut short by a StackOverflowError has then not
        // been counted, and the recorder that catches it makes it up once (WorkHandlerMetrics).
        sum.add(value);
        buckets[bucketIndex(value)].increment();
    }

    /**
     * Index of the first bucket whose upper bound is >= value (+Inf last). A linear scan from the
     * smallest bucket: observations cluster in the low buckets (fast requests), where it ends after
     * one or two compares, fewer than a binary search's.
     */
    private int bucketIndex(double value) {
        int i = 0;
        while (i < upperBounds.length && upperBounds[i] < value) {
            i++;
        }
        return i;
    }

    @Override
    public long getCount() {
        long count = 0;
        for (LongAdder bucket : buckets) {
            count += bucket.sum();
        }
        return count;
    }

    @Override
    public double getSum() {
        return sum.sum();
    }

    @Override
    public List<Double> getBuckets() {
        List<Double> bounds = new ArrayList<Double>(upperBounds.length);
        for (double bound : upperBounds) {
            bounds.add(bound);
        }
        return Collections.unmodifiableList(bounds);
    }

    @Override
    public long[] getCumulativeCounts() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return cumulative;
    }

    private static final int CONSISTENT_READ_ATTEMPTS = 8;

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        // The cumulative counts and, last, the sum, read so that they agree: the counts again after the sum, until
        // no observation was counted while the sum was read. Read once each, observations that ended between the
        // two reads were in the sum and not in the count: in a re-tester's loop of 4 threads, 1 to 3 % of pages
        // had _sum above _count for observations of 1.0. Still apart after CONSISTENT_READ_ATTEMPTS (observations
        // without a pause), or when an observation was cut short between its two writes, only by the few that
        // ended meanwhile.
        long[] cumulative = getCumulativeCounts();
        double total = sum.sum();
        for (int attempt = 1; attempt < CONSISTENT_READ_ATTEMPTS; attempt++) {
            long[] after = getCumulativeCounts();
            if (after[after.length - 1] == cumulative[cumulative.length - 1]) {
                break;
            }
            cumulative = after;
            total = sum.sum();
        }
        for (int i = 0; i < cumulative.length; i++) {
            List<String> values = new ArrayList<String>(labelValues.size() + 1);
            values.addAll(labelValues);
            values.add(boundLabels[i]);
            out.add(new Sample(family.bucket, family.bucketLabelNames, values, cumulative[i]));
        }
        out.add(new Sample(family.count, family.labelNames, labelValues, cumulative[cumulative.length - 1]));
        out.add(new Sample(family.sum, family.labelNames, labelValues, total));
    }

    /** A bucket per bound and +Inf, with its {@code le} value; the count and the sum. */
    @Override
    public void measure(SampleNames family, long fixedValueBytes, ExpositionSize size) {
        size.add(boundLabels.length, family.bucketLineBytes + fixedValueBytes);
        for (String bound : boundLabels) {
            size.addBytes(bound.length());
        }
        size.add(2, family.lineBytes + fixedValueBytes);
    }
}
