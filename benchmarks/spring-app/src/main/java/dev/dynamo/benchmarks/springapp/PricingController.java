package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class PricingController {
    private final PricingService pricing;

    public PricingController(PricingService pricing) {
        this.pricing = pricing;
    }

    @DynamoEndpoint
    @WithSpan
    @GetMapping("/price/{item}/{quantity}")
    public long price(@PathVariable String item, @PathVariable int quantity) {
        return pricing.total(item, quantity);
    }

    @DynamoEndpoint
    @WithSpan
    @GetMapping("/discount/{percent}")
    public long discount(@PathVariable int percent) {
        return pricing.discounted(1000, percent);
    }
}
