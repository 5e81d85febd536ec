package dev.dynamo.agent.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up steps that need more stack than the JVM's main thread has at the smallest -Xss. */
class AgentStarterTest {
    private static final int LEVELS = 6_000;

    @Test
    void aStepThatOverflowsTheStartingThreadsStackRunsAgainOnAThreadWithAStackOfItsOwn() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<Throwable> escaped = new AtomicReference<>();
        int[] reached = new int[1];
        // A thread with as small a stack as -Xss136k gives the main thread: the step cannot run on it.
        Thread small = new Thread(null, () -> {
            try {
                AgentStarter.onEnoughStack(() -> {
                    attempts.incrementAndGet();
                    reached[0] = descend(LEVELS);
                }, "the test step ran");
            } catch (Throwable failed) {
                escaped.set(failed);
            }
        }, "small-stack", 136 * 1024);
        small.start();
        small.join();

        assertNull(escaped.get(), "the step failed after all");
        assertEquals(2, attempts.get(), "run once on the small stack, then once on its own");
        assertEquals(LEVELS, reached[0]);
    }

    /** A host name's lookup that waits for a name server that does not answer (20 s in a cluster) holds premain 250 ms at most. */
    @Test
    void aServerStartThatWaitsForItsHostLookupIsLeftToGoOnWhileTheApplicationStarts() throws Exception {
        java.util.concurrent.CountDownLatch lookup = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        long start = System.nanoTime();
        AgentStarter.startAwaitingTheLookup(() -> {
            lookup.await();
            started.incrementAndGet();
        }, "metrics.orders.svc.cluster.local");
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        int startedMeanwhile = started.get();
        lookup.countDown();

        assertTrue(waitedMillis >= AgentStarter.HOST_LOOKUP_WAIT_MILLIS && waitedMillis < 5_000, "waited " + waitedMillis);
        assertEquals(0, startedMeanwhile, "premain did not wait for the server");
        long giveUp = System.nanoTime() + 10_000_000_000L;
        while (started.get() == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertEquals(1, started.get(), "the server's start went on");
    }

    @Test
    void aServerStartWhoseLookupAnswersAtOnceIsWaitedFor() {
        AtomicInteger started = new AtomicInteger();

        AgentStarter.startAwaitingTheLookup(started::incrementAndGet, "localhost");

        assertEquals(1, started.get());
    }

    /** 6,000 levels need more than 136 KB even as 32-byte compiled frames, and less than 1 MiB interpreted. */
    private static int descend(int levels) {
        long a = levels;
        long b = a * 31;
        long c = b ^ a;
        return levels == 0 ? 0 : descend(levels - 1) + 1 + (int) ((a + b + c) & 0);
    }
}
