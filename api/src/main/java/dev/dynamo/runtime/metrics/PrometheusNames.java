package dev.dynamo.runtime.metrics;

/**
 * Dynamo's Prometheus names: the metric prefix, the automatic labels, the work-handler metric
 * names, and the sanitizers that turn arbitrary strings into valid metric and label names.
 *
 * <pre>{@code
 * PrometheusNames.sanitizeMetricName("123.test-name@domain"); // "_123_test_name_domain"
 * PrometheusNames.sanitizeLabelName("test-component");        // "test_component"
 * }</pre>
 */
public final class PrometheusNames {

    /** Prefix of every metric created through the API: {@code dynamo_component_}. */
    public static final String METRIC_PREFIX = "dynamo_component_";

    /** Automatic label carrying the first hierarchy level below the runtime. */
    public static final String LABEL_NAMESPACE = "dynamo_namespace";
    /** Automatic label carrying the second hierarchy level below the runtime. */
    public static final String LABEL_COMPONENT = "dynamo_component";
    /** Automatic label carrying the third hierarchy level below the runtime. */
    public static final String LABEL_ENDPOINT = "dynamo_endpoint";

    /** Metric names (before the prefix) of the metrics the agent records for each endpoint. */
    public static final class WorkHandler {
        /** Counter of requests; exposed as {@code dynamo_component_requests_total}. */
        public static final String REQUESTS_TOTAL = "requests_total";
        /** Histogram of request durations in seconds. */
        public static final String REQUEST_DURATION_SECONDS = "request_duration_seconds";
        /** Gauge of requests being processed now. */
        public static final String INFLIGHT_REQUESTS = "inflight_requests";
        /** Counter of failed requests, labelled by {@link #ERROR_TYPE_LABEL}. */
        public static final String ERRORS_TOTAL = "errors_total";
        /** Counter of requests whose result was cancelled. */
        public static final String CANCELLATION_TOTAL = "cancellation_total";
        /** Label of {@link #ERRORS_TOTAL}: the simple class name of the exception. */
        public static final String ERROR_TYPE_LABEL = "error_type";

        public static final String REQUESTS_TOTAL_HELP = "Total number of requests processed by work handler";
        public static final String REQUEST_DURATION_SECONDS_HELP = "Time spent processing requests by work handler";
        public static final String INFLIGHT_REQUESTS_HELP = "Number of requests currently being processed by work handler";
        public static final String ERRORS_TOTAL_HELP = "Total number of errors in work handler processing";
        public static final String CANCELLATION_TOTAL_HELP = "Total number of requests cancelled by work handler";

        private WorkHandler() {
        }
    }

    /** Metric names (before the prefix) of the runtime's own metrics. */
    public static final class Runtime {
        /** Gauge of seconds since the runtime started, fresh at every scrape. */
        public static final String UPTIME_SECONDS = "uptime_seconds";
        public static final String UPTIME_SECONDS_HELP = "Total uptime of the DistributedRuntime in seconds";

        private Runtime() {
        }
    }

    private PrometheusNames() {
    }

    /**
     * Makes {@code name} a valid Prometheus metric name: every character outside
     * {@code [a-zA-Z0-9_:]} becomes {@code _}, and {@code _} is prepended when the first character
     * cannot start a name.
     *
     * @throws IllegalArgumentException when {@code name} is null, empty, or has no valid character
     */
    public static String sanitizeMetricName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("The name is null; give a name with at least one character from"
                    + " [a-zA-Z0-9_:]");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Cannot sanitize empty string into valid Prometheus name;"
                    + " give a name with at least one character from [a-zA-Z0-9_:]");
        }
        if (isMetricName(name)) {
            // The usual case, and the one every endpoint's metrics take: nothing to replace.
            return name;
        }
        StringBuilder out = underscored(name, true);
        if (isAllUnderscores(out)) {
            throw new IllegalArgumentException("Input '" + name + "' contains only invalid characters and cannot be"
                    + " sanitized into a valid Prometheus name; use at least one character from [a-zA-Z0-9:]");
        }
        return out.toString();
    }

    /**
     * Makes {@code name} a valid Prometheus label name; also used for the values of the automatic
     * hierarchy labels. Characters outside {@code [a-zA-Z0-9_]} become {@code _}; a leading
     * {@code __} (reserved by Prometheus) is dropped.
     *
     * @throws IllegalArgumentException when {@code name} is null, empty, or has no valid character
     */
    public static String sanitizeLabelName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("The name is null; give a name with at least one character from"
                    + " [a-zA-Z0-9_]");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Cannot sanitize empty string into valid Prometheus label name;"
                    + " give a name with at least one character from [a-zA-Z0-9_]");
        }
        if (isValidLabelName(name) && !isAllUnderscores(name)) {
            return name;
        }
        StringBuilder out = underscored(name, false);
        if (out.length() >= 2 && out.charAt(0) == '_' && out.charAt(1) == '_') {
            out.delete(0, 2);
            if (out.length() == 0 || !isLetter(out.charAt(0))) {
                out.insert(0, '_');
            }
        }
        if (isAllUnderscores(out)) {
            throw new IllegalArgumentException("Input '" + name + "' contains only invalid characters and cannot be"
                    + " sanitized into a valid Prometheus label name; use at least one character from [a-zA-Z0-9]");
        }
        return out.toString();
    }

    /** Whether {@code name} is a label name as it is: {@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}. */
    public static boolean isValidLabelName(String name) {
        if (name == null || name.isEmpty() || !isNameStart(name.charAt(0)) || name.startsWith("__")) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!isLabelNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code name} with every character that a metric name (or a label name) cannot hold replaced by
     * {@code _}, and {@code _} put first when the first character cannot start a name. By code
     * point, as Dynamo does: a character outside the BMP becomes one {@code _}, not two.
     */
    private static StringBuilder underscored(String name, boolean metricName) {
        StringBuilder out = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i = name.offsetByCodePoints(i, 1)) {
            char c = name.charAt(i);
            out.append((metricName ? isMetricNameChar(c) : isLabelNameChar(c)) ? c : '_');
        }
        if (!isNameStart(out.charAt(0))) {
            out.insert(0, '_');
        }
        return out;
    }

    /** Whether sanitizing {@code name} as a metric name would leave it as it is. */
    private static boolean isMetricName(String name) {
        if (!isNameStart(name.charAt(0)) || isAllUnderscores(name)) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!isMetricNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMetricNameChar(char c) {
        return isLabelNameChar(c) || c == ':';
    }

    private static boolean isLabelNameChar(char c) {
        return isLetter(c) || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isNameStart(char c) {
        return isLetter(c) || c == '_';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAllUnderscores(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '_') {
                return false;
            }
        }
        return true;
    }
}
