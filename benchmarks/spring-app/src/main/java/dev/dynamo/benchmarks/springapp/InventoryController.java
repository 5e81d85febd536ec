package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class InventoryController {
    private final InventoryService inventory;

    public InventoryController(InventoryService inventory) {
        this.inventory = inventory;
    }

    @DynamoEndpoint
    @WithSpan
    @GetMapping("/stock/{item}")
    public int stock(@PathVariable String item) {
        return inventory.count(item);
    }

    @DynamoEndpoint
    @WithSpan
    @PostMapping("/stock/{item}/{amount}")
    public int restock(@PathVariable String item, @PathVariable int amount) {
        return inventory.add(item, amount);
    }
}
