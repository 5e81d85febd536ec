package dev.dynamo.agent.internal.server;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecorder;
import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;

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
        return startingReady || !EndpointRecording.endpoints().isEmpty();
    }

    /** The health document: {@code {"status":"ready","uptime_seconds":1.5,"endpoints":{"ns/comp/ep":"ready"}}}. */
    public String toJson() {
        StringBuilder json = new StringBuilder(128);
        json.append("{\"status\":\"").append(isReady() ? "ready" : "notready").append('"');
        json.append(",\"uptime_seconds\":").append(uptimeSeconds());
        json.append(",\"endpoints\":{");
        List<EndpointRecorder> endpoints = EndpointRecording.endpoints();
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointRecorder endpoint = endpoints.get(i);
            json.append(i == 0 ? "" : ",").append('"')
                    .append(endpoint.namespace()).append('/').append(endpoint.component()).append('/')
                    .append(endpoint.endpoint()).append("\":\"ready\"");
        }
        json.append("},\"recording_failures\":").append(EndpointRecording.failures());
        return json.append('}').toString();
    }

    /** The liveness document: the process answers, so it is live. */
    public String liveJson() {
        return "{\"status\":\"live\",\"uptime_seconds\":" + uptimeSeconds() + "}";
    }

    private double uptimeSeconds() {
        return Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3;
    }
}
