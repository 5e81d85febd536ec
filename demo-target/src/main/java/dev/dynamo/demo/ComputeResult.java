package dev.dynamo.demo;

import java.util.Arrays;

/** The statistics {@code POST /compute} replies with. */
final class ComputeResult {
    final long id;
    final int count;
    final double sum;
    final double mean;
    final double min;
    final double max;
    final double median;
    final double stddev;

    private ComputeResult(long id, int count, double sum, double mean, double min, double max, double median,
            double stddev) {
        this.id = id;
        this.count = count;
        this.sum = sum;
        this.mean = mean;
        this.min = min;
        this.max = max;
        this.median = median;
        this.stddev = stddev;
    }

    static ComputeResult of(ComputeRequest request) {
        double[] sorted = request.values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double sum = 0;
        for (double value : sorted) {
            sum += value;
        }
        double mean = sum / n;
        double squares = 0;
        for (double value : sorted) {
            squares += (value - mean) * (value - mean);
        }
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new ComputeResult(request.id, n, sum, mean, sorted[0], sorted[n - 1], median, Math.sqrt(squares / n));
    }

    String toJson() {
        return "{\"id\":" + id + ",\"count\":" + count + ",\"sum\":" + sum + ",\"mean\":" + mean + ",\"min\":" + min
                + ",\"max\":" + max + ",\"median\":" + median + ",\"stddev\":" + stddev + "}";
    }
}
