package dev.dynamo.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Deadlocks two daemon threads on each other's monitor and prints {@code deadlocked} once both are
 * blocked. Then reads stdin: {@code detect} runs the JVM's deadlock detection once and prints
 * {@code detected N}; the end of stdin returns from {@code main}.
 */
public final class DeadlockedThreadsApp {
    private static final Object FIRST = new Object();
    private static final Object SECOND = new Object();

    private DeadlockedThreadsApp() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread one = lockBoth("deadlocked-one", FIRST, SECOND, bothHoldOne);
        Thread two = lockBoth("deadlocked-two", SECOND, FIRST, bothHoldOne);
        long deadline = System.nanoTime() + 30_000_000_000L;
        // Thread.getState, not ThreadMXBean: the app must not run deadlock detection itself.
        while ((one.getState() != Thread.State.BLOCKED || two.getState() != Thread.State.BLOCKED)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.println("deadlocked: " + one.getState() + " " + two.getState());
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
            if (line.trim().equals("detect")) {
                long[] found = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
                System.out.println("detected " + (found == null ? 0 : found.length));
            }
        }
    }

    private static Thread lockBoth(String name, Object held, Object wanted, CountDownLatch bothHoldOne) {
        Thread thread = new Thread(() -> {
            synchronized (held) {
                bothHoldOne.countDown();
                try {
                    bothHoldOne.await();
                } catch (InterruptedException interrupted) {
                    return;
                }
                synchronized (wanted) {
                    wanted.hashCode();
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
