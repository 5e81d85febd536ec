package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Handlers that both the dynamo agent and the OpenTelemetry Java agent instrument: each carries
 * {@code @DynamoEndpoint} and {@code @WithSpan}. For a method that returns a {@code CompletableFuture},
 * the OpenTelemetry agent hands the caller a future of its own.
 */
public final class TracedHandlers {
    private final ExecutorService pool = Executors.newFixedThreadPool(2, task -> {
        Thread thread = new Thread(task, "traced-pool");
        thread.setDaemon(true);
        return thread;
    });

    @WithSpan
    @DynamoEndpoint(namespace = "it", component = "traced", endpoint = "plain")
    public int plain(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        return value + 1;
    }

    /** Completes on another thread: fails for multiples of 5. */
    @WithSpan
    @DynamoEndpoint(namespace = "it", component = "traced", endpoint = "future")
    public CompletableFuture<Integer> future(int value) {
        return CompletableFuture.supplyAsync(() -> {
            if (value % 5 == 0) {
                throw new QuotaExceededException();
            }
            return value;
        }, pool);
    }

    /** Never completed by the handler: its caller cancels it. */
    @WithSpan
    @DynamoEndpoint(namespace = "it", component = "traced", endpoint = "abandoned")
    public CompletableFuture<Integer> abandoned() {
        return new CompletableFuture<>();
    }
}
