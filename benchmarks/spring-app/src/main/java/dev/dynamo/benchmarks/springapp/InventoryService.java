package dev.dynamo.benchmarks.springapp;

import dev.dynamo.runtime.DynamoEndpoint;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import org.springframework.stereotype.Service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

@Service
public class InventoryService {
    private final Map<String, Integer> stock = new ConcurrentHashMap<>();

    @DynamoEndpoint
    @WithSpan
    public int count(String item) {
        return stock.getOrDefault(item, 0);
    }

    @DynamoEndpoint
    @WithSpan
    public int add(String item, int amount) {
        return stock.merge(item, amount, Integer::sum);
    }
}
