package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Handlers returning a Mutiny {@code Uni}, and their callers, for a class loader that serves an older
 * Mutiny (1.x, 0.x) in place of the one on the test class path. Compiled against the newer Mutiny,
 * this class uses only methods that older ones have with the same descriptors, and the tests reach it
 * by name only: loaded by the test class loader, it would link to the newer Mutiny.
 */
public class OlderMutinyHandlers {
    public static final String NS = "older_mutiny_test";

    @DynamoEndpoint(namespace = NS, component = "uni", endpoint = "ready")
    public Uni<String> ready() {
        return Uni.createFrom().item("ready");
    }

    @DynamoEndpoint(namespace = NS, component = "uni", endpoint = "failing")
    public Uni<String> failing() {
        return Uni.createFrom().failure(new IllegalStateException("no stock"));
    }

    @DynamoEndpoint(namespace = NS, component = "uni", endpoint = "never")
    public Uni<String> never() {
        return Uni.createFrom().nothing();
    }

    private static final Uni<Integer> ONE = Uni.createFrom().item(1);
    /** Overflows caught by {@link #subscribed}. */
    private static int caught;

    /** Recurses until the stack is exhausted, each level awaiting the value of the level below. */
    @DynamoEndpoint(namespace = NS, component = "uni", endpoint = "subscribed")
    public static Uni<Integer> subscribed(int level) {
        try {
            subscribed(level + 1).await().indefinitely();
        } catch (StackOverflowError end) {
            caught++;
        }
        return ONE;
    }

    /** One descent of {@link #subscribed} to the end of the stack. */
    public static void descend() {
        subscribed(0);
    }

    @DynamoEndpoint(namespace = NS, component = "multi", endpoint = "items")
    public Multi<Integer> items() {
        return Multi.createFrom().items(1, 2, 3);
    }

    private static final Multi<Integer> ITEMS = Multi.createFrom().items(1, 2, 3);

    /** As {@link #subscribed}, through a {@code Multi}. */
    @DynamoEndpoint(namespace = NS, component = "multi", endpoint = "subscribed")
    public static Multi<Integer> multiSubscribed(int level) {
        try {
            multiSubscribed(level + 1).collect().last().await().indefinitely();
        } catch (StackOverflowError end) {
            caught++;
        }
        return ITEMS;
    }

    /** One descent of {@link #multiSubscribed} to the end of the stack. */
    public static void descendMulti() {
        multiSubscribed(0);
    }

    /** The sum of the items of {@code calls} calls of {@link #items}. */
    public static int sumItems(int calls) {
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            for (int item : new OlderMutinyHandlers().items().collect().asList().await().indefinitely()) {
                sum += item;
            }
        }
        return sum;
    }

    public static int caught() {
        return caught;
    }

    /** Awaits a ready value {@code subscriptions} times, one value per call. */
    public static String awaitReady(int calls, int subscriptions) {
        String item = null;
        for (int i = 0; i < calls; i++) {
            Uni<String> uni = new OlderMutinyHandlers().ready();
            for (int s = 0; s < subscriptions; s++) {
                item = uni.await().indefinitely();
            }
        }
        return item;
    }

    /** The message of the failure the caller's {@code await()} throws. */
    public static String awaitFailing() {
        try {
            new OlderMutinyHandlers().failing().await().indefinitely();
            return null;
        } catch (IllegalStateException failure) {
            return failure.getMessage();
        }
    }

    /** Subscribes to a value that never ends, and cancels the subscription. */
    public static void cancelNever() {
        Cancellable subscription = new OlderMutinyHandlers().never().subscribe().with(item -> { });
        subscription.cancel();
    }

    /** The class of the value {@code ready()} returns, made again or not. */
    public static String returnedClass() {
        return new OlderMutinyHandlers().ready().getClass().getName();
    }

    /** Calls {@code ready()} without subscribing to what it returns. */
    public static void callOnly() {
        new OlderMutinyHandlers().ready();
    }
}
