package dev.dynamo.agent.internal.log;

import java.util.Locale;

/** Severity of an agent log line, least severe first. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    /** The level named {@code name} (any case of its ASCII letters), or null when there is none. */
    public static LogLevel parse(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) > 0x7F) {
                // Unicode's case mapping would read 'ı' (U+0131) as 'I' and 'ſ' (U+017F) as 'S'.
                return null;
            }
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
