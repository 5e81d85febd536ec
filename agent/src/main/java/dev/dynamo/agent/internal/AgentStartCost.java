package dev.dynamo.agent.internal;

/**
 * How long the agent's own start took on the thread that started it: {@code premain}, before the
 * application's {@code main} could run, or {@code agentmain} on a dynamic attach, which also
 * instruments the classes already loaded. With {@link dev.dynamo.agent.internal.instrumentation.InstrumentationCost}
 * it is what an operator can read on {@code /metrics} of the agent's cost to their start; the JDK's
 * own price for loading any agent comes before {@code premain} and is not in it.
 */
public final class AgentStartCost {
    private static volatile long nanos = -1;

    private AgentStartCost() {
    }

    /** The start that took {@code startNanos} has finished; a later attach that changes nothing is not recorded. */
    static void record(long startNanos) {
        nanos = startNanos;
    }

    /** The duration of the agent's start, or -1 while it has not finished. */
    public static long nanos() {
        return nanos;
    }
}
