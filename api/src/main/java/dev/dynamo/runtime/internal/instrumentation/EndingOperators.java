package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

/** A library's operators that end a call at the terminal signal of the subscription they watch. */
interface EndingOperators {
    /**
     * {@code value} with the operators that end {@code call}, in the type of its source: what a first
     * subscription subscribes.
     */
    Object watched(Call call, Object value) throws Throwable;

    /** {@code value} in the type of its source, unwatched: what a later subscription subscribes. */
    default Object unwatched(Object value) {
        return value;
    }
}
