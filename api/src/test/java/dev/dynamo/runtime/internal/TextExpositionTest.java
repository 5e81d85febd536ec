package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;

import static dev.dynamo.runtime.internal.Snapshots.map;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TextExpositionTest {
    private final MetricStore store = new MetricStore();

    private MetricsRegistry at(String... hierarchy) {
        return new ScopedMetricsRegistry(store, Arrays.asList(hierarchy));
    }

    @Test
    void writesTheTextFormatAsTheAgentsPageDoes() {
        MetricsRegistry ep = at("ns", "comp", "ep");
        ep.createIntCounter("served", "Requests served", null).inc(3);
        ep.createGauge("temperature", "Line one\nback\\slash", map("unit", "quote\"d")).set(-2.5);
        ep.createHistogram("latency", "Latency", null, Arrays.asList(0.1, 1.0)).observe(0.5);
        ep.createGaugeVec("empty", "Nothing yet", Arrays.asList("k"), null);

        assertEquals(""
                + "# HELP dynamo_component_served_total Requests served\n"
                + "# TYPE dynamo_component_served_total counter\n"
                + "dynamo_component_served_total{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",} 3.0\n"
                + "# HELP dynamo_component_temperature Line one\\nback\\\\slash\n"
                + "# TYPE dynamo_component_temperature gauge\n"
                + "dynamo_component_temperature{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",unit=\"quote\\\"d\",} -2.5\n"
                + "# HELP dynamo_component_latency Latency\n"
                + "# TYPE dynamo_component_latency histogram\n"
                + "dynamo_component_latency_bucket{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",le=\"0.1\",} 0.0\n"
                + "dynamo_component_latency_bucket{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",le=\"1.0\",} 1.0\n"
                + "dynamo_component_latency_bucket{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",le=\"+Inf\",} 1.0\n"
                + "dynamo_component_latency_count{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",} 1.0\n"
                + "dynamo_component_latency_sum{dynamo_namespace=\"ns\",dynamo_component=\"comp\","
                + "dynamo_endpoint=\"ep\",} 0.5\n"
                + "# HELP dynamo_component_empty Nothing yet\n"
                + "# TYPE dynamo_component_empty gauge\n", ep.prometheusExpfmt());
    }

    @Test
    void writesSpecialValuesAsPrometheusDoes() {
        assertEquals("+Inf", TextExposition.value(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", TextExposition.value(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", TextExposition.value(Double.NaN));
        assertEquals("1.0E-9", TextExposition.value(1e-9));
    }

    @Test
    void eachLevelShowsItsOwnMetricsAndThoseBelow() {
        at().createGauge("root_only", "h", null).set(1);
        at("a", "c1").createGauge("shared", "h", null).set(2);
        at("a", "c2").createGauge("shared", "h", null).set(3);
        at("b", "c1").createGauge("shared", "h", null).set(4);

        String a = at("a").prometheusExpfmt();
        String c1 = at("a", "c1").prometheusExpfmt();
        String root = at().prometheusExpfmt();

        String help = "# HELP dynamo_component_shared h\n# TYPE dynamo_component_shared gauge\n";
        String ac1 = "dynamo_component_shared{dynamo_namespace=\"a\",dynamo_component=\"c1\",} 2.0\n";
        String ac2 = "dynamo_component_shared{dynamo_namespace=\"a\",dynamo_component=\"c2\",} 3.0\n";
        String bc1 = "dynamo_component_shared{dynamo_namespace=\"b\",dynamo_component=\"c1\",} 4.0\n";
        assertEquals(help + ac1 + ac2, a);
        assertEquals(help + ac1, c1);
        assertEquals("# HELP dynamo_component_root_only h\n# TYPE dynamo_component_root_only gauge\n"
                + "dynamo_component_root_only 1.0\n" + help + ac1 + ac2 + bc1, root);
    }

    @Test
    void anEmptyPlaceHasAnEmptyPage() {
        at("used").createGauge("g", "h", null);

        assertEquals("", at("unused").prometheusExpfmt());
        assertEquals("", TextExposition.write(Collections.<FamilySnapshot>emptyList()));
    }
}
