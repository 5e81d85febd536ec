package dev.dynamo.runtime.metrics;

import dev.dynamo.runtime.DistributedRuntime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramTimerTest {

    private static Histogram histogram() {
        return DistributedRuntime.get().namespace(unique("timer")).metrics()
                .createHistogram("work_seconds", "Work", null, Arrays.asList(0.001, 10.0));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void tryWithResourcesObservesTheDurationOnce() {
        Histogram histogram = histogram();

        try (Histogram.Timer timer = histogram.startTimer()) {
            sleep(5);
            double seconds = timer.observeDuration();
            assertTrue(seconds >= 0.004 && seconds < 10, "duration " + seconds);
        }

        assertEquals(1, histogram.getCount(), "close after observeDuration observes nothing more");
        assertTrue(histogram.getSum() >= 0.004);
        assertEquals(0, histogram.getCumulativeCounts()[0], "5 ms is above the 1 ms bucket");
    }

    @Test
    void timeRunnableObservesAlsoWhenTheWorkThrows() {
        Histogram histogram = histogram();

        double seconds = histogram.time(() -> sleep(2));
        IllegalStateException failure = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> histogram.time(() -> {
            throw failure;
        }));

        assertTrue(seconds >= 0.001, "duration " + seconds);
        assertSame(failure, thrown);
        assertEquals(2, histogram.getCount());
    }

    @Test
    void timeCallableReturnsTheResultAndRethrowsCheckedExceptionsUnchanged() throws Exception {
        Histogram histogram = histogram();

        String result = histogram.time(() -> "done");
        IOException failure = new IOException("disk");
        IOException thrown = assertThrows(IOException.class, () -> histogram.time(() -> {
            throw failure;
        }));

        assertEquals("done", result);
        assertSame(failure, thrown);
        assertEquals(2, histogram.getCount());
    }

    @Test
    void aTimerClosedTwiceObservesOnce() {
        Histogram histogram = histogram();
        AtomicBoolean ran = new AtomicBoolean();
        Histogram.Timer timer = histogram.startTimer();
        ran.set(true);

        timer.close();
        timer.close();

        assertTrue(ran.get());
        assertEquals(1, histogram.getCount());
    }
}
