package dev.dynamo.benchmarks.styles;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server and its channel on grpc-java's in-process transport, both with a direct executor:
 * a call runs on the caller's thread from the client stub through the server call to the handler
 * and back, so that what is measured is the call machinery, not thread hops. The service is defined
 * by hand ({@code bench.Styles}, {@code Long} messages), so the module needs no protoc.
 */
final class InProcessGrpc implements AutoCloseable {
    private static final String SERVICE = "bench.Styles";
    static final MethodDescriptor<Long, Long> HANDLE = unary("Handle");
    static final MethodDescriptor<Long, Long> INSIDE_SPAN = unary("InsideSpan");
    static final MethodDescriptor<Long, Long> OUTSIDE_SPAN = unary("OutsideSpan");

    private final Server server;
    private final ManagedChannel channel;

    private InProcessGrpc(ServerServiceDefinition service) {
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        } catch (IOException unexpected) {
            throw new UncheckedIOException(unexpected);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** A service whose {@link #HANDLE} method is {@code handle}; add further methods to the builder. */
    static ServerServiceDefinition.Builder service(ServerCalls.UnaryMethod<Long, Long> handle) {
        return ServerServiceDefinition.builder(SERVICE).addMethod(HANDLE, ServerCalls.asyncUnaryCall(handle));
    }

    /** Starts {@code service} and makes one call of {@link #HANDLE}, checking its answer. */
    static InProcessGrpc startAndCallOnce(ServerServiceDefinition service) {
        InProcessGrpc grpc = new InProcessGrpc(service);
        long answer = grpc.call(HANDLE, 1L);
        if (answer != SuspendHandlersKt.work(1L)) {
            grpc.close();
            throw new IllegalStateException("the gRPC handler answered " + answer + " to 1");
        }
        return grpc;
    }

    /** One blocking unary call: the stub runs the client's callbacks on the calling thread. */
    Long call(MethodDescriptor<Long, Long> method, Long request) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, request);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            channel.awaitTermination(10, TimeUnit.SECONDS);
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static MethodDescriptor<Long, Long> unary(String name) {
        return MethodDescriptor.<Long, Long>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(LongMarshaller.INSTANCE).setResponseMarshaller(LongMarshaller.INSTANCE)
                .build();
    }

    /**
     * Marshals a {@code Long} as protobuf's marshaller marshals a message: the stream carries the
     * value, and {@code parse} takes it back unread when it is handed that same stream, as the
     * in-process transport does; the eight bytes are produced only for a reader.
     */
    private enum LongMarshaller implements MethodDescriptor.Marshaller<Long> {
        INSTANCE;

        @Override
        public InputStream stream(Long value) {
            return new ValueStream(value);
        }

        @Override
        public Long parse(InputStream stream) {
            if (stream instanceof ValueStream && ((ValueStream) stream).unread()) {
                return ((ValueStream) stream).value;
            }
            try {
                return new DataInputStream(stream).readLong();
            } catch (IOException unreadable) {
                throw new UncheckedIOException(unreadable);
            }
        }
    }

    /** A value's eight big-endian bytes, computed as they are read. */
    private static final class ValueStream extends InputStream {
        final long value;
        private int position;

        ValueStream(long value) {
            this.value = value;
        }

        boolean unread() {
            return position == 0;
        }

        @Override
        public int read() {
            if (position == Long.BYTES) {
                return -1;
            }
            int shift = Byte.SIZE * (Long.BYTES - 1 - position++);
            return (int) (value >>> shift) & 0xff;
        }

        @Override
        public int available() {
            return Long.BYTES - position;
        }
    }
}
