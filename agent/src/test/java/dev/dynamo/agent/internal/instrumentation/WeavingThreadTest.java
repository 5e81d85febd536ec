package dev.dynamo.agent.internal.instrumentation;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
