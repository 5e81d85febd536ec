package dev.dynamo.agent.internal.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's log levels, read from {@code DYN_LOG}: a default level and per-logger directives.
 *
 * <pre>{@code
 * DYN_LOG=info                                  # everything at info
 * DYN_LOG=warn,dev.dynamo.agent.internal.server=debug
 * }</pre>
 */
public final class LogSettings {
    public static final LogSettings DEFAULT = new LogSettings(LogLevel.WARN, Collections.<String, LogLevel>emptyMap());

    private final LogLevel defaultLevel;
    /** Logger name prefix to level; the longest matching prefix wins. */
    private final Map<String, LogLevel> directives;

    private LogSettings(LogLevel defaultLevel, Map<String, LogLevel> directives) {
        this.defaultLevel = defaultLevel;
        this.directives = directives;
    }

    /** The level that applies to logger {@code name}. */
    public LogLevel levelFor(String name) {
        LogLevel level = defaultLevel;
        int longest = -1;
        for (Map.Entry<String, LogLevel> directive : directives.entrySet()) {
            String prefix = directive.getKey();
            boolean matches = name.equals(prefix) || name.startsWith(prefix + ".");
            if (matches && prefix.length() > longest) {
                longest = prefix.length();
                level = directive.getValue();
            }
        }
        return level;
    }

    public LogLevel defaultLevel() {
        return defaultLevel;
    }

    /**
     * Parses {@code value} of {@code DYN_LOG}; every part that cannot be used is described in
     * {@code problems} and skipped.
     */
    public static LogSettings parse(String value, List<String> problems) {
        if (value == null || value.trim().isEmpty() || value.trim().equals("0")) {
            return DEFAULT;
        }
        String trimmed = value.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("1") || trimmed.equals("true")) {
            return new LogSettings(LogLevel.INFO, Collections.<String, LogLevel>emptyMap());
        }
        LogLevel defaultLevel = LogLevel.WARN;
        Map<String, LogLevel> directives = new LinkedHashMap<String, LogLevel>();
        List<String> bad = new ArrayList<String>();
        for (String part : value.split(",")) {
            String directive = part.trim();
            if (directive.isEmpty()) {
                continue;
            }
            int equals = directive.indexOf('=');
            if (equals < 0) {
                LogLevel level = LogLevel.parse(directive);
                if (level == null) {
                    bad.add(directive);
                } else {
                    defaultLevel = level;
                }
                continue;
            }
            String logger = directive.substring(0, equals).trim().replace("::", ".");
            LogLevel level = LogLevel.parse(directive.substring(equals + 1));
            if (logger.isEmpty() || level == null) {
                bad.add(directive);
            } else {
                directives.put(logger, level);
            }
        }
        if (!bad.isEmpty()) {
            problems.add("DYN_LOG='" + value + "' has parts that are not log directives: " + bad
                    + "; use 0, 1, a level (trace, debug, info, warn, error, off), or comma-separated"
                    + " logger=level directives such as 'info,dev.dynamo.agent=debug'. Those parts are ignored");
        }
        return new LogSettings(defaultLevel, Collections.unmodifiableMap(directives));
    }
}
