package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The annotated methods {@link EndpointsApp} calls; all under namespace {@code it}. */
final class Handlers {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "handlers-timer");
        thread.setDaemon(true);
        return thread;
    });

    /** The exception {@link #throwing} threw last, to check that the caller gets that very object. */
    static volatile IllegalStateException lastThrown;

    private Handlers() {
    }

    @DynamoEndpoint(namespace = "it", component = "load", endpoint = "work")
    static long work(long x) {
        return x * 31 + 7;
    }

    @DynamoEndpoint(namespace = "it", component = "blocking", endpoint = "block")
    static void block(CountDownLatch entered, CountDownLatch release) {
        entered.countDown();
        try {
            release.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @DynamoEndpoint(namespace = "it", component = "async", endpoint = "slow")
    static CompletableFuture<String> slow(long millis) {
        CompletableFuture<String> future = new CompletableFuture<>();
        TIMER.schedule(() -> future.complete("completed after " + millis + " ms"), millis, TimeUnit.MILLISECONDS);
        return future;
    }

    @DynamoEndpoint(namespace = "it", component = "async", endpoint = "failing")
    static CompletableFuture<String> failing() {
        // supplyAsync wraps the exception in a CompletionException; the metric must name the cause.
        return CompletableFuture.supplyAsync(() -> {
            throw new QuotaExceededException("quota exceeded");
        });
    }

    @DynamoEndpoint(namespace = "it", component = "async", endpoint = "cancelled")
    static CompletableFuture<String> pending() {
        return new CompletableFuture<>();
    }

    @DynamoEndpoint(namespace = "it", component = "sync", endpoint = "throwing")
    static void throwing() {
        IllegalStateException failure = new IllegalStateException("thrown by the handler");
        lastThrown = failure;
        throw failure;
    }

    static final class QuotaExceededException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QuotaExceededException(String message) {
            super(message);
        }
    }
}
