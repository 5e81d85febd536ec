package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** gRPC handlers that answer through their response observer, most of them after they returned. */
public final class GrpcHandlers {
    public static final long DELAY_MILLIS = 5;

    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "grpc-handlers-later");
        thread.setDaemon(true);
        return thread;
    });

    /** Unary: answers {@link #DELAY_MILLIS} after returning. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "unary")
    public void unary(String request, StreamObserver<String> responses) {
        later.schedule(() -> {
            responses.onNext("echo " + request);
            responses.onCompleted();
        }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Unary: fails with status UNAVAILABLE through onError, after returning. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "unavailable")
    public void unavailable(String request, StreamObserver<String> responses) {
        later.schedule(() -> responses.onError(Status.UNAVAILABLE.withDescription("try later").asRuntimeException()),
                1, TimeUnit.MILLISECONDS);
    }

    /** Unary: throws instead of calling onError. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "throwing")
    public void throwing(String request, StreamObserver<String> responses) {
        throw new IllegalStateException("handler bug");
    }

    /** Unary: never answers; the client's deadline cancels it. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "silent")
    public void silent(String request, StreamObserver<String> responses) {
        // Applications cast the observer to reach the server-side API: it must still be gRPC's own.
        ((ServerCallStreamObserver<String>) responses).setOnCancelHandler(() -> { });
    }

    /** Server streaming: three messages, then completes. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "server_stream")
    public void serverStream(String request, StreamObserver<String> responses) {
        later.schedule(() -> {
            for (int i = 0; i < 3; i++) {
                responses.onNext(request + " " + i);
            }
            responses.onCompleted();
        }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Bidi: echoes every message, completes when the client does. */
    @DynamoEndpoint(namespace = "it", component = "grpc", endpoint = "chat")
    public StreamObserver<String> chat(StreamObserver<String> responses) {
        return new StreamObserver<String>() {
            @Override
            public void onNext(String message) {
                responses.onNext("echo " + message);
            }

            @Override
            public void onError(Throwable failure) {
                responses.onError(failure);
            }

            @Override
            public void onCompleted() {
                responses.onCompleted();
            }
        };
    }
}
