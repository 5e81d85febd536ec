package dev.dynamo.agent.internal.config;

import dev.dynamo.agent.internal.log.LogLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {

    private static AgentConfig config(String... keysAndValues) {
        Map<String, String> env = new HashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return AgentConfig.fromEnvironment(env);
    }

    private static String onlyProblem(AgentConfig config) {
        assertEquals(1, config.problems().size(), config.problems().toString());
        return config.problems().get(0);
    }

    // DYN_SYSTEM_PORT and DYN_SYSTEM_ENABLED

    @Test
    void keepsTheServerOffWhenNothingIsSet() {
        AgentConfig config = config();

        assertFalse(config.serverEnabled());
        assertEquals(-1, config.port());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8081, 65535})
    void servesOnAPositivePort(int port) {
        AgentConfig config = config("DYN_SYSTEM_PORT", Integer.toString(port));

        assertTrue(config.serverEnabled());
        assertEquals(port, config.port());
        assertTrue(config.problems().isEmpty());
    }

    @Test
    void servesOnAnyFreePortForPortZero() {
        AgentConfig config = config("DYN_SYSTEM_PORT", "0");

        assertTrue(config.serverEnabled());
        assertEquals(0, config.port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-8080"})
    void keepsTheServerOffForANegativePort(String port) {
        AgentConfig config = config("DYN_SYSTEM_PORT", port);

        assertFalse(config.serverEnabled());
        assertEquals(-1, config.port());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000", "65536", "80.5", "8080x", "99999999999"})
    void reportsAnUnusablePortOnceAndKeepsTheServerOff(String port) {
        AgentConfig config = config("DYN_SYSTEM_PORT", port);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_PORT"), problem);
        assertTrue(problem.contains(port), problem);
        assertTrue(problem.contains("1-65535"), problem);
        assertTrue(problem.contains("0 for any free port"), problem);
        assertFalse(config.serverEnabled());
        assertEquals(-1, config.port());
    }

    @Test
    void keepsTheServerOffForAnUnusablePortEvenWhenEnabled() {
        AgentConfig config = config("DYN_SYSTEM_PORT", "abc", "DYN_SYSTEM_ENABLED", "true");

        assertFalse(config.serverEnabled());
        assertEquals(1, config.problems().size(), config.problems().toString());
    }

    @Test
    void trimsThePort() {
        assertEquals(9090, config("DYN_SYSTEM_PORT", " 9090 ").port());
    }

    @Test
    void servesOnTheLegacyPortWhenOnlyEnabledIsSet() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "true");

        assertTrue(config.serverEnabled());
        assertEquals(8000, config.port());
        assertEquals(8000, AgentConfig.LEGACY_DEFAULT_PORT);
    }

    @Test
    void servesOnTheGivenPortWhenEnabled() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "1", "DYN_SYSTEM_PORT", "9100");

        assertTrue(config.serverEnabled());
        assertEquals(9100, config.port());
    }

    @Test
    void reportsAnUnusableNamespaceAndUsesTheDefault() {
        AgentConfig config = config("DYN_NAMESPACE", "@@@");

        assertEquals("dynamo", config.defaultNamespace());
        assertEquals(1, config.problems().size());
        assertTrue(config.problems().get(0).startsWith("DYN_NAMESPACE='@@@' cannot be a namespace label"),
                config.problems().get(0));
        assertEquals("team-a.prod", config("DYN_NAMESPACE", "team-a.prod").defaultNamespace(),
                "a usable namespace is kept as given; the API sanitizes it as a label value");
    }

    @Test
    void saysWhyTheServerIsOff() {
        assertTrue(config().serverOffReason().startsWith("DYN_SYSTEM_PORT is not set"));
        assertTrue(config().serverOffReason().contains("-Ddyn.system.port=8000"), config().serverOffReason());
        assertTrue(config().serverOffReason().contains("-javaagent:dynamo-agent.jar=port=8000"));
        assertTrue(config("DYN_SYSTEM_PORT", "-5").serverOffReason().contains("DYN_SYSTEM_PORT=-5"));
        assertTrue(config("DYN_SYSTEM_PORT", "9100", "DYN_SYSTEM_ENABLED", "false").serverOffReason()
                .startsWith("DYN_SYSTEM_ENABLED is false"));
        assertTrue(config("DYN_SYSTEM_PORT", "abc").serverOffReason().contains("'abc'"));
        assertEquals(null, config("DYN_SYSTEM_PORT", "9100").serverOffReason());
    }

    @Test
    void enabledWinsOverANegativePortAndSaysSo() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "true", "DYN_SYSTEM_PORT", "-1");

        assertTrue(config.serverEnabled());
        assertEquals(8000, config.port());
        assertTrue(config.problems().isEmpty());
        assertEquals(1, config.conflicts().size());
        assertTrue(config.conflicts().get(0).contains("DYN_SYSTEM_ENABLED") && config.conflicts().get(0).contains("-1")
                && config.conflicts().get(0).contains("unset DYN_SYSTEM_ENABLED to keep it off"), config.conflicts().get(0));
    }

    @Test
    void servesOnAnyFreePortWhenEnabledWithPortZero() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "yes", "DYN_SYSTEM_PORT", "0");

        assertTrue(config.serverEnabled());
        assertEquals(0, config.port());
    }

    @Test
    void keepsTheServerOffWhenDisabledEvenWithAPort() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "false", "DYN_SYSTEM_PORT", "9100");

        assertFalse(config.serverEnabled());
        assertEquals(-1, config.port());
        assertTrue(config.problems().isEmpty());
        assertEquals(1, config.conflicts().size());
        assertTrue(config.conflicts().get(0).contains("DYN_SYSTEM_ENABLED"), config.conflicts().get(0));
    }

    @Test
    void keepsTheServerOffWhenOnlyDisabledIsSet() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "0");

        assertFalse(config.serverEnabled());
        assertTrue(config.conflicts().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "on", "yes", "TRUE", "True", "ON", "Yes", "yEs", " true "})
    void acceptsEveryTruthySpellingInAnyCase(String value) {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", value);

        assertTrue(config.serverEnabled());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "off", "no", "FALSE", "False", "OFF", "No", "nO"})
    void acceptsEveryFalsySpellingInAnyCase(String value) {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", value, "DYN_SYSTEM_PORT", "9100");

        assertFalse(config.serverEnabled());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "2", "enabled", "y", "t"})
    void reportsAnUnusableEnabledFlagAndIgnoresIt(String value) {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", value, "DYN_SYSTEM_PORT", "9100");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_ENABLED='" + value + "'"), problem);
        assertTrue(problem.contains("1, true, on or yes"), problem);
        assertTrue(problem.contains("0, false, off or no"), problem);
        assertTrue(config.serverEnabled());
        assertEquals(9100, config.port());
    }

    @Test
    void keepsTheServerOffForAnUnusableEnabledFlagAlone() {
        AgentConfig config = config("DYN_SYSTEM_ENABLED", "maybe");

        assertFalse(config.serverEnabled());
        assertEquals(1, config.problems().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void treatsAnEmptyValueAsUnset(String empty) {
        AgentConfig config = config("DYN_SYSTEM_PORT", empty, "DYN_SYSTEM_ENABLED", empty, "DYN_SYSTEM_HOST", empty,
                "DYN_SYSTEM_HEALTH_PATH", empty, "DYN_SYSTEM_LIVE_PATH", empty, "DYN_SYSTEM_STARTING_HEALTH_STATUS",
                empty, "DYN_SYSTEM_JVM_METRICS", empty, "DYN_NAMESPACE", empty, "DYN_LOG", empty,
                "DYN_SYSTEM_METRICS_PATH", empty, "DYN_AGENT_ENABLED", empty);

        assertTrue(config.problems().isEmpty(), config.problems().toString());
        assertFalse(config.serverEnabled());
        assertEquals("0.0.0.0", config.host());
        assertEquals("/health", config.healthPath());
        assertEquals("/live", config.livePath());
        assertEquals("/metrics", config.metricsPath());
        assertFalse(config.startingReady());
        assertTrue(config.jvmMetrics());
        assertEquals("dynamo", config.defaultNamespace());
        assertEquals(LogLevel.WARN, config.logSettings().defaultLevel());
    }

    @Test
    void treatsAnEmptyPortWithEnabledAsUnsetPort() {
        assertEquals(8000, config("DYN_SYSTEM_PORT", "", "DYN_SYSTEM_ENABLED", "true").port());
    }

    // DYN_SYSTEM_HOST

    @Test
    void bindsToAllInterfacesByDefault() {
        assertEquals("0.0.0.0", config().host());
    }

    @Test
    void bindsToTheGivenHost() {
        assertEquals("127.0.0.1", config("DYN_SYSTEM_HOST", "127.0.0.1").host());
        assertEquals("::1", config("DYN_SYSTEM_HOST", " ::1 ").host());
    }

    // Health and liveness

    @Test
    void servesHealthAndLivenessOnTheDefaultPaths() {
        AgentConfig config = config();

        assertEquals("/health", config.healthPath());
        assertEquals("/live", config.livePath());
    }

    @Test
    void servesHealthAndLivenessOnTheGivenPaths() {
        AgentConfig config = config("DYN_SYSTEM_HEALTH_PATH", "/ready/v1", "DYN_SYSTEM_LIVE_PATH", "/alive");

        assertEquals("/ready/v1", config.healthPath());
        assertEquals("/alive", config.livePath());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "health|it does not start with '/'",
            "/|'/' alone is every path's start",
            "/he alth|it contains a space",
            "/health?x=1|'?' starts the query",
            "/health#top|'#' starts a fragment"})
    void reportsAnUnusableHealthPathWithWhatIsWrongAndUsesTheDefault(String path, String wrong) {
        AgentConfig config = config("DYN_SYSTEM_HEALTH_PATH", path);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_HEALTH_PATH='" + path + "' is not a usable path: " + wrong), problem);
        assertTrue(problem.contains("such as '/health'. Using /health"), problem);
        assertEquals("/health", config.healthPath());
    }

    /**
     * The server decodes {@code %XX} in a request's path and compares it with the setting as written, and
     * clients remove dot-segments and must escape control characters: none of these paths answered as logged.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DYN_SYSTEM_METRICS_PATH|/a%2Fb|it contains '%'|/metrics",
            "DYN_SYSTEM_LIVE_PATH|/live%20now|it contains '%'|/live",
            "DYN_SYSTEM_HEALTH_PATH|/h%zz|it contains '%'|/health",
            "DYN_SYSTEM_HEALTH_PATH|/h/../x|it has a '.' or '..' segment|/health",
            "DYN_SYSTEM_HEALTH_PATH|/h/./x|it has a '.' or '..' segment|/health",
            "DYN_SYSTEM_LIVE_PATH|/live/..|it has a '.' or '..' segment|/live",
            "DYN_SYSTEM_METRICS_PATH|/.|it has a '.' or '..' segment|/metrics",
            "DYN_SYSTEM_HEALTH_PATH|/a\u001bb|it contains the control character U+001B|/health",
            "DYN_SYSTEM_HEALTH_PATH|/a\tb|it contains the control character U+0009|/health",
            "DYN_SYSTEM_METRICS_PATH|/a\u007fb|it contains the control character U+007F|/metrics",
            "DYN_SYSTEM_LIVE_PATH|/a\u0085b|it contains the control character U+0085|/live"})
    void refusesAPathThatNoRequestReachesAsWrittenAndUsesTheDefault(String setting, String path, String wrong,
            String fallback) {
        AgentConfig config = config(setting, path);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith(setting + "='" + path + "' is not a usable path: " + wrong), problem);
        assertTrue(problem.contains("'%', '?', '#', control characters"), problem);
        assertTrue(problem.endsWith("such as '" + fallback + "'. Using " + fallback), problem);
        assertEquals(fallback, setting.equals("DYN_SYSTEM_METRICS_PATH") ? config.metricsPath()
                : setting.equals("DYN_SYSTEM_HEALTH_PATH") ? config.healthPath() : config.livePath());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.well-known/ready", "/a/..b", "/a/.../b", "/v1.0/health", "/métriques", "/a//b"})
    void acceptsDotsThatAreNoDotSegmentsAndCharactersBeyondAscii(String path) {
        AgentConfig config = config("DYN_SYSTEM_HEALTH_PATH", path);

        assertEquals(path, config.healthPath());
        assertTrue(config.problems().isEmpty(), config.problems().toString());
    }

    @Test
    void reportsAnUnusableLivePathAndUsesTheDefault() {
        AgentConfig config = config("DYN_SYSTEM_LIVE_PATH", "live");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_LIVE_PATH='live'"), problem);
        assertEquals("/live", config.livePath());
    }

    @Test
    void refusesToHideTheMetricsPageBehindAHealthPath() {
        AgentConfig config = config("DYN_SYSTEM_HEALTH_PATH", "/metrics");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_HEALTH_PATH='/metrics'"), problem);
        assertEquals("/health", config.healthPath());
    }

    @Test
    void reportsTheSamePathForHealthAndLivenessAndUsesTheDefaults() {
        AgentConfig config = config("DYN_SYSTEM_HEALTH_PATH", "/status", "DYN_SYSTEM_LIVE_PATH", "/status");

        String problem = onlyProblem(config);
        assertTrue(problem.contains("DYN_SYSTEM_HEALTH_PATH and DYN_SYSTEM_LIVE_PATH"), problem);
        assertEquals("/health", config.healthPath());
        assertEquals("/live", config.livePath());
    }

    @Test
    void startsNotReadyByDefault() {
        assertFalse(config().startingReady());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ready", "READY", "Ready"})
    void startsReadyWhenAsked(String status) {
        AgentConfig config = config("DYN_SYSTEM_STARTING_HEALTH_STATUS", status);

        assertTrue(config.startingReady());
        assertTrue(config.problems().isEmpty());
    }

    @Test
    void startsNotReadyWhenAsked() {
        AgentConfig config = config("DYN_SYSTEM_STARTING_HEALTH_STATUS", "notready");

        assertFalse(config.startingReady());
        assertTrue(config.problems().isEmpty());
    }

    @Test
    void reportsAnUnknownStartingHealthStatusAndStartsNotReady() {
        AgentConfig config = config("DYN_SYSTEM_STARTING_HEALTH_STATUS", "healthy");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_STARTING_HEALTH_STATUS='healthy'"), problem);
        assertTrue(problem.contains("'ready' or 'notready'"), problem);
        assertFalse(config.startingReady());
    }

    // DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS

    @Test
    void gatesHealthOnNoEndpointByDefault() {
        assertEquals(Collections.emptyList(), config().endpointsGatingHealth());
    }

    @Test
    void readsTheEndpointsThatGateHealthAsDynamoWritesThem() {
        AgentConfig config = config("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", " [ \"generate\" , \"clear_kv\\u0041\", \"my-ep\"] ");

        assertEquals(java.util.Arrays.asList("generate", "clear_kvA", "my_ep"), config.endpointsGatingHealth());
        assertTrue(config.problems().isEmpty(), config.problems().toString());
        assertEquals(Collections.emptyList(),
                config("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[]").endpointsGatingHealth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "[generate]", "[\"generate\"", "[\"a\",]", "[\"a\" \"b\"]", "[1]",
        "[\"a\"] x", "[\"@@\"]", "[\"a\\q\"]", "{\"a\":1}"})
    void reportsAnUnreadableEndpointListOnceAndGatesOnNothing(String value) {
        AgentConfig config = config("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", value);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS='" + value + "' cannot be read: "),
                problem);
        assertTrue(problem.contains("[\"generate\"]"), "says what is accepted: " + problem);
        assertEquals(Collections.emptyList(), config.endpointsGatingHealth());
    }

    // DYN_METRICS_MAX_SERIES

    @Test
    void limitsSeriesTo2000ByDefaultOrAsSet() {
        assertEquals(2000, config().maxSeries());
        assertEquals(50, config("DYN_METRICS_MAX_SERIES", "50").maxSeries());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "many", "2.5", "99999999999"})
    void reportsAnUnusableSeriesLimitAndKeepsTheDefault(String value) {
        AgentConfig config = config("DYN_METRICS_MAX_SERIES", value);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_METRICS_MAX_SERIES='" + value + "'"), problem);
        assertTrue(problem.contains("use a whole number from 1 to 2147483647"), problem);
        assertEquals(2000, config.maxSeries());
    }

    // DYN_METRICS_MAX_FAMILIES

    @Test
    void limitsMetricNamesTo10000ByDefaultOrAsSet() {
        assertEquals(10_000, config().maxFamilies());
        assertEquals(300, config("DYN_METRICS_MAX_FAMILIES", "300").maxFamilies());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "many", "99999999999"})
    void reportsAnUnusableMetricLimitAndKeepsTheDefault(String value) {
        AgentConfig config = config("DYN_METRICS_MAX_FAMILIES", value);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_METRICS_MAX_FAMILIES='" + value + "'"), problem);
        assertTrue(problem.contains("use a whole number from 1 to 2147483647 (metric names in this process)"), problem);
        assertEquals(10_000, config.maxFamilies());
    }

    // DYN_SYSTEM_METRICS_PATH

    @Test
    void servesMetricsOnTheDefaultPath() {
        assertEquals("/metrics", config().metricsPath());
        assertEquals("/metrics", AgentConfig.DEFAULT_METRICS_PATH);
    }

    @Test
    void servesMetricsOnTheGivenPath() {
        AgentConfig config = config("DYN_SYSTEM_METRICS_PATH", "/prometheus/metrics");

        assertEquals("/prometheus/metrics", config.metricsPath());
        assertTrue(config.problems().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"metrics", "/", "/me trics", "/metrics?x"})
    void reportsAnUnusableMetricsPathAndUsesTheDefault(String path) {
        AgentConfig config = config("DYN_SYSTEM_METRICS_PATH", path);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_METRICS_PATH='" + path + "'"), problem);
        assertEquals("/metrics", config.metricsPath());
    }

    @Test
    void refusesAMetricsPathThatIsTheHealthPath() {
        AgentConfig config = config("DYN_SYSTEM_METRICS_PATH", "/health");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_METRICS_PATH='/health'"), problem);
        assertEquals("/metrics", config.metricsPath());
        assertEquals("/health", config.healthPath());
    }

    @Test
    void refusesAHealthPathThatIsTheMovedMetricsPath() {
        AgentConfig config = config("DYN_SYSTEM_METRICS_PATH", "/m", "DYN_SYSTEM_HEALTH_PATH", "/m");

        assertTrue(onlyProblem(config).startsWith("DYN_SYSTEM_HEALTH_PATH='/m'"));
        assertEquals("/m", config.metricsPath());
        assertEquals("/health", config.healthPath());
        assertEquals("/metrics", config("DYN_SYSTEM_METRICS_PATH", "/m", "DYN_SYSTEM_HEALTH_PATH", "/metrics")
                .healthPath(), "/metrics is free once the metrics page has moved");
    }

    // DYN_AGENT_ENABLED, DYN_AGENT_MAIN, DYN_CONFIG_FILE (used before this class; reported here)

    @Test
    void reportsAnUnusableAgentSwitch() {
        String problem = onlyProblem(config("DYN_AGENT_ENABLED", "maybe"));

        assertTrue(problem.startsWith("DYN_AGENT_ENABLED='maybe'"), problem);
        assertTrue(config("DYN_AGENT_ENABLED", "true", "DYN_AGENT_MAIN", "*", "DYN_CONFIG_FILE", "/x").problems()
                .isEmpty());
    }

    // JVM metrics, namespace, log

    @Test
    void exposesJvmMetricsByDefault() {
        assertTrue(config().jvmMetrics());
    }

    @Test
    void exposesJvmMetricsAsToldByAFlag() {
        assertFalse(config("DYN_SYSTEM_JVM_METRICS", "false").jvmMetrics());
        assertFalse(config("DYN_SYSTEM_JVM_METRICS", "OFF").jvmMetrics());
        assertTrue(config("DYN_SYSTEM_JVM_METRICS", "yes").jvmMetrics());
    }

    @Test
    void reportsAnUnusableJvmMetricsFlagAndKeepsThemOn() {
        AgentConfig config = config("DYN_SYSTEM_JVM_METRICS", "sometimes");

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_JVM_METRICS='sometimes'"), problem);
        assertTrue(config.jvmMetrics());
    }

    @Test
    void leavesDeadlockDetectionOffByDefault() {
        assertEquals(AgentConfig.NO_DEADLOCK_DETECTION, config().jvmDeadlockDetectionMillis());
        assertEquals(AgentConfig.NO_DEADLOCK_DETECTION,
                config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "false").jvmDeadlockDetectionMillis());
    }

    @Test
    void detectsDeadlocksOnceAMinuteOrAtTheGivenInterval() {
        assertEquals(60_000, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "true").jvmDeadlockDetectionMillis());
        assertEquals(60_000, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "ON").jvmDeadlockDetectionMillis());
        assertEquals(500, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "500ms").jvmDeadlockDetectionMillis());
        assertEquals(30_000, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "30s").jvmDeadlockDetectionMillis());
        assertEquals(300_000, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "5M").jvmDeadlockDetectionMillis());
        assertEquals(0, config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "0s").jvmDeadlockDetectionMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sometimes", "30", "-5s", "1h", "9999999s", "ms", "10mss", "\u0663s"})
    void reportsAnUnusableDeadlockDetectionSettingAndLeavesItOff(String raw) {
        AgentConfig config = config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", raw);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_JVM_DEADLOCK_DETECTION='" + raw + "'"), problem);
        assertTrue(problem.contains("30s"), problem);
        assertTrue(problem.contains("1 to 6 ASCII digits 0-9 and the unit ms, s or m"), problem);
        assertTrue(problem.contains("at most 999999m"), problem);
        assertEquals(AgentConfig.NO_DEADLOCK_DETECTION, config.jvmDeadlockDetectionMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-99999999999", "99999999999", "-2147483649", "-99999999999999999999999"})
    void reportsANumberOutsideAnIntAsOutOfRangeNotAsNoNumber(String port) {
        String problem = onlyProblem(config("DYN_SYSTEM_PORT", port));

        assertEquals("DYN_SYSTEM_PORT=" + port + " is out of range; use 1-65535 to serve on that port, 0 for any free"
                + " port, or a negative number down to -2147483648 to turn the server off. The metrics server is off",
                problem);
    }

    /** A sign is part of an integer, as Dynamo's integer settings read it: -0 is 0, any free port, not off. */
    @Test
    void aSignedPortIsTheNumberItWrites() {
        AgentConfig plus = config("DYN_SYSTEM_PORT", "+9000");
        assertTrue(plus.serverEnabled());
        assertEquals(9000, plus.port());
        AgentConfig minusZero = config("DYN_SYSTEM_PORT", "-0");
        assertTrue(minusZero.serverEnabled());
        assertEquals(0, minusZero.port());
        assertFalse(config("DYN_SYSTEM_PORT", "-1").serverEnabled());
    }

    @Test
    void acceptsOnlyAsciiDigitsInNumbers() {
        AgentConfig arabicIndic = config("DYN_SYSTEM_PORT", "\u0661\u0669\u0660\u0663\u0666");
        assertTrue(onlyProblem(arabicIndic).contains("is not a port number (ASCII digits 0-9, with an optional sign)"),
                onlyProblem(arabicIndic));
        assertFalse(arabicIndic.serverEnabled());

        AgentConfig series = config("DYN_METRICS_MAX_SERIES", "\u0665\u0660");
        assertTrue(onlyProblem(series).startsWith("DYN_METRICS_MAX_SERIES='\u0665\u0660' is not a series limit"
                + " (ASCII digits 0-9, with an optional sign); use a whole number from 1 to"), onlyProblem(series));
        assertEquals(2000, series.maxSeries());
        assertTrue(onlyProblem(config("DYN_SYSTEM_REQUEST_TIMEOUT_MS", "\u0665\u0660\u0660"))
                .contains("is not a timeout (ASCII digits 0-9, with an optional sign); use milliseconds from 100 to 600000"));
        assertTrue(onlyProblem(config("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", "\u0663\u0660s"))
                .contains("ASCII digits 0-9"));
    }

    @Test
    void usesDynamoAsTheDefaultNamespace() {
        assertEquals("dynamo", config().defaultNamespace());
    }

    @Test
    void usesTheGivenDefaultNamespace() {
        assertEquals("inference", config("DYN_NAMESPACE", "inference").defaultNamespace());
    }

    @Test
    void readsTheLogSettingsAndReportsTheirProblems() {
        AgentConfig config = config("DYN_LOG", "debug,dev.dynamo=bogus");

        assertEquals(LogLevel.DEBUG, config.logSettings().defaultLevel());
        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_LOG="), problem);
    }

    // DYN_SYSTEM_REQUEST_TIMEOUT_MS

    @Test
    void waitsTenSecondsForARequestByDefault() {
        assertEquals(10_000, config().requestTimeoutMillis());
    }

    @Test
    void waitsAsLongAsTheRequestTimeoutSays() {
        assertEquals(1500, config("DYN_SYSTEM_REQUEST_TIMEOUT_MS", "1500").requestTimeoutMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "99", "600001", "-5", "1.5"})
    void reportsAnUnusableRequestTimeoutAndUsesTheDefault(String value) {
        AgentConfig config = config("DYN_SYSTEM_REQUEST_TIMEOUT_MS", value);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_REQUEST_TIMEOUT_MS='" + value + "'"), problem);
        assertTrue(problem.contains("100 to 600000"), problem);
        assertEquals(10_000, config.requestTimeoutMillis());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:80", "http://127.0.0.1", "[127.0.0.1]", "999.1.1.1"})
    void reportsAHostThatCannotBeBoundAndKeepsTheServerOff(String host) {
        AgentConfig config = config("DYN_SYSTEM_PORT", "9000", "DYN_SYSTEM_HOST", host);

        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_HOST='" + host + "' is not a host: "), problem);
        assertTrue(problem.contains("set DYN_SYSTEM_HOST to an IP address or host name of this machine, with no port"
                + " and no scheme: 0.0.0.0 for every interface, 127.0.0.1 for loopback only"), problem);
        assertFalse(config.serverEnabled());
    }

    // DYN_SYSTEM_WEB_CONFIG and DYN_SYSTEM_LIVE_REQUIRES_AUTH

    @Test
    void readsTheWebConfigFileAndLeavesLivenessOpenByDefault() {
        AgentConfig config = config("DYN_SYSTEM_WEB_CONFIG", " /etc/dynamo/web-config.yml ");

        assertEquals("/etc/dynamo/web-config.yml", config.webConfigFile());
        assertFalse(config.liveRequiresAuth());
        assertTrue(config.problems().isEmpty());
        assertEquals(null, config().webConfigFile());
    }

    @Test
    void asksForCredentialsOnLivenessWhenSet() {
        assertTrue(config("DYN_SYSTEM_LIVE_REQUIRES_AUTH", "true").liveRequiresAuth());
        assertFalse(config("DYN_SYSTEM_LIVE_REQUIRES_AUTH", "off").liveRequiresAuth());
    }

    @Test
    void keepsLivenessOpenWhenTheAuthFlagIsUnusable() {
        AgentConfig config = config("DYN_SYSTEM_LIVE_REQUIRES_AUTH", "sometimes");

        assertFalse(config.liveRequiresAuth());
        String problem = onlyProblem(config);
        assertTrue(problem.startsWith("DYN_SYSTEM_LIVE_REQUIRES_AUTH='sometimes' is neither true nor false"), problem);
    }

    @Test
    void reportsEveryUnusableSettingOnce() {
        AgentConfig config = config("DYN_SYSTEM_PORT", "abc", "DYN_SYSTEM_JVM_METRICS", "x",
                "DYN_SYSTEM_STARTING_HEALTH_STATUS", "x", "DYN_SYSTEM_LIVE_PATH", "x", "DYN_LOG", "loud");

        assertEquals(5, config.problems().size(), config.problems().toString());
    }

    @Test
    void ignoresVariablesItDoesNotKnow() {
        AgentConfig config = config("DYN_SOMETHING_ELSE", "x", "PATH", "/usr/bin");

        assertTrue(config.problems().isEmpty());
        assertFalse(config.serverEnabled());
    }

    @Test
    void hasImmutableProblemAndNoteLists() {
        AgentConfig config = AgentConfig.fromEnvironment(Collections.singletonMap("DYN_SYSTEM_PORT", "abc"));

        assertThrows(UnsupportedOperationException.class, () -> config.problems().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> config.conflicts().clear());
    }
}
