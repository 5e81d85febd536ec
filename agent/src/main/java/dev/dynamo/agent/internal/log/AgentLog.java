package dev.dynamo.agent.internal.log;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Locale;

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
    /**
     * Whether {@link #out} writes only ASCII: its charset is no Unicode one (a C or POSIX locale), and it
     * would write every other character as {@code ?}. Null until the first line asks.
     */
    private static volatile Boolean asciiOnly;
    /**
     * How the names of the agent's and its API's own threads begin (the server's, the metric
     * callbacks', the weaving and health-check threads): their lines go through {@link QueuedLines}.
     */
    public static final String OWN_THREADS = "dynamo-";

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

    /** Where the lines go. */
    static PrintStream out() {
        return out;
    }

    /**
     * Waits, at most {@code millis}, until the lines of the threads that never wait for stderr are
     * written: for tests that read what the server logged.
     */
    public static void awaitQueuedLines(long millis) throws InterruptedException {
        QueuedLines.awaitWritten(millis);
    }

    /** Sends log lines to {@code stream} instead of stderr (tests). */
    public static void redirect(PrintStream stream) {
        out = stream == null ? System.err : stream;
        asciiOnly = null;
    }

    private static boolean asciiOnly() {
        Boolean known = asciiOnly;
        if (known == null) {
            try {
                String charset = charsetName(out);
                known = charset != null && !charset.toUpperCase(Locale.ROOT).startsWith("UTF");
            } catch (RuntimeException unknown) {
                // A SecurityManager that lets the caller read no property: the line as it is, rather than none.
                known = Boolean.FALSE;
            }
            asciiOnly = known;
        }
        return known;
    }

    /**
     * The name of the charset {@code stream} writes in, or null where it cannot be known (a stream other
     * than the JVM's stderr). From properties, not {@code PrintStream.charset()} (Java 18+), which a Java 8
     * class could call only by reflection, whose first call costs milliseconds of start-up on recent JDKs.
     */
    private static String charsetName(PrintStream stream) {
        if (stream != System.err) {
            return null;
        }
        // stderr.encoding: Java 19 and later; before, sun.stderr.encoding where stderr is a terminal, else the
        // default charset, which is the locale's before Java 18.
        String charset = System.getProperty("stderr.encoding");
        if (charset == null) {
            charset = System.getProperty("sun.stderr.encoding");
        }
        return charset != null ? charset : Charset.defaultCharset().name();
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
            String line = timestamp(System.currentTimeMillis()) + " " + level + " dynamo-agent [" + shortName + "] "
                    + oneLine(message, asciiOnly());
            // A write to stderr waits while nobody drains it (a pipe nobody reads). On the agent's own
            // threads that wait stopped the server answering anything, /live included, for one bad
            // request, and held a metric callback's thread for good, so that its metric was gone from
            // every later scrape: their lines go through a writer thread of their own.
            if (Thread.currentThread().getName().startsWith(OWN_THREADS)) {
                QueuedLines.offer(line);
            } else {
                out.println(line);
            }
        } catch (Throwable ignored) {
            // A closed stderr must not become the application's problem.
        }
    }

    /**
     * {@code message} on one line: line breaks and other control characters but tabs written as
     * escapes ({@code \\n}, {@code \\r}, {@code \\u0000}), and so are invisible format characters
     * ({@code \\ufeff}, a right-to-left override), which would hide what a quoted name really holds
     * (a re-tester's {@code '\\ufeffnamespace' is not a setting} read as {@code 'namespace'}).
     * Messages quote what the application and its clients chose (an exception's message, label values,
     * a setting's value), and a line break there would make one event several lines, the next of which
     * could pass for a line of the agent.
     * ({@code ApiLog} does the same for the API's lines without the agent: it may not link to this class.)
     * With {@code asciiOnly}, every character beyond ASCII is written {@code \u0661} too: a stream in a C
     * locale's charset writes it as {@code ?}, and a bad value quoted so could not be told from another
     * (a re-tester's {@code DYN_SYSTEM_PORT} in Arabic-Indic digits showed as {@code ?????}).
     */
    static String oneLine(String message, boolean asciiOnly) {
        if (message == null) {
            return "null";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 ? c != '\t' : c >= 0x7F && (asciiOnly || c <= 0x9F || c == 0x2028 || c == 0x2029
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
     * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC, computed by hand: {@code SimpleDateFormat} and its
     * calendar and locale data load about a hundred classes and cost ~30 ms of CPU at the first line,
     * which a JVM with the server on pays at every start (the line that names the port).
     */
    public static String timestamp(long epochMillis) {
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
}
