package dev.dynamo.benchmarks.styles;

import kotlin.coroutines.Continuation;
import kotlin.coroutines.CoroutineContext;
import kotlin.coroutines.EmptyCoroutineContext;

/**
 * The caller's continuation when Java calls a suspend function directly. The handlers never
 * suspend, so it is never resumed: a resumption would be a broken benchmark.
 */
final class ImmediateContinuation implements Continuation<Object> {
    @Override
    public CoroutineContext getContext() {
        return EmptyCoroutineContext.INSTANCE;
    }

    @Override
    public void resumeWith(Object result) {
        throw new IllegalStateException("a benchmark handler suspended");
    }
}
