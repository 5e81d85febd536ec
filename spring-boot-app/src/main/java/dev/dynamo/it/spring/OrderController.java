package dev.dynamo.it.spring;

import dev.dynamo.runtime.DynamoEndpoint;
import jakarta.validation.ConstraintViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One handler per shape, each measured as {@code spring/orders/<method>}. The delays are the
 * lower bounds the test checks the recorded durations against.
 */
@RestController
public class OrderController {
    static final Duration DELAY = Duration.ofMillis(30);
    static final int FLUX_ITEMS = 5;
    static final Duration FLUX_ITEM_DELAY = Duration.ofMillis(10);
    static final Duration TICK = Duration.ofMillis(20);

    private final PricingService pricing;

    public OrderController(PricingService pricing) {
        this.pricing = pricing;
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}")
    public String sync(@PathVariable int id) {
        return "order " + id;
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/delayed")
    public Mono<String> delayed(@PathVariable int id) {
        return Mono.just("delayed " + id).delayElement(DELAY);
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping(path = "/orders/{id}/items", produces = MediaType.TEXT_PLAIN_VALUE)
    public Flux<String> items(@PathVariable int id) {
        return Flux.range(1, FLUX_ITEMS).delayElements(FLUX_ITEM_DELAY).map(i -> id + "." + i + ";");
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping(path = "/orders/{id}/feed", produces = MediaType.TEXT_PLAIN_VALUE)
    public Flux<String> feed(@PathVariable int id) {
        // Fails after its first items, once the response has begun: WebFlux can only abort the connection.
        return Flux.range(1, 2).delayElements(FLUX_ITEM_DELAY).map(i -> id + "." + i + ";")
                .concatWith(Mono.error(() -> new IllegalStateException("feed " + id + " broken")));
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/rejected")
    public Mono<String> rejected(@PathVariable int id) {
        return Mono.delay(DELAY).then(Mono.error(new OrderRejectedException("order " + id + " rejected")));
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/refused")
    public Mono<String> refused(@PathVariable int id) {
        // Thrown before any publisher exists: the call itself fails.
        throw new OrderRejectedException("order " + id + " refused");
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/future")
    public CompletableFuture<String> future(@PathVariable int id) {
        return CompletableFuture.supplyAsync(() -> "future " + id,
                CompletableFuture.delayedExecutor(DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/archive")
    public CompletableFuture<String> archive(@PathVariable int id) {
        // Longer than any client waits; WebFlux cancels the future when the client goes away.
        return CompletableFuture.supplyAsync(() -> "archive " + id,
                CompletableFuture.delayedExecutor(30, TimeUnit.SECONDS));
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping("/orders/{id}/report")
    public Mono<String> report(@PathVariable int id) {
        // Longer than any client waits: every call ends by the client going away.
        return Mono.delay(Duration.ofSeconds(30)).map(ignored -> "report " + id);
    }

    @DynamoEndpoint(namespace = "spring", component = "orders")
    @GetMapping(path = "/orders/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<String> events(@PathVariable int id) {
        // A ticker cannot wait for a slow reader: it drops ticks instead of failing with an overflow.
        return Flux.interval(TICK).onBackpressureDrop().map(tick -> id + ":" + tick);
    }

    /** Measured, and so is the service it calls: one call of each per request. */
    @DynamoEndpoint(namespace = "spring", component = "quotes")
    @GetMapping("/quotes")
    public String quote(@RequestParam int quantity) {
        return pricing.price(quantity);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    public ResponseEntity<String> onInvalid(ConstraintViolationException invalid) {
        return ResponseEntity.badRequest().body("invalid quantity");
    }

    @ExceptionHandler(OrderRejectedException.class)
    public ResponseEntity<String> onRejected(OrderRejectedException rejected) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(rejected.getMessage());
    }
}
