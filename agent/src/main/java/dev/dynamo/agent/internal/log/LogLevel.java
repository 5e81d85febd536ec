package dev.dynamo.agent.internal.log;

import java.util.Locale;

/** Severity of an agent log line, least severe first. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    /** The level named {@code name} (any case), or null when there is none. */
    public static LogLevel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
