package dev.dynamo.runtime.internal;

import java.util.List;

/** What one {@code createX} call asks for, validated and with its names final. */
final class MetricDefinition {
    private final String familyName;
    private final MetricType type;
    private final String help;
    private final List<String> labelNames;
    private final List<String> fixedLabelValues;
    private final double[] buckets;
    private final List<String> hierarchy;

    /**
     * @param labelNames       all label names: automatic, constant (sorted), then variable
     * @param fixedLabelValues the values of the automatic and constant labels, in order
     * @param buckets          histogram upper bounds, or null for other types
     * @param hierarchy        the sanitized names of the place it is created at, outermost first
     */
    MetricDefinition(String familyName, MetricType type, String help, List<String> labelNames,
            List<String> fixedLabelValues, double[] buckets, List<String> hierarchy) {
        this.familyName = familyName;
        this.type = type;
        this.help = help;
        this.labelNames = labelNames;
        this.fixedLabelValues = fixedLabelValues;
        this.buckets = buckets;
        this.hierarchy = hierarchy;
    }

    String familyName() {
        return familyName;
    }

    MetricType type() {
        return type;
    }

    String help() {
        return help;
    }

    List<String> labelNames() {
        return labelNames;
    }

    List<String> fixedLabelValues() {
        return fixedLabelValues;
    }

    double[] buckets() {
        return buckets;
    }

    List<String> hierarchy() {
        return hierarchy;
    }
}
