package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.ExhaustedStackHandlers;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 8: every method shape returning at the top of an exhausted stack. Whatever the exits cannot
 * do there stays out of the method (its own catch runs once per descent) and every call counted is
 * ended exactly once: after a settle, in flight is 0 and requests equal the duration's count.
 */
class ExhaustedStackTest {
    /** Descents per shape: each ends the stack at another point of the woven code. */
    static final int DESCENTS = 40;
    /** Descents per lazy value: each overflows at many levels, and a StackOverflowError's stack trace takes time to fill. */
    static final int LAZY_DESCENTS = 16;

    private static EndpointTransformer transformer;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    @Test
    void synchronousReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("synchronous", () -> ExhaustedStackHandlers.synchronous(0));
    }

    /**
     * Every call of a recursion that overflows throws, also those whose exitThrown could not be
     * called at the top of the stack: each counts as an error of the overflow's type.
     */
    @Test
    void everyCallOfAnOverflowingRecursionCountsAsAnErrorOfItsType() throws Exception {
        EndpointMetrics metrics = new EndpointMetrics(ExhaustedStackHandlers.NS, "exhausted", "overflow");
        AtomicReference<Throwable> ended = new AtomicReference<>();
        for (int i = 0; i < DESCENTS; i++) {
            Thread thread = new Thread(null, () -> {
                try {
                    ExhaustedStackHandlers.overflow(0);
                } catch (Throwable overflow) {
                    ended.set(overflow);
                }
            }, "overflow-" + i, 256 * 1024 + i * 4096);
            thread.start();
            thread.join();
        }
        assertTrue(ended.get() instanceof StackOverflowError, String.valueOf(ended.get()));

        WovenCalls.settle();
        assertTrue(metrics.requests() > DESCENTS * 100L, "the descents were counted");
        assertEquals(0, metrics.inflight(), "every counted call ended");
        assertEquals(metrics.requests(), metrics.durations(), "every counted call ended once");
        assertEquals(metrics.requests(), metrics.errors("StackOverflowError"), "every counted call threw");
    }

    @Test
    void completionStageReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("stage", () -> ExhaustedStackHandlers.stage(0));
    }

    @Test
    void publisherReturnsAtTheTopOfTheStackStayExact() throws Exception {
        EndpointMetrics metrics = descend("publisher", () -> ExhaustedStackHandlers.publisher(0));
        // Never subscribed: no request, unless an exit timed one to its return (and then ended it).
        assertEquals(metrics.requests(), metrics.durations());
    }

    @Test
    void vertxFutureReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("vertx_future", () -> ExhaustedStackHandlers.vertxFuture(0));
    }

    /** The eager futures of Guava, Scala and Kotlin, done when returned: their end runs in the exit. */
    @Test
    void eagerFutureReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("guava_future", () -> ExhaustedStackHandlers.guavaFuture(0));
        descend("scala_future", () -> ExhaustedStackHandlers.scalaFuture(0));
        descend("kotlin_deferred", () -> ExhaustedStackHandlers.kotlinDeferred(0));
    }

    /**
     * Reactor's, RxJava's, Mutiny's and plain publishers subscribed at the top of an exhausted stack: the subscription
     * overflows inside the library, which rethrows the error past its operators, so no signal ends the
     * call. (Counted in a {@code defer} supplier, 98 Monos stayed in flight in 40 descents.) A Mutiny
     * {@code Uni} likewise: Mutiny signals nothing either, there. A {@code Multi} made again with
     * {@code Multi.createFrom().publisher} hung its caller's {@code await()} for good: the
     * {@code SafeSubscriber} that adds dropped the failure its own report of it overflowed.
     */
    @Test
    void lazyValuesSubscribedAtTheTopOfTheStackStayExact() throws Exception {
        descend("mono_subscribed", () -> ExhaustedStackHandlers.monoSubscribed(0), LAZY_DESCENTS, false);
        descend("hidden_mono_subscribed", () -> ExhaustedStackHandlers.hiddenMonoSubscribed(0), LAZY_DESCENTS, false);
        descend("flux_subscribed", () -> ExhaustedStackHandlers.fluxSubscribed(0), LAZY_DESCENTS, false);
        descend("flowable_subscribed", () -> ExhaustedStackHandlers.flowableSubscribed(0), LAZY_DESCENTS, false);
        descend("single_subscribed", () -> ExhaustedStackHandlers.singleSubscribed(0), LAZY_DESCENTS, false);
        descend("maybe_subscribed", () -> ExhaustedStackHandlers.maybeSubscribed(0), LAZY_DESCENTS, false);
        descend("completable_subscribed", () -> ExhaustedStackHandlers.completableSubscribed(0), LAZY_DESCENTS, false);
        descend("uni_subscribed", () -> ExhaustedStackHandlers.uniSubscribed(0), LAZY_DESCENTS, false);
        descend("multi_subscribed", () -> ExhaustedStackHandlers.multiSubscribed(0), LAZY_DESCENTS, false);
        descend("flow_publisher_subscribed", () -> ExhaustedStackHandlers.flowPublisherSubscribed(0), LAZY_DESCENTS, false);
    }

    @Test
    void streamObserverReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("observer", ExhaustedStackHandlers::observer);
    }

    @Test
    void asyncResponseReturnsAtTheTopOfTheStackStayExact() throws Exception {
        descend("async_response", ExhaustedStackHandlers::asyncResponse);
    }

    /**
     * Runs {@code descent} {@link #DESCENTS} times on threads with small stacks of varying size, then
     * checks the catches and the counts of endpoint {@code endpoint}.
     */
    static EndpointMetrics descend(String endpoint, Runnable descent) throws Exception {
        return descend(endpoint, descent, DESCENTS, true);
    }

    /**
     * The same, {@code descents} times; with {@code oneCatchPerDescent} false, for handlers that also
     * catch an overflow of what they call after their recursion returned: at least one catch per descent.
     */
    static EndpointMetrics descend(String endpoint, Runnable descent, int descents, boolean oneCatchPerDescent)
            throws Exception {
        EndpointMetrics metrics = new EndpointMetrics(ExhaustedStackHandlers.NS, "exhausted", endpoint);
        ExhaustedStackHandlers.caught = 0;
        descend(metrics, endpoint, descent, descents, oneCatchPerDescent, () -> ExhaustedStackHandlers.caught);
        return metrics;
    }

    /**
     * The same for handlers of any class: {@code metrics} are their endpoint's, and {@code caught} tells
     * how many overflows they caught since before the first descent.
     */
    static void descend(EndpointMetrics metrics, String endpoint, Runnable descent, int descents,
            boolean oneCatchPerDescent, IntSupplier caught) throws Exception {
        long requestsBefore = metrics.requests();
        AtomicReference<Throwable> escaped = new AtomicReference<>();
        for (int i = 0; i < descents; i++) {
            Thread thread = new Thread(null, () -> {
                try {
                    descent.run();
                } catch (Throwable unexpected) {
                    escaped.set(unexpected);
                }
            }, "descent-" + i, 256 * 1024 + i * 4096);
            thread.setDaemon(true);
            thread.start();
            thread.join(60_000);
            if (thread.isAlive()) {
                StringBuilder where = new StringBuilder();
                for (StackTraceElement frame : thread.getStackTrace()) {
                    where.append("\n\tat ").append(frame);
                    if (where.length() > 4000) {
                        break;
                    }
                }
                fail(endpoint + ": descent " + i + " still runs after 60 s:" + where);
            }
        }
        assertNull(escaped.get(), "nothing escapes the outermost call");
        if (oneCatchPerDescent) {
            assertEquals(descents, caught.getAsInt(),
                    "each descent's overflow is caught once: no exit threw into a method above");
        } else {
            assertTrue(caught.getAsInt() >= descents, "every descent reached the end of its stack");
        }

        WovenCalls.settle();
        assertEquals(0, metrics.inflight(), endpoint + ": every counted call ended");
        assertEquals(metrics.requests(), metrics.durations(), endpoint + ": every counted call ended once");
        if (!endpoint.equals("publisher")) {
            assertTrue(metrics.requests() - requestsBefore > descents * 100L, endpoint + ": the descents were counted");
        }
    }
}
