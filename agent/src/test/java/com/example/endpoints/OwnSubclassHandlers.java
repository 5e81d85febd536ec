package com.example.endpoints;

import dev.dynamo.runtime.DynamoEndpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.MultiInterceptor;
import io.smallrye.mutiny.infrastructure.UniInterceptor;
import io.smallrye.mutiny.operators.AbstractMulti;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.vertx.example.TaggedSingle;
import org.springframework.samples.petclinic.OwnerMono;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Handlers whose values are of classes other than the library's: the application's own subclasses,
 * which their callers cast back to, and the wrappers that hooks, interceptors and third-party
 * operators put around values, which no caller casts to.
 */
public class OwnSubclassHandlers {
    public static final String NS = "own_subclass_test";

    @DynamoEndpoint(namespace = NS, component = "spring_sample", endpoint = "owner")
    public Mono<String> owner() {
        return new OwnerMono();
    }

    @DynamoEndpoint(namespace = NS, component = "vertx_example", endpoint = "tagged")
    public Single<String> tagged() {
        return new TaggedSingle();
    }

    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "report")
    public Single<String> report() {
        return new ReportSingle();
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "slow_failure")
    public Mono<String> slowFailingMono(long millis) {
        return Mono.delay(Duration.ofMillis(millis)).then(Mono.error(new IOException("backend down")));
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "slow_failure")
    public Uni<String> slowFailingUni(long millis) {
        return slowFailure(millis);
    }

    @DynamoEndpoint(namespace = NS, component = "mutiny", endpoint = "slow_failure_stream")
    public Multi<String> slowFailingMulti(long millis) {
        return Multi.createFrom().uni(slowFailure(millis));
    }

    private static Uni<String> slowFailure(long millis) {
        return Uni.createFrom().item("late").onItem().delayIt().by(Duration.ofMillis(millis))
                .onItem().failWith(item -> new IOException("backend down"));
    }

    @DynamoEndpoint(namespace = NS, component = "resilience4j", endpoint = "mono")
    public Mono<String> guardedMono(CircuitBreaker breaker, long millis) {
        return Mono.delay(Duration.ofMillis(millis)).then(Mono.<String>error(new IOException("backend down")))
                .transform(io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator.of(breaker));
    }

    @DynamoEndpoint(namespace = NS, component = "resilience4j", endpoint = "single")
    public Single<String> guardedSingle(CircuitBreaker breaker, long millis) {
        return Single.timer(millis, TimeUnit.MILLISECONDS).flatMap(tick -> Single.<String>error(new IOException("down")))
                .compose(io.github.resilience4j.rxjava3.circuitbreaker.operator.CircuitBreakerOperator.of(breaker));
    }

    @DynamoEndpoint(namespace = NS, component = "members", endpoint = "public_field")
    public Mono<String> withPublicField() {
        return new FieldMono();
    }

    @DynamoEndpoint(namespace = NS, component = "members", endpoint = "jdk_interface")
    public Mono<String> withJdkInterface() {
        return new SupplierMono();
    }

    @DynamoEndpoint(namespace = NS, component = "members", endpoint = "narrower_return")
    public Uni<String> withNarrowerReturn() {
        return new LoggedUni();
    }

    @DynamoEndpoint(namespace = NS, component = "members", endpoint = "overridden_block")
    public Mono<String> withOverriddenBlock() {
        return new CachedMono();
    }

    @DynamoEndpoint(namespace = NS, component = "reactor", endpoint = "group")
    public Flux<Integer> group() {
        return Flux.range(1, 4).groupBy(i -> i % 2).blockFirst();
    }

    /** Returns what {@code wrapper} makes: a wrapper of a class loaded where one of its types is missing. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "missing_type_wrapper")
    public Single<String> missingTypeWrapper(Supplier<Single<String>> wrapper) {
        return wrapper.get();
    }

    /** Returns what {@code wrapper} makes: a wrapper of a class loaded where its private field's type is missing. */
    @DynamoEndpoint(namespace = NS, component = "rxjava", endpoint = "missing_field_wrapper")
    public Single<String> missingFieldWrapper(Supplier<Single<String>> wrapper) {
        return wrapper.get();
    }

    /** A Mono whose only addition is a public field (Kotlin's {@code @JvmField val}). */
    public static final class FieldMono extends Mono<String> {
        public final String tag = "field";

        @Override
        public void subscribe(CoreSubscriber<? super String> subscriber) {
            Mono.just("f").subscribe(subscriber);
        }
    }

    /** A Mono whose only addition is a JDK interface, which its caller casts to. */
    public static final class SupplierMono extends Mono<String> implements Supplier<String> {
        @Override
        public String get() {
            return "supplied";
        }

        @Override
        public void subscribe(CoreSubscriber<? super String> subscriber) {
            Mono.just("s").subscribe(subscriber);
        }
    }

    /** A Uni whose only addition is a narrower return type of one of Mutiny's methods. */
    public static final class LoggedUni extends AbstractUni<String> {
        @Override
        public LoggedUni log() {
            return this;
        }

        @Override
        public void subscribe(UniSubscriber<? super String> subscriber) {
            AbstractUni.subscribe(Uni.createFrom().item("l"), subscriber);
        }
    }

    @DynamoEndpoint(namespace = NS, component = "members", endpoint = "subscribe_overload")
    public Mono<String> withSubscribeOverload() {
        return new CallbackMono();
    }

    /** A Mono with a subscribe of its own, which its caller casts to reach. */
    public static final class CallbackMono extends Mono<String> {
        public void subscribe(Consumer<String> callback, String prefix) {
            subscribe(item -> callback.accept(prefix + item));
        }

        @Override
        public void subscribe(CoreSubscriber<? super String> subscriber) {
            Mono.just("called back").subscribe(subscriber);
        }
    }

    /** A Mono that overrides Reactor's {@code block()}: its caller's {@code block()} must run this one. */
    public static final class CachedMono extends Mono<String> {
        @Override
        public String block() {
            return "cached";
        }

        @Override
        public void subscribe(CoreSubscriber<? super String> subscriber) {
            Mono.just("subscribed").subscribe(subscriber);
        }
    }

    /** Never present at run time in the test that loads {@link MissingTypeWrapper}. */
    public static final class Missing {
    }

    /** A hook's wrapper with a private helper whose return type is missing at run time. */
    public static final class MissingTypeWrapper extends Single<String> {
        private final Single<String> source;

        public MissingTypeWrapper(Single<String> source) {
            this.source = source;
        }

        private Missing debugInfo() {
            return null;
        }

        @Override
        protected void subscribeActual(SingleObserver<? super String> observer) {
            source.subscribe(observer);
        }
    }

    /** A hook's wrapper with a private field whose type is missing at run time. */
    public static final class MissingFieldWrapper extends Single<String> {
        private final Single<String> source;
        private Missing debugInfo;

        public MissingFieldWrapper(Single<String> source) {
            this.source = source;
        }

        @Override
        protected void subscribeActual(SingleObserver<? super String> observer) {
            source.subscribe(observer);
        }
    }

    /** The application's own Single, with a method its caller reaches by a cast. */
    public static final class ReportSingle extends Single<String> {
        public String report() {
            return "report";
        }

        @Override
        protected void subscribeActual(SingleObserver<? super String> observer) {
            Single.just("r").subscribe(observer);
        }
    }

    /** What a tracing hook puts around every Mono ({@code Hooks.onEachOperator}): it only overrides. */
    public static final class TracingMono<T> extends Mono<T> {
        private final Mono<T> source;

        TracingMono(Mono<T> source) {
            this.source = source;
        }

        @SuppressWarnings({"rawtypes", "unchecked"})
        public static org.reactivestreams.Publisher<Object> around(org.reactivestreams.Publisher<Object> publisher) {
            return publisher instanceof Mono && !(publisher instanceof TracingMono)
                    ? new TracingMono((Mono) publisher) : publisher;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            source.subscribe(actual);
        }
    }

    /**
     * A Mutiny interceptor, registered as a service (as Mutiny's users register theirs), that wraps
     * every Uni and Multi while {@link #on} is set, as tracing and context-propagating ones do.
     */
    public static final class TracingInterceptor implements UniInterceptor, MultiInterceptor {
        public static volatile boolean on;

        @Override
        public <T> Uni<T> onUniCreation(Uni<T> uni) {
            return on && !(uni instanceof TracingUni) ? new TracingUni<>(uni) : uni;
        }

        @Override
        public <T> Multi<T> onMultiCreation(Multi<T> multi) {
            return on && !(multi instanceof TracingMulti) ? new TracingMulti<>(multi) : multi;
        }
    }

    /** The interceptor's Uni: it only overrides. */
    public static final class TracingUni<T> extends AbstractUni<T> {
        private final Uni<T> source;

        TracingUni(Uni<T> source) {
            this.source = source;
        }

        @Override
        public void subscribe(UniSubscriber<? super T> subscriber) {
            AbstractUni.subscribe(source, subscriber);
        }
    }

    /** The interceptor's Multi: it only overrides. */
    public static final class TracingMulti<T> extends AbstractMulti<T> {
        private final Multi<T> source;

        TracingMulti(Multi<T> source) {
            this.source = source;
        }

        @Override
        public void subscribe(MultiSubscriber<? super T> subscriber) {
            source.subscribe(subscriber);
        }
    }
}
