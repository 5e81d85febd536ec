package dev.dynamo.runtime.internal;

import java.util.Locale;

/**
 * Which of the API's lines reach stderr when no agent takes them: {@code DYN_LOG} as the process
 * shows it, the system property {@value #PROPERTY} first, then the environment variable. An agent
 * reads the same setting from more places (its arguments, a settings file) and reports a bad value;
 * without it the API reads what it can, and skips what it cannot use without a word, since the line
 * that would say so is the kind being configured.
 */
final class StderrLogSetting {
    static final String VARIABLE = "DYN_LOG";
    static final String PROPERTY = "dyn.log";
    /** The logger the agent files the API's lines under, whose {@code DYN_LOG} directives apply here too. */
    static final String LOGGER = "dev.dynamo.runtime";

    /** The agent's levels, least severe first. */
    private static final String[] LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
    private static final int INFO = 2;
    private static final int WARN = 3;
    private static final int OFF = 5;

    /** The least severe level shown, an index into {@link #LEVELS}; -1 until the first line asks. */
    private static volatile int threshold = -1;

    private StderrLogSetting() {
    }

    /** Whether a line of {@code level} ({@code "WARN"}, {@code "DEBUG"}) is shown. */
    static boolean shows(String level) {
        int current = threshold;
        if (current < 0) {
            current = threshold(fromProcess());
            threshold = current;
        }
        int severity = indexOf(level);
        return current != OFF && severity >= current;
    }

    private static String fromProcess() {
        try {
            String value = System.getProperty(PROPERTY);
            return value == null || value.trim().isEmpty() ? System.getenv(VARIABLE) : value;
        } catch (SecurityException denied) {
            return null;
        }
    }

    /**
     * The least severe level {@code value} of {@code DYN_LOG} shows for the API's lines, read as the agent
     * reads it: unset or {@code 0} warnings and errors, {@code 1} or {@code true} info, a level, or
     * comma-separated parts of which those without {@code =} set the level and {@code logger=level} ones
     * apply where their logger is the API's or a package above it (the longest wins).
     */
    static int threshold(String value) {
        if (value == null || value.trim().isEmpty() || value.trim().equals("0")) {
            return WARN;
        }
        String trimmed = value.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("1") || trimmed.equals("true")) {
            return INFO;
        }
        int level = WARN;
        int directive = -1;
        int longest = -1;
        for (String part : value.split(",")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                int named = indexOf(part);
                level = named >= 0 ? named : level;
                continue;
            }
            String logger = part.substring(0, equals).trim().replace("::", ".");
            int named = indexOf(part.substring(equals + 1));
            boolean matches = !logger.isEmpty() && (LOGGER.equals(logger) || LOGGER.startsWith(logger + "."));
            if (matches && named >= 0 && logger.length() > longest) {
                longest = logger.length();
                directive = named;
            }
        }
        return directive >= 0 ? directive : level;
    }

    /** The index of the level {@code name} names (ASCII letters in any case), or -1. */
    private static int indexOf(String name) {
        String trimmed = name.trim();
        for (int i = 0; i < trimmed.length(); i++) {
            if (trimmed.charAt(i) > 0x7F) {
                return -1;
            }
        }
        String upper = trimmed.toUpperCase(Locale.ROOT);
        for (int i = 0; i < LEVELS.length; i++) {
            if (LEVELS[i].equals(upper)) {
                return i;
            }
        }
        return -1;
    }
}
