package dev.dynamo.runtime.internal;

import java.util.function.BiConsumer;

/**
 * Where the API reports problems it cannot throw. Without the agent that is one line on stderr in the
 * agent's form, {@code <UTC time> LEVEL dynamo-metrics [runtime] message}, shown as {@code DYN_LOG}
 * in the process's environment or system properties says ({@link StderrLogSetting}); the agent routes
 * the lines to its own logger, {@code [runtime]} too. Never the application's logging framework.
 */
public final class ApiLog {
    public static final String WARN = "WARN";
    public static final String DEBUG = "DEBUG";

    /** A class, not a lambda, which the JVM would spin a class for while the agent starts. */
    private static final BiConsumer<String, String> STDERR = new BiConsumer<String, String>() {
        @Override
        public void accept(String level, String message) {
            if (StderrLogSetting.shows(level)) {
                System.err.println(timestamp(System.currentTimeMillis()) + " " + level + " dynamo-metrics [runtime] "
                        + oneLine(message));
            }
        }
    };

    private static volatile BiConsumer<String, String> sink = STDERR;

    private ApiLog() {
    }

    /** Routes messages to {@code newSink} (level, message); null restores stderr. */
    public static void setSink(BiConsumer<String, String> newSink) {
        sink = newSink == null ? STDERR : newSink;
    }

    public static void warn(String message) {
        emit(WARN, message);
    }

    public static void debug(String message) {
        emit(DEBUG, message);
    }

    /**
     * {@code loader} as a message names it: its class and identity, as {@code Object.toString()} would,
     * not its own {@code toString()}, which may run over many lines (Tomcat's lists its whole class
     * path) or fail; "the bootstrap class loader" for null.
     */
    public static String loaderName(ClassLoader loader) {
        return loader == null ? "the bootstrap class loader"
                : loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader));
    }

    /** A message of {@code level} ({@link #WARN} or {@link #DEBUG}): what another copy of the API reports through this one. */
    static void log(String level, String message) {
        emit(level, message);
    }

    /**
     * {@code message} on one line, its line breaks and other control characters but tabs escaped:
     * messages quote what the application chose (label values, an exception's message), and a line
     * break there would make one report several lines. The agent's log does the same (its
     * {@code AgentLog}, which runs before this class can be linked).
     */
    static String oneLine(String message) {
        if (message == null) {
            return "null";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 ? c != '\t' : c >= 0x7F && (c <= 0x9F || c == 0x2028 || c == 0x2029
                    || Character.getType(c) == Character.FORMAT);
            if (control && escaped == null) {
                escaped = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            if (escaped == null) {
                continue;
            }
            if (c == '\n') {
                escaped.append("\\n");
            } else if (c == '\r') {
                escaped.append("\\r");
            } else if (control) {
                escaped.append(String.format("\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped == null ? message : escaped.toString();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC, as the agent's lines begin: computed by hand, as the agent's
     * {@code AgentLog.timestamp} does, since a date formatter loads about a hundred classes at the first
     * line. A twin on purpose: this class may not link to the agent, and the agent does not call this one,
     * because after a dynamic attach its classes may link to an application's older copy of the API, which
     * has no such method.
     */
    static String timestamp(long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
        // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder out = new StringBuilder(24);
        pad(out, year, 4).append('-');
        pad(out, month, 2).append('-');
        pad(out, day, 2).append('T');
        pad(out, millisOfDay / 3_600_000, 2).append(':');
        pad(out, millisOfDay / 60_000 % 60, 2).append(':');
        pad(out, millisOfDay / 1000 % 60, 2).append('.');
        return pad(out, millisOfDay % 1000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder out, long value, int digits) {
        String text = Long.toString(value);
        for (int i = text.length(); i < digits; i++) {
            out.append('0');
        }
        return out.append(text);
    }

    private static void emit(String level, String message) {
        try {
            sink.accept(level, message);
        } catch (Throwable ignored) {
            // Reporting a problem must never become one for the application.
        }
    }
}
