package dev.dynamo.benchmarks.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;

/**
 * gRPC unary handlers that answer before they return (onNext, onCompleted): unannotated,
 * {@code @DynamoEndpoint}, {@code @WithSpan}.
 */
final class GrpcHandlers {
    private GrpcHandlers() {
    }

    static final class Plain {
        void handle(Long request, StreamObserver<Long> responses) {
            responses.onNext(SuspendHandlersKt.work(request));
            responses.onCompleted();
        }
    }

    static final class Dynamo {
        static final String ENDPOINT = "grpc";

        @DynamoEndpoint(namespace = DynamoSuspendHandler.NAMESPACE, component = DynamoSuspendHandler.COMPONENT,
                endpoint = ENDPOINT)
        void handle(Long request, StreamObserver<Long> responses) {
            responses.onNext(SuspendHandlersKt.work(request));
            responses.onCompleted();
        }
    }

    static final class Otel {
        @WithSpan
        void handle(Long request, StreamObserver<Long> responses) {
            responses.onNext(SuspendHandlersKt.work(request));
            responses.onCompleted();
        }

        /** Answers 1 when a span is current: the OpenTelemetry agent instrumented this class. */
        @WithSpan
        void insideSpan(Long request, StreamObserver<Long> responses) {
            spanState(responses);
        }

        /**
         * Answers 1 when a span is current without {@code @WithSpan}: OpenTelemetry's own gRPC
         * instrumentation is on, and {@link #handle} would measure its spans too.
         */
        void outsideSpan(Long request, StreamObserver<Long> responses) {
            spanState(responses);
        }

        private static void spanState(StreamObserver<Long> responses) {
            responses.onNext(Span.current().getSpanContext().isValid() ? 1L : 0L);
            responses.onCompleted();
        }
    }
}
