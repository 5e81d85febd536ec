package dev.dynamo.agent.internal.instrumentation;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What instrumentation has cost the application since the agent started: how many classes the
 * transformer was given, how many it rewrote, and the time it spent on the threads that loaded them
 * (the search of every class for the annotation, and the weaving). The agent's start-up cost in a
 * real application is mostly this time, and {@code /metrics} shows it, so that an operator can read
 * it for their own application instead of trusting a benchmark's.
 *
 * <p>Plain atomic adds: they allocate nothing, even at the top of an exhausted stack.
 */
public final class InstrumentationCost {
    private static final AtomicLong CLASSES_SEEN = new AtomicLong();
    private static final AtomicLong CLASSES_INSTRUMENTED = new AtomicLong();
    private static final AtomicLong NANOS = new AtomicLong();

    private InstrumentationCost() {
    }

    /** One class handed to the transformer, which took {@code nanos} and rewrote it or not. */
    static void record(long nanos, boolean instrumented) {
        CLASSES_SEEN.incrementAndGet();
        if (instrumented) {
            CLASSES_INSTRUMENTED.incrementAndGet();
        }
        NANOS.addAndGet(nanos);
    }

    /** Class loads and retransformations the transformer was given. */
    public static long classesSeen() {
        return CLASSES_SEEN.get();
    }

    /** Classes the transformer rewrote: those with {@code @DynamoEndpoint} methods, and gRPC's call handlers. */
    public static long classesInstrumented() {
        return CLASSES_INSTRUMENTED.get();
    }

    /** Time spent in the transformer, on the threads that loaded the classes. */
    public static long nanos() {
        return NANOS.get();
    }
}
