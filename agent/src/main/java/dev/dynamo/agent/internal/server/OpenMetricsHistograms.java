package dev.dynamo.agent.internal.server;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The families of an OpenMetrics page, each histogram as OpenMetrics 1.0 allows it: a histogram's
 * sum is counter-like there, so it must be neither negative nor NaN, a histogram with a negative
 * bucket bound has none, and its count and sum come both or neither. The API observes any value (a
 * temperature, a delta, an infinity), and a strict parser refuses a whole page for one such sum, so
 * the {@code _sum} and {@code _count} of such a series are left out of the OpenMetrics page (its
 * {@code +Inf} bucket still holds the count). The text format, which has no such rule, keeps both.
 */
final class OpenMetricsHistograms implements Enumeration<MetricFamilySamples> {
    private static final String LE = "le";

    private final Enumeration<MetricFamilySamples> families;

    OpenMetricsHistograms(Enumeration<MetricFamilySamples> families) {
        this.families = families;
    }

    @Override
    public boolean hasMoreElements() {
        return families.hasMoreElements();
    }

    @Override
    public MetricFamilySamples nextElement() {
        return allowed(families.nextElement());
    }

    /** {@code family} without the sums OpenMetrics refuses, and their counts; the same object when it has none. */
    static MetricFamilySamples allowed(MetricFamilySamples family) {
        if (family.type != Collector.Type.HISTOGRAM) {
            return family;
        }
        String sumName = family.name + "_sum";
        String countName = family.name + "_count";
        String bucketName = family.name + "_bucket";
        Set<List<String>> withoutSum = null;
        for (Sample sample : family.samples) {
            List<String> series = null;
            if (sample.name.equals(sumName) && (sample.value < 0 || Double.isNaN(sample.value))) {
                series = sample.labelValues;
            } else if (sample.name.equals(bucketName)) {
                int le = sample.labelNames.indexOf(LE);
                if (le >= 0 && isNegative(sample.labelValues.get(le))) {
                    series = new ArrayList<String>(sample.labelValues);
                    series.remove(le);
                }
            }
            if (series != null) {
                withoutSum = withoutSum == null ? new HashSet<List<String>>() : withoutSum;
                withoutSum.add(series);
            }
        }
        if (withoutSum == null) {
            return family;
        }
        List<Sample> kept = new ArrayList<Sample>(family.samples.size());
        for (Sample sample : family.samples) {
            boolean sumOrCount = sample.name.equals(sumName) || sample.name.equals(countName);
            if (!sumOrCount || !withoutSum.contains(sample.labelValues)) {
                kept.add(sample);
            }
        }
        return new MetricFamilySamples(family.name, family.unit, family.type, family.help, kept);
    }

    /** Whether bucket bound {@code le} ({@code -Inf}, {@code -2.5}, {@code +Inf}, {@code 0.1}) is below zero. */
    private static boolean isNegative(String le) {
        if (!le.startsWith("-")) {
            return false;
        }
        try {
            return le.equals("-Inf") || Double.parseDouble(le) < 0;
        } catch (NumberFormatException unreadable) {
            return false;
        }
    }
}
