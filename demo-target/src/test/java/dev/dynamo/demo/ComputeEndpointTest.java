package dev.dynamo.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ComputeEndpointTest {
    private final ComputeEndpoint endpoint = new ComputeEndpoint();

    @Test
    void repliesWithTheStatisticsOfTheRequest() {
        ComputeRequest request = ComputeRequest.sample(5);

        assertEquals(ComputeResult.of(request).toJson(), endpoint.handle(request.toJson(), false));
    }

    @Test
    void failsWhenAskedTo() {
        RequestFailedException failure = assertThrows(RequestFailedException.class,
                () -> endpoint.handle(ComputeRequest.sample(6).toJson(), true));

        assertEquals("request 6 asked to fail", failure.getMessage());
    }

    @Test
    void recordsTheServiceMetricsForEveryRequestIncludingFailures() {
        double requestsBefore = endpoint.serviceRequests().get();
        long observedBefore = endpoint.serviceRequestDuration().getCount();

        endpoint.handle(ComputeRequest.sample(1).toJson(), false);
        assertThrows(RequestFailedException.class, () -> endpoint.handle(ComputeRequest.sample(2).toJson(), true));
        assertThrows(IllegalArgumentException.class, () -> endpoint.handle("{", false));

        assertEquals(requestsBefore + 3, endpoint.serviceRequests().get());
        assertEquals(observedBefore + 3, endpoint.serviceRequestDuration().getCount());
    }
}
