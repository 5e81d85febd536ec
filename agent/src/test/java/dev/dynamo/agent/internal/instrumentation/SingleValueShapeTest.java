package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.SingleValueHandlers;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Methods returning a lazy single value (Mutiny's {@code Uni}, RxJava's {@code Single}, {@code Maybe},
 * {@code Completable}): one request per call, from the first subscription to its item, failure or
 * cancellation; and Vert.x's eager {@code Future}: from the call to its completion. Before, they were
 * timed to the return of the method, which builds the value and does none of its work: a few
 * microseconds, and no error ever.
 */
class SingleValueShapeTest {
    private static EndpointTransformer transformer;
    private static SingleValueHandlers handlers;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
        handlers = new SingleValueHandlers();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    private static EndpointMetrics metrics(String component, String endpoint) {
        return new EndpointMetrics(SingleValueHandlers.NS, component, endpoint);
    }

    private static void awaitNoneInFlight(EndpointMetrics metrics) throws InterruptedException {
        for (int i = 0; i < 1000 && metrics.inflight() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, metrics.inflight());
    }

    /**
     * A measured Uni is subscribed through the agent's source and Mutiny's converter: the subscriber's
     * Mutiny {@code Context} still reaches the handler's Uni.
     */
    @Test
    void aUniSeesTheContextOfItsSubscriber() throws InterruptedException {
        EndpointMetrics metrics = metrics("mutiny", "uni_context");
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);

        handlers.uniReadingContext().subscribe().with(io.smallrye.mutiny.Context.of("tenant", "acme"), item -> {
            seen.set(item);
            done.countDown();
        });

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals("acme", seen.get());
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aUniCountsAtItsFirstSubscriptionAndIsTimedToItsItem() throws InterruptedException {
        EndpointMetrics metrics = metrics("mutiny", "uni_delayed");

        Uni<String> uni = handlers.uniDelayed(300);
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        CountDownLatch done = new CountDownLatch(1);
        uni.subscribe().with(item -> done.countDown());
        Thread.sleep(100);
        assertEquals(1, metrics.inflight(), "in flight until its item arrives");
        assertTrue(done.await(10, TimeUnit.SECONDS));

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertTrue(metrics.durationSum() >= 0.3, "the duration covers the delay: " + metrics.durationSum());
        assertEquals("late", uni.await().atMost(Duration.ofSeconds(10)), "a later subscription gets the item");
        assertEquals(1, metrics.requests(), "a later subscription is not another call");
    }

    @Test
    void aFailedUniCountsAnErrorOfItsTypeAndTheSubscriberStillSeesIt() {
        EndpointMetrics metrics = metrics("mutiny", "uni_failing");
        long requestsBefore = metrics.requests();
        long errorsBefore = metrics.errors("IllegalStateException");

        IllegalStateException seen = assertThrows(IllegalStateException.class,
                () -> handlers.uniFailing().await().atMost(Duration.ofSeconds(10)));

        assertEquals("no stock", seen.getMessage());
        assertEquals(1, metrics.requests() - requestsBefore);
        assertEquals(1, metrics.errors("IllegalStateException") - errorsBefore);
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aUniOfANullItemIsOneRequestWithoutError() {
        EndpointMetrics metrics = metrics("mutiny", "uni_null_item");

        handlers.uniNullItem().await().atMost(Duration.ofSeconds(10));

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.errors("NullPointerException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aUniCancelledByItsSubscriberIsACancellation() {
        EndpointMetrics metrics = metrics("mutiny", "uni_never");

        Cancellable subscription = handlers.uniNever().subscribe().with(item -> { });
        assertEquals(1, metrics.inflight());
        subscription.cancel();

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aMethodThatThrowsInsteadOfReturningAUniCountsOneRequestAndOneError() {
        EndpointMetrics metrics = metrics("mutiny", "uni_throws");

        assertThrows(UnsupportedOperationException.class, () -> handlers.uniThrows());

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("UnsupportedOperationException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void unisSubscribedOnOtherThreadsAreCountedExactly() throws Exception {
        EndpointMetrics elsewhere = metrics("mutiny", "uni_elsewhere");
        EndpointMetrics failing = metrics("mutiny", "uni_failing");
        long elsewhereBefore = elsewhere.requests();
        long failingBefore = failing.requests();
        long errorsBefore = failing.errors("IllegalStateException");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        handlers.uniElsewhere(i).await().atMost(Duration.ofSeconds(10));
                        try {
                            handlers.uniFailing().await().atMost(Duration.ofSeconds(10));
                        } catch (IllegalStateException expected) {
                            // counted as an error
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        awaitNoneInFlight(elsewhere);
        assertEquals(2_000, elsewhere.requests() - elsewhereBefore);
        assertEquals(2_000, failing.requests() - failingBefore);
        assertEquals(2_000, failing.errors("IllegalStateException") - errorsBefore);
        assertEquals(0, failing.inflight());
    }

    @Test
    void aSingleIsInFlightUntilItsItemAndTimedToIt() throws InterruptedException {
        EndpointMetrics metrics = metrics("rxjava", "single_delayed");

        Single<Integer> single = handlers.singleDelayed(300);
        assertEquals(0, metrics.requests(), "not a request before it is subscribed");
        CountDownLatch done = new CountDownLatch(1);
        single.subscribe(item -> done.countDown());
        Thread.sleep(100);
        assertEquals(1, metrics.inflight());
        assertTrue(done.await(10, TimeUnit.SECONDS));

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertTrue(metrics.durationSum() >= 0.3, "the duration covers the delay: " + metrics.durationSum());
        assertEquals(7, single.blockingGet(), "a later subscription gets the item");
        assertEquals(1, metrics.requests(), "a later subscription is not another call");
    }

    /** A context-propagating wrapper, as tracing libraries install with RxJava's assembly hooks. */
    private static final class ContextSingle<T> extends Single<T> {
        private final Single<T> source;

        ContextSingle(Single<T> source) {
            this.source = source;
        }

        /** The hook: RxJava hands it raw {@code Single}s. */
        @SuppressWarnings({"rawtypes", "unchecked"})
        static Single around(Single single) {
            return new ContextSingle(single);
        }

        @Override
        protected void subscribeActual(io.reactivex.rxjava3.core.SingleObserver<? super T> observer) {
            source.subscribe(observer);
        }
    }

    /**
     * An assembly hook that wraps every Single in a class of the application's makes every value one of
     * the application's classes; they are still measured to their end. Before, each call was timed to
     * its return and its failure went uncounted (a re-tester).
     */
    @Test
    void aSingleWrappedByAnAssemblyHookIsTimedToItsItemOrFailure() throws InterruptedException {
        EndpointMetrics metrics = metrics("rxjava", "single_cached");
        long requestsBefore = metrics.requests();
        double secondsBefore = metrics.durationSum();
        long errorsBefore = metrics.errors("IOException");
        io.reactivex.rxjava3.plugins.RxJavaPlugins.setOnSingleAssembly(ContextSingle::around);
        try {
            Single<Integer> failing = handlers.singleCached(150, true);
            assertInstanceOf(ContextSingle.class, failing, "the hook's wrapper, as the method built it");
            assertThrows(RuntimeException.class, failing::blockingGet);
        } finally {
            io.reactivex.rxjava3.plugins.RxJavaPlugins.setOnSingleAssembly(null);
        }

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests() - requestsBefore);
        assertEquals(1, metrics.errors("IOException") - errorsBefore);
        assertTrue(metrics.durationSum() - secondsBefore >= 0.15, "timed to the failure");
    }

    /** Before, cache()'s Single was taken for a subject, as an observer, and timed to the return. */
    @Test
    void aCachedSingleIsTimedToItsItemOrFailure() throws InterruptedException {
        EndpointMetrics metrics = metrics("rxjava", "single_cached");

        assertEquals(8, handlers.singleCached(150, false).blockingGet());
        assertThrows(RuntimeException.class, () -> handlers.singleCached(150, true).blockingGet());

        awaitNoneInFlight(metrics);
        assertEquals(2, metrics.requests());
        assertEquals(1, metrics.errors("IOException"));
        assertTrue(metrics.durationSum() >= 0.3, "timed to the item and the failure: " + metrics.durationSum());
    }

    @Test
    void aFailedSingleCountsAnErrorOfItsType() {
        EndpointMetrics metrics = metrics("rxjava", "single_failing");

        assertThrows(ArithmeticException.class, () -> handlers.singleFailing().blockingGet());

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("ArithmeticException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aDisposedSingleIsACancellation() {
        EndpointMetrics metrics = metrics("rxjava", "single_never");

        Disposable subscription = handlers.singleNever().subscribe(item -> { });
        assertEquals(1, metrics.inflight());
        subscription.dispose();

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void anEmptyMaybeAndAMaybeWithAnItemAreRequestsWithoutError() {
        EndpointMetrics empty = metrics("rxjava", "maybe_empty");
        EndpointMetrics item = metrics("rxjava", "maybe_item");

        handlers.maybeEmpty().blockingSubscribe();
        assertEquals("found", handlers.maybeItem().blockingGet());

        assertEquals(1, empty.requests());
        assertEquals(1, empty.durations());
        assertEquals(0, empty.inflight());
        assertEquals(1, item.requests());
        assertEquals(1, item.durations());
        assertEquals(0, item.inflight());
    }

    @Test
    void aCompletableIsTimedToItsCompletionAndItsErrorCounted() throws InterruptedException {
        EndpointMetrics delayed = metrics("rxjava", "completable_delayed");
        EndpointMetrics failing = metrics("rxjava", "completable_failing");

        handlers.completableDelayed(200).blockingAwait();
        assertThrows(IllegalArgumentException.class, () -> handlers.completableFailing().blockingAwait());

        awaitNoneInFlight(delayed);
        assertEquals(1, delayed.requests());
        assertTrue(delayed.durationSum() >= 0.2, "the duration covers the timer: " + delayed.durationSum());
        assertEquals(1, failing.requests());
        assertEquals(1, failing.errors("IllegalArgumentException"));
        assertEquals(0, failing.inflight());
    }

    @Test
    void aVertxFutureIsReturnedAsItIsAndTimedToItsCompletion() throws InterruptedException {
        EndpointMetrics metrics = metrics("vertx", "future");
        long requestsBefore = metrics.requests();
        long durationsBefore = metrics.durations();
        double secondsBefore = metrics.durationSum();
        Promise<String> promise = Promise.promise();

        Future<String> future = handlers.vertxFuture(promise);
        assertSame(promise.future(), future, "the future itself");
        assertEquals(1, metrics.requests() - requestsBefore, "eager: a request when returned");
        assertEquals(1, metrics.inflight());
        Thread.sleep(100);
        promise.complete("answer");

        assertEquals("answer", future.result());
        assertEquals(0, metrics.inflight());
        assertEquals(1, metrics.durations() - durationsBefore);
        assertTrue(metrics.durationSum() - secondsBefore >= 0.1, "the duration covers the wait");
    }

    @Test
    void aFailedVertxFutureCountsAnErrorOfItsType() throws Exception {
        EndpointMetrics metrics = metrics("vertx", "future");
        long requestsBefore = metrics.requests();
        Promise<String> promise = Promise.promise();

        Future<String> future = handlers.vertxFuture(promise);
        Thread failing = new Thread(() -> promise.fail(new IllegalStateException("no route")));
        failing.start();
        failing.join();

        assertTrue(future.failed());
        assertEquals(1, metrics.requests() - requestsBefore);
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aVertxFutureDoneWhenReturnedEndsTheCallAtOnce() {
        EndpointMetrics metrics = metrics("vertx", "succeeded");

        assertEquals("done", handlers.vertxSucceeded().result());

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    /**
     * A method declared to return a subtype of {@code Future} is timed the same way. Before, it was
     * timed to its return and its failures went uncounted.
     */
    @Test
    void aCompositeFutureIsTimedToItsCompletionAndItsFailureCounted() throws InterruptedException {
        EndpointMetrics metrics = metrics("vertx", "all");
        Promise<String> first = Promise.promise();
        Promise<String> second = Promise.promise();

        CompositeFuture both = handlers.vertxAll(first, second);
        assertEquals(1, metrics.requests());
        first.complete("one");
        assertEquals(1, metrics.inflight(), "one of two done: still in flight");
        Thread.sleep(100);
        second.fail(new IllegalStateException("second refused"));

        assertTrue(both.failed());
        assertEquals(0, metrics.inflight());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(1, metrics.durations());
        assertTrue(metrics.durationSum() >= 0.1, "the duration covers the wait");
    }

    @Test
    void aTimerIsTimedToItsFiring() throws Exception {
        EndpointMetrics metrics = metrics("vertx", "timer");
        withVertx(vertx -> {
            Timer timer = handlers.vertxTimer(vertx, 150);
            assertEquals(1, metrics.requests());
            assertEquals(1, metrics.inflight());

            timer.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            awaitNoneInFlight(metrics);
            assertEquals(1, metrics.durations());
            assertTrue(metrics.durationSum() >= 0.15, "the duration covers the timer: " + metrics.durationSum());
        });
    }

    /** A Vert.x 5 timer cancelled before it fires ends its call as a cancellation, not an error. */
    @Test
    void aCancelledTimerCountsACancellation() throws Exception {
        EndpointMetrics metrics = metrics("vertx", "timer_cancelled");
        withVertx(vertx -> {
            Timer timer = handlers.vertxTimerToCancel(vertx, 10_000);
            assertEquals(1, metrics.inflight());

            assertTrue(timer.cancel(), "cancelled before it fired");
            awaitNoneInFlight(metrics);
            assertEquals(1, metrics.requests());
            assertEquals(1, metrics.cancellations());
            assertEquals(0, metrics.errors("CancellationException"));
        });
    }

    /** A test that runs on a Vert.x instance of its own. */
    private interface OnVertx {
        void run(Vertx vertx) throws Exception;
    }

    /** Runs {@code test} on a new Vert.x instance, closed after it. */
    private static void withVertx(OnVertx test) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            test.run(vertx);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A value of the application's own subclass is returned as it is, timed to the return, so that the
     * caller's cast to that class still works. Before, it was rebuilt as a Mutiny or RxJava class and
     * a tester's {@code ((MyUni) uni()).tag()} threw ClassCastException in the application.
     */
    @Test
    void theApplicationsOwnUniAndSingleAreReturnedAsTheyAre() {
        EndpointMetrics uni = metrics("mutiny", "own_uni");
        EndpointMetrics single = metrics("rxjava", "own_single");

        assertEquals("own uni", ((SingleValueHandlers.OwnUni) handlers.ownUni()).tag());
        assertEquals("own single", ((SingleValueHandlers.OwnSingle) handlers.ownSingle()).tag());
        assertEquals("customised", ((SingleValueHandlers.OwnSingle) handlers.ownSingleCustomised()).tag(),
                "an anonymous subclass of the application's own class is castable to it");
        assertEquals("s", handlers.ownSingle().blockingGet());

        assertEquals(1, uni.requests(), "timed to the return");
        assertEquals(2, single.requests());
        assertEquals(2, single.durations());
        assertEquals(0, uni.inflight() + single.inflight());
    }

    /** A library's own subclass, such as Vert.x's RxJava binding of a future, is still measured to its end. */
    @Test
    void aSingleOfVertxsRxJavaBindingIsTimedToItsItem() throws InterruptedException {
        EndpointMetrics metrics = metrics("rxjava", "vertx_binding");
        Promise<String> promise = Promise.promise();

        Single<String> single = handlers.vertxBinding(promise);
        assertEquals(0, metrics.requests(), "counted at its subscription");
        Thread answering = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            promise.complete("bound");
        });
        answering.start();
        assertEquals("bound", single.blockingGet());
        answering.join();

        assertEquals(1, metrics.requests());
        awaitNoneInFlight(metrics);
        assertTrue(metrics.durationSum() >= 0.1, "timed to its item: " + metrics.durationSum());
    }

    /** A subject is fed by the application, which may cast it back: it is returned as it is, timed to the return. */
    @Test
    void aSubjectIsReturnedAsItIsAndTimedToTheReturn() {
        EndpointMetrics metrics = metrics("rxjava", "subject");
        SingleSubject<String> subject = SingleSubject.create();

        assertSame(subject, handlers.subject(subject));

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }
}
