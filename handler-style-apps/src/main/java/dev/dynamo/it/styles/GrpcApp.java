package dev.dynamo.it.styles;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.dynamo.it.styles.AppChecks.callFromTwoThreads;
import static dev.dynamo.it.styles.AppChecks.check;

/**
 * A grpc-java server (Netty, on the loopback interface) serving {@link GrpcHandlers} through a
 * hand-written service definition, and its client calling every method a known number of times,
 * from two threads; prints {@code done <calls>} and waits for stdin to close.
 *
 * <p>Arguments: unary calls per thread (default 200).
 */
public final class GrpcApp {
    private static final String SERVICE = "it.Styles";
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

    private GrpcApp() {
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> UNAVAILABLE = method("Unavailable", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> THROWING = method("Throwing", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SILENT = method("Silent", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SERVER_STREAM =
            method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        GrpcHandlers handlers = new GrpcHandlers();
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall(handlers::unary))
                .addMethod(UNAVAILABLE, ServerCalls.asyncUnaryCall(handlers::unavailable))
                .addMethod(THROWING, ServerCalls.asyncUnaryCall(handlers::throwing))
                .addMethod(SILENT, ServerCalls.asyncUnaryCall(handlers::silent))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall(handlers::serverStream))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(handlers::chat))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
            callAll(channel, calls);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        System.out.println("done " + calls);
        System.out.flush();
        System.in.read();
        server.shutdownNow();
    }

    private static void callAll(ManagedChannel channel, int calls) throws Exception {
        // First: a bidi handler runs before gRPC has loaded its streaming call listener.
        chat(channel);
        callFromTwoThreads(calls, i -> {
            String reply = ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, "n" + i);
            check(reply.equals("echo n" + i), "unary answered " + reply);
        });
        for (int i = 0; i < 3; i++) {
            expectStatus(Status.Code.UNAVAILABLE, () -> ClientCalls.blockingUnaryCall(channel, UNAVAILABLE,
                    CallOptions.DEFAULT, "x"));
        }
        for (int i = 0; i < 2; i++) {
            expectStatus(Status.Code.UNKNOWN, () -> ClientCalls.blockingUnaryCall(channel, THROWING,
                    CallOptions.DEFAULT, "x"));
        }
        expectStatus(Status.Code.DEADLINE_EXCEEDED, () -> ClientCalls.blockingUnaryCall(channel, SILENT,
                CallOptions.DEFAULT.withDeadlineAfter(200, TimeUnit.MILLISECONDS), "x"));
        Iterator<String> streamed = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM,
                CallOptions.DEFAULT, "part");
        int parts = 0;
        while (streamed.hasNext()) {
            streamed.next();
            parts++;
        }
        check(parts == 3, "server_stream sent " + parts);
    }

    private static void chat(ManagedChannel channel) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        List<String> replies = new ArrayList<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, CallOptions.DEFAULT),
                new StreamObserver<String>() {
                    @Override
                    public void onNext(String reply) {
                        replies.add(reply);
                    }

                    @Override
                    public void onError(Throwable failure) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext("a");
        requests.onNext("b");
        Thread.sleep(GrpcHandlers.DELAY_MILLIS);
        requests.onCompleted();
        check(done.await(30, TimeUnit.SECONDS) && replies.size() == 2, "chat answered " + replies);
    }

    private static void expectStatus(Status.Code expected, Runnable call) {
        try {
            call.run();
            throw new AssertionError("expected status " + expected);
        } catch (StatusRuntimeException failed) {
            check(failed.getStatus().getCode() == expected, "expected " + expected + ", got " + failed.getStatus());
        }
    }
}
