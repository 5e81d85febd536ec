package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.instrumentation.RecordingRegistry;

import java.util.List;

/**
 * What {@code /health} reports: ready once any {@code @DynamoEndpoint} method is instrumented, or
 * from the start when {@code DYN_SYSTEM_STARTING_HEALTH_STATUS=ready}.
 */
public final class HealthStatus {
    private final boolean startingReady;
    private final long startNanos = System.nanoTime();

    public HealthStatus(boolean startingReady) {
        this.startingReady = startingReady;
    }

    public boolean isReady() {
        return startingReady || !RecordingRegistry.endpoints().isEmpty();
    }

    /** The health document: {@code {"status":"ready","uptime_seconds":1.5,"endpoints":{"ns/comp/ep":"ready"}}}. */
    public String toJson() {
        StringBuilder json = new StringBuilder(128);
        json.append("{\"status\":\"").append(isReady() ? "ready" : "notready").append('"');
        json.append(",\"uptime_seconds\":").append(uptimeSeconds());
        json.append(",\"endpoints\":{");
        List<String> endpoints = RecordingRegistry.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            // Label values: [a-zA-Z0-9_/] only, nothing to escape in JSON.
            json.append(i == 0 ? "" : ",").append('"').append(endpoints.get(i)).append("\":\"ready\"");
        }
        return json.append("}}").toString();
    }

    /** The liveness document: the process answers, so it is live. */
    public String liveJson() {
        return "{\"status\":\"live\",\"uptime_seconds\":" + uptimeSeconds() + "}";
    }

    private double uptimeSeconds() {
        return Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3;
    }
}
