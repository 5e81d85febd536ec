package dev.dynamo.runtime.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusNamesTest {

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "test.name             | test_name",
        "test-name             | test_name",
        "\"test name\"         | test_name",
        "test@name             | test_name",
        "test$name#123         | test_name_123",
        "test:name             | test:name",
        "__test                | __test",
        "123test               | _123test",
        "123.test-name@domain  | _123_test_name_domain",
    })
    void sanitizesMetricNamesAsDynamoDoes(String input, String expected) {
        assertEquals(expected, PrometheusNames.sanitizeMetricName(input));
    }

    @Test
    void prependsAnUnderscoreToAMetricNameStartingWithAColon() {
        assertEquals("_:test", PrometheusNames.sanitizeMetricName(":test"));
    }

    @Test
    void replacesACharacterOutsideTheBasicPlaneWithOneUnderscore() {
        String emoji = "\uD83D\uDE00";

        assertEquals("test_name", PrometheusNames.sanitizeMetricName("test" + emoji + "name"));
        assertEquals("test_name", PrometheusNames.sanitizeLabelName("test" + emoji + "name"));
        assertEquals("_test", PrometheusNames.sanitizeLabelName(emoji + "test"));
        assertEquals("caf_", PrometheusNames.sanitizeMetricName("caf\u00e9"));
    }

    @Test
    void keepsAValidMetricNameUnchanged() {
        assertEquals("dynamo_component_requests_total",
                PrometheusNames.sanitizeMetricName("dynamo_component_requests_total"));
    }

    @Test
    void rejectsAnEmptyMetricName() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PrometheusNames.sanitizeMetricName(""));
        assertTrue(error.getMessage().startsWith("Cannot sanitize empty string into valid Prometheus name"),
                error.getMessage());
    }

    @Test
    void rejectsANullMetricNameSayingItIsNull() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PrometheusNames.sanitizeMetricName(null));
        assertTrue(error.getMessage().startsWith("The name is null; give a name with at least one character"),
                error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"@#$%", "_", "___", "-", "!"})
    void rejectsAMetricNameWithOnlyInvalidCharacters(String input) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PrometheusNames.sanitizeMetricName(input));
        assertTrue(error.getMessage().startsWith("Input '" + input + "' contains only invalid characters and cannot"
                + " be sanitized into a valid Prometheus name"), error.getMessage());
    }

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "test:label      | test_label",
        "__test          | test",
        ":test           | _test",
        "@@123           | _123",
        "test-component  | test_component",
        "my.namespace    | my_namespace",
        "123abc          | _123abc",
        "_private        | _private",
        "Model           | Model",
    })
    void sanitizesLabelNamesAsDynamoDoes(String input, String expected) {
        assertEquals(expected, PrometheusNames.sanitizeLabelName(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"____", "_", "@@", "::"})
    void rejectsALabelNameWithOnlyInvalidCharacters(String input) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PrometheusNames.sanitizeLabelName(input));
        assertTrue(error.getMessage().startsWith("Input '" + input + "' contains only invalid characters"),
                error.getMessage());
    }

    @Test
    void rejectsAnEmptyOrNullLabelName() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> PrometheusNames.sanitizeLabelName(""));
        assertTrue(empty.getMessage().startsWith("Cannot sanitize empty string"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrometheusNames.sanitizeLabelName(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "_model", "Model_2", "a", "error_type"})
    void acceptsValidLabelNames(String name) {
        assertTrue(PrometheusNames.isValidLabelName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "__reserved", "2model", "mo-del", "mo:del", "mo del", "módel"})
    void rejectsInvalidLabelNames(String name) {
        assertFalse(PrometheusNames.isValidLabelName(name));
    }

    @Test
    void rejectsANullLabelNameAsInvalid() {
        assertFalse(PrometheusNames.isValidLabelName(null));
    }

    @Test
    void namesThePrefixAndTheAutomaticLabelsAsDynamoDoes() {
        assertEquals("dynamo_component_", PrometheusNames.METRIC_PREFIX);
        assertEquals("dynamo_namespace", PrometheusNames.LABEL_NAMESPACE);
        assertEquals("dynamo_component", PrometheusNames.LABEL_COMPONENT);
        assertEquals("dynamo_endpoint", PrometheusNames.LABEL_ENDPOINT);
    }

    @Test
    void namesTheWorkHandlerMetricsWithTheirDynamoHelpTexts() {
        assertEquals("requests_total", PrometheusNames.WorkHandler.REQUESTS_TOTAL);
        assertEquals("request_duration_seconds", PrometheusNames.WorkHandler.REQUEST_DURATION_SECONDS);
        assertEquals("inflight_requests", PrometheusNames.WorkHandler.INFLIGHT_REQUESTS);
        assertEquals("errors_total", PrometheusNames.WorkHandler.ERRORS_TOTAL);
        assertEquals("cancellation_total", PrometheusNames.WorkHandler.CANCELLATION_TOTAL);
        assertEquals("error_type", PrometheusNames.WorkHandler.ERROR_TYPE_LABEL);
        assertEquals("Total number of requests processed by work handler",
                PrometheusNames.WorkHandler.REQUESTS_TOTAL_HELP);
        assertEquals("Time spent processing requests by work handler",
                PrometheusNames.WorkHandler.REQUEST_DURATION_SECONDS_HELP);
        assertEquals("Number of requests currently being processed by work handler",
                PrometheusNames.WorkHandler.INFLIGHT_REQUESTS_HELP);
        assertEquals("Total number of errors in work handler processing",
                PrometheusNames.WorkHandler.ERRORS_TOTAL_HELP);
        assertEquals("Total number of requests cancelled by work handler",
                PrometheusNames.WorkHandler.CANCELLATION_TOTAL_HELP);
    }

    @Test
    void namesTheUptimeGaugeWithItsDynamoHelpText() {
        assertEquals("uptime_seconds", PrometheusNames.Runtime.UPTIME_SECONDS);
        assertEquals("Total uptime of the DistributedRuntime in seconds", PrometheusNames.Runtime.UPTIME_SECONDS_HELP);
    }

    /**
     * Every string of up to four characters from an alphabet of each character class: the names
     * returned unchanged without copying (valid already) must be exactly those that the character
     * by character rules leave as they are, and must fail where those rules fail.
     */
    @Test
    void returnsValidNamesUnchangedExactlyWhenTheRulesWouldKeepThem() {
        String alphabet = "aZ0_:-";
        List<String> names = new ArrayList<String>();
        names.add("");
        for (int length = 1; length <= 4; length++) {
            int count = (int) Math.pow(alphabet.length(), length);
            for (int n = 0; n < count; n++) {
                StringBuilder name = new StringBuilder();
                for (int i = 0, rest = n; i < length; i++, rest /= alphabet.length()) {
                    name.append(alphabet.charAt(rest % alphabet.length()));
                }
                names.add(name.toString());
            }
        }
        for (String name : names) {
            assertEquals(byRules(name, true), outcome(() -> PrometheusNames.sanitizeMetricName(name)), "metric " + name);
            assertEquals(byRules(name, false), outcome(() -> PrometheusNames.sanitizeLabelName(name)), "label " + name);
        }
    }

    private static String outcome(Supplier<String> sanitize) {
        try {
            return sanitize.get();
        } catch (IllegalArgumentException invalid) {
            return "error";
        }
    }

    /** The rules of SPEC section 4, applied character by character (ASCII input). */
    private static String byRules(String name, boolean metric) {
        if (name.isEmpty()) {
            return "error";
        }
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            boolean valid = Character.isLetterOrDigit(c) || c == '_' || (metric && c == ':');
            out.append(valid ? c : '_');
        }
        if (!Character.isLetter(out.charAt(0)) && out.charAt(0) != '_') {
            out.insert(0, '_');
        }
        if (!metric && out.length() >= 2 && out.charAt(0) == '_' && out.charAt(1) == '_') {
            out.delete(0, 2);
            if (out.length() == 0 || !Character.isLetter(out.charAt(0))) {
                out.insert(0, '_');
            }
        }
        return out.toString().replace("_", "").isEmpty() ? "error" : out.toString();
    }
}
