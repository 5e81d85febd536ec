package dev.dynamo.agent.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

    /** 6,000 levels need more than 136 KB even as 32-byte compiled frames, and less than 1 MiB interpreted. */
    private static int descend(int levels) {
        long a = levels;
        long b = a * 31;
        long c = b ^ a;
        return levels == 0 ? 0 : descend(levels - 1) + 1 + (int) ((a + b + c) & 0);
    }
}
