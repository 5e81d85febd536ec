package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.stereotype.Service;

@Service
public class PricingService {
    @DynamoEndpoint
    @WithSpan
    public long total(String item, int quantity) {
        return (long) item.length() * 100 * quantity;
    }

    @DynamoEndpoint
    @WithSpan
    public long discounted(long price, int percent) {
        return price * (100 - percent) / 100;
    }
}
