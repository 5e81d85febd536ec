package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.log.AgentLog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The agent's log as a test captured it (with {@code AgentLog.redirect}). */
final class CapturedLog {
    private CapturedLog() {
    }

    /** What {@code captured} holds so far, once the server's queued lines are written. */
    static String text(ByteArrayOutputStream captured) {
        try {
            AgentLog.awaitQueuedLines(5000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return new String(captured.toByteArray(), StandardCharsets.UTF_8);
    }
}
