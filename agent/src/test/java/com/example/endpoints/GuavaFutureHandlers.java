package com.example.endpoints;

import com.google.common.util.concurrent.FluentFuture;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.SettableFuture;
import dev.dynamo.runtime.DynamoEndpoint;

/** Handlers returning Guava's ListenableFuture, declared as it or as one of its subtypes. */
public class GuavaFutureHandlers {
    public static final String NS = "eager_future_test";

    @DynamoEndpoint(namespace = NS, component = "guava", endpoint = "listenable")
    public ListenableFuture<String> listenable(SettableFuture<String> answer) {
        return answer;
    }

    /** Declared as a subtype: found through the return type's hierarchy. */
    @DynamoEndpoint(namespace = NS, component = "guava", endpoint = "settable")
    public SettableFuture<String> settable(SettableFuture<String> answer) {
        return answer;
    }

    @DynamoEndpoint(namespace = NS, component = "guava", endpoint = "fluent")
    public FluentFuture<String> fluent(ListeningExecutorService executor, long millis) {
        return FluentFuture.from(executor.submit(() -> {
            Thread.sleep(millis);
            return "late";
        }));
    }

    @DynamoEndpoint(namespace = NS, component = "guava", endpoint = "immediate")
    public ListenableFuture<String> immediate() {
        return Futures.immediateFuture("done");
    }
}
