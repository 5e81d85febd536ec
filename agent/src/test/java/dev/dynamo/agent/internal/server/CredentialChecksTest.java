package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialChecksTest {
    private static final long A = 1;
    private static final long B = 2;
    private static final long C = 3;
    /** A deadline no check here reaches. */
    private static final long FAR = System.nanoTime() + TimeUnit.HOURS.toNanos(1);

    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<Runnable>(CredentialChecks.MAX_QUEUED));
    private final CredentialChecks checks = new CredentialChecks(thread);
    /** The names of the checks run, in order, and of those turned away. */
    private final List<String> ran = Collections.synchronizedList(new ArrayList<String>());
    private final List<String> refused = Collections.synchronizedList(new ArrayList<String>());
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        checks.stop();
    }

    /** Submits a check named {@code name} that records its run, or its refusal. */
    private void submit(long source, String name) {
        checks.submit(source, FAR, pace -> ran.add(name), () -> refused.add(name));
    }

    /** Starts a check of {@code source} that runs until {@link #release}, so that the next ones wait. */
    private void occupyTheCheckingThread(long source) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        checks.submit(source, FAR, pace -> {
            running.countDown();
            awaitQuietly(release);
        }, () -> refused.add("occupying"));
        assertTrue(running.await(5, TimeUnit.SECONDS));
    }

    /** Lets the waiting checks run and returns their names in the order they ran. */
    private List<String> runAll(int expected) throws InterruptedException {
        release.countDown();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ran.size() < expected && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        return new ArrayList<String>(ran);
    }

    @Test
    void refusesBeyondTheQueueWhileACheckRuns() throws InterruptedException {
        occupyTheCheckingThread(A);

        for (int i = 0; i < CredentialChecks.MAX_QUEUED; i++) {
            submit(A, "a" + i);
        }
        submit(A, "one more than the queue holds");

        assertEquals(Arrays.asList("one more than the queue holds"), refused);
        assertEquals(CredentialChecks.MAX_QUEUED, runAll(CredentialChecks.MAX_QUEUED).size());
    }

    @Test
    void servesTheSourcesInTurnWithTheSourceServedLastBehindThoseThatCameMeanwhile() throws InterruptedException {
        occupyTheCheckingThread(A);
        submit(A, "a1");
        submit(A, "a2");
        submit(A, "a3");
        submit(B, "b1");
        submit(C, "c1");
        submit(B, "b2");

        assertEquals(Arrays.asList("b1", "c1", "a1", "b2", "a2", "a3"), runAll(6));
        assertEquals(Collections.emptyList(), refused);
    }

    @Test
    void aNewSourceTakesThePlaceOfTheNewestCheckOfTheSourceWithTheMost() throws InterruptedException {
        occupyTheCheckingThread(A);
        for (int i = 1; i <= CredentialChecks.MAX_QUEUED; i++) {
            submit(A, "a" + i);
        }

        submit(B, "b1");
        submit(C, "c1");

        assertEquals(Arrays.asList("a16", "a15"), refused);
        List<String> order = runAll(CredentialChecks.MAX_QUEUED);
        assertEquals(Arrays.asList("b1", "c1", "a1", "a2"), order.subList(0, 4));
        assertEquals(CredentialChecks.MAX_QUEUED, order.size());
    }

    @Test
    void aSourceWithFewerWaitingTakesAPlaceOnlyFromOneWithTwoMore() throws InterruptedException {
        occupyTheCheckingThread(A);
        for (int i = 1; i < CredentialChecks.MAX_QUEUED; i++) {
            submit(A, "a" + i);
        }
        submit(B, "b1");

        // Two behind one address (a pair of Prometheus servers behind one NAT) get in while A has two more.
        submit(B, "b2");
        assertEquals(Arrays.asList("a15"), refused);
        for (int i = 3; i <= 8; i++) {
            submit(B, "b" + i);
        }
        assertEquals(Arrays.asList("a15", "a14", "a13", "a12", "a11", "a10", "a9"), refused);

        // A has 8 and B 8 now: neither takes the other's places.
        submit(B, "b9");
        submit(A, "a16");
        assertEquals(Arrays.asList("b9", "a16"), refused.subList(7, 9));
        assertEquals(CredentialChecks.MAX_QUEUED, runAll(CredentialChecks.MAX_QUEUED).size());
    }

    @Test
    void refusesANewSourceWhenEverySourceWaitingHasOneCheck() throws InterruptedException {
        occupyTheCheckingThread(A);
        for (int i = 1; i <= CredentialChecks.MAX_QUEUED; i++) {
            submit(100 + i, "s" + i);
        }

        submit(B, "new source");
        submit(101, "second of a waiting source");

        assertEquals(Arrays.asList("new source", "second of a waiting source"), refused);
        List<String> order = runAll(CredentialChecks.MAX_QUEUED);
        assertEquals(CredentialChecks.MAX_QUEUED, order.size());
        assertEquals("s1", order.get(0));
    }

    @Test
    void everyCheckRunsOrIsTurnedAwayExactlyOnceWhateverTheSources() throws InterruptedException {
        int count = 5_000;
        AtomicIntegerArray outcomes = new AtomicIntegerArray(count);
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            int check = i;
            checks.submit(random.nextInt(6), FAR, pace -> outcomes.addAndGet(check, 1),
                    () -> outcomes.addAndGet(check, 1_000));
        }

        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int undecided = count;
        while (undecided > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(10);
            undecided = 0;
            for (int i = 0; i < count; i++) {
                undecided += outcomes.get(i) == 0 ? 1 : 0;
            }
        }
        Thread.sleep(50);
        for (int i = 0; i < count; i++) {
            assertTrue(outcomes.get(i) == 1 || outcomes.get(i) == 1_000, "check " + i + ": " + outcomes.get(i));
        }
    }

    @Test
    void refusesOnceStopped() {
        checks.stop();

        submit(A, "after the stop");

        assertEquals(Arrays.asList("after the stop"), refused);
    }

    @Test
    void pausesBetweenChecksOnceTheBurstIsSpent() throws InterruptedException {
        // Ten checks of 100 ms, 1 s of checking: 500 ms come from the burst, the rest at a quarter of
        // the time passing, so they take about 2 s instead of 1 s.
        int count = 10;
        CountDownLatch done = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            checks.submit(A, FAR, pace -> {
                sleepQuietly(100);
                done.countDown();
            }, () -> refused.add("a check"));
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(tookMillis >= 1_600, "took only " + tookMillis + " ms");
        assertEquals(Collections.emptyList(), refused);
    }

    /**
     * One long check (a bcrypt of cost 31 runs for days) kept a whole core until it ended: the pause came only
     * between checks (a re-tester). 1.5 s of work, told to the pace every millisecond: the 500 ms burst and a
     * quarter of the time passing last for the first 667 ms, the other 833 ms take four times as long, about
     * 4 s in all, where it took 1.5 s before.
     */
    @Test
    void pausesInsideALongCheckOnceTheBurstIsSpent() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        checks.submit(A, FAR, pace -> {
            long worked = 0;
            long spins = 0;
            while (worked < TimeUnit.MILLISECONDS.toNanos(1_500)) {
                long step = System.nanoTime();
                while (System.nanoTime() - step < TimeUnit.MILLISECONDS.toNanos(1)) {
                    spins++;
                }
                worked += System.nanoTime() - step;
                pace.proceed();
            }
            assertTrue(spins > 0);
            done.countDown();
        }, () -> refused.add("the long check"));
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(tookMillis >= 3_000, "1.5 s of checking took only " + tookMillis + " ms");
    }

    /** A check that would run for days is told to stop at its deadline, and the next check still runs. */
    @Test
    void aCheckIsToldToStopAtItsDeadlineAndTheNextOneRuns() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        long start = System.nanoTime();
        checks.submit(A, start + TimeUnit.MILLISECONDS.toNanos(300), pace -> {
            while (pace.proceed()) {
                sleepQuietly(1);
            }
            stopped.countDown();
        }, () -> refused.add("the endless check"));
        submit(B, "the next");

        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the check was never told to stop");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis >= 300 && tookMillis < 5_000, "stopped after " + tookMillis + " ms");
        assertEquals(Collections.singletonList("the next"), runAll(1));
    }

    @Test
    void takesAnIpv4AddressOrTheSlash64OfAnIpv6OneAsTheSource() throws UnknownHostException {
        assertEquals(source("192.0.2.1"), source("192.0.2.1"));
        assertNotEquals(source("192.0.2.1"), source("192.0.2.2"));
        assertEquals(source("2001:db8:1:2::1"), source("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertNotEquals(source("2001:db8:1:2::1"), source("2001:db8:1:3::1"));
        assertEquals(source("192.0.2.1"), source("::ffff:192.0.2.1"), "an IPv4-mapped address is the IPv4 one");
        assertNotEquals(source("0.0.0.1"), source("::1"));
        assertEquals(CredentialChecks.UNKNOWN_SOURCE, CredentialChecks.sourceOf((InetSocketAddress) null));
    }

    private static long source(String address) throws UnknownHostException {
        return CredentialChecks.sourceOf(new InetSocketAddress(InetAddress.getByName(address), 9090));
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
