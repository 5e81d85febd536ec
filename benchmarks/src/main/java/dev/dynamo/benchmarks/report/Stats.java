package dev.dynamo.benchmarks.report;

import java.util.Arrays;
import java.util.List;

/** Small statistics helpers for the report. */
final class Stats {
    private Stats() {
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** A number with as many decimals as make sense for its size. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return String.format("%,.0f", value);
        }
        if (magnitude >= 100) {
            return String.format("%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format("%.1f", value);
        }
        return String.format("%.2f", value);
    }
}
