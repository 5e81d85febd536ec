package dev.dynamo.benchmarks.percall;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
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
 * Cost of one call of a small handler, plain and under each kind of instrumentation. Each method
 * needs its own JVM flags (an agent or none): {@link PerCallRunner} runs each in its own fork with
 * them, and each state checks in its set-up that the flags are right.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerCallBenchmark {

    /** Per-thread input, so that no call can be folded into a constant. */
    @State(Scope.Thread)
    public static class Input {
        private long x;

        long next() {
            return x++;
        }
    }

    @State(Scope.Benchmark)
    public static class Plain {
        PlainHandler handler;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireNoAgent();
            handler = new PlainHandler();
        }
    }

    @State(Scope.Benchmark)
    public static class Dynamo {
        DynamoHandler handler;
        private IntCounter requests;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("dynamo-agent");
            handler = new DynamoHandler();
            handler.handle(0);
            // Created by the agent on the first call; asking for it again returns the same counter.
            requests = DistributedRuntime.get().namespace(DynamoHandler.NAMESPACE).component(DynamoHandler.COMPONENT)
                    .endpoint(DynamoHandler.ENDPOINT).metrics()
                    .createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                            Collections.<String, String>emptyMap());
            if (requests.get() != 1) {
                throw new IllegalStateException("the dynamo agent did not instrument DynamoHandler.handle: "
                        + WorkHandler.REQUESTS_TOTAL + " is " + requests.get() + " after one call");
            }
        }

        @TearDown
        public void report() {
            System.out.println("dynamo requests recorded: " + requests.get());
        }
    }

    @State(Scope.Benchmark)
    public static class HandWritten {
        HandWrittenHandler handler;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireNoAgent();
            handler = new HandWrittenHandler(new CollectorRegistry(true));
        }

        @TearDown
        public void report() {
            System.out.println("simpleclient requests recorded: " + handler.requestCount());
        }
    }

    @State(Scope.Benchmark)
    public static class Micrometer {
        MicrometerHandler handler;
        private PrometheusMeterRegistry registry;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("aspectjweaver");
            // TimedAspect, created by the weaver with its no-argument constructor, records to the global registry.
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Metrics.addRegistry(registry);
            handler = new MicrometerHandler();
            handler.handle(0);
            Timer timer = registry.find(MicrometerHandler.TIMER).timer();
            if (timer == null || timer.count() != 1) {
                throw new IllegalStateException("TimedAspect was not woven into MicrometerHandler.handle"
                        + " (is META-INF/aop.xml in the jar?)");
            }
        }

        @TearDown
        public void report() {
            System.out.println("micrometer calls recorded: " + registry.find(MicrometerHandler.TIMER).timer().count());
        }
    }

    @State(Scope.Benchmark)
    public static class Otel {
        OtelHandler handler;

        @Setup
        public void setUp() {
            BenchmarkFiles.requireAgent("opentelemetry-javaagent");
            handler = new OtelHandler();
            if (!handler.insideSpan()) {
                throw new IllegalStateException("the OpenTelemetry agent did not instrument @WithSpan methods");
            }
        }
    }

    @Benchmark
    public long noAgent(Plain state, Input input) {
        return state.handler.handle(input.next());
    }

    /** Not a peer: the floor of any recording that measures a duration, for reading the others. */
    @Benchmark
    public long clockReadsOnly(Plain state, Input input) {
        long start = System.nanoTime();
        long result = state.handler.handle(input.next());
        return result + (System.nanoTime() - start);
    }

    @Benchmark
    public long dynamoAgent(Dynamo state, Input input) {
        return state.handler.handle(input.next());
    }

    @Benchmark
    public long handWrittenSimpleclient(HandWritten state, Input input) {
        return state.handler.handle(input.next());
    }

    @Benchmark
    public long micrometerTimedAspectJ(Micrometer state, Input input) {
        return state.handler.handle(input.next());
    }

    @Benchmark
    public long otelWithSpan(Otel state, Input input) {
        return state.handler.handle(input.next());
    }
}
