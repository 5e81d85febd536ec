package com.example.endpoints;

import com.google.common.util.concurrent.FluentFuture;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.SettableFuture;
import dev.dynamo.runtime.DynamoEndpoint;
import io.netty.util.concurrent.Promise;
import org.springframework.util.concurrent.SettableListenableFuture;

/**
 * Handlers returning eager futures of Java libraries: Guava's ListenableFuture (declared as it or as
 * one of its subtypes), Spring's ListenableFuture and Netty's Future.
 */
public class EagerFutureHandlers {
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

    @DynamoEndpoint(namespace = NS, component = "spring", endpoint = "listenable")
    public org.springframework.util.concurrent.ListenableFuture<String> spring(SettableListenableFuture<String> answer) {
        return answer;
    }

    @DynamoEndpoint(namespace = NS, component = "netty", endpoint = "future")
    public io.netty.util.concurrent.Future<String> netty(Promise<String> answer) {
        return answer;
    }
}
