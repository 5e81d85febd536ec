package dev.dynamo.runtime.internal;

/**
 * Whether an agent exports the metrics of this copy of the API: claimed once, by the agent, before
 * the application runs.
 */
final class AgentAttachment {
    private static volatile boolean attached;

    private AgentAttachment() {
    }

    /** @return false when an agent had claimed this copy already (the agent was attached twice) */
    static synchronized boolean claim() {
        if (attached) {
            return false;
        }
        attached = true;
        return true;
    }

    static boolean isAttached() {
        return attached;
    }
}
