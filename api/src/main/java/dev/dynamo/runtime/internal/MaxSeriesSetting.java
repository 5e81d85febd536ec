package dev.dynamo.runtime.internal;

/**
 * The series limit of families that set none: the agent's {@code DYN_METRICS_MAX_SERIES}, handed
 * over when it starts; without the agent the system property {@value #PROPERTY}, then the
 * environment variable, then {@value #DEFAULT}.
 */
final class MaxSeriesSetting {
    public static final String VARIABLE = "DYN_METRICS_MAX_SERIES";
    public static final String PROPERTY = "dyn.metrics.max.series";
    public static final int DEFAULT = 2000;

    /** 0 until the agent sets it or it is first read: with the agent, the process settings are its to report. */
    private static volatile int limit;

    private MaxSeriesSetting() {
    }

    static int defaultLimit() {
        int current = limit;
        if (current == 0) {
            current = fromProcess();
            limit = current;
        }
        return current;
    }

    /** Sets the limit for families without their own; called by the agent with its setting. */
    public static void setDefaultLimit(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException(VARIABLE + " must be at least 1, got " + newLimit);
        }
        limit = newLimit;
    }

    private static int fromProcess() {
        String source = PROPERTY;
        String raw;
        try {
            raw = System.getProperty(PROPERTY);
            if (raw == null || raw.trim().isEmpty()) {
                source = VARIABLE;
                raw = System.getenv(VARIABLE);
            }
        } catch (SecurityException denied) {
            return DEFAULT;
        }
        if (raw == null || raw.trim().isEmpty()) {
            return DEFAULT;
        }
        Integer parsed = parse(raw);
        if (parsed == null) {
            ApiLog.warn(refusal(source, raw));
            return DEFAULT;
        }
        return parsed;
    }

    /**
     * Why {@code raw}, which {@link #parse} refused, is no limit: out of range when it is a whole number
     * (before, {@code 99999999999} was told to be "a whole number of at least 1"), else not a number.
     */
    static String refusal(String source, String raw) {
        String trimmed = raw.trim();
        boolean wholeNumber = trimmed.matches("[-+]?[0-9]+");
        return source + "='" + raw + "' is " + (wholeNumber ? "out of range for a series limit" : "not a series limit")
                + "; use a whole number from 1 to " + Integer.MAX_VALUE + " (label sets per metric). Using " + DEFAULT;
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
