package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.EagerFutureHandlers;
import com.example.endpoints.KotlinJobs;
import com.example.endpoints.KotlinJobsKt;
import com.example.endpoints.ScalaFutureCalls;
import com.example.endpoints.ScalaFutures;
import com.google.common.util.concurrent.FluentFuture;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import kotlinx.coroutines.CompletableDeferred;
import kotlinx.coroutines.CompletableDeferredKt;
import kotlinx.coroutines.Deferred;
import kotlinx.coroutines.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.concurrent.SettableListenableFuture;
import scala.concurrent.Future;
import scala.concurrent.Promise;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Methods returning an eager future of a library that is not a {@code CompletionStage}: Guava's
 * {@code ListenableFuture}, Scala's {@code Future}, Kotlin's {@code Job} and {@code Deferred}, Spring's
 * {@code ListenableFuture} and Netty's {@code Future} (Vert.x's
 * {@code Future}: {@link SingleValueShapeTest}). One request when the method returns, timed to the
 * future's completion, its failure an error of its type, its cancellation a cancellation; the future
 * itself returned. Before, each was timed to the return, which starts the work and waits for none of
 * it: microseconds, and never an error.
 */
class EagerFutureShapeTest {
    private static EndpointTransformer transformer;
    private static EagerFutureHandlers handlers;
    private static ScalaFutures scala;
    private static KotlinJobs kotlin;
    private static ListeningExecutorService executor;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
        handlers = new EagerFutureHandlers();
        scala = ScalaFutureCalls.newFutures();
        kotlin = new KotlinJobs(KotlinJobsKt.newJobScope());
        executor = MoreExecutors.listeningDecorator(Executors.newSingleThreadExecutor());
    }

    @AfterAll
    static void removeAgent() {
        executor.shutdownNow();
        EndpointMetrics.uninstall(transformer);
    }

    private static EndpointMetrics metrics(String component, String endpoint) {
        return new EndpointMetrics(EagerFutureHandlers.NS, component, endpoint);
    }

    private static void awaitNoneInFlight(EndpointMetrics metrics) throws InterruptedException {
        for (int i = 0; i < 1000 && metrics.inflight() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aListenableFutureIsReturnedAsItIsAndTimedToItsCompletion() throws Exception {
        EndpointMetrics metrics = metrics("guava", "listenable");
        long requestsBefore = metrics.requests();
        long durationsBefore = metrics.durations();
        double secondsBefore = metrics.durationSum();
        SettableFuture<String> answer = SettableFuture.create();

        ListenableFuture<String> future = handlers.listenable(answer);
        assertSame(answer, future, "the future itself");
        assertEquals(1, metrics.requests() - requestsBefore, "eager: a request when returned");
        assertEquals(1, metrics.inflight(), "in flight until it completes");
        Thread.sleep(100);
        answer.set("answer");

        assertEquals("answer", future.get());
        assertEquals(0, metrics.inflight());
        assertEquals(1, metrics.durations() - durationsBefore);
        assertTrue(metrics.durationSum() - secondsBefore >= 0.1, "the duration covers the wait");
    }

    @Test
    void aFailedListenableFutureCountsAnErrorOfItsCause() throws Exception {
        EndpointMetrics metrics = metrics("guava", "listenable");
        long requestsBefore = metrics.requests();
        long errorsBefore = metrics.errors("IllegalStateException");
        SettableFuture<String> answer = SettableFuture.create();

        ListenableFuture<String> future = handlers.listenable(answer);
        Thread failing = new Thread(() -> answer.setException(new IllegalStateException("no route")));
        failing.start();
        failing.join();

        ExecutionException seen = assertThrows(ExecutionException.class, future::get);
        assertInstanceOf(IllegalStateException.class, seen.getCause());
        assertEquals(1, metrics.requests() - requestsBefore);
        assertEquals(1, metrics.errors("IllegalStateException") - errorsBefore, "the cause, not ExecutionException");
        assertEquals(0, metrics.errors("ExecutionException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aCancelledListenableFutureCountsACancellation() {
        EndpointMetrics metrics = metrics("guava", "listenable");
        long cancellationsBefore = metrics.cancellations();

        ListenableFuture<String> future = handlers.listenable(SettableFuture.create());
        assertEquals(1, metrics.inflight());
        assertTrue(future.cancel(true));

        assertEquals(1, metrics.cancellations() - cancellationsBefore);
        assertEquals(0, metrics.errors("CancellationException"), "a cancellation, not an error");
        assertEquals(0, metrics.inflight());
    }

    /** The return type's class file says it is a ListenableFuture; its name does not. */
    @Test
    void aFutureDeclaredAsASubtypeIsFoundThroughItsHierarchy() throws Exception {
        EndpointMetrics metrics = metrics("guava", "settable");
        SettableFuture<String> answer = SettableFuture.create();

        SettableFuture<String> future = handlers.settable(answer);
        assertEquals(1, metrics.inflight());
        Thread.sleep(50);
        answer.set("answer");

        assertEquals("answer", future.get());
        assertEquals(1, metrics.requests());
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.05, "the duration covers the wait: " + metrics.durationSum());
    }

    @Test
    void aFluentFutureOfAnExecutorIsTimedToItsWork() throws Exception {
        EndpointMetrics metrics = metrics("guava", "fluent");

        FluentFuture<String> future = handlers.fluent(executor, 200);
        assertEquals("late", future.get(10, TimeUnit.SECONDS));

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertTrue(metrics.durationSum() >= 0.2, "the duration covers the work: " + metrics.durationSum());
    }

    /** Its listener runs on the calling thread, before the method returns (a first version's Scala stage did not). */
    @Test
    void aListenableFutureDoneWhenReturnedEndsTheCallAtOnce() throws Exception {
        EndpointMetrics metrics = metrics("guava", "immediate");

        assertEquals("done", handlers.immediate().get());

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    /**
     * Guava's {@code get()} throws {@code InterruptedException} on an interrupted thread even when the
     * future is done: the thread that completes the future, and runs the listener that ends the call,
     * keeps its interrupt, and the call is a success.
     */
    @Test
    void theThreadThatCompletesAFutureKeepsItsInterrupt() throws Exception {
        EndpointMetrics metrics = metrics("guava", "listenable");
        long durationsBefore = metrics.durations();
        SettableFuture<String> answer = SettableFuture.create();
        handlers.listenable(answer);
        assertEquals(1, metrics.inflight(), "ended by the completing thread");
        AtomicBoolean keptInterrupt = new AtomicBoolean();

        Thread completing = new Thread(() -> {
            Thread.currentThread().interrupt();
            answer.set("answer");
            keptInterrupt.set(Thread.interrupted());
        });
        completing.start();
        completing.join();

        assertTrue(keptInterrupt.get(), "the completing thread is still interrupted");
        assertEquals(1, metrics.durations() - durationsBefore);
        assertEquals(0, metrics.errors("InterruptedException"));
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aScalaFutureIsReturnedAsItIsAndTimedToItsCompletion() throws Exception {
        EndpointMetrics metrics = metrics("scala", "promised");
        Promise<String> answer = ScalaFutureCalls.promise();

        Future<String> future = scala.promised(answer);
        assertSame(answer.future(), future, "the future itself");
        assertEquals(1, metrics.requests(), "eager: a request when returned");
        assertEquals(1, metrics.inflight());
        Thread.sleep(100);
        answer.success("answer");

        assertEquals("answer", ScalaFutureCalls.await(future));
        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.durations());
        assertTrue(metrics.durationSum() >= 0.1, "the duration covers the wait: " + metrics.durationSum());
    }

    @Test
    void aScalaFutureOfTheGlobalContextIsTimedToItsWork() throws Exception {
        EndpointMetrics metrics = metrics("scala", "delayed");

        assertEquals("late", ScalaFutureCalls.await(scala.delayed(200)));

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertTrue(metrics.durationSum() >= 0.2, "the duration covers the work: " + metrics.durationSum());
    }

    @Test
    void aFailedScalaFutureCountsAnErrorOfItsType() throws Exception {
        EndpointMetrics metrics = metrics("scala", "failing");

        Future<String> future = scala.failing();
        assertThrows(IllegalStateException.class, () -> ScalaFutureCalls.await(future));

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("IllegalStateException"));
    }

    /**
     * Its function runs on the calling thread, before the method returns. A first version watched the
     * stage of Scala's {@code FutureConverters.asJava}, which runs every callback on the JDK's common pool.
     */
    @Test
    void aScalaFutureDoneWhenReturnedEndsTheCallAtOnce() {
        EndpointMetrics metrics = metrics("scala", "successful");

        assertEquals("done", ScalaFutureCalls.await(scala.successful()));

        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.durations());
        assertEquals(0, metrics.inflight());
    }

    @Test
    void aDeferredIsTimedToItsCoroutinesResult() throws Exception {
        EndpointMetrics metrics = metrics("kotlin", "deferred");

        Deferred<String> deferred = kotlin.deferred(200);
        assertEquals(1, metrics.requests(), "eager: a request when returned");
        assertEquals(1, metrics.inflight());

        awaitNoneInFlight(metrics);
        assertEquals("late", deferred.getCompleted());
        assertEquals(1, metrics.durations());
        assertTrue(metrics.durationSum() >= 0.2, "the duration covers the coroutine: " + metrics.durationSum());
    }

    @Test
    void aFailedDeferredCountsAnErrorOfItsType() throws Exception {
        EndpointMetrics metrics = metrics("kotlin", "failing");

        Deferred<String> deferred = kotlin.failing();

        awaitNoneInFlight(metrics);
        assertInstanceOf(IllegalStateException.class, deferred.getCompletionExceptionOrNull());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(0, metrics.cancellations());
    }

    /** A cancelled job completes once its coroutine has left its suspension, on its dispatcher's thread. */
    @Test
    void aCancelledJobCountsACancellation() throws InterruptedException {
        EndpointMetrics metrics = metrics("kotlin", "job");

        Job job = kotlin.job(10_000);
        assertEquals(1, metrics.inflight());
        job.cancel(null);

        awaitNoneInFlight(metrics);
        assertTrue(job.isCancelled());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.errors("JobCancellationException"), "a cancellation, not an error");
        assertEquals(0, metrics.inflight());
    }

    /** Declared as {@code CompletableDeferred}: a Job found through the return type's hierarchy. */
    @Test
    void aCompletableDeferredIsTimedToItsCompletionAndItsFailureCounted() throws Exception {
        EndpointMetrics metrics = metrics("kotlin", "completable");
        CompletableDeferred<String> answer = CompletableDeferredKt.CompletableDeferred((Job) null);
        CompletableDeferred<String> failing = CompletableDeferredKt.CompletableDeferred((Job) null);

        assertSame(answer, kotlin.completable(answer), "the deferred itself");
        kotlin.completable(failing);
        assertEquals(2, metrics.inflight());
        Thread.sleep(50);
        answer.complete("answer");
        failing.completeExceptionally(new UnsupportedOperationException("no"));

        assertEquals(2, metrics.requests());
        assertEquals(2, metrics.durations());
        assertEquals(1, metrics.errors("UnsupportedOperationException"));
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.1, "both durations cover the wait: " + metrics.durationSum());
    }

    @Test
    void aSpringListenableFutureIsTimedToItsCompletionAndItsFailureAndCancellationCounted() throws Exception {
        EndpointMetrics metrics = metrics("spring", "listenable");
        SettableListenableFuture<String> answered = new SettableListenableFuture<>();
        SettableListenableFuture<String> failing = new SettableListenableFuture<>();
        SettableListenableFuture<String> cancelled = new SettableListenableFuture<>();

        assertSame(answered, handlers.spring(answered), "the future itself");
        handlers.spring(failing);
        handlers.spring(cancelled);
        assertEquals(3, metrics.inflight());
        Thread.sleep(50);
        answered.set("answer");
        failing.setException(new IllegalStateException("no route"));
        cancelled.cancel(true);

        assertEquals(3, metrics.requests());
        assertEquals(3, metrics.durations());
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() >= 0.15, "each duration covers the wait: " + metrics.durationSum());
    }

    @Test
    void aNettyFutureIsTimedToItsCompletionAndItsFailureAndCancellationCounted() throws Exception {
        EndpointMetrics metrics = metrics("netty", "future");
        long requestsBefore = metrics.requests();
        long durationsBefore = metrics.durations();
        double secondsBefore = metrics.durationSum();
        io.netty.util.concurrent.Promise<String> answered = ImmediateEventExecutor.INSTANCE.newPromise();
        io.netty.util.concurrent.Promise<String> failing = ImmediateEventExecutor.INSTANCE.newPromise();
        io.netty.util.concurrent.Promise<String> cancelled = ImmediateEventExecutor.INSTANCE.newPromise();

        assertSame(answered, handlers.netty(answered), "the future itself");
        handlers.netty(failing);
        handlers.netty(cancelled);
        assertEquals(3, metrics.inflight());
        Thread.sleep(50);
        answered.setSuccess("answer");
        failing.setFailure(new IllegalStateException("no route"));
        cancelled.cancel(false);

        assertEquals(3, metrics.requests() - requestsBefore);
        assertEquals(3, metrics.durations() - durationsBefore);
        assertEquals(1, metrics.errors("IllegalStateException"));
        assertEquals(1, metrics.cancellations());
        assertEquals(0, metrics.errors("CancellationException"), "a cancellation, not an error");
        assertEquals(0, metrics.inflight());
        assertTrue(metrics.durationSum() - secondsBefore >= 0.15, "each duration covers the wait");
    }

    /** Netty runs the listener on the future's executor, here its global event loop, not on the completing thread. */
    @Test
    void aNettyFutureOfAnEventLoopEndsWhenItsListenerRuns() throws Exception {
        EndpointMetrics metrics = metrics("netty", "future");
        long durationsBefore = metrics.durations();
        io.netty.util.concurrent.Promise<String> answer = GlobalEventExecutor.INSTANCE.newPromise();

        handlers.netty(answer);
        assertEquals(1, metrics.inflight());
        answer.setSuccess("answer");

        awaitNoneInFlight(metrics);
        assertEquals(1, metrics.durations() - durationsBefore);
    }
}
