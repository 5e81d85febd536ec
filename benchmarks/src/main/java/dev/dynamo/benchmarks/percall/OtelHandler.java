package dev.dynamo.benchmarks.percall;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;

/** Case (e): the handler with {@code @WithSpan}, instrumented by the OpenTelemetry Java agent. */
public final class OtelHandler {
    @WithSpan
    public long handle(long x) {
        return Work.compute(x);
    }

    /** True when the agent instrumented this class: the method then runs inside a recording span. */
    @WithSpan
    public boolean insideSpan() {
        return Span.current().getSpanContext().isValid();
    }
}
