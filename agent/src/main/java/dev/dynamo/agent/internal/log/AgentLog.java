package dev.dynamo.agent.internal.log;

import java.io.PrintStream;
import java.util.Date;
import java.text.SimpleDateFormat;
import java.util.TimeZone;

/**
 * The agent's own logger: one line per message on stderr, filtered by {@code DYN_LOG}. The agent
 * uses no logging framework, so it never touches the application's logging configuration.
 *
 * <pre>{@code
 * private static final AgentLog LOG = AgentLog.get(SystemServer.class);
 * LOG.warn("port " + port + " is in use");
 * }</pre>
 */
public final class AgentLog {
    private static volatile LogSettings settings = LogSettings.DEFAULT;
    private static volatile PrintStream out = System.err;

    private final String name;
    private final String shortName;

    private AgentLog(String name) {
        this.name = name;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    /** The logger named after {@code type}. */
    public static AgentLog get(Class<?> type) {
        return new AgentLog(type.getName());
    }

    /** The logger named {@code name}, e.g. a package. */
    public static AgentLog get(String name) {
        return new AgentLog(name);
    }

    /** Applies {@code newSettings} to every logger. */
    public static void configure(LogSettings newSettings) {
        settings = newSettings;
    }

    /** Sends log lines to {@code stream} instead of stderr (tests). */
    public static void redirect(PrintStream stream) {
        out = stream == null ? System.err : stream;
    }

    public boolean isEnabled(LogLevel level) {
        return level != LogLevel.OFF && level.compareTo(settings.levelFor(name)) >= 0;
    }

    public void error(String message) {
        log(LogLevel.ERROR, message);
    }

    public void warn(String message) {
        log(LogLevel.WARN, message);
    }

    public void info(String message) {
        log(LogLevel.INFO, message);
    }

    /**
     * A normal event the user needs to see without asking (the port the system chose for the
     * server): labelled INFO, shown at the default level, hidden only when {@code DYN_LOG} asks for
     * errors only or nothing.
     */
    public void notice(String message) {
        if (isEnabled(LogLevel.WARN)) {
            print(LogLevel.INFO, message);
        }
    }

    public void debug(String message) {
        log(LogLevel.DEBUG, message);
    }

    public void trace(String message) {
        log(LogLevel.TRACE, message);
    }

    public void log(LogLevel level, String message) {
        if (isEnabled(level)) {
            print(level, message);
        }
    }

    private void print(LogLevel level, String message) {
        try {
            out.println(timestamp() + " " + level + " dynamo-agent [" + shortName + "] " + message);
        } catch (Throwable ignored) {
            // A closed stderr must not become the application's problem.
        }
    }

    private static String timestamp() {
        SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        return format.format(new Date());
    }
}
