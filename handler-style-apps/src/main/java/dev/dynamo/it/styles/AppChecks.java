package dev.dynamo.it.styles;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/** What the applications of this module check of their own calls before they print {@code done}. */
final class AppChecks {
    private AppChecks() {
    }

    /** Fails the application with {@code message} unless {@code condition} holds. */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /**
     * Makes {@code calls} calls {@code call.accept(0..calls-1)} on each of two threads at once and waits
     * for both; fails the application with the first thing either thread threw.
     */
    static void callFromTwoThreads(int calls, IntConsumer call) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < calls; i++) {
                    call.accept(i);
                }
            }, "caller-" + t);
            thread.setUncaughtExceptionHandler((failed, thrown) -> failure.compareAndSet(null, thrown));
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a caller thread failed", failure.get());
        }
    }
}
