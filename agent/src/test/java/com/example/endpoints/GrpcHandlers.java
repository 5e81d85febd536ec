package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** gRPC handlers answering through their response observer. */
public class GrpcHandlers {
    public static final String NS = "grpc_test";

    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "grpc-test-later");
        thread.setDaemon(true);
        return thread;
    });
    /** Counted down when {@link #silent} is entered, and when it is told that its call was cancelled. */
    public final CountDownLatch silentEntered = new CountDownLatch(1);
    public final CountDownLatch cancelSeen = new CountDownLatch(1);

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answer_later")
    public void answerLater(String request, StreamObserver<String> responses) {
        later.schedule(() -> {
            responses.onNext("echo " + request);
            responses.onCompleted();
        }, 200, TimeUnit.MILLISECONDS);
    }

    /** Answers at once, from another thread: the server may finish the call before that thread returns. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answer_elsewhere")
    public void answerElsewhere(String request, StreamObserver<String> responses) {
        later.execute(() -> {
            responses.onNext("echo " + request);
            responses.onCompleted();
        });
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answer_now")
    public void answerNow(String request, StreamObserver<String> responses) {
        responses.onNext("echo " + request);
        responses.onCompleted();
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "status_error")
    public void statusError(String request, StreamObserver<String> responses) {
        responses.onError(Status.INVALID_ARGUMENT.withDescription("bad " + request).asException());
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "plain_error")
    public void plainError(String request, StreamObserver<String> responses) {
        responses.onError(new IllegalArgumentException("bad " + request));
    }

    /** Hands its observer to another measured handler, which answers: both calls end with the answer. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "outer")
    public void outer(String request, StreamObserver<String> responses) {
        inner(request, responses);
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "inner")
    public void inner(String request, StreamObserver<String> responses) {
        later.schedule(() -> {
            responses.onNext("inner " + request);
            responses.onCompleted();
        }, 50, TimeUnit.MILLISECONDS);
    }

    /** Calls a measured handler that throws, catches that, and answers itself. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "recovering")
    public void recovering(String request, StreamObserver<String> responses) {
        try {
            innerThrowing(request, responses);
        } catch (IllegalStateException handled) {
            responses.onNext("recovered " + request);
            responses.onCompleted();
        }
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "inner_throwing")
    public void innerThrowing(String request, StreamObserver<String> responses) {
        throw new IllegalStateException("inner handler bug");
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "throwing")
    public void throwing(String request, StreamObserver<String> responses) {
        throw new IllegalStateException("handler bug");
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "silent")
    public void silent(String request, StreamObserver<String> responses) {
        ((ServerCallStreamObserver<String>) responses).setOnCancelHandler(cancelSeen::countDown);
        silentEntered.countDown();
    }

    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "chat")
    public StreamObserver<String> chat(StreamObserver<String> responses) {
        return new StreamObserver<String>() {
            @Override
            public void onNext(String message) {
                responses.onNext("echo " + message);
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
                responses.onCompleted();
            }
        };
    }

    /** A bidi handler whose request observer throws on the message {@code "boom"}. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "chat_failing")
    public StreamObserver<String> chatFailing(StreamObserver<String> responses) {
        return new StreamObserver<String>() {
            @Override
            public void onNext(String message) {
                if (message.equals("boom")) {
                    throw new ArithmeticException("request observer bug");
                }
                responses.onNext("echo " + message);
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
                responses.onCompleted();
            }
        };
    }

    /** Answers 300 ms after it returned: too late when an interceptor closes the call first. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answer_too_late")
    public void answerTooLate(String request, StreamObserver<String> responses) {
        later.schedule(() -> {
            try {
                responses.onNext("late " + request);
                responses.onCompleted();
            } catch (IllegalStateException callClosed) {
                lateAnswerRefused.countDown();
            }
        }, 300, TimeUnit.MILLISECONDS);
    }

    /** Keeps its observer for the test, which answers through it after an interceptor closed the call. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answered_after_close")
    public void answeredAfterClose(String request, StreamObserver<String> responses) {
        lastObserver = responses;
    }

    public volatile StreamObserver<String> lastObserver;

    /** Hands its observer to the test, which reports the answer's course to the agent itself. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "undecided")
    public void undecided(String request, StreamObserver<String> responses) {
        undecidedObservers.add(responses);
    }

    public final BlockingQueue<StreamObserver<String>> undecidedObservers = new LinkedBlockingQueue<>();

    /** Counted down when gRPC refused {@link #answerTooLate}'s answer because the call was closed. */
    public final CountDownLatch lateAnswerRefused = new CountDownLatch(1);

    /**
     * Hands its observer to the test, which answers through it after the client cancelled the call;
     * counts what gRPC itself reports of the call's end to the application.
     */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "answered_after_cancel")
    public void answeredAfterCancel(String request, StreamObserver<String> responses) {
        ServerCallStreamObserver<String> observer = (ServerCallStreamObserver<String>) responses;
        observer.setOnCancelHandler(cancelsReported::countDown);
        answeredAfterCancelObservers.add(responses);
    }

    public final BlockingQueue<StreamObserver<String>> answeredAfterCancelObservers = new LinkedBlockingQueue<>();
    /** Counted down by gRPC's report to the application that {@link #answeredAfterCancel}'s call was cancelled. */
    public final CountDownLatch cancelsReported = new CountDownLatch(1);

    /** Not a gRPC call: called directly with the test's own observer, so timed to its return. */
    @DynamoEndpoint(namespace = NS, component = "grpc", endpoint = "direct")
    public void direct(String request, StreamObserver<String> responses) {
        responses.onNext(request);
    }
}
