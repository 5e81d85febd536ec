package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/** Instrumentation targets of every method shape, outside the agent's packages. */
public class Handlers {
    public static final String NS = "instrumentation_test";

    @DynamoEndpoint(namespace = NS, component = "shapes", endpoint = "static_method")
    public static int twice(int x) {
        return 2 * x;
    }

    @DynamoEndpoint(namespace = NS, component = "shapes", endpoint = "instance_method")
    public String greet(String name) {
        return "hello " + name;
    }

    @DynamoEndpoint(namespace = NS, component = "shapes", endpoint = "private_method")
    private long privateSquare(long x) {
        return x * x;
    }

    public long callPrivate(long x) {
        return privateSquare(x);
    }

    @DynamoEndpoint(namespace = NS, component = "shapes", endpoint = "recursive")
    public static int countdown(int n) {
        return n == 0 ? 0 : 1 + countdown(n - 1);
    }

    @DynamoEndpoint(namespace = NS, component = "shapes", endpoint = "void_method")
    public static void doNothing() {
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "throwing")
    public static int fail(RuntimeException toThrow) {
        throw toThrow;
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "checked")
    public static void failChecked() throws java.io.IOException {
        throw new java.io.FileNotFoundException("missing.txt");
    }

    @DynamoEndpoint(namespace = NS, component = "blocking", endpoint = "await")
    public static void await(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
        entered.countDown();
        release.await();
    }

    /** Returns the future the caller fails with an exception whose {@code toString()} throws. */
    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "unprintable")
    public static CompletableFuture<String> unprintable(CompletableFuture<String> future) {
        return future;
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "pending")
    public static CompletableFuture<String> pending(CompletableFuture<String> future) {
        return future;
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "cancellable")
    public static CompletableFuture<String> cancellable(CompletableFuture<String> future) {
        return future;
    }

    /** Returns the application's own future type: its class file tells the weaver that it is a stage. */
    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "own_future")
    public static OwnFuture ownFuture(OwnFuture future) {
        return future;
    }

    /** An application's subclass of {@code CompletableFuture}, never loaded by the agent. */
    public static final class OwnFuture extends CompletableFuture<String> {
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "stage")
    public static CompletionStage<String> stage(CompletableFuture<String> future) {
        return future.thenApply(value -> value + "!");
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "done")
    public static CompletableFuture<String> alreadyDone(String value) {
        return CompletableFuture.completedFuture(value);
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "done_failed")
    public static CompletableFuture<String> alreadyFailed(RuntimeException failure) {
        CompletableFuture<String> future = new CompletableFuture<>();
        future.completeExceptionally(failure);
        return future;
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "completed_stage")
    public static CompletionStage<String> completedStage(String value) {
        return CompletableFuture.completedStage(value);
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "failed_stage")
    public static CompletionStage<String> failedStage(RuntimeException failure) {
        return CompletableFuture.failedStage(failure);
    }

    /** A stage of the application's own whose {@code handle} calls its function twice. */
    public static final class TwiceCallingStage extends CompletableFuture<String> {
        @Override
        public <U> CompletableFuture<U> handle(BiFunction<? super String, Throwable, ? extends U> function) {
            function.apply("once", null);
            function.apply("twice", null);
            return new CompletableFuture<U>();
        }
    }

    /** A stage of the application's own that takes no completion callback. */
    public static final class RefusingStage extends CompletableFuture<String> {
        @Override
        public <U> CompletableFuture<U> handle(BiFunction<? super String, Throwable, ? extends U> function) {
            throw new UnsupportedOperationException("no handle here");
        }
    }

    /** Takes {@code millis} before it returns {@code stage}. */
    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "refusing_stage")
    public static CompletionStage<String> refusingStage(RefusingStage stage, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return stage;
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "failing_causes")
    public static CompletableFuture<String> failingCauses(CompletableFuture<String> future) {
        return future;
    }

    /** A {@code CompletionException} of the application's, whose causes the test may make a loop. */
    public static final class LoopingCompletion extends java.util.concurrent.CompletionException {
        private static final long serialVersionUID = 1L;

        public LoopingCompletion(String message) {
            super(message);
        }
    }

    /** A {@code CompletionException} whose {@code getCause()} throws. */
    public static final class BrokenCauseCompletion extends java.util.concurrent.CompletionException {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("no cause to give");
        }
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "twice_calling_stage")
    public static CompletionStage<String> twiceCallingStage() {
        return new TwiceCallingStage();
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "minimal_stage")
    public static CompletionStage<String> minimalStage(CompletableFuture<String> future) {
        return future.minimalCompletionStage();
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "many_types")
    public static void failWith(RuntimeException failure) {
        throw failure;
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "hidden_type")
    public static void failHidden(RuntimeException failure) {
        throw failure;
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "one_type")
    public static void failOften(RuntimeException failure) {
        throw failure;
    }

    @DynamoEndpoint(namespace = NS, component = "async", endpoint = "null_future")
    public static CompletableFuture<String> nullFuture() {
        return null;
    }

    @DynamoEndpoint(namespace = NS, component = "my-component", endpoint = "with.dots")
    public static int sanitized() {
        return 1;
    }

    @DynamoEndpoint(namespace = NS, component = "backend", endpoint = "guarded")
    public static int guarded(int x) {
        if (x < 0) {
            throw new IllegalArgumentException("negative");
        }
        return x + 1;
    }
}
