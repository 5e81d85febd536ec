package dev.dynamo.benchmarks.styles;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import io.grpc.stub.ServerCalls;
import kotlin.coroutines.Continuation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Collections;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one call of a handler in each asynchronous style (a Kotlin suspend function, a Reactor
 * {@code Mono}, a Guava {@code ListenableFuture}, a gRPC unary method), plain, under the dynamo agent and under OpenTelemetry's
 * {@code @WithSpan}. The handlers complete at once, so that what is measured is the instrumentation
 * of the style: a suspend call and its continuation, a Mono subscribed and ended, a future's listener
 * added and run, a whole unary call
 * through gRPC's in-process transport ({@link InProcessGrpc}). {@link HandlerStyleRunner} runs each
 * method in its own fork with its agent flags; each state checks them in its set-up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandlerStyleBenchmark {

    /** Per-thread input, and the caller's continuation of the suspend calls. */
    @State(Scope.Thread)
    public static class Input {
        private long x;
        final Continuation<Object> caller = new ImmediateContinuation();

        long next() {
            return x++;
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        PlainSuspendHandler suspendHandler;
        MonoHandlers.Plain monoHandler;
        ListenableFutureHandlers.Plain futureHandler;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireNoAgent();
            suspendHandler = new PlainSuspendHandler();
            monoHandler = new MonoHandlers.Plain();
            futureHandler = new ListenableFutureHandlers.Plain();
        }
    }

    @State(Scope.Benchmark)
    public static class Dynamo {
        DynamoSuspendHandler suspendHandler;
        MonoHandlers.Dynamo monoHandler;
        ListenableFutureHandlers.Dynamo futureHandler;
        private IntCounter suspendRequests;
        private IntCounter monoRequests;
        private IntCounter futureRequests;

        @Setup
        public void setUp() throws Exception {
            BenchmarkFiles.requireAgent("dynamo-agent");
            suspendHandler = new DynamoSuspendHandler();
            monoHandler = new MonoHandlers.Dynamo();
            futureHandler = new ListenableFutureHandlers.Dynamo();
            suspendHandler.handle(0, new ImmediateContinuation());
            monoHandler.handle(0).block();
            futureHandler.handle(0).get();
            suspendRequests = requests("suspend");
            monoRequests = requests(MonoHandlers.Dynamo.ENDPOINT);
            futureRequests = requests(ListenableFutureHandlers.Dynamo.ENDPOINT);
            if (suspendRequests.get() != 1 || monoRequests.get() != 1 || futureRequests.get() != 1) {
                throw new IllegalStateException("the dynamo agent did not instrument the handler styles: "
                        + suspendRequests.get() + " suspend, " + monoRequests.get() + " Mono and "
                        + futureRequests.get() + " ListenableFuture requests after one call");
            }
        }

        private static IntCounter requests(String endpoint) {
            return DistributedRuntime.get().namespace(DynamoSuspendHandler.NAMESPACE)
                    .component(DynamoSuspendHandler.COMPONENT).endpoint(endpoint).metrics()
                    .createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                            Collections.<String, String>emptyMap());
        }

        @TearDown
        public void report() {
            System.out.println("dynamo requests recorded: suspend " + suspendRequests.get() + ", Mono "
                    + monoRequests.get() + ", ListenableFuture " + futureRequests.get());
        }
    }

    @State(Scope.Benchmark)
    public static class Otel {
        OtelSuspendHandler suspendHandler;
        MonoHandlers.Otel monoHandler;
        ListenableFutureHandlers.Otel futureHandler;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("opentelemetry-javaagent");
            suspendHandler = new OtelSuspendHandler();
            monoHandler = new MonoHandlers.Otel();
            futureHandler = new ListenableFutureHandlers.Otel();
            if (!monoHandler.insideSpan() || !futureHandler.insideSpan()) {
                throw new IllegalStateException("the OpenTelemetry agent did not instrument @WithSpan methods");
            }
            if (!Boolean.TRUE.equals(suspendHandler.insideSpan(new ImmediateContinuation()))) {
                throw new IllegalStateException("the OpenTelemetry agent did not instrument @WithSpan suspend functions");
            }
        }
    }

    /** The gRPC states are apart from the others, so that the other methods' forks start no gRPC server. */
    @State(Scope.Benchmark)
    public static class GrpcPlain {
        InProcessGrpc grpc;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireNoAgent();
            grpc = InProcessGrpc.startAndCallOnce(InProcessGrpc.service(new GrpcHandlers.Plain()::handle).build());
        }

        @TearDown
        public void close() {
            grpc.close();
        }
    }

    @State(Scope.Benchmark)
    public static class GrpcDynamo {
        InProcessGrpc grpc;
        private IntCounter requests;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("dynamo-agent");
            grpc = InProcessGrpc.startAndCallOnce(InProcessGrpc.service(new GrpcHandlers.Dynamo()::handle).build());
            requests = Dynamo.requests(GrpcHandlers.Dynamo.ENDPOINT);
            if (requests.get() != 1) {
                throw new IllegalStateException("the dynamo agent did not instrument the gRPC handler: "
                        + requests.get() + " requests after one call");
            }
        }

        @TearDown
        public void close() {
            System.out.println("dynamo requests recorded: gRPC " + requests.get());
            grpc.close();
        }
    }

    @State(Scope.Benchmark)
    public static class GrpcOtel {
        InProcessGrpc grpc;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("opentelemetry-javaagent");
            GrpcHandlers.Otel handler = new GrpcHandlers.Otel();
            grpc = InProcessGrpc.startAndCallOnce(InProcessGrpc.service(handler::handle)
                    .addMethod(InProcessGrpc.INSIDE_SPAN, ServerCalls.asyncUnaryCall(handler::insideSpan))
                    .addMethod(InProcessGrpc.OUTSIDE_SPAN, ServerCalls.asyncUnaryCall(handler::outsideSpan))
                    .build());
            if (grpc.call(InProcessGrpc.INSIDE_SPAN, 0L) != 1L) {
                grpc.close();
                throw new IllegalStateException("the OpenTelemetry agent did not instrument the @WithSpan gRPC handler");
            }
            if (grpc.call(InProcessGrpc.OUTSIDE_SPAN, 0L) != 0L) {
                grpc.close();
                throw new IllegalStateException("OpenTelemetry's gRPC instrumentation is on (a span without @WithSpan):"
                        + " run with -D" + HandlerStyleRunner.OTEL_GRPC_OFF + ", so that only @WithSpan is measured");
            }
        }

        @TearDown
        public void close() {
            grpc.close();
        }
    }

    @Benchmark
    public Object suspendNoAgent(Plain state, Input input) {
        return state.suspendHandler.handle(input.next(), input.caller);
    }

    @Benchmark
    public Object suspendDynamo(Dynamo state, Input input) {
        return state.suspendHandler.handle(input.next(), input.caller);
    }

    @Benchmark
    public Object suspendOtel(Otel state, Input input) {
        return state.suspendHandler.handle(input.next(), input.caller);
    }

    @Benchmark
    public Long monoNoAgent(Plain state, Input input) {
        return state.monoHandler.handle(input.next()).block();
    }

    @Benchmark
    public Long monoDynamo(Dynamo state, Input input) {
        return state.monoHandler.handle(input.next()).block();
    }

    @Benchmark
    public Long monoOtel(Otel state, Input input) {
        return state.monoHandler.handle(input.next()).block();
    }

    @Benchmark
    public Long listenableFutureNoAgent(Plain state, Input input) throws Exception {
        return state.futureHandler.handle(input.next()).get();
    }

    @Benchmark
    public Long listenableFutureDynamo(Dynamo state, Input input) throws Exception {
        return state.futureHandler.handle(input.next()).get();
    }

    @Benchmark
    public Long listenableFutureOtel(Otel state, Input input) throws Exception {
        return state.futureHandler.handle(input.next()).get();
    }

    @Benchmark
    public Long grpcNoAgent(GrpcPlain state, Input input) {
        return state.grpc.call(InProcessGrpc.HANDLE, input.next());
    }

    @Benchmark
    public Long grpcDynamo(GrpcDynamo state, Input input) {
        return state.grpc.call(InProcessGrpc.HANDLE, input.next());
    }

    @Benchmark
    public Long grpcOtel(GrpcOtel state, Input input) {
        return state.grpc.call(InProcessGrpc.HANDLE, input.next());
    }
}
