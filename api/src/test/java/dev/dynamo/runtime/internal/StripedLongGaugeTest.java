package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StripedLongGaugeTest {
    /** An adder whose sums are given in turn: what other threads added between two reads. */
    private static final class Scripted extends LongAdder {
        private static final long serialVersionUID = 1L;
        private final long[] sums;
        private int next;

        Scripted(long... sums) {
            this.sums = sums;
        }

        @Override
        public long sum() {
            return sums[Math.min(next++, sums.length - 1)];
        }
    }

    @Test
    void readsWhatWasInFlightWhenNothingEndedDuringTheRead() {
        assertEquals(1, StripedLongGauge.inFlight(new Scripted(7), new Scripted(6, 6)));
    }

    /**
     * A re-tester's method called by one thread only showed up to 10 in flight: the calls that ended between the
     * read of what went down and that of what went up. Such a read is taken again.
     */
    @Test
    void readsAgainWhenCallsEndedDuringTheRead() {
        // Down 5, then up 9 while 3 calls ended (down 8): read again, up 9, down still 8.
        assertEquals(1, StripedLongGauge.inFlight(new Scripted(9, 9), new Scripted(5, 8, 8)));
    }

    @Test
    void neverReadsBelowZeroWhenCallsNeverStopEnding() {
        long[] downs = new long[20];
        long[] ups = new long[20];
        for (int i = 0; i < downs.length; i++) {
            downs[i] = 10L * i;
            ups[i] = 10L * i + 12;
        }
        // Every read sees calls ending: after the attempts, what went down before what went up.
        long value = StripedLongGauge.inFlight(new Scripted(ups), new Scripted(downs));
        assertTrue(value >= 0, "read " + value);
    }

    @Test
    void countsUpAndDown() {
        StripedLongGauge gauge = new StripedLongGauge();
        gauge.inc();
        gauge.inc();
        gauge.dec();
        gauge.add(3);
        gauge.sub(2);
        assertEquals(2, gauge.get());
        gauge.set(-4);
        assertEquals(-4, gauge.get());
    }
}
