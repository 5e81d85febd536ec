package dev.dynamo.benchmarks.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import reactor.core.publisher.Mono;

/** Handlers returning a Reactor {@code Mono}: unannotated, {@code @DynamoEndpoint}, {@code @WithSpan}. */
final class MonoHandlers {
    private MonoHandlers() {
    }

    static final class Plain {
        Mono<Long> handle(long x) {
            return Mono.just(SuspendHandlersKt.work(x));
        }
    }

    static final class Dynamo {
        static final String ENDPOINT = "mono";

        @DynamoEndpoint(namespace = DynamoSuspendHandler.NAMESPACE, component = DynamoSuspendHandler.COMPONENT,
                endpoint = ENDPOINT)
        Mono<Long> handle(long x) {
            return Mono.just(SuspendHandlersKt.work(x));
        }
    }

    static final class Otel {
        @WithSpan
        Mono<Long> handle(long x) {
            return Mono.just(SuspendHandlersKt.work(x));
        }

        /** True when the OpenTelemetry agent instrumented this class. */
        @WithSpan
        boolean insideSpan() {
            return Span.current().getSpanContext().isValid();
        }
    }
}
