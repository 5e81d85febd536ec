package dev.dynamo.demo;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.DynamoEndpoint;
import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.Histogram;

import java.util.Collections;
import java.util.Map;

/**
 * The request handler of the demo server. With the agent attached, {@link #handle} gets Dynamo's
 * work-handler metrics; the handler adds the example's own two metrics on the same endpoint.
 */
final class ComputeEndpoint {
    static final String NAMESPACE = "system";
    static final String COMPONENT = "component";
    static final String ENDPOINT = "endpoint";

    private final Counter serviceRequests;
    private final Histogram serviceRequestDuration;

    ComputeEndpoint() {
        Endpoint endpoint = DistributedRuntime.get().namespace(NAMESPACE).component(COMPONENT).endpoint(ENDPOINT);
        Map<String, String> service = Collections.singletonMap("service", "backend");
        serviceRequests = endpoint.metrics().createCounter("service_requests_total",
                "Total requests handled by the backend service", service);
        serviceRequestDuration = endpoint.metrics().createHistogram("service_request_duration_seconds",
                "Time the backend service spent on a request", service, null);
    }

    /**
     * Parses a {@link ComputeRequest}, computes its statistics and returns them as JSON.
     *
     * @throws IllegalArgumentException when the body is malformed
     * @throws RequestFailedException   when {@code failRequested}
     */
    @DynamoEndpoint(namespace = NAMESPACE, component = COMPONENT, endpoint = ENDPOINT)
    String handle(String body, boolean failRequested) {
        long start = System.nanoTime();
        try {
            ComputeRequest request = ComputeRequest.parse(body);
            ComputeResult result = ComputeResult.of(request);
            if (failRequested) {
                throw new RequestFailedException("request " + request.id + " asked to fail");
            }
            return result.toJson();
        } finally {
            serviceRequests.inc();
            serviceRequestDuration.observe((System.nanoTime() - start) / 1e9);
        }
    }

    Counter serviceRequests() {
        return serviceRequests;
    }

    Histogram serviceRequestDuration() {
        return serviceRequestDuration;
    }
}
