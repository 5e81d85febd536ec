package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static dev.dynamo.runtime.internal.Snapshots.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static MetricsRegistry metrics() {
        return DistributedRuntime.get().metrics();
    }

    @Test
    void startsAtZero() {
        assertEquals(0.0, metrics().createCounter(unique("fresh"), "h", NO_LABELS).get());
        assertEquals(0L, metrics().createIntCounter(unique("fresh"), "h", NO_LABELS).get());
    }

    @Test
    void addsOneAndArbitraryAmounts() {
        String name = unique("tokens");
        Counter counter = metrics().createCounter(name, "Tokens", NO_LABELS);

        counter.inc();
        counter.inc(2.5);
        counter.inc(0);

        assertEquals(3.5, counter.get());
        assertEquals(3.5, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1.0, -0.001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsAnIncrementThatIsNegativeOrNotFinite(double amount) {
        Counter counter = metrics().createCounter(unique("guarded"), "h", NO_LABELS);
        counter.inc(1);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> counter.inc(amount));

        assertTrue(error.getMessage().startsWith("Counter increment must be a finite number >= 0, got " + amount),
                error.getMessage());
        assertEquals(1.0, counter.get());
    }

    @Test
    void countsIntegersExactly() {
        String name = unique("requests");
        IntCounter counter = metrics().createIntCounter(name, "Requests", NO_LABELS);

        counter.inc();
        counter.inc(41);
        counter.inc(0);
        counter.inc(Integer.MAX_VALUE + 1L);

        assertEquals(42L + Integer.MAX_VALUE + 1L, counter.get());
        assertEquals(42.0 + Integer.MAX_VALUE + 1.0, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @Test
    void anIntegerCounterPastTheLargestLongStaysThereInsteadOfGoingNegative() {
        String name = unique("bytes");
        IntCounter counter = metrics().createIntCounter(name, "Bytes", NO_LABELS);

        counter.inc(Long.MAX_VALUE);
        counter.inc(2);

        assertEquals(Long.MAX_VALUE, counter.get());
        assertEquals((double) Long.MAX_VALUE, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @Test
    void anIntegerCounterStaysAtTheLargestLongWhenLargeIncrementsWouldWrapItRound() {
        String name = unique("wrapped");
        IntCounter counter = metrics().createIntCounter(name, "Bytes", NO_LABELS);

        counter.inc(Long.MAX_VALUE);
        counter.inc(Long.MAX_VALUE);
        counter.inc(2);
        counter.inc();

        assertEquals(Long.MAX_VALUE, counter.get());
        assertEquals((double) Long.MAX_VALUE, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @Test
    void anIntegerCounterThatLargeIncrementsFromManyThreadsCarryPastTheLargestLongStaysThere() throws Exception {
        IntCounter counter = metrics().createIntCounter(unique("raced"), "Bytes", NO_LABELS);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    counter.inc(Long.MAX_VALUE / 3);
                    counter.inc(1);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertEquals(Long.MAX_VALUE, counter.get());
    }

    @Test
    void aCounterWhoseFiniteIncrementsAddUpToInfinityStaysAtTheLargestDouble() {
        String name = unique("huge");
        Counter counter = metrics().createCounter(name, "Huge", NO_LABELS);

        counter.inc(Double.MAX_VALUE);
        counter.inc(Double.MAX_VALUE);

        assertEquals(Double.MAX_VALUE, counter.get());
        assertEquals(Double.MAX_VALUE, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @Test
    void rejectsANegativeIntegerIncrement() {
        IntCounter counter = metrics().createIntCounter(unique("guarded"), "h", NO_LABELS);
        counter.inc(3);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> counter.inc(-1));

        assertTrue(error.getMessage().startsWith("IntCounter increment must be >= 0, got -1"), error.getMessage());
        assertEquals(3L, counter.get());
    }
}
