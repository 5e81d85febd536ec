package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.PublisherHandlers;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.List;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Methods returning publishers: one request per call, timed to the first subscription's terminal signal. */
class PublisherShapeTest {
    private static EndpointTransformer transformer;
    private static PublisherHandlers handlers;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
        handlers = new PublisherHandlers();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    private static EndpointMetrics metrics(String component, String endpoint) {
        return new EndpointMetrics(PublisherHandlers.NS, component, endpoint);
    }

    @Test
    void emptyMonoIsOneRequestWithoutError() {
        EndpointMetrics metrics = metrics("reactor", "mono_empty");

        Mono<Void> mono = handlers.empty();
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        mono.block();

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
        assertEquals(0, metrics.cancellations());
    }

    @Test
    void monoIsInFlightUntilItsValueArrives() throws Exception {
        EndpointMetrics metrics = metrics("reactor", "mono_delayed");
        CountDownLatch done = new CountDownLatch(1);

        handlers.delayed(300).subscribe(value -> done.countDown());
        // Read at once: after a sleep of 100 ms the value had arrived once, on a machine stalled by other builds.
        assertEquals(1, metrics.inflight());
        assertTrue(done.await(10, TimeUnit.SECONDS));

        // doFinally runs just after the subscriber has seen onComplete, on Reactor's timer thread.
        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertTrue(metrics.durationSum() >= 0.3, "duration covers the delay: " + metrics.durationSum());
    }

    private static void awaitNoneInFlight(EndpointMetrics metrics) throws InterruptedException {
        for (int i = 0; i < 1000 && metrics.inflight() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, metrics.inflight());
    }

    @Test
    void failedMonoCountsAnErrorByTypeAndTheSubscriberStillSeesIt() {
        EndpointMetrics metrics = metrics("reactor", "mono_error");

        IllegalStateException seen = assertThrows(IllegalStateException.class, () -> handlers.failing().block());

        assertEquals("failed", seen.getMessage());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /**
     * Reactor's {@code block()} of a {@code Mono} whose value a call computes ({@code just}, {@code empty},
     * {@code fromCallable}) calls it at once, also on Reactor's non-blocking threads, where any other
     * {@code block()} throws: so it does for the measured value. Before, each threw
     * {@code IllegalStateException} with the agent (a re-tester), where the application's code ran without.
     */
    @Test
    void readyMonosBlockOnANonBlockingThreadAsTheyDoUnmeasured() {
        EndpointMetrics ready = metrics("reactor", "mono_ready");
        EndpointMetrics callable = metrics("reactor", "mono_callable");
        EndpointMetrics empty = metrics("reactor", "mono_nothing");

        assertEquals("ready", onParallelThread(() -> handlers.ready().block()));
        assertEquals("called", onParallelThread(() -> handlers.callable(() -> "called").block()));
        assertEquals("null", onParallelThread(() -> String.valueOf(handlers.nothing().block())));

        assertEquals(1, ready.requests());
        assertEquals(1, ready.durations());
        assertEquals(1, callable.requests());
        assertEquals(1, callable.durations());
        assertEquals(1, empty.requests());
        assertEquals(0, ready.inflight() + callable.inflight() + empty.inflight());
    }

    /**
     * A blocking subscriber adds a suppressed exception to the error it rethrows; Reactor's {@code block()}
     * of {@code Mono.error} rethrows it as it is. Before, the measured value went through a blocking
     * subscriber: a handler returning one shared exception grew it by one suppressed exception per
     * call, until the heap was full (a re-tester: 212 MiB after 300,000 calls).
     */
    @Test
    void aSharedErrorReturnedOverAndOverGainsNoSuppressedException() {
        EndpointMetrics metrics = metrics("reactor", "mono_shared_error");

        for (int i = 0; i < 100; i++) {
            assertSame(PublisherHandlers.SHARED_ERROR, assertThrows(IllegalStateException.class,
                    () -> handlers.sharedError().block()));
        }

        assertEquals(0, PublisherHandlers.SHARED_ERROR.getSuppressed().length);
        assertEquals(100, metrics.requests());
        assertEquals(100, metrics.errors("IllegalStateException"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * A {@code Mono.fromCallable} counts when its callable runs, not when it is returned, and only once
     * however often it is subscribed; a checked exception counts as its own type, not as the wrapper
     * Reactor's {@code block()} throws it in.
     */
    @Test
    void aMonoFromCallableCountsItsFirstCallWithItsOwnError() {
        EndpointMetrics metrics = metrics("reactor", "mono_callable");
        long before = metrics.requests();
        AtomicInteger calls = new AtomicInteger();

        Mono<String> mono = handlers.callable(() -> {
            calls.incrementAndGet();
            throw new java.io.IOException("backend down");
        });
        assertEquals(before, metrics.requests(), "not a request before it is called");
        RuntimeException wrapped = assertThrows(RuntimeException.class, mono::block);
        assertInstanceOf(java.io.IOException.class, reactor.core.Exceptions.unwrap(wrapped));
        assertThrows(RuntimeException.class, mono::block);

        assertEquals(2, calls.get());
        assertEquals(before + 1, metrics.requests(), "one call however often it is subscribed");
        assertEquals(1, metrics.errors("IOException"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * The way to run blocking work off Reactor's event loops, {@code fromCallable(..).subscribeOn(..)}, still
     * runs it on the scheduler when measured, also in Reactor's debug mode, which wraps values in classes of
     * its own: only a {@code Callable} mono is made again with {@code Mono.fromCallable}, whose call would
     * run on the subscribing thread.
     */
    @Test
    void aCallableMonoSubscribedOnASchedulerStillRunsThere() {
        EndpointMetrics metrics = metrics("reactor", "mono_subscribed_on");
        long before = metrics.requests();

        assertTrue(handlers.subscribedOn().block().startsWith("single-"), "the call ran on Reactor's single scheduler");
        reactor.core.publisher.Hooks.onOperatorDebug();
        try {
            assertTrue(handlers.subscribedOn().block().startsWith("single-"), "in debug mode too");
        } finally {
            reactor.core.publisher.Hooks.resetOnOperatorDebug();
        }

        assertEquals(before + 2, metrics.requests());
        assertEquals(before + 2, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    private static String onParallelThread(java.util.function.Supplier<String> blocking) {
        return Mono.fromCallable(blocking::get).subscribeOn(reactor.core.scheduler.Schedulers.parallel())
                .block(Duration.ofSeconds(10));
    }

    /**
     * Micronaut's HTTP server cancels its subscription from its {@code onComplete} and {@code onError}
     * (a no-op by Reactive Streams §3.7): the end the publisher signalled first counts. Before, every
     * such call was a cancellation and its error was lost (a tester's Micronaut 4 application).
     */
    @Test
    void aSubscriberThatCancelsAfterTheEndLeavesTheEndAsItWas() {
        EndpointMetrics value = metrics("reactor", "mono_cancelled_after_value");
        EndpointMetrics error = metrics("reactor", "mono_cancelled_after_error");
        List<String> seen = new ArrayList<>();

        handlers.valueThenLateCancel().subscribe(new CancellingAfterTheEnd(seen));
        handlers.errorThenLateCancel().subscribe(new CancellingAfterTheEnd(seen));

        assertEquals(Arrays.asList("next value", "complete", "error ArithmeticException"), seen);
        assertEquals(1, value.requests());
        assertEquals(0, value.cancellations());
        assertEquals(1, value.durations());
        assertEquals(1, error.requests());
        assertEquals(1, error.errors("ArithmeticException"));
        assertEquals(0, error.cancellations());
        assertEquals(0, value.inflight() + error.inflight());
    }

    /** A Reactor subscriber that cancels its subscription once it has the end, as Micronaut's server does. */
    private static final class CancellingAfterTheEnd implements reactor.core.CoreSubscriber<String> {
        private final List<String> seen;
        private org.reactivestreams.Subscription subscription;

        CancellingAfterTheEnd(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void onSubscribe(org.reactivestreams.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String item) {
            seen.add("next " + item);
        }

        @Override
        public void onError(Throwable failure) {
            seen.add("error " + failure.getClass().getSimpleName());
            subscription.cancel();
        }

        @Override
        public void onComplete() {
            seen.add("complete");
            subscription.cancel();
        }
    }

    @Test
    void fluxOfManyItemsIsOneRequest() {
        EndpointMetrics metrics = metrics("reactor", "flux_items");
        long before = metrics.requests();

        List<Integer> items = handlers.items(1000).collectList().block();

        assertEquals(1000, items.size());
        assertEquals(before + 1, metrics.requests());
        assertEquals(before + 1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void fluxCancelledAfterSomeItemsCountsACancellation() {
        EndpointMetrics metrics = metrics("reactor", "flux_endless");

        List<Long> first = handlers.endless().take(5).collectList().block();

        assertEquals(5, first.size());
        assertEquals(1, metrics.cancellations());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
        assertEquals(0, metrics.errors("CancellationException"));
    }

    @Test
    void aPlainPublisherStillSeesTheReactorContextOfItsSubscriber() {
        EndpointMetrics metrics = new EndpointMetrics(PublisherHandlers.NS, "plain", "context_reader");

        String tenant = Mono.from(handlers.contextReader()).contextWrite(Context.of("tenant", "acme")).block();

        assertEquals("acme", tenant);
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void publisherNeverSubscribedIsNoRequestAndHoldsNothingInFlight() {
        EndpointMetrics metrics = metrics("reactor", "unsubscribed");

        Mono<String> unused = handlers.unsubscribed();

        assertInstanceOf(Mono.class, unused, "the static type is kept");
        assertEquals(0, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void laterSubscriptionsOfTheSamePublisherAreNotFurtherCalls() {
        EndpointMetrics metrics = metrics("reactor", "resubscribed");

        Mono<String> mono = handlers.resubscribed();
        mono.block();
        mono.block();
        mono.repeat(3).blockLast();

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void callersOfOneMulticastSinkThatEachTakeOneItemAreEachACallAndACancellation() {
        for (String kind : new String[] {"multicast_sink", "buffered_sink"}) {
            EndpointMetrics metrics = metrics("reactor", kind);
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
            reactor.core.publisher.Sinks.Many<String> sink =
                    kind.equals("multicast_sink") ? handlers.multicastSink : handlers.bufferedSink;
            for (int i = 0; i < 10; i++) {
                Flux<String> flux = kind.equals("multicast_sink") ? handlers.multicast() : handlers.buffered();
                flux.take(1).subscribe(seen::add);
            }
            sink.tryEmitNext("one");
            sink.tryEmitNext("two");
            assertEquals(10, seen.size(), kind + ": " + seen);
            assertEquals(10, metrics.requests(), kind);
            assertEquals(10, metrics.cancellations(), kind);
            assertEquals(0, metrics.inflight(), kind);
        }
    }

    @Test
    void twoThreadsOfManyCallsAreCountedExactly() throws Exception {
        EndpointMetrics metrics = metrics("reactor", "flux_items");
        long before = metrics.requests();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int t = 0; t < 2; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 5000; i++) {
                        handlers.items(3).blockLast();
                    }
                });
            }
        } finally {
            threads.shutdown();
            assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
        }

        assertEquals(before + 10_000, metrics.requests());
        assertEquals(before + 10_000, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void failingMetricsBackendNeverReachesTheSubscriber() {
        int id = WovenCalls.reserve(PublisherHandlers.NS, "reactor", "guarded");
        long failuresBefore = WovenCallsSeams.failures();
        ThrowingMetrics.install(id);
        try {
            assertEquals("ok", handlers.guarded().block());
            assertTrue(WovenCallsSeams.failures() > failuresBefore, "failures are counted");
        } finally {
            WovenCallsSeams.restore(id, (DistributedRuntime.get()
                    .namespace(PublisherHandlers.NS).component("reactor").endpoint("guarded")));
        }
    }

    @Test
    void rxJavaFlowableStaysAFlowableAndIsTimedToItsEnd() throws Exception {
        EndpointMetrics delayed = metrics("rxjava", "flowable_delayed");

        io.reactivex.rxjava3.core.Flowable<Integer> flowable = handlers.flowableDelayed(3, 200);
        assertEquals(0, delayed.requests(), "not a request before it is subscribed");
        assertEquals(List.of(0, 1, 2), flowable.toList().blockingGet());

        awaitNoneInFlight(delayed);
        assertEquals(1, delayed.requests());
        assertTrue(delayed.durationSum() >= 0.2, "duration covers the delay: " + delayed.durationSum());
    }

    @Test
    void rxJavaFlowableErrorsAndCancellationsAreCounted() throws Exception {
        EndpointMetrics failing = metrics("rxjava", "flowable_error");
        EndpointMetrics endless = metrics("rxjava", "flowable_endless");

        assertThrows(IllegalArgumentException.class, () -> handlers.flowableError().blockingFirst());
        assertEquals(5, handlers.flowableEndless().take(5).toList().blockingGet().size());

        assertEquals(1, failing.errors("IllegalArgumentException"));
        assertEquals(0, failing.inflight());
        awaitNoneInFlight(endless);
        assertEquals(1, endless.cancellations());
        assertEquals(1, endless.requests());
    }

    /**
     * A Flowable is measured with RxJava's own operators: no proxy, no reflective call on the way of
     * an item. Before, a proxy forwarded every item (17-20 ns each, a tester's cheap pipeline 6-10
     * times slower).
     */
    @Test
    void rxJavaFlowableItemsPassNoProxy() {
        EndpointMetrics metrics = metrics("rxjava", "flowable_items_elsewhere");
        List<String> proxyFrames = new ArrayList<>();

        // Emitted on another thread than the subscription's, whose frames (the agent's among them) are not
        // on the way of an item.
        List<Integer> items = handlers.flowableItemsElsewhere(3).doOnNext(item -> {
            for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
                if (frame.getClassName().contains("$Proxy") || frame.getClassName().startsWith("jdk.proxy")
                        || frame.getClassName().startsWith("dev.dynamo.runtime.")) {
                    proxyFrames.add(frame.toString());
                }
            }
        }).toList().blockingGet();

        assertEquals(List.of(0, 2, 4), items);
        assertEquals(List.of(), proxyFrames, "frames of proxies or of the agent on the way of an item");
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    /**
     * A connectable publisher and a processor are shared objects whose callers cast them back to
     * what they are: they are returned as they are, their calls timed to the return. Before, a
     * tester's {@code ((ConnectableFlowable) shared()).connect()} and
     * {@code ((PublishProcessor) bus()).onNext(..)} threw ClassCastException in the application.
     */
    @Test
    void connectablePublishersAndProcessorsAreReturnedAsTheyAre() {
        EndpointMetrics connectable = metrics("rxjava", "connectable");
        EndpointMetrics processor = metrics("rxjava", "processor");
        EndpointMetrics connectableFlux = metrics("reactor", "connectable");

        io.reactivex.rxjava3.flowables.ConnectableFlowable<Integer> shared =
                (io.reactivex.rxjava3.flowables.ConnectableFlowable<Integer>) handlers.connectableFlowable(3);
        List<Integer> seen = new ArrayList<>();
        shared.subscribe(seen::add);
        shared.connect();
        assertEquals(List.of(0, 1, 2), seen);

        io.reactivex.rxjava3.processors.PublishProcessor<String> bus =
                io.reactivex.rxjava3.processors.PublishProcessor.create();
        assertTrue(handlers.processor(bus) == bus, "the processor itself");

        reactor.core.publisher.ConnectableFlux<Integer> flux =
                (reactor.core.publisher.ConnectableFlux<Integer>) handlers.connectableFlux(2);
        assertEquals(List.of(0, 1), flux.autoConnect().collectList().block());

        for (EndpointMetrics metrics : List.of(connectable, processor, connectableFlux)) {
            assertEquals(1, metrics.requests(), "timed to the return");
            assertEquals(1, metrics.durations());
            assertEquals(0, metrics.inflight());
        }
    }

    /**
     * A publisher of the application's own subclass of {@code Flux} or {@code Flowable} is returned as
     * it is, timed to the return, so that the caller's cast to that class still works; an anonymous one
     * is measured to its end. Before, both were rebuilt and the cast threw ClassCastException.
     */
    @Test
    void theApplicationsOwnPublisherSubclassesAreReturnedAsTheyAre() throws InterruptedException {
        EndpointMetrics flux = metrics("reactor", "own_flux");
        EndpointMetrics flowable = metrics("rxjava", "own_flowable");
        EndpointMetrics anonymous = metrics("reactor", "anonymous_flux");

        assertEquals("own flux", ((PublisherHandlers.OwnFlux) handlers.ownFlux()).tag());
        assertEquals("own flowable", ((PublisherHandlers.OwnFlowable) handlers.ownFlowable()).tag());
        assertEquals(List.of("a", "b"), handlers.ownFlux().collectList().block());
        assertEquals(2, flux.requests(), "timed to the return");
        assertEquals(2, flux.durations());
        assertEquals(1, flowable.requests());

        Flux<String> late = handlers.anonymousFlux(Duration.ofMillis(100));
        assertEquals(0, anonymous.requests(), "counted at its subscription");
        assertEquals(List.of("late"), late.collectList().block());
        assertEquals(1, anonymous.requests());
        awaitNoneInFlight(anonymous);
        assertTrue(anonymous.durationSum() >= 0.1, "timed to its end");
        assertEquals(0, flux.inflight() + flowable.inflight());
    }

    @Test
    void reactorFluxReturnedAsPublisherIsMeasured() {
        EndpointMetrics metrics = metrics("plain", "as_publisher");

        Publisher<Integer> publisher = handlers.asPublisher(4);

        assertEquals(4, Flux.from(publisher).collectList().block().size());
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /** A tester's cast of a Flowable returned as Publisher back to Flowable failed: it was a proxy. */
    @Test
    void aFlowableReturnedAsPublisherStaysAFlowableAndIsMeasured() {
        EndpointMetrics metrics = metrics("plain", "flowable_as_publisher");

        Publisher<Integer> publisher = handlers.flowableAsPublisher(3);

        io.reactivex.rxjava3.core.Flowable<?> flowable = assertInstanceOf(io.reactivex.rxjava3.core.Flowable.class,
                publisher);
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        assertEquals(List.of(0, 1, 2), flowable.toList().blockingGet());
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /** Mutiny, Quarkus's reactive library: a Multi returned as Flow.Publisher stays a Multi. */
    @Test
    void aMutinyMultiReturnedAsFlowPublisherStaysAMultiAndItsErrorIsCounted() {
        EndpointMetrics metrics = metrics("plain", "multi_as_flow");

        io.smallrye.mutiny.Multi<?> ok = assertInstanceOf(io.smallrye.mutiny.Multi.class, handlers.multiAsFlow(3, false));
        io.smallrye.mutiny.Multi<?> failing = assertInstanceOf(io.smallrye.mutiny.Multi.class,
                handlers.multiAsFlow(2, true));

        assertEquals(3, ok.collect().asList().await().indefinitely().size());
        assertThrows(IllegalStateException.class, () -> failing.collect().asList().await().indefinitely());
        assertEquals(2, metrics.requests());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(0, metrics.inflight());
    }

    /** A method declared to return a Multi was timed to its return: its errors and cancellations were lost. */
    @Test
    void aMethodDeclaredToReturnAMultiIsTimedToItsEndAndItsCancellationIsCounted() {
        EndpointMetrics metrics = metrics("plain", "multi");

        io.smallrye.mutiny.Multi<Integer> all = handlers.multi(3);
        io.smallrye.mutiny.Multi<Integer> firstTwo = handlers.multi(10);
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");

        assertEquals(List.of(0, 1, 2), all.collect().asList().await().indefinitely());
        assertEquals(List.of(0, 1), firstTwo.select().first(2).collect().asList().await().indefinitely());
        assertEquals(2, metrics.requests());
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.inflight());
    }

    /**
     * A publisher whose subscribe throws, and one that emits at once to a subscriber whose onNext
     * throws (both against the rules): a tester saw each call stay in flight for good.
     */
    @Test
    void aSubscribeOrAnOnNextThatThrowsEndsTheCallAsAnError() {
        EndpointMetrics refused = metrics("plain", "subscribe_throws");
        EndpointMetrics emitting = metrics("plain", "emits_at_once");

        assertThrows(IllegalStateException.class, () -> handlers.subscribeThrows().subscribe(new IgnoringSubscriber()));
        assertThrows(ArithmeticException.class, () -> handlers.emitsAtOnce(3).subscribe(new IgnoringSubscriber() {
            @Override
            public void onNext(Integer item) {
                throw new ArithmeticException("a subscriber's bug");
            }
        }));

        assertEquals(1, refused.requests());
        assertEquals(1, refused.errors("IllegalStateException"));
        assertEquals(0, refused.inflight());
        assertEquals(1, emitting.requests());
        assertEquals(1, emitting.errors("ArithmeticException"));
        assertEquals(0, emitting.inflight());
    }

    /**
     * RxJava's {@code Flowable.subscribe} rethrows what a subscriber's {@code onNext} threw as its own
     * {@code NullPointerException("Actually not, ...")}, the real failure its cause: the call's error is
     * the subscriber's exception, as for a Flux (a re-tester saw {@code NullPointerException} counted).
     */
    @Test
    void aFlowableSubscriberThatThrowsCountsItsOwnExceptionNotRxJavasWrapper() {
        EndpointMetrics metrics = metrics("rxjava", "flowable_to_throwing_subscriber");

        NullPointerException wrapped = assertThrows(NullPointerException.class,
                () -> handlers.flowableToThrowingSubscriber(3).subscribe(new org.reactivestreams.Subscriber<Integer>() {
                    @Override
                    public void onSubscribe(org.reactivestreams.Subscription subscription) {
                        subscription.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(Integer item) {
                        throw new ArithmeticException("a subscriber's bug");
                    }

                    @Override
                    public void onError(Throwable failure) {
                    }

                    @Override
                    public void onComplete() {
                    }
                }));

        assertTrue(wrapped.getCause() instanceof ArithmeticException, "RxJava's wrapper: " + wrapped);
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("ArithmeticException"));
        assertEquals(0, metrics.errors("NullPointerException"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * A measured Mono is subscribed as Reactor's own operators subscribe their sources: the
     * last-operator hooks (Micrometer's and Sleuth's tracing decorate there) run once per subscription,
     * as for the same Mono unmeasured, not again for the operators the agent adds.
     */
    @Test
    void reactorsLastOperatorHooksRunOncePerSubscriptionOfAMeasuredMono() {
        EndpointMetrics metrics = metrics("reactor", "mono_hooked");
        java.util.concurrent.atomic.AtomicInteger lastOperators = new java.util.concurrent.atomic.AtomicInteger();
        reactor.core.publisher.Hooks.onLastOperator("count", publisher -> {
            lastOperators.incrementAndGet();
            return publisher;
        });
        try {
            Mono.just("hooked").map(String::toUpperCase).block();
            int unmeasured = lastOperators.getAndSet(0);

            assertEquals("HOOKED", handlers.hooked().block());
            assertEquals(unmeasured, lastOperators.get(), "hooks per subscription, measured against unmeasured");
        } finally {
            reactor.core.publisher.Hooks.resetOnLastOperator("count");
        }
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /**
     * Reactor and RxJava rethrow a JVM-fatal error of a subscriber rather than signal it, past their
     * {@code doFinally} and {@code doOnError}: one thrown from {@code onNext} ends the call with it all
     * the same (it stayed in flight for good before), one thrown from {@code onComplete} comes after the
     * publisher's end, which counted as a success.
     */
    @Test
    void aSubscriberThatThrowsAJvmFatalErrorEndsTheCallAtTheThrowOrAtThePublishersEnd() {
        EndpointMetrics flux = metrics("reactor", "flux_to_fatal_subscriber");
        EndpointMetrics flowable = metrics("rxjava", "flowable_to_fatal_subscriber");

        assertThrows(StackOverflowError.class, () -> handlers.fluxToFatalSubscriber(3).subscribe(new FatalSubscriber(true)));
        assertThrows(StackOverflowError.class,
                () -> handlers.flowableToFatalSubscriber(3).subscribe(new FatalSubscriber(true)));
        for (EndpointMetrics metrics : Arrays.asList(flux, flowable)) {
            assertEquals(1, metrics.requests());
            assertEquals(0, metrics.inflight());
            assertEquals(1, metrics.errors("StackOverflowError"));
            assertEquals(1, metrics.durations());
        }

        assertThrows(StackOverflowError.class, () -> handlers.fluxToFatalSubscriber(3).subscribe(new FatalSubscriber(false)));
        assertThrows(StackOverflowError.class,
                () -> handlers.flowableToFatalSubscriber(3).subscribe(new FatalSubscriber(false)));
        for (EndpointMetrics metrics : Arrays.asList(flux, flowable)) {
            assertEquals(2, metrics.requests());
            assertEquals(0, metrics.inflight());
            assertEquals(1, metrics.errors("StackOverflowError"), "the publisher completed before the throw");
            assertEquals(2, metrics.durations());
        }
    }

    /** Requests everything and throws a StackOverflowError, as one thrown at the top of a deep stack, from onNext or onComplete. */
    private static final class FatalSubscriber implements org.reactivestreams.Subscriber<Integer> {
        private final boolean fromOnNext;

        FatalSubscriber(boolean fromOnNext) {
            this.fromOnNext = fromOnNext;
        }

        @Override
        public void onSubscribe(org.reactivestreams.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer item) {
            if (fromOnNext) {
                throw new StackOverflowError("thrown by a subscriber's onNext");
            }
        }

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onComplete() {
            throw new StackOverflowError("thrown by a subscriber's onComplete");
        }
    }

    /** A tester cast a JDK body publisher returned as Flow.Publisher to HttpRequest.BodyPublisher: the proxy lacked it. */
    @Test
    void theProxyOfAPublisherHasEveryInterfaceOfItsClass() {
        EndpointMetrics metrics = metrics("plain", "body_publisher");

        Flow.Publisher<java.nio.ByteBuffer> returned = handlers.bodyPublisher("hello");

        java.net.http.HttpRequest.BodyPublisher body = assertInstanceOf(java.net.http.HttpRequest.BodyPublisher.class,
                returned);
        assertEquals(5, body.contentLength());
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        returned.subscribe(new Flow.Subscriber<java.nio.ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(java.nio.ByteBuffer item) {
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onComplete() {
            }
        });
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /** A publisher of both interfaces, subscribed through the one it was not returned as, was never counted. */
    @Test
    void aPublisherOfBothInterfacesIsMeasuredThroughEither() {
        EndpointMetrics metrics = metrics("plain", "both_interfaces");

        Flow.Publisher<Integer> returned = handlers.bothInterfaces(3);
        @SuppressWarnings("unchecked")
        Publisher<Integer> otherSide = assertInstanceOf(Publisher.class, returned);
        assertThrows(IllegalStateException.class, () -> Flux.from(otherSide).blockLast());
        handlers.bothInterfaces(3).subscribe(new IgnoringSubscriber());

        assertEquals(2, metrics.requests());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(0, metrics.inflight());
    }

    /**
     * No proxy can have a sealed interface: the publisher is returned as it is, and its call timed to
     * the return, rather than the caller lose the interface (a tester's pattern match took another branch).
     */
    @Test
    void aPublisherNoProxyCanStandInForIsReturnedAsItIs() {
        EndpointMetrics metrics = metrics("plain", "sealed_source");

        Flow.Publisher<Integer> returned = handlers.sealedSource();

        assertInstanceOf(PublisherHandlers.SealedSource.class, returned);
        assertEquals(1, metrics.requests(), "timed to the return");
        assertEquals(0, metrics.inflight());
    }

    /** A re-tester's publisher with a package-private interface went unmeasured, with a warning of a failed recording. */
    @Test
    void aPublisherWithAPackagePrivateInterfaceIsMeasured() {
        EndpointMetrics metrics = metrics("plain", "package_private_interface");

        Flow.Publisher<Integer> returned = handlers.packagePrivateInterface();

        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        returned.subscribe(new IgnoringSubscriber());
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /** A re-tester subscribed through a default method of the publisher's interface: never counted. */
    @Test
    void aSubscriptionThroughADefaultMethodOfThePublishersInterfaceIsMeasured() {
        EndpointMetrics metrics = metrics("plain", "default_method");

        @SuppressWarnings("unchecked")
        PublisherHandlers.Subscribable<Integer> returned = assertInstanceOf(PublisherHandlers.Subscribable.class,
                handlers.defaultMethod());
        returned.subscribeWith(new IgnoringSubscriber());

        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    /** Takes every item and ignores it. */
    private static class IgnoringSubscriber implements Flow.Subscriber<Integer> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer item) {
        }

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onComplete() {
        }
    }

    @Test
    void flowPublisherIsTimedToOnCompleteAndCancelCounts() throws Exception {
        EndpointMetrics metrics = metrics("plain", "flow");
        SubmissionPublisher<Integer> source = new SubmissionPublisher<>();
        CountDownLatch completed = new CountDownLatch(1);
        int[] received = new int[1];

        Flow.Publisher<Integer> returned = handlers.flow(source);
        // A proxy, but of every public interface of the class: what the caller may check for or cast to.
        assertInstanceOf(AutoCloseable.class, returned);
        returned.subscribe(new Flow.Subscriber<Integer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Integer item) {
                received[0]++;
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onComplete() {
                completed.countDown();
            }
        });
        source.submit(1);
        source.submit(2);
        Thread.sleep(50);
        assertEquals(1, metrics.inflight(), "in flight until the publisher completes");
        source.close();

        assertTrue(completed.await(10, TimeUnit.SECONDS));
        assertEquals(2, received[0]);
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.05, "duration covers the wait: " + metrics.durationSum());

        SubmissionPublisher<Integer> second = new SubmissionPublisher<>();
        CountDownLatch cancelled = new CountDownLatch(1);
        handlers.flow(second).subscribe(new IgnoringSubscriber() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
                cancelled.countDown();
            }
        });
        assertTrue(cancelled.await(10, TimeUnit.SECONDS));
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.inflight());
        second.close();
    }
}
