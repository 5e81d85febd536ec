package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.stereotype.Service;

@Service
public class OrderService {
    @DynamoEndpoint
    @WithSpan
    public String place(int id) {
        return "placed " + id;
    }

    @DynamoEndpoint
    @WithSpan
    public String cancel(int id) {
        return "cancelled " + id;
    }
}
