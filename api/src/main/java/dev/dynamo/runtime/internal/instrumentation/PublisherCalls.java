package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CancellationException;

/**
 * Measures methods that return a reactive-streams publisher ({@code org.reactivestreams.Publisher},
 * {@code java.util.concurrent.Flow.Publisher}, Reactor's {@code Mono} and {@code Flux}, RxJava's
 * {@code Flowable}, Mutiny's {@code Multi}) or a Kotlin {@code Flow}: one request per call, timed
 * from the call to the terminal signal of the publisher's first subscription ({@code onComplete},
 * {@code onError}, or cancellation of the subscription), or to the end of the flow's first collection.
 *
 * <p>A publisher does nothing until it is subscribed, so a call is counted, and in flight, from its
 * first subscription: a publisher returned but never subscribed is no request and holds nothing in
 * flight. Later subscriptions (a caller's {@code retry()} or {@code repeat()}) are not further
 * calls. A method that throws instead of returning a publisher counts one request and one error.
 *
 * <p>The returned object keeps its static type. What each kind becomes, and where:
 * <ul>
 * <li>Reactor's {@code Mono} and {@code Flux}: made again from a source of the agent's, whose first
 *     subscription ({@link FirstSubscription}) adds Reactor's own operators ({@link ReactorOperators});</li>
 * <li>RxJava 3's {@code Flowable}: likewise, with RxJava's operators ({@link FlowableOperators});</li>
 * <li>Mutiny's {@code Multi}, also returned as its publisher interface: likewise, with Mutiny's
 *     {@code onTermination()} ({@link MultiOperators});</li>
 * <li>any other publisher returned as a publisher interface: a proxy of every public interface of its
 *     class that watches its first subscriber ({@link WatchedPublishers});</li>
 * <li>a Kotlin flow: a proxy of its public interfaces that watches its first collection ({@link WatchedFlow});</li>
 * <li>single values (Mutiny's {@code Uni}, RxJava's {@code Single}, {@code Maybe}, {@code Completable}):
 *     {@link SingleValueCalls}; eager futures (Vert.x's, Guava's, Scala's, Kotlin's {@code Job}):
 *     {@link EagerFutureCalls}.</li>
 * </ul>
 * The library operators are called reflectively with JDK functional types or proxies of the library's
 * own, so nothing of the agent's is on the way of an item. A shared publisher (a processor, a
 * connectable publisher), a group of a {@code groupBy}, an application's own subclass of a library
 * type (all three: {@link ReturnedAsIs}), and one that can be wrapped in none of these ways, is
 * returned as it is and timed to the method's return. No reactive library is a dependency.
 */
public final class PublisherCalls {
    /** The static return type is {@code org.reactivestreams.Publisher}. */
    public static final int REACTIVE_STREAMS = 1;
    /** The static return type is {@code java.util.concurrent.Flow.Publisher}. */
    public static final int FLOW = 2;
    /** The static return type is a Reactor class ({@code Mono} or {@code Flux}). */
    public static final int REACTOR = 3;
    /** The static return type is RxJava 3's {@code Flowable}. */
    public static final int RXJAVA = 4;
    /** The static return type is Kotlin's {@code kotlinx.coroutines.flow.Flow}. */
    public static final int KOTLIN_FLOW = 5;
    /** The static return type is Mutiny's {@code Multi} (a {@code Flow.Publisher}; Quarkus's reactive type). */
    public static final int MUTINY = 6;
    /** The static return type is Mutiny's {@code Uni}: one item or failure ({@link SingleValueCalls}). */
    public static final int MUTINY_UNI = 7;
    /** The static return type is RxJava 3's {@code Single}, {@code Maybe} or {@code Completable} ({@link SingleValueCalls}). */
    public static final int RXJAVA_SINGLE = 8;
    /**
     * The static return type is an eager future of a library (Vert.x's {@code Future}, Guava's
     * {@code ListenableFuture}, Scala's {@code Future}, Kotlin's {@code Job}): counted at the return
     * ({@link EagerFutureCalls}).
     */
    public static final int EAGER_FUTURE = 9;

    static final String REACTIVE_STREAMS_PUBLISHER = "org.reactivestreams.Publisher";
    static final String FLOW_PUBLISHER = "java.util.concurrent.Flow$Publisher";

    private PublisherCalls() {
    }

    /** A call of publisher method {@code id} starts: its start time (the request counts at subscription). */
    public static long enter(int id) {
        long now = System.nanoTime();
        return now == WovenCalls.NOT_STARTED ? now + 1 : now;
    }

    /**
     * A call of publisher method {@code id} that started at {@code startNanos} returns {@code result},
     * of static type {@code kind}: returns what the method should return instead. Throws only
     * before it counted anything, and then the woven code returns {@code result} unmeasured.
     */
    public static Object exit(Object result, int id, long startNanos, int kind) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return result; // enter could not be called: unmeasured
        }
        Call call = new Call(WovenCalls.recorders[id], startNanos);
        if (result != null) {
            try {
                Object wrapped = wrap(call, result, kind);
                if (wrapped != null) {
                    return wrapped;
                }
            } catch (Throwable failure) {
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
            }
        }
        // Nothing will report the end: a request timed to the return.
        endNow(call, null);
        return result;
    }

    /** A call of publisher method {@code id} throws {@code thrown}: one request, one error. */
    public static void exitThrown(Throwable thrown, int id, long startNanos) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return;
        }
        endNow(new Call(WovenCalls.recorders[id], startNanos), thrown);
    }

    /** Counts {@code call} and ends it; throws only before it counted. */
    private static void endNow(Call call, Throwable thrown) {
        if (call.count()) {
            try {
                call.end(thrown, false);
            } catch (Throwable notCalled) {
                WovenCalls.lastFailure = notCalled;
                WovenCalls.failureCount++;
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
        }
    }

    private static Object wrap(Call call, Object publisher, int kind) throws Throwable {
        if (kind == EAGER_FUTURE) {
            return EagerFutureCalls.watch(call, publisher);
        }
        if (kind == MUTINY_UNI || kind == RXJAVA_SINGLE) {
            return SingleValueCalls.wrap(call, publisher, kind);
        }
        Class<?> type = publisher.getClass();
        if (kind != KOTLIN_FLOW && ReturnedAsIs.isReturnedAsIs(type)) {
            return null;
        }
        ReactorOperators reactor = ReactorOperators.of(type);
        if (reactor != null) {
            return reactor.wrap(call, publisher);
        }
        if (kind == KOTLIN_FLOW) {
            return WatchedFlow.watched(call, publisher);
        }
        Class<?> flowable = kind == RXJAVA || kind == REACTIVE_STREAMS ? FlowableOperators.flowableOf(type) : null;
        if (flowable != null) {
            return FlowableOperators.wrap(call, publisher, flowable);
        }
        if (kind == REACTIVE_STREAMS || kind == FLOW || kind == MUTINY) {
            Class<?> publisherInterface = ClassCache.interfaceNamed(type,
                    kind == REACTIVE_STREAMS ? REACTIVE_STREAMS_PUBLISHER : FLOW_PUBLISHER);
            if (publisherInterface == null) {
                return null;
            }
            MultiOperators multi = MultiOperators.of(type, publisherInterface);
            if (multi != null) {
                // A Mutiny Multi again, as a method declared to return one requires, and as a caller that casts a
                // Multi returned as Flow.Publisher expects.
                return multi.wrap(call, publisher);
            }
            if (kind == MUTINY) {
                return null;
            }
            return WatchedPublishers.watchedAsItsInterfaces(call, publisher, publisherInterface);
        }
        return null;
    }

    /** The superclass of {@code type} (or itself) named {@code name}, or null. */
    static Class<?> superclassNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** A method's reflective call, throwing what the method throws. */
    static Object invoke(Method method, Object target, Object... args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException thrown) {
            throw thrown.getCause();
        }
    }

    /** One call: counted at its first subscription, ended once. */
    static final class Call extends PendingCall {
        Call(WorkHandlerMetrics recorder, long startNanos) {
            super(recorder, startNanos, CREATED);
        }

        /** Ends the call from a subscriber's signal; never throws. */
        void endQuietly(Throwable failure, boolean cancelled) {
            try {
                end(failure, cancelled || failure instanceof CancellationException);
            } catch (Throwable notCalled) {
                WovenCalls.lastFailure = notCalled;
                WovenCalls.failureCount++;
                if (state == OPEN) {
                    state = ENDED;
                    recorder.missedExits++;
                }
            }
        }
    }

    /** Counts {@code call} at a subscription, unless one counted it before: whether this one did. Never throws. */
    static boolean subscribedQuietly(Call call) {
        try {
            return call.count();
        } catch (Throwable failure) {
            // Not counted (count() throws only before it changed anything).
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            return false;
        }
    }
}
