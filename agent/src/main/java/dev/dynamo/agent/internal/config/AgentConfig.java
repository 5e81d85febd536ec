package dev.dynamo.agent.internal.config;

import dev.dynamo.agent.internal.log.LogSettings;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's settings (SPEC §5), read once from the {@code DYN_*} values that {@link ConfigSources}
 * collected from agent arguments, system properties, the environment and a file. A value that cannot be used
 * becomes one message in {@link #problems()} naming the variable, the value and what is accepted;
 * the setting then takes its safe default, so the application always starts.
 *
 * <pre>{@code
 * AgentConfig config = AgentConfig.fromEnvironment(ConfigSources.read(arguments, System.getenv(),
 *         System.getProperties()).values());
 * if (config.serverEnabled()) { ... config.port() ... }
 * }</pre>
 */
public final class AgentConfig {
    public static final String AGENT_ENABLED = "DYN_AGENT_ENABLED";
    public static final String AGENT_MAIN = "DYN_AGENT_MAIN";
    public static final String CONFIG_FILE = "DYN_CONFIG_FILE";
    public static final String METRICS_PATH_SETTING = "DYN_SYSTEM_METRICS_PATH";
    public static final String SYSTEM_PORT = "DYN_SYSTEM_PORT";
    public static final String SYSTEM_ENABLED = "DYN_SYSTEM_ENABLED";
    public static final String SYSTEM_HOST = "DYN_SYSTEM_HOST";
    public static final String HEALTH_PATH = "DYN_SYSTEM_HEALTH_PATH";
    public static final String LIVE_PATH = "DYN_SYSTEM_LIVE_PATH";
    public static final String STARTING_HEALTH_STATUS = "DYN_SYSTEM_STARTING_HEALTH_STATUS";
    public static final String JVM_METRICS = "DYN_SYSTEM_JVM_METRICS";
    public static final String JVM_DEADLOCK_DETECTION = "DYN_SYSTEM_JVM_DEADLOCK_DETECTION";
    public static final String NAMESPACE = "DYN_NAMESPACE";
    public static final String LOG = "DYN_LOG";
    public static final String USE_ENDPOINT_HEALTH_STATUS = "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS";
    public static final String METRICS_MAX_SERIES = "DYN_METRICS_MAX_SERIES";
    public static final int DEFAULT_MAX_SERIES = 2000;
    public static final String METRICS_MAX_FAMILIES = "DYN_METRICS_MAX_FAMILIES";
    public static final int DEFAULT_MAX_FAMILIES = 10_000;
    public static final String SYSTEM_REQUEST_TIMEOUT_MS = "DYN_SYSTEM_REQUEST_TIMEOUT_MS";
    public static final int DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    public static final String WEB_CONFIG = "DYN_SYSTEM_WEB_CONFIG";
    public static final String LIVE_REQUIRES_AUTH = "DYN_SYSTEM_LIVE_REQUIRES_AUTH";

    /** The port {@code DYN_SYSTEM_ENABLED} alone turns the server on at. */
    public static final int LEGACY_DEFAULT_PORT = 8000;
    public static final String DEFAULT_METRICS_PATH = "/metrics";
    public static final String DEFAULT_NAMESPACE = "dynamo";
    /** How often deadlock detection may run when {@code DYN_SYSTEM_JVM_DEADLOCK_DETECTION} is just true. */
    public static final long DEFAULT_DEADLOCK_DETECTION_MILLIS = 60_000;
    /** Deadlock detection is off. */
    public static final long NO_DEADLOCK_DETECTION = -1;
    static final List<String> TRUTHY = Arrays.asList("1", "true", "on", "yes");
    static final List<String> FALSY = Arrays.asList("0", "false", "off", "no");
    private static final String PORT_VALUES = "use 1-65535 to serve on that port, 0 for any free port,"
            + " or a negative number down to " + Integer.MIN_VALUE + " to turn the server off. The metrics server is off";

    private final boolean serverEnabled;
    private final String serverOffReason;
    private final String metricsPath;
    private final int port;
    private final String host;
    private final String healthPath;
    private final String livePath;
    private final boolean startingReady;
    private final List<String> endpointsGatingHealth;
    private final int maxSeries;
    private final int maxFamilies;
    private final boolean jvmMetrics;
    private final long jvmDeadlockDetectionMillis;
    private final String defaultNamespace;
    private final LogSettings logSettings;
    private final int requestTimeoutMillis;
    private final String webConfigFile;
    private final boolean liveRequiresAuth;
    private final List<String> problems;
    private final List<String> conflicts;

    private AgentConfig(Builder b) {
        this.serverEnabled = b.serverEnabled;
        this.serverOffReason = b.serverOffReason;
        this.metricsPath = b.metricsPath;
        this.port = b.port;
        this.host = b.host;
        this.healthPath = b.healthPath;
        this.livePath = b.livePath;
        this.startingReady = b.startingReady;
        this.endpointsGatingHealth = Collections.unmodifiableList(new ArrayList<String>(b.endpointsGatingHealth));
        this.maxSeries = b.maxSeries;
        this.maxFamilies = b.maxFamilies;
        this.jvmMetrics = b.jvmMetrics;
        this.jvmDeadlockDetectionMillis = b.jvmDeadlockDetectionMillis;
        this.defaultNamespace = b.defaultNamespace;
        this.logSettings = b.logSettings;
        this.requestTimeoutMillis = b.requestTimeoutMillis;
        this.webConfigFile = b.webConfigFile;
        this.liveRequiresAuth = b.liveRequiresAuth;
        this.problems = Collections.unmodifiableList(new ArrayList<String>(b.problems));
        this.conflicts = Collections.unmodifiableList(new ArrayList<String>(b.conflicts));
    }

    /**
     * Reads the settings from {@code env}: {@code DYN_*} names to values, normally
     * {@link ConfigSources#values()}; an empty value counts as unset.
     */
    public static AgentConfig fromEnvironment(Map<String, String> env) {
        Builder b = new Builder();
        b.logSettings = LogSettings.parse(value(env, LOG), b.problems);
        flag(env, AGENT_ENABLED, b.problems, "the agent");
        readServerSwitch(env, b);
        String host = value(env, SYSTEM_HOST);
        b.host = host == null ? "0.0.0.0" : host;
        String hostProblem = host == null ? null : HostSetting.whatIsWrong(host);
        if (hostProblem != null) {
            // No fallback to 0.0.0.0: that would serve on every interface where one was meant.
            b.problems.add(SYSTEM_HOST + "='" + host + "' is not a host: " + hostProblem + "; " + HostSetting.ACCEPTED
                    + ". The metrics server is off");
            b.serverEnabled = false;
            b.port = -1;
            b.serverOffReason = SYSTEM_HOST + "='" + host + "' cannot be used";
        }
        b.metricsPath = path(env, METRICS_PATH_SETTING, DEFAULT_METRICS_PATH, null, b.problems);
        b.healthPath = path(env, HEALTH_PATH, "/health", b.metricsPath, b.problems);
        b.livePath = path(env, LIVE_PATH, "/live", b.metricsPath, b.problems);
        if (b.healthPath.equals(b.livePath)) {
            b.problems.add(HEALTH_PATH + " and " + LIVE_PATH + " are both '" + b.healthPath
                    + "'; give them different paths. Using /health and /live");
            b.healthPath = "/health";
            b.livePath = "/live";
        }
        if (b.metricsPath.equals(b.healthPath) || b.metricsPath.equals(b.livePath)) {
            b.problems.add(METRICS_PATH_SETTING + "='" + b.metricsPath + "' is also the health or liveness path;"
                    + " give it a path of its own. Using " + DEFAULT_METRICS_PATH);
            b.metricsPath = DEFAULT_METRICS_PATH;
        }
        String starting = value(env, STARTING_HEALTH_STATUS);
        if (starting != null) {
            String normalized = starting.toLowerCase(Locale.ROOT);
            if (normalized.equals("ready")) {
                b.startingReady = true;
            } else if (!normalized.equals("notready")) {
                b.problems.add(STARTING_HEALTH_STATUS + "='" + starting
                        + "' is not a health status; use 'ready' or 'notready'. Using notready");
            }
        }
        b.endpointsGatingHealth = EndpointList.parse(USE_ENDPOINT_HEALTH_STATUS, value(env, USE_ENDPOINT_HEALTH_STATUS),
                b.problems);
        b.maxSeries = wholeNumber(env, METRICS_MAX_SERIES, 1, Integer.MAX_VALUE, DEFAULT_MAX_SERIES, "a series limit",
                "use a whole number from 1 to " + Integer.MAX_VALUE + " (label sets per metric)", b.problems);
        b.maxFamilies = wholeNumber(env, METRICS_MAX_FAMILIES, 1, Integer.MAX_VALUE, DEFAULT_MAX_FAMILIES,
                "a metric limit", "use a whole number from 1 to " + Integer.MAX_VALUE + " (metric names in this process)",
                b.problems);
        Boolean jvm = flag(env, JVM_METRICS, b.problems, "exposing JVM metrics");
        b.jvmMetrics = jvm == null || jvm;
        b.jvmDeadlockDetectionMillis = deadlockDetection(value(env, JVM_DEADLOCK_DETECTION), b.problems);
        b.defaultNamespace = namespace(value(env, NAMESPACE), b.problems);
        b.requestTimeoutMillis = wholeNumber(env, SYSTEM_REQUEST_TIMEOUT_MS, 100, 600_000, DEFAULT_REQUEST_TIMEOUT_MS,
                "a timeout", "use milliseconds from 100 to 600000", b.problems);
        b.webConfigFile = value(env, WEB_CONFIG);
        Boolean liveAuth = flag(env, LIVE_REQUIRES_AUTH, b.problems, "basic auth on the liveness path");
        b.liveRequiresAuth = liveAuth != null && liveAuth;
        return new AgentConfig(b);
    }

    private static void readServerSwitch(Map<String, String> env, Builder b) {
        String rawPort = value(env, SYSTEM_PORT);
        Integer port = null;
        boolean portUnusable = false;
        if (rawPort != null) {
            Long number = asciiWholeNumber(rawPort);
            if (number == null) {
                b.problems.add(SYSTEM_PORT + "='" + rawPort + "' is not a port number (ASCII digits 0-9, with an optional sign); "
                        + PORT_VALUES);
                portUnusable = true;
            } else if (number > 65535 || number < Integer.MIN_VALUE) {
                b.problems.add(SYSTEM_PORT + "=" + rawPort + " is out of range; " + PORT_VALUES);
                portUnusable = true;
            } else {
                port = number.intValue();
            }
        }
        Boolean enabled = flag(env, SYSTEM_ENABLED, b.problems, "the metrics server");
        if (portUnusable) {
            b.serverEnabled = false;
            b.port = -1;
            b.serverOffReason = SYSTEM_PORT + "='" + rawPort + "' cannot be used";
        } else if (Boolean.FALSE.equals(enabled)) {
            b.serverEnabled = false;
            b.port = -1;
            b.serverOffReason = SYSTEM_ENABLED + " is false; unset " + SYSTEM_ENABLED + " to use " + SYSTEM_PORT;
            if (port != null && port >= 0) {
                b.conflicts.add(SYSTEM_ENABLED + " is false, so the metrics server is off although " + SYSTEM_PORT + "="
                        + rawPort + "; unset " + SYSTEM_ENABLED + " to serve on that port");
            }
        } else if (Boolean.TRUE.equals(enabled)) {
            b.serverEnabled = true;
            b.port = port != null && port >= 0 ? port : LEGACY_DEFAULT_PORT;
            if (port != null && port < 0) {
                b.conflicts.add(SYSTEM_ENABLED + " is true, so the metrics server is on (port " + LEGACY_DEFAULT_PORT
                        + ") although " + SYSTEM_PORT + "=" + rawPort + " would turn it off; unset "
                        + SYSTEM_ENABLED + " to keep it off");
            }
        } else {
            b.serverEnabled = port != null && port >= 0;
            b.port = b.serverEnabled ? port : -1;
            b.serverOffReason = port == null
                    ? SYSTEM_PORT + " is not set; to serve metrics set it to a port, or 0 for any free port (also"
                            + " -Ddyn.system.port=8000 or -javaagent:dynamo-agent.jar=port=8000)"
                    : SYSTEM_PORT + "=" + rawPort + " turns it off";
        }
    }

    /**
     * The whole number from {@code min} to {@code max} that {@code name} is set to, else
     * {@code fallback}; a value that is not one is described in {@code problems} as "is not
     * {@code what} (ASCII digits 0-9, with an optional sign); {@code advice}".
     */
    private static int wholeNumber(Map<String, String> env, String name, int min, int max, int fallback, String what,
            String advice, List<String> problems) {
        String raw = value(env, name);
        if (raw == null) {
            return fallback;
        }
        Long number = asciiWholeNumber(raw);
        if (number != null && number >= min && number <= max) {
            return number.intValue();
        }
        problems.add(name + "='" + raw + "' is " + (number == null ? "not " + what + " (ASCII digits 0-9, with an optional sign)"
                : "out of range for " + what) + "; " + advice + ". Using " + fallback);
        return fallback;
    }

    /**
     * The whole number {@code raw} writes in ASCII digits with an optional sign, or null. Unlike
     * {@code Integer.parseInt} it refuses the digits of other scripts ({@code ١٩٠٣٦}), as the HTTP
     * parser does; a number too long for a {@code long} is returned as {@code Long.MAX_VALUE} or
     * {@code MIN_VALUE}, so that it reads as out of range, not as "not a number".
     */
    static Long asciiWholeNumber(String raw) {
        int start = raw.startsWith("-") || raw.startsWith("+") ? 1 : 0;
        if (start == raw.length()) {
            return null;
        }
        for (int i = start; i < raw.length(); i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
                return null;
            }
        }
        boolean negative = raw.charAt(0) == '-';
        if (raw.length() - start > 18) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return Long.parseLong(raw);
    }

    private static String namespace(String raw, List<String> problems) {
        if (raw == null) {
            return DEFAULT_NAMESPACE;
        }
        try {
            PrometheusNames.sanitizeLabelName(raw);
            return raw;
        } catch (IllegalArgumentException unusable) {
            problems.add(NAMESPACE + "='" + raw + "' cannot be a namespace label: " + unusable.getMessage()
                    + ". Using '" + DEFAULT_NAMESPACE + "'");
            return DEFAULT_NAMESPACE;
        }
    }

    /**
     * Off when unset or falsy; truthy means at most once a minute; a duration ({@code 500ms}, {@code 30s},
     * {@code 5m}) is the shortest time between two runs. Each run is a stop-the-world VM operation.
     */
    private static long deadlockDetection(String raw, List<String> problems) {
        if (raw == null) {
            return NO_DEADLOCK_DETECTION;
        }
        String normalized = raw.toLowerCase(Locale.ROOT);
        if (FALSY.contains(normalized)) {
            return NO_DEADLOCK_DETECTION;
        }
        if (TRUTHY.contains(normalized)) {
            return DEFAULT_DEADLOCK_DETECTION_MILLIS;
        }
        long millis = durationMillis(normalized);
        if (millis >= 0) {
            return millis;
        }
        problems.add(JVM_DEADLOCK_DETECTION + "='" + raw + "' is neither true, false nor a duration; use true to"
                + " detect deadlocked threads at most once a minute, a duration to detect them at most that often"
                + " (1 to 6 ASCII digits 0-9 and the unit ms, s or m: 500ms, 30s, 5m; 0s: at every scrape; at most"
                + " 999999m),"
                + " or false. Deadlock detection is off");
        return NO_DEADLOCK_DETECTION;
    }

    /**
     * The milliseconds of a duration of 1 to 6 digits and a unit ({@code 500ms}, {@code 30s}, {@code 5m}),
     * or -1. Read by hand: the settings are read before the application's {@code main}, and the first
     * regular expression of a JVM costs several milliseconds to compile.
     */
    static long durationMillis(String value) {
        int digits = 0;
        while (digits < value.length() && value.charAt(digits) >= '0' && value.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 6) {
            return -1;
        }
        long amount = Long.parseLong(value.substring(0, digits));
        String unit = value.substring(digits);
        return unit.equals("ms") ? amount : unit.equals("s") ? amount * 1000 : unit.equals("m") ? amount * 60_000 : -1;
    }

    /** A truthy/falsy value; null when unset or unusable (then described in {@code problems}). */
    static Boolean flag(Map<String, String> env, String name, List<String> problems, String what) {
        String raw = value(env, name);
        if (raw == null) {
            return null;
        }
        String normalized = raw.toLowerCase(Locale.ROOT);
        if (TRUTHY.contains(normalized)) {
            return Boolean.TRUE;
        }
        if (FALSY.contains(normalized)) {
            return Boolean.FALSE;
        }
        problems.add(name + "='" + raw + "' is neither true nor false; use 1, true, on or yes to enable " + what
                + ", or 0, false, off or no to disable it. The setting is ignored");
        return null;
    }

    /** {@code metricsPath} is the path {@code name} must not take, or null for the metrics path itself. */
    private static String path(Map<String, String> env, String name, String fallback, String metricsPath,
            List<String> problems) {
        String raw = value(env, name);
        if (raw == null) {
            return fallback;
        }
        String unusable = whatIsWrongWithPath(raw);
        if (unusable != null) {
            problems.add(name + "='" + raw + "' is not a usable path: " + unusable + "; use an absolute path without"
                    + " spaces, '%', '?', '#', control characters or '.' and '..' segments, such as '" + fallback
                    + "'. Using " + fallback);
            return fallback;
        }
        if (raw.equals(metricsPath)) {
            problems.add(name + "='" + raw + "' would hide the metrics page; use another path. Using " + fallback);
            return fallback;
        }
        return raw;
    }

    /**
     * Why no request reaches {@code raw} as written, or null. The server compares a request's path,
     * {@code %XX} decoded, with the setting as written; so a {@code %} in the setting could only be
     * reached as {@code %25}, and the log's URL would not answer. Clients remove dot-segments before
     * they send a path ({@code /h/../x} goes out as {@code /x}) and send a control character only escaped.
     */
    private static String whatIsWrongWithPath(String raw) {
        if (!raw.startsWith("/")) {
            return "it does not start with '/'";
        }
        if (raw.length() < 2) {
            return "'/' alone is every path's start, not a path of its own";
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ' ') {
                return "it contains a space";
            } else if (c == '?') {
                return "'?' starts the query, which is not part of the path";
            } else if (c == '#') {
                return "'#' starts a fragment, which clients do not send";
            } else if (c == '%') {
                return "it contains '%', which starts an escape in a request's path (the server decodes %XX"
                        + " there, so no request would match this path as written)";
            } else if (Character.isISOControl(c)) {
                return String.format("it contains the control character U+%04X, which a client sends only"
                        + " escaped", (int) c);
            }
        }
        for (String segment : raw.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '.' or '..' segment, which clients remove before they send a path (/h/../x"
                        + " goes out as /x)";
            }
        }
        return null;
    }

    private static String value(Map<String, String> env, String name) {
        String raw = env.get(name);
        if (raw == null) {
            return null;
        }
        String trimmed = raw.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** Whether to start the HTTP server. */
    public boolean serverEnabled() {
        return serverEnabled;
    }

    /** Why the server is off, for the log; null when it is on. */
    public String serverOffReason() {
        return serverEnabled ? null : serverOffReason;
    }

    /** The port to serve on: 0 for any free port; -1 when the server is off. */
    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    public String healthPath() {
        return healthPath;
    }

    public String livePath() {
        return livePath;
    }

    /** The path of the metrics page, {@code /metrics} unless {@code DYN_SYSTEM_METRICS_PATH} says otherwise. */
    public String metricsPath() {
        return metricsPath;
    }

    /** Whether {@code /health} reports ready before any endpoint is up. */
    public boolean startingReady() {
        return startingReady;
    }

    /**
     * The endpoint names that {@code /health} waits for ({@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}),
     * as label values; empty when unset.
     */
    public List<String> endpointsGatingHealth() {
        return endpointsGatingHealth;
    }

    /** Label sets a metric may hold unless it sets its own limit ({@code DYN_METRICS_MAX_SERIES}). */
    public int maxSeries() {
        return maxSeries;
    }

    /** Metric names the application's metrics may take; metrics under a further name are not exported. */
    public int maxFamilies() {
        return maxFamilies;
    }

    public boolean jvmMetrics() {
        return jvmMetrics;
    }

    /**
     * The shortest time between two runs of the JVM's deadlock detection, in milliseconds (0: every
     * scrape), or {@link #NO_DEADLOCK_DETECTION}.
     */
    public long jvmDeadlockDetectionMillis() {
        return jvmDeadlockDetectionMillis;
    }

    /** The namespace of {@code @DynamoEndpoint} methods that name none. */
    public String defaultNamespace() {
        return defaultNamespace;
    }

    public LogSettings logSettings() {
        return logSettings;
    }

    /**
     * How long the metrics server waits for a client: for a complete request head, and for each
     * step of writing a response (the whole response gets six times as long).
     */
    public int requestTimeoutMillis() {
        return requestTimeoutMillis;
    }

    /** The Prometheus web configuration file (TLS, client certificates, basic auth), or null for plain HTTP. */
    public String webConfigFile() {
        return webConfigFile;
    }

    /** Whether the liveness path needs the web config's basic-auth credentials too (orchestrators probe it without). */
    public boolean liveRequiresAuth() {
        return liveRequiresAuth;
    }

    /** One message per setting that could not be used. */
    public List<String> problems() {
        return problems;
    }

    /** Settings that are valid but contradict each other, and which one won (logged at warn). */
    public List<String> conflicts() {
        return conflicts;
    }

    private static final class Builder {
        boolean serverEnabled;
        String serverOffReason;
        String metricsPath;
        int port = -1;
        String host;
        String healthPath;
        String livePath;
        boolean startingReady;
        List<String> endpointsGatingHealth = Collections.emptyList();
        int maxSeries = DEFAULT_MAX_SERIES;
        int maxFamilies = DEFAULT_MAX_FAMILIES;
        boolean jvmMetrics = true;
        long jvmDeadlockDetectionMillis = NO_DEADLOCK_DETECTION;
        String defaultNamespace;
        LogSettings logSettings;
        int requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MS;
        String webConfigFile;
        boolean liveRequiresAuth;
        final List<String> problems = new ArrayList<String>();
        final List<String> conflicts = new ArrayList<String>();
    }
}
