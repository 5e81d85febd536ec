package dev.dynamo.it.support;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpositionTest {
    private static final String PAGE = String.join("\n",
            "# HELP dynamo_component_requests_total Total number of requests processed by work handler",
            "# TYPE dynamo_component_requests_total counter",
            "dynamo_component_requests_total{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                    + "dynamo_endpoint=\"ep\",} 25.0",
            "# HELP latency Latency with a \\\\ backslash",
            "# TYPE latency histogram",
            "latency_bucket{le=\"0.5\",} 1.0",
            "latency_bucket{le=\"+Inf\",} 2.0 1700000000000",
            "latency_count 2.0",
            "latency_sum 0.75",
            "quoted{path=\"a\\\"b\\\\c\\nd\"} NaN",
            "");

    @Test
    void readsSamplesWithSimpleclientsTrailingCommaInLabelOrder() {
        Exposition page = Exposition.parse(PAGE);

        assertEquals(25.0, page.value("dynamo_component_requests_total", Labels.endpoint("ns", "comp", "ep")));
        assertEquals(List.of("dynamo_namespace", "dynamo_component", "dynamo_endpoint"),
                List.copyOf(page.samples("dynamo_component_requests_total").get(0).labels().keySet()));
    }

    @Test
    void readsInfinityNanTimestampsAndUnlabelledSamples() {
        Exposition page = Exposition.parse(PAGE);

        assertEquals(2.0, page.value("latency_bucket", Labels.of("le", "+Inf")));
        assertEquals(0.75, page.value("latency_sum", Labels.of()));
        assertTrue(Double.isNaN(page.value("quoted", Labels.of("path", "a\"b\\c\nd"))));
    }

    @Test
    void keepsTypeAndHelpPerFamily() {
        Exposition page = Exposition.parse(PAGE);

        assertEquals("counter", page.type("dynamo_component_requests_total"));
        assertEquals("Total number of requests processed by work handler",
                page.help("dynamo_component_requests_total"));
        assertEquals("Latency with a \\ backslash", page.help("latency"));
        assertNull(page.type("quoted"));
    }

    @Test
    void matchesLabelsExactlyNotAsASubset() {
        Exposition page = Exposition.parse(PAGE);

        assertTrue(page.has("latency_bucket", Labels.of("le", "0.5")));
        assertEquals(-1, page.valueOr("dynamo_component_requests_total", Labels.of("dynamo_namespace", "ns"), -1));
        AssertionError missing = assertThrows(AssertionError.class,
                () -> page.value("dynamo_component_requests_total", Labels.of()));
        assertTrue(missing.getMessage().contains("dynamo_endpoint=ep"), missing.getMessage());
    }

    @Test
    void rejectsMalformedLinesAndASecondTypeForOneFamily() {
        assertThrows(IllegalArgumentException.class, () -> Exposition.parse("bad-name 1"));
        assertThrows(IllegalArgumentException.class, () -> Exposition.parse("x{a=b} 1"));
        assertThrows(IllegalArgumentException.class, () -> Exposition.parse("x 1 2 three"));
        assertThrows(IllegalArgumentException.class, () -> Exposition.parse("x{a=\"1\",a=\"2\"} 1"));
        assertThrows(IllegalArgumentException.class, () -> Exposition.parse("# TYPE x counter\n# TYPE x gauge\n"));
    }

    @Test
    void readsBucketEdgesInOrderForOneSeries() {
        Exposition page = Exposition.parse(PAGE);

        assertEquals(List.of("0.5", "+Inf"), page.bucketEdges("latency", Labels.of()));
        assertEquals(List.of(), page.bucketEdges("latency", Labels.of("other", "series")));
    }
}
