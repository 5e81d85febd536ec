package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.GrpcHandlers;
import dev.dynamo.runtime.internal.instrumentation.StreamObserverCalls;
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import io.grpc.CallOptions;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC handlers that answer through a {@code StreamObserver}, served by a real (in-process) gRPC
 * server: timed until the response observer completes, fails or is cancelled.
 */
class StreamObserverShapeTest {
    private static final String SERVICE = "test.Shapes";
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<String>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException unreadable) {
                throw new IllegalArgumentException(unreadable);
            }
        }
    };

    private static EndpointTransformer transformer;
    private static GrpcHandlers handlers;
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void startServer() throws IOException {
        transformer = EndpointMetrics.install();
        handlers = new GrpcHandlers();
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(unary("AnswerLater"), ServerCalls.asyncUnaryCall(handlers::answerLater))
                .addMethod(unary("AnswerNow"), ServerCalls.asyncUnaryCall(handlers::answerNow))
                .addMethod(unary("AnswerElsewhere"), ServerCalls.asyncUnaryCall(handlers::answerElsewhere))
                .addMethod(unary("StatusError"), ServerCalls.asyncUnaryCall(handlers::statusError))
                .addMethod(unary("PlainError"), ServerCalls.asyncUnaryCall(handlers::plainError))
                .addMethod(unary("Throwing"), ServerCalls.asyncUnaryCall(handlers::throwing))
                .addMethod(unary("Outer"), ServerCalls.asyncUnaryCall(handlers::outer))
                .addMethod(unary("Recovering"), ServerCalls.asyncUnaryCall(handlers::recovering))
                .addMethod(unary("Silent"), ServerCalls.asyncUnaryCall(handlers::silent))
                .addMethod(unary("Undecided"), ServerCalls.asyncUnaryCall(handlers::undecided))
                .addMethod(chat(), ServerCalls.asyncBidiStreamingCall(handlers::chat))
                .addMethod(bidi("ChatFailing"), ServerCalls.asyncBidiStreamingCall(handlers::chatFailing))
                .addMethod(unary("AnswerTooLate"), closingAfterTheHandler(ServerCalls.asyncUnaryCall(handlers::answerTooLate)))
                .addMethod(unary("AnsweredAfterClose"),
                        closingThenAnswering(ServerCalls.asyncUnaryCall(handlers::answeredAfterClose)))
                .build();
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        EndpointMetrics.uninstall(transformer);
    }

    private static MethodDescriptor<String, String> unary(String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    private static MethodDescriptor<String, String> chat() {
        return bidi("Chat");
    }

    private static MethodDescriptor<String, String> bidi(String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    /** The client's side of a streaming call: the replies, and how the call ended. */
    private static final class ClientSide implements StreamObserver<String> {
        final List<String> replies = new CopyOnWriteArrayList<>();
        final CountDownLatch firstReply = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        @Override
        public void onNext(String reply) {
            replies.add(reply);
            firstReply.countDown();
        }

        @Override
        public void onError(Throwable thrown) {
            failure.set(thrown);
            closed.countDown();
        }

        @Override
        public void onCompleted() {
            closed.countDown();
        }
    }

    /** How many answers gRPC refused in {@link #closingThenAnswering}. */
    private static final AtomicInteger refusedAnswers = new AtomicInteger();

    /**
     * {@code next}, behind an interceptor that closes the call with {@code ABORTED} once the handler
     * returned, and then has the handler's observer answer, before gRPC tells the listener of the close.
     */
    private static ServerCallHandler<String, String> closingThenAnswering(ServerCallHandler<String, String> next) {
        return closingAfterTheHandler(next, () -> {
            try {
                handlers.lastObserver.onCompleted();
            } catch (RuntimeException callAlreadyClosed) {
                refusedAnswers.incrementAndGet();
            }
        });
    }

    /** {@code next}, behind an interceptor that closes the call with {@code ABORTED} as soon as the handler has returned. */
    private static ServerCallHandler<String, String> closingAfterTheHandler(ServerCallHandler<String, String> next) {
        return closingAfterTheHandler(next, () -> { });
    }

    /** {@code next}, behind an interceptor that closes the call with {@code ABORTED} once the handler returned, then runs {@code afterClose}. */
    private static ServerCallHandler<String, String> closingAfterTheHandler(ServerCallHandler<String, String> next,
            Runnable afterClose) {
        return (call, headers) -> new ForwardingServerCallListener.SimpleForwardingServerCallListener<String>(
                next.startCall(call, headers)) {
            @Override
            public void onHalfClose() {
                super.onHalfClose();
                call.close(Status.ABORTED.withDescription("closed by an interceptor"), new Metadata());
                afterClose.run();
            }
        };
    }

    private static String call(String method, String request) {
        return ClientCalls.blockingUnaryCall(channel, unary(method), CallOptions.DEFAULT, request);
    }

    private static EndpointMetrics metrics(String endpoint) {
        return new EndpointMetrics(GrpcHandlers.NS, "grpc", endpoint);
    }

    @Test
    void unaryCallIsTimedUntilTheObserverCompletesAfterTheHandlerReturned() throws InterruptedException {
        EndpointMetrics metrics = metrics("answer_later");

        assertEquals("echo a", call("AnswerLater", "a"));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();

        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.2, "duration covers the late answer: " + metrics.durationSum());
    }

    @Test
    void statusErrorCountsUnderTheStatusCodeName() throws InterruptedException {
        EndpointMetrics metrics = metrics("status_error");

        StatusRuntimeException seen = assertThrows(StatusRuntimeException.class, () -> call("StatusError", "x"));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();

        assertEquals(Status.Code.INVALID_ARGUMENT, seen.getStatus().getCode());
        assertEquals(1, metrics.errors("INVALID_ARGUMENT"));
        assertEquals(0, metrics.errors("StatusException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void otherErrorPassedToOnErrorCountsUnderItsSimpleName() throws InterruptedException {
        EndpointMetrics metrics = metrics("plain_error");

        assertThrows(StatusRuntimeException.class, () -> call("PlainError", "x"));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();

        assertEquals(1, metrics.errors("IllegalArgumentException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aHandlerPassingItsObserverToAnotherMeasuredHandlerEndsWithItsAnswer() throws InterruptedException {
        EndpointMetrics outer = metrics("outer");
        EndpointMetrics inner = metrics("inner");

        for (int i = 0; i < 3; i++) {
            assertEquals("inner " + i, call("Outer", String.valueOf(i)));
        }

        for (EndpointMetrics metrics : new EndpointMetrics[] {outer, inner}) {
            awaitNoPendingCall();
            assertEquals(3, metrics.requests());
            assertEquals(3, metrics.durations());
            assertEquals(0, metrics.inflight());
        }
        assertTrue(outer.durationSum() >= 0.15, "timed to the answer: " + outer.durationSum());
    }

    @Test
    void aNestedHandlerThatThrowsEndsAloneAndItsCallerEndsWithItsOwnAnswer() throws InterruptedException {
        EndpointMetrics recovering = metrics("recovering");
        EndpointMetrics throwing = metrics("inner_throwing");

        assertEquals("recovered x", call("Recovering", "x"));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();

        assertEquals(1, throwing.errors("IllegalStateException"));
        assertEquals(0, throwing.inflight());
        assertEquals(1, recovering.requests());
        assertEquals(1, recovering.durations());
        assertEquals(0, recovering.errors("IllegalStateException"), "the caller handled it");
        assertEquals(0, recovering.inflight());
    }

    @Test
    void handlerThatThrowsInsteadOfCallingOnErrorCountsOneError() throws InterruptedException {
        EndpointMetrics metrics = metrics("throwing");

        assertThrows(StatusRuntimeException.class, () -> call("Throwing", "x"));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();

        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    /**
     * The listener's report of the close comes on another thread while the handler's answer is
     * pending (gRPC's onCompleted entered, not yet returned): the close may be the answer's or an
     * earlier one (an interceptor's) that gRPC refuses the answer for. The call ends when the
     * answering thread learns which. Before, the close ended it at once as answered, also when the
     * answer was then refused: a failed call counted as a success (seen under load, one run in many).
     * The same reports as gRPC's woven classes make, in the order of that race.
     */
    @Test
    void aCloseWhileAnAnswerIsPendingEndsTheCallAsGrpcDecidesTheAnswer() throws Exception {
        EndpointMetrics metrics = metrics("undecided");
        for (boolean taken : new boolean[] {false, true}) {
            Future<String> reply = ClientCalls.futureUnaryCall(channel.newCall(unary("Undecided"), CallOptions.DEFAULT),
                    "x");
            StreamObserver<String> observer = handlers.undecidedObservers.poll(10, TimeUnit.SECONDS);
            assertNotNull(observer);

            StreamObserverCalls.answering(observer);
            Thread closer = new Thread(() -> StreamObserverCalls.closed(observer));
            closer.start();
            closer.join();
            assertEquals(1, metrics.inflight(), "the close waits for the answer's fate");
            if (taken) {
                StreamObserverCalls.answered(observer);
            } else {
                StreamObserverCalls.refused(observer);
            }
            assertEquals(0, metrics.inflight());
            reply.cancel(true);
        }
        assertEquals(2, metrics.requests());
        assertEquals(2, metrics.durations());
        assertEquals(1, metrics.errors(StreamObserverCalls.CLOSED_WITHOUT_ANSWER), "the refused answer's call");
        assertEquals(0, metrics.cancellations(), "the client's cancel came after each call ended");
    }

    /** Where the transport finishes the call inside the answer, on its thread, gRPC took the answer. */
    @Test
    void aCloseOnTheAnsweringThreadEndsTheCallWithTheAnswer() throws Exception {
        EndpointMetrics metrics = metrics("undecided");
        long requests = metrics.requests();
        Future<String> reply = ClientCalls.futureUnaryCall(channel.newCall(unary("Undecided"), CallOptions.DEFAULT), "x");
        StreamObserver<String> observer = handlers.undecidedObservers.poll(10, TimeUnit.SECONDS);
        assertNotNull(observer);
        long errors = metrics.errors(StreamObserverCalls.CLOSED_WITHOUT_ANSWER);

        StreamObserverCalls.answering(observer);
        StreamObserverCalls.closed(observer);

        assertEquals(0, metrics.inflight(), "ended by the close");
        StreamObserverCalls.answered(observer);
        reply.cancel(true);
        assertEquals(requests + 1, metrics.requests());
        assertEquals(errors, metrics.errors(StreamObserverCalls.CLOSED_WITHOUT_ANSWER));
    }

    @Test
    void callCancelledByTheClientCountsACancellation() throws Exception {
        EndpointMetrics metrics = metrics("silent");

        Future<String> reply = ClientCalls.futureUnaryCall(channel.newCall(unary("Silent"), CallOptions.DEFAULT), "x");
        assertTrue(handlers.silentEntered.await(10, TimeUnit.SECONDS));
        assertEquals(1, metrics.inflight(), "in flight while the handler has not answered");
        reply.cancel(true);

        assertTrue(handlers.cancelSeen.await(10, TimeUnit.SECONDS), "the application's cancel handler still runs");
        assertEquals(1, metrics.cancellations());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
        assertEquals(0, metrics.errors("CANCELLED"));
    }

    /**
     * The client cancels a unary call while the server's executor is busy, so gRPC tells the call's
     * listener only later; meanwhile the handler answers, and gRPC takes the answer without complaint
     * and drops it. The client sees {@code CANCELLED}, the application's cancel handler runs: a
     * cancellation. Before, the answer's return ended the call as a success (a re-tester: about a
     * third of 4,000 calls with deadlines near the service's latency).
     */
    @Test
    void anAnswerGrpcTakesAfterTheClientCancelledIsACancellation() throws Exception {
        EndpointMetrics metrics = metrics("answered_after_cancel");
        ExecutorService serverThread = Executors.newSingleThreadExecutor();
        String name = InProcessServerBuilder.generateName();
        Server busyServer = InProcessServerBuilder.forName(name).executor(serverThread)
                .addService(ServerServiceDefinition.builder(SERVICE).addMethod(unary("AnsweredAfterCancel"),
                        ServerCalls.asyncUnaryCall(handlers::answeredAfterCancel)).build())
                .build().start();
        ManagedChannel busyChannel = InProcessChannelBuilder.forName(name).build();
        CountDownLatch release = new CountDownLatch(1);
        try {
            Future<String> reply = ClientCalls.futureUnaryCall(
                    busyChannel.newCall(unary("AnsweredAfterCancel"), CallOptions.DEFAULT), "x");
            StreamObserver<String> observer = handlers.answeredAfterCancelObservers.poll(10, TimeUnit.SECONDS);
            assertNotNull(observer);
            // The server's thread runs this only once gRPC's run of the handler (and of whatever it queued for
            // the call meanwhile) has returned: a cancel queued while that run went on ran inside it, before the
            // answer (a CI run).
            CountDownLatch blocking = new CountDownLatch(1);
            serverThread.execute(() -> {
                blocking.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocking.await(10, TimeUnit.SECONDS));

            reply.cancel(true);
            observer.onNext("too late");
            observer.onCompleted();
            assertEquals(1, metrics.inflight(), "in flight until gRPC tells the listener how the call ended");
            release.countDown();

            assertTrue(handlers.cancelsReported.await(10, TimeUnit.SECONDS), "gRPC reports a cancel");
            awaitNoPendingCall();
            assertEquals(1, metrics.requests());
            assertEquals(1, metrics.durations());
            assertEquals(1, metrics.cancellations());
            assertEquals(0, metrics.inflight());
        } finally {
            release.countDown();
            busyChannel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            busyServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            serverThread.shutdownNow();
        }
    }

    @Test
    void bidiCallIsTimedUntilTheResponseObserverCompletes() throws InterruptedException {
        EndpointMetrics metrics = metrics("chat");
        ClientSide client = new ClientSide();

        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(chat(), CallOptions.DEFAULT),
                client);
        requests.onNext("a");
        // The handler has surely started once it answered: from here on, 100 ms pass inside the call.
        assertTrue(client.firstReply.await(10, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertEquals(1, metrics.inflight(), "in flight until the response observer completes");
        requests.onNext("b");
        requests.onCompleted();

        assertTrue(client.closed.await(10, TimeUnit.SECONDS));
        // The server reports the answer once gRPC took it, just after the client may have seen it.
        awaitNoPendingCall();
        assertEquals(List.of("echo a", "echo b"), client.replies);
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.1, "duration covers the conversation: " + metrics.durationSum());
    }

    @Test
    void aRequestObserverThatThrowsEndsItsCallAsAnErrorOfItsType() throws InterruptedException {
        EndpointMetrics metrics = metrics("chat_failing");
        int calls = 5;
        for (int i = 0; i < calls; i++) {
            ClientSide client = new ClientSide();
            StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                    channel.newCall(bidi("ChatFailing"), CallOptions.DEFAULT), client);
            requests.onNext("a");
            requests.onNext("boom");
            assertTrue(client.closed.await(10, TimeUnit.SECONDS));
            assertEquals(Status.Code.UNKNOWN, Status.fromThrowable(client.failure.get()).getCode(),
                    "gRPC's answer: " + client.failure.get());
        }

        // Before: requests 5, in flight 5 for good, no error, and each call's objects kept.
        awaitNoPendingCall();
        assertEquals(calls, metrics.requests());
        assertEquals(calls, metrics.durations());
        assertEquals(0, metrics.inflight());
        assertEquals(calls, metrics.errors("ArithmeticException"));
    }

    @Test
    void aCallAnInterceptorClosesBeforeTheHandlerAnswersEndsAsAnError() throws InterruptedException {
        EndpointMetrics metrics = metrics("answer_too_late");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> call("AnswerTooLate", "x"));

        assertEquals(Status.Code.ABORTED, refused.getStatus().getCode());
        awaitNoPendingCall();
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
        assertEquals(1, metrics.errors("closed_without_answer"));
        // The handler's late answer finds the call ended: counted once.
        assertTrue(handlers.lateAnswerRefused.await(10, TimeUnit.SECONDS));
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.errors("IllegalStateException"));
    }

    /**
     * The handler answers after the interceptor closed the call, before the close reaches the call's
     * listener: gRPC refuses the answer, and the call ends with the close. Before, the refused
     * {@code onCompleted} ended it as a success.
     */
    @Test
    void anAnswerGrpcRefusesBecauseTheCallWasClosedChangesNothing() throws InterruptedException {
        EndpointMetrics metrics = metrics("answered_after_close");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> call("AnsweredAfterClose", "x"));

        assertEquals(Status.Code.ABORTED, refused.getStatus().getCode());
        // The call ends when the close reaches its listener, after the interceptor's answer attempt.
        awaitNoPendingCall();
        assertEquals(1, refusedAnswers.get(), "gRPC refused the handler's answer");
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(1, metrics.errors("closed_without_answer"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * Answers given on another thread, which gRPC's transport may finish (the listener's
     * {@code onComplete}) before {@code onCompleted} returns there: each is the call's outcome. Counted
     * as closed without an answer before the observer's entry marked the answer pending (14 calls in
     * an integration test over Netty).
     */
    @Test
    void answersGivenOnAnotherThreadAreNeverTakenForClosesWithoutAnswer() throws InterruptedException {
        EndpointMetrics metrics = metrics("answer_elsewhere");
        int calls = 300;

        for (int i = 0; i < calls; i++) {
            assertEquals("echo " + i, call("AnswerElsewhere", String.valueOf(i)));
        }

        awaitNoPendingCall();
        assertEquals(calls, metrics.requests());
        assertEquals(calls, metrics.durations());
        assertEquals(0, metrics.errors("closed_without_answer"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * The server's end of a call reaches its listener just after the client has seen it, and is
     * recorded after it leaves the table of pending calls: the seam counts it until it is recorded
     * (a CI run read an error before it was counted, twice).
     */
    private static void awaitNoPendingCall() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (WovenCallsSeams.pendingGrpcCalls() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, WovenCallsSeams.pendingGrpcCalls(), "calls still waiting for their end");
    }

    @Test
    void twoThreadsOfManyCallsAreCountedExactly() throws Exception {
        EndpointMetrics metrics = metrics("answer_now");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int t = 0; t < 2; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        call("AnswerNow", "n" + i);
                    }
                });
            }
        } finally {
            threads.shutdown();
            assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
            // The server reports the answer once gRPC took it, just after the client may have seen it.
            awaitNoPendingCall();
        }

        assertEquals(2000, metrics.requests());
        assertEquals(2000, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void handlerCalledWithAnotherObserverIsTimedToItsReturn() {
        EndpointMetrics metrics = metrics("direct");
        List<String> seen = new ArrayList<>();

        handlers.direct("x", new StreamObserver<String>() {
            @Override
            public void onNext(String value) {
                seen.add(value);
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
            }
        });

        assertEquals(List.of("x"), seen);
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }
}
