package dev.dynamo.benchmarks.styles

import dev.dynamo.runtime.DynamoEndpoint
import io.opentelemetry.api.trace.Span
import io.opentelemetry.instrumentation.annotations.WithSpan
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn

/** The body every handler-style handler shares, as in the per-call benchmark. */
fun work(x: Long): Long {
    var h = x * -0x61c8864680b583ebL
    h = h xor (h ushr 29)
    return h + 17
}

/**
 * A suspension point that never suspends: the handlers below are compiled with a state machine (the
 * work follows a suspension point), yet complete on their first entry, so that the benchmark measures
 * the instrumentation rather than a dispatcher.
 */
suspend fun immediately(x: Long): Long = suspendCoroutineUninterceptedOrReturn { x }

class PlainSuspendHandler {
    suspend fun handle(x: Long): Long = work(immediately(x))
}

class DynamoSuspendHandler {
    @DynamoEndpoint(namespace = NAMESPACE, component = COMPONENT, endpoint = "suspend")
    suspend fun handle(x: Long): Long = work(immediately(x))

    companion object {
        const val NAMESPACE = "bench"
        const val COMPONENT = "styles"
    }
}

class OtelSuspendHandler {
    @WithSpan
    suspend fun handle(x: Long): Long = work(immediately(x))

    /** True when the OpenTelemetry agent instrumented this suspend function. */
    @WithSpan
    suspend fun insideSpan(): Boolean = immediately(1) == 1L && Span.current().spanContext.isValid
}
