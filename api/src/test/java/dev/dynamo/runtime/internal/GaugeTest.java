package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static dev.dynamo.runtime.internal.Snapshots.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GaugeTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static MetricsRegistry metrics() {
        return DistributedRuntime.get().metrics();
    }

    @Test
    void startsAtZero() {
        assertEquals(0.0, metrics().createGauge(unique("fresh"), "h", NO_LABELS).get());
        assertEquals(0L, metrics().createIntGauge(unique("fresh"), "h", NO_LABELS).get());
    }

    @Test
    void setsIncrementsDecrementsAddsAndSubtracts() {
        String name = unique("load");
        Gauge gauge = metrics().createGauge(name, "Load", NO_LABELS);

        gauge.set(42.0);
        assertEquals(42.0, gauge.get());
        gauge.inc();
        assertEquals(43.0, gauge.get());
        gauge.dec();
        assertEquals(42.0, gauge.get());
        gauge.add(3);
        assertEquals(45.0, gauge.get());
        gauge.sub(1);
        assertEquals(44.0, gauge.get());
        gauge.add(-0.5);
        gauge.sub(-0.25);
        assertEquals(43.75, gauge.get());
        assertEquals(43.75, value(PREFIX + name, PREFIX + name, NO_LABELS));
    }

    @Test
    void goesBelowZeroAndTakesAnyValue() {
        Gauge gauge = metrics().createGauge(unique("signed"), "h", NO_LABELS);

        gauge.dec();
        assertEquals(-1.0, gauge.get());
        gauge.sub(1e9);
        assertEquals(-1_000_000_001.0, gauge.get());
        gauge.set(Double.NaN);
        assertEquals(Double.NaN, gauge.get());
    }

    @Test
    void setsIncrementsDecrementsAddsAndSubtractsIntegers() {
        String name = unique("queued");
        IntGauge gauge = metrics().createIntGauge(name, "Queued", NO_LABELS);

        gauge.set(42);
        assertEquals(42L, gauge.get());
        gauge.inc();
        assertEquals(43L, gauge.get());
        gauge.dec();
        assertEquals(42L, gauge.get());
        gauge.add(3);
        assertEquals(45L, gauge.get());
        gauge.sub(1);
        assertEquals(44L, gauge.get());
        gauge.add(-50);
        gauge.sub(-2);
        assertEquals(-4L, gauge.get());
        assertEquals(-4.0, value(PREFIX + name, PREFIX + name, NO_LABELS));
    }
}
