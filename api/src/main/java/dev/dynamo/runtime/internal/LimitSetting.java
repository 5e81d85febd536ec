package dev.dynamo.runtime.internal;

/**
 * A limit the agent's settings give the API: handed over when the agent starts; without the agent the
 * system property, then the environment variable, then the default.
 */
final class LimitSetting {
    /** The series limit of families that set none ({@code DYN_METRICS_MAX_SERIES}). */
    static final LimitSetting MAX_SERIES = new LimitSetting("DYN_METRICS_MAX_SERIES", "dyn.metrics.max.series", 2000,
            "a series limit", "label sets per metric");
    /** How many metric families, by name, one copy of the API exports ({@code DYN_METRICS_MAX_FAMILIES}). */
    static final LimitSetting MAX_FAMILIES = new LimitSetting("DYN_METRICS_MAX_FAMILIES", "dyn.metrics.max.families",
            10_000, "a metric limit", "metric names in this process");

    final String variable;
    final String property;
    final int defaultValue;
    private final String what;
    private final String unit;
    /** 0 until the agent sets it or it is first read: with the agent, the process settings are its to report. */
    private volatile int limit;

    private LimitSetting(String variable, String property, int defaultValue, String what, String unit) {
        this.variable = variable;
        this.property = property;
        this.defaultValue = defaultValue;
        this.what = what;
        this.unit = unit;
    }

    int value() {
        int current = limit;
        if (current == 0) {
            current = fromProcess();
            limit = current;
        }
        return current;
    }

    /** Sets the limit; called by the agent with its setting. */
    void set(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException(variable + " must be at least 1, got " + newLimit);
        }
        limit = newLimit;
    }

    private int fromProcess() {
        String source = property;
        String raw;
        try {
            raw = System.getProperty(property);
            if (raw == null || raw.trim().isEmpty()) {
                source = variable;
                raw = System.getenv(variable);
            }
        } catch (SecurityException denied) {
            return defaultValue;
        }
        if (raw == null || raw.trim().isEmpty()) {
            return defaultValue;
        }
        Integer parsed = parse(raw);
        if (parsed == null) {
            ApiLog.warn(refusal(source, raw));
            return defaultValue;
        }
        return parsed;
    }

    /**
     * Why {@code raw}, which {@link #parse} refused, is no limit: out of range when it is a whole number
     * (before, {@code 99999999999} was told to be "a whole number of at least 1"), else not a number.
     */
    String refusal(String source, String raw) {
        String trimmed = raw.trim();
        boolean wholeNumber = trimmed.matches("[-+]?[0-9]+");
        return source + "='" + raw + "' is " + (wholeNumber ? "out of range for " + what : "not " + what)
                + "; use a whole number from 1 to " + Integer.MAX_VALUE + " (" + unit + "). Using " + defaultValue;
    }

    /** A limit of at least 1, or null. */
    static Integer parse(String raw) {
        try {
            int value = Integer.parseInt(raw.trim());
            return value >= 1 ? value : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }
}
