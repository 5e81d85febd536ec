package dev.dynamo.benchmarks.styles;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;

/**
 * Handlers returning a Guava {@code ListenableFuture} (an eager future) that is done when returned:
 * unannotated, {@code @DynamoEndpoint}, {@code @WithSpan}.
 */
final class ListenableFutureHandlers {
    private ListenableFutureHandlers() {
    }

    static final class Plain {
        ListenableFuture<Long> handle(long x) {
            return Futures.immediateFuture(SuspendHandlersKt.work(x));
        }
    }

    static final class Dynamo {
        static final String ENDPOINT = "listenable_future";

        @DynamoEndpoint(namespace = DynamoSuspendHandler.NAMESPACE, component = DynamoSuspendHandler.COMPONENT,
                endpoint = ENDPOINT)
        ListenableFuture<Long> handle(long x) {
            return Futures.immediateFuture(SuspendHandlersKt.work(x));
        }
    }

    static final class Otel {
        @WithSpan
        ListenableFuture<Long> handle(long x) {
            return Futures.immediateFuture(SuspendHandlersKt.work(x));
        }

        /** True when the OpenTelemetry agent instrumented this class. */
        @WithSpan
        boolean insideSpan() {
            return Span.current().getSpanContext().isValid();
        }
    }
}
