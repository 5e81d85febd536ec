package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialChecksTest {
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<Runnable>(CredentialChecks.MAX_QUEUED));
    private final CredentialChecks checks = new CredentialChecks(thread);

    @AfterEach
    void stop() {
        checks.stop();
    }

    @Test
    void refusesBeyondTheQueueWhileACheckRuns() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(checks.submit(() -> {
            running.countDown();
            awaitQuietly(release);
        }));
        assertTrue(running.await(5, TimeUnit.SECONDS));

        for (int i = 0; i < CredentialChecks.MAX_QUEUED; i++) {
            assertTrue(checks.submit(() -> { }), "queued " + i);
        }
        assertFalse(checks.submit(() -> { }), "one more than the queue holds");
        release.countDown();
    }

    @Test
    void pausesBetweenChecksOnceTheBurstIsSpent() throws InterruptedException {
        // Ten checks of 100 ms, 1 s of checking: 500 ms come from the burst, the rest at a quarter of
        // the time passing, so they take about 2 s instead of 1 s.
        int count = 10;
        CountDownLatch done = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            assertTrue(checks.submit(() -> {
                sleepQuietly(100);
                done.countDown();
            }));
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(tookMillis >= 1_600, "took only " + tookMillis + " ms");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }
}
