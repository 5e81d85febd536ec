package dev.dynamo.agent.internal.instrumentation;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wait of a loading thread for the weaving it handed to a thread of its own. */
class WeavingThreadTest {
    private static final byte[] WOVEN = {1, 2, 3};

    /**
     * The waiting thread holds the lock of the loader that serves the agent's classes (a custom system class
     * loader that is not parallel-capable, loading the class), and the weaving needs it, as it does to load an
     * agent class it has not used yet: the wait gives up soon after the weaving blocks. Before, it gave up
     * only after {@link WeavingThread#WAIT_MILLIS}: each annotated class stalled its first use 5 s (a re-tester,
     * {@code -Djava.system.class.loader} with {@code -Xss136k}).
     */
    @Test
    void theWaitGivesUpSoonWhenTheWeavingNeedsTheAgentLoaderTheWaiterHolds() {
        ClassLoader agentLoader = new ClassLoader(null) { };
        WeavingThread result;
        long waitedMillis;
        synchronized (agentLoader) {
            long start = System.nanoTime();
            result = WeavingThread.weave(() -> {
                synchronized (agentLoader) {
                    return WOVEN;
                }
            }, WeavingThread.WAIT_MILLIS, agentLoader);
            waitedMillis = (System.nanoTime() - start) / 1_000_000;
        }
        assertNull(result, "a weaving that cannot end while the class loads is given up");
        assertTrue(waitedMillis < WeavingThread.WAIT_MILLIS / 5, "waited " + waitedMillis + " ms");
        awaitNoneBlocked();
    }

    /**
     * While a weaving thread given up on is still blocked on the agent's loader, the next class's weaving starts
     * no thread: it would block the same way. Before, each class of a burst started one (a re-tester: 76 at once).
     * Once that thread has ended, weaving threads start again.
     */
    @Test
    void noWeavingThreadStartsWhileOneGivenUpOnIsStillBlocked() throws Exception {
        ClassLoader agentLoader = new ClassLoader(null) { };
        AtomicBoolean secondRan = new AtomicBoolean();
        synchronized (agentLoader) {
            assertNull(WeavingThread.weave(() -> {
                synchronized (agentLoader) {
                    return WOVEN;
                }
            }, WeavingThread.WAIT_MILLIS, agentLoader));
            assertEquals(1, WeavingThread.blockedOnAgentLoader());
            assertNull(WeavingThread.weave(() -> {
                secondRan.set(true);
                return WOVEN;
            }, WeavingThread.WAIT_MILLIS, agentLoader), "no thread for the next class while one is blocked");
        }
        awaitNoneBlocked();
        assertFalse(secondRan.get(), "the second weaving never ran");
        WeavingThread third;
        synchronized (agentLoader) {
            third = WeavingThread.weave(() -> WOVEN, WeavingThread.WAIT_MILLIS, agentLoader);
        }
        assertNotNull(third, "threads start again once the blocked one has ended");
        assertArrayEquals(WOVEN, third.result());
    }

    /** Waits until the weaving threads given up on have ended, so that no test sees another's. */
    private static void awaitNoneBlocked() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (WeavingThread.blockedOnAgentLoader() > 0 && System.nanoTime() < deadline) {
            sleep(5);
        }
        assertEquals(0, WeavingThread.blockedOnAgentLoader(), "a weaving thread given up on never ended");
    }

    /** A monitor the weaving meets held for a moment by a third thread does not end the wait. */
    @Test
    void aWeavingBlockedForAMomentElsewhereIsWaitedFor() throws Exception {
        ClassLoader agentLoader = new ClassLoader(null) { };
        Object busy = new Object();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (busy) {
                held.countDown();
                sleep(WeavingThread.BLOCKED_MILLIS / 5);
            }
        });
        holder.start();
        held.await();
        WeavingThread result;
        synchronized (agentLoader) {
            result = WeavingThread.weave(() -> {
                synchronized (busy) {
                    return WOVEN;
                }
            }, WeavingThread.WAIT_MILLIS, agentLoader);
        }
        holder.join();
        assertNotNull(result, "the weaving is waited for");
        assertArrayEquals(WOVEN, result.result());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
