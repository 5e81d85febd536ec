package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class OrderController {
    private final OrderService orders;

    public OrderController(OrderService orders) {
        this.orders = orders;
    }

    @DynamoEndpoint
    @WithSpan
    @PostMapping("/orders/{id}")
    public String order(@PathVariable int id) {
        return orders.place(id);
    }

    @DynamoEndpoint
    @WithSpan
    @PostMapping("/orders/{id}/cancel")
    public String cancel(@PathVariable int id) {
        return orders.cancel(id);
    }
}
