package dev.dynamo.runtime.internal.instrumentation;

import jdk.internal.vm.annotation.DontInline;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

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
 * <p>The returned object keeps its static type: a Reactor {@code Mono} or {@code Flux} is made again
 * ({@code Mono.fromDirect}, {@code Flux.from}) from a {@link Source} of the agent's, whose first
 * subscription ({@link FirstSubscription}) adds Reactor's own {@code doOnError}, {@code doOnTerminate} and {@code doFinally}, called reflectively
 * with JDK functional types, so there is no cost per item; an RxJava 3 {@code Flowable} likewise
 * ({@code Flowable.fromPublisher}) with RxJava's operators ({@link RxJavaOperators}); a Mutiny
 * {@code Multi} likewise ({@code Multi.createFrom().publisher}) with Mutiny's {@code onTermination()},
 * also when returned as its publisher interface ({@link MultiOperators}); any other publisher returned as a publisher interface is replaced
 * by a proxy of every public interface of its class that watches its first subscriber. A Kotlin flow
 * is wrapped in a proxy of its public interfaces (see {@link WatchedFlow}). Single values (Mutiny's
 * {@code Uni}, RxJava's {@code Single}, {@code Maybe}, {@code Completable}) are measured by
 * {@link SingleValueCalls}, and eager futures (Vert.x's, Guava's, Scala's, Kotlin's {@code Job}) by
 * {@link EagerFutureCalls}. A shared publisher (a processor, a
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

    private static final String MONO = "reactor.core.publisher.Mono";
    private static final String FLUX = "reactor.core.publisher.Flux";
    private static final String FLOWABLE = "io.reactivex.rxjava3.core.Flowable";
    private static final String MUTINY_MULTI = "io.smallrye.mutiny.Multi";
    private static final String REACTIVE_STREAMS_PUBLISHER = "org.reactivestreams.Publisher";
    private static final String FLOW_PUBLISHER = "java.util.concurrent.Flow$Publisher";
    private static final String CORE_SUBSCRIBER = "reactor.core.CoreSubscriber";
    private static final String CORE_PUBLISHER = "reactor.core.CorePublisher";
    private static final String KOTLIN_FLOW_INTERFACE = "kotlinx.coroutines.flow.Flow";
    /** Hot flows (and {@code StateFlow}): shared objects whose collections never end; not wrapped. */
    private static final String KOTLIN_SHARED_FLOW = "kotlinx.coroutines.flow.SharedFlow";
    private static final String KOTLINX = "kotlinx.";
    /**
     * kotlinx.coroutines' operator fusion: {@code flowOn} or {@code buffer} on a {@code FusibleFlow}
     * returns a new flow built from its parts instead of collecting it, which would bypass the proxy.
     */
    private static final String KOTLIN_FLOW_INTERNALS = "kotlinx.coroutines.flow.internal.";

    /** RxJava's {@code Flowable.fromPublisher}, per copy of RxJava. */
    private static final ClassCache<Method> FROM_PUBLISHER = new ClassCache<Method>() {
        @Override
        protected Method compute(Class<?> flowable) {
            try {
                return flowable.getMethod("fromPublisher", publisherInterfaceOf(flowable));
            } catch (NoSuchMethodException unknownVersion) {
                return null;
            }
        }
    };
    /** The proxy constructors that watch a publisher of each publisher interface, its subscriber and subscription. */
    private static final ClassCache<Watching> WATCHING = new ClassCache<Watching>() {
        @Override
        protected Watching compute(Class<?> publisherInterface) {
            return new Watching(publisherInterface);
        }
    };
    /** The proxy constructor for flows of each class: every public interface the flow has, but fusion's. */
    private static final ClassCache<Constructor<?>> FLOW_PROXIES = new ClassCache<Constructor<?>>() {
        @Override
        protected Constructor<?> compute(Class<?> flowType) {
            return flowProxy(flowType);
        }
    };
    /** The proxy constructor for publishers of each class returned as an interface ({@link #publisherProxy}). */
    private static final ClassCache<Constructor<?>> PUBLISHER_PROXIES = new ClassCache<Constructor<?>>() {
        @Override
        protected Constructor<?> compute(Class<?> type) {
            return publisherProxy(type);
        }
    };
    /** Mutiny's way to make a {@code Multi} from a publisher, and to watch its end, per copy of Mutiny. */
    private static final ClassCache<MultiOperators> MULTI_OPERATORS = new ClassCache<MultiOperators>() {
        @Override
        protected MultiOperators compute(Class<?> multi) {
            return MultiOperators.of(multi);
        }
    };
    /** RxJava's operators, looked up once per copy of RxJava. */
    private static final ClassCache<RxJavaOperators> RXJAVA_OPERATORS = new ClassCache<RxJavaOperators>() {
        @Override
        protected RxJavaOperators compute(Class<?> flowable) {
            return RxJavaOperators.of(flowable);
        }
    };
    /** Reactor's operators, looked up once per Reactor class (normally one copy of Reactor per JVM). */
    private static final ClassCache<ReactorOperators> REACTOR_OPERATORS = new ClassCache<ReactorOperators>() {
        @Override
        protected ReactorOperators compute(Class<?> type) {
            return ReactorOperators.of(type);
        }
    };

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
        ReactorOperators reactor = reactorOperatorsOf(type);
        if (reactor != null) {
            return reactor.wrap(call, publisher);
        }
        if (kind == KOTLIN_FLOW) {
            Constructor<?> proxy = FLOW_PROXIES.get(type);
            return proxy == null ? null : proxy.newInstance(new WatchedFlow(call, publisher));
        }
        Class<?> flowable = superclassNamed(type, FLOWABLE);
        if (flowable != null && (kind == RXJAVA || kind == REACTIVE_STREAMS)) {
            // A Flowable again, as the method's type requires, and as a caller that casts a Flowable returned
            // as Publisher back to Flowable expects: with RxJava's own operators, which cost nothing per item.
            RxJavaOperators rxjava = RXJAVA_OPERATORS.get(flowable);
            if (rxjava != null) {
                return rxjava.wrap(call, publisher);
            }
            // An RxJava without them: Flowable.fromPublisher(watched), a proxy on the way of every item.
            Method fromPublisher = FROM_PUBLISHER.get(flowable);
            return fromPublisher == null ? null
                    : invoke(fromPublisher, null, watched(call, publisher, publisherInterfaceOf(flowable), null));
        }
        if (kind == REACTIVE_STREAMS || kind == FLOW || kind == MUTINY) {
            Class<?> publisherInterface = ClassCache.interfaceNamed(type,
                    kind == REACTIVE_STREAMS ? REACTIVE_STREAMS_PUBLISHER : FLOW_PUBLISHER);
            if (publisherInterface == null) {
                return null;
            }
            MultiOperators multi = multiOperatorsOf(type, publisherInterface);
            if (multi != null) {
                // A Mutiny Multi again, as a method declared to return one requires, and as a caller that casts a
                // Multi returned as Flow.Publisher expects.
                return multi.wrap(call, publisher);
            }
            if (kind == MUTINY) {
                return null;
            }
            Constructor<?> proxy = PUBLISHER_PROXIES.get(type);
            return proxy == null ? null : watched(call, publisher, publisherInterface, proxy);
        }
        return null;
    }

    /**
     * A proxy of {@code publisher} that watches its first subscriber.
     *
     * @param proxy the constructor of a proxy class with all the public interfaces of the publisher's
     *              class, or null for one of {@code publisherInterface} alone
     */
    private static Object watched(Call call, Object publisher, Class<?> publisherInterface, Constructor<?> proxy)
            throws Throwable {
        Watching watching = WATCHING.get(publisherInterface);
        Constructor<?> constructor = proxy != null ? proxy : watching.publisher;
        return constructor.newInstance(new WatchedPublisher(call, publisher, watching));
    }

    /**
     * The proxy class for a publisher of class {@code type} returned as a publisher interface: it has
     * every interface of the class, so that a caller that checks for one of them, or casts to it
     * ({@code AutoCloseable}, {@code HttpRequest.BodyPublisher}), still can. Null when no proxy class
     * can have them all, or none this class may call (a sealed interface, conflicting methods, an
     * interface of a package that a named module does not open):
     * then the publisher is not wrapped, and its call is timed to the method's return, rather than the
     * caller see an object that lacks one of its interfaces. A cast to the class itself, or a comparison
     * with the object the method returned, cannot hold for a proxy.
     */
    private static Constructor<?> publisherProxy(Class<?> type) {
        Set<Class<?>> interfaces = new LinkedHashSet<Class<?>>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            interfaces.addAll(Arrays.asList(c.getInterfaces()));
        }
        try {
            Constructor<?> constructor = ClassCache.proxyConstructor(type.getClassLoader(),
                    interfaces.toArray(new Class<?>[0]));
            // With a package-private interface the proxy class is package-private too, in that package.
            constructor.setAccessible(true);
            return constructor;
        } catch (RuntimeException | LinkageError noProxy) {
            // Also a proxy in a module that does not open its package to this one.
            return null;
        }
    }

    /** Mutiny's operators for a {@code Multi} of class {@code type} returned as {@code publisherInterface}; null for none. */
    private static MultiOperators multiOperatorsOf(Class<?> type, Class<?> publisherInterface) {
        Class<?> multi = ClassCache.interfaceNamed(type, MUTINY_MULTI);
        MultiOperators operators = multi == null ? null : MULTI_OPERATORS.get(multi);
        return operators != null && operators.publisher.getParameterTypes()[0] == publisherInterface ? operators : null;
    }

    /**
     * Mutiny's {@code Multi.createFrom().publisher(...)}, with which a {@code Multi} is made again from a
     * {@link Source} of the agent's (it does not catch what the subscription throws, so the source's
     * frame sees it), and {@code onTermination().invoke(BiConsumer)}, which the first subscription gets
     * the value with: Mutiny's own operator sees the completion, the failure and the cancellation, and
     * nothing of the agent's is on the way of an item. (A proxy of the subscriber, before, forwarded
     * every item with a reflective call, and at the top of an exhausted stack lost the failure that
     * Mutiny's {@code await()} waited for: a descent hung for good.)
     */
    private static final class MultiOperators implements EndingOperators {
        final Object creator;
        final Method publisher;
        private final Method onTermination;
        private final Source source;
        /** {@code invoke(BiConsumer)} of the group {@code onTermination()} returns, found from the first value watched. */
        private volatile Method onTerminationInvoke;

        private MultiOperators(Object creator, Method publisher, Method onTermination, Source source) {
            this.creator = creator;
            this.publisher = publisher;
            this.onTermination = onTermination;
            this.source = source;
        }

        static MultiOperators of(Class<?> multi) {
            try {
                Object creator = multi.getMethod("createFrom").invoke(null);
                Method publisher = null;
                for (Method method : creator.getClass().getMethods()) {
                    // safePublisher where this Mutiny has it: publisher(...) wraps the subscriber in a SafeSubscriber,
                    // which, at the top of an exhausted stack, drops a failure that its own report of it overflowed.
                    if ((method.getName().equals("safePublisher") || method.getName().equals("publisher") && publisher == null)
                            && method.getParameterCount() == 1 && method.getParameterTypes()[0].getName().endsWith("Publisher")) {
                        publisher = method;
                    }
                }
                return publisher == null ? null : new MultiOperators(creator, publisher, multi.getMethod("onTermination"),
                        new Source(publisher.getParameterTypes()[0], null));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                return null;
            }
        }

        Object wrap(Call call, Object multi) throws Throwable {
            return invoke(publisher, creator, source.watching(call, multi, this));
        }

        @Override
        public Object watched(Call call, Object multi) throws Throwable {
            Object group = invoke(onTermination, multi);
            Method invoke = onTerminationInvoke;
            if (invoke == null) {
                invoke = group.getClass().getMethod("invoke", BiConsumer.class);
                onTerminationInvoke = invoke;
            }
            return invoke(invoke, group, new MultiEnd(call));
        }
    }

    /** Mutiny's {@code onTermination().invoke} of one call: its failure or cancellation ({@code null, true}) ends it. */
    private static final class MultiEnd implements BiConsumer<Throwable, Boolean> {
        private final Call call;

        MultiEnd(Call call) {
            this.call = call;
        }

        @Override
        public void accept(Throwable failure, Boolean cancelled) {
            call.endQuietly(failure, Boolean.TRUE.equals(cancelled));
        }
    }

    /**
     * The proxy class of a Kotlin flow of class {@code flowType}: it keeps the flow's public interfaces,
     * so that a caller that casts the flow it got to one of them still can. Null, and the flow
     * returned as it is (timed to the return), when a proxy could change what the caller sees: for
     * a class of the application's own, which the caller may cast to; and for a hot flow
     * ({@code SharedFlow}, {@code StateFlow}), a shared object the caller may compare with the one it
     * holds, and whose collections never end. Flows of {@code kotlinx.coroutines} (the builders
     * {@code flow}, {@code channelFlow}, {@code callbackFlow}, {@code asFlow}, the operators) and
     * anonymous ones are wrapped.
     */
    private static Constructor<?> flowProxy(Class<?> flowType) {
        Class<?> flow = ClassCache.interfaceNamed(flowType, KOTLIN_FLOW_INTERFACE);
        if (flow == null || ClassCache.interfaceNamed(flowType, KOTLIN_SHARED_FLOW) != null
                || !flowType.getName().startsWith(KOTLINX) && !flowType.isAnonymousClass()) {
            return null;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<Class<?>>();
        interfaces.add(flow);
        for (Class<?> c = flowType; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (Modifier.isPublic(implemented.getModifiers()) && !implemented.getName().startsWith(KOTLIN_FLOW_INTERNALS)) {
                    interfaces.add(implemented);
                }
            }
        }
        @SuppressWarnings("deprecation") // Proxy.newProxyInstance would look the class up on every call
        Class<?> proxyClass = Proxy.getProxyClass(flowType.getClassLoader(), interfaces.toArray(new Class<?>[0]));
        try {
            return proxyClass.getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static Class<?> superclassNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static Class<?> publisherInterfaceOf(Class<?> flowable) {
        return ClassCache.interfaceNamed(flowable, REACTIVE_STREAMS_PUBLISHER);
    }

    private static ReactorOperators reactorOperatorsOf(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(MONO) || c.getName().equals(FLUX)) {
                return REACTOR_OPERATORS.get(c);
            }
        }
        return null;
    }

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

    /**
     * Reactor's {@code doOnError}, {@code doOnTerminate} and {@code doFinally} of {@code Mono} or
     * {@code Flux}, and the way back from a {@link FirstSubscription} to the type ({@code Mono.fromDirect},
     * {@code Flux.from}: no check of the source, no operator of its own). The terminal signal ends the
     * call before the subscriber sees it, as RxJava's operators do: a subscriber that then throws, or
     * cancels from its {@code onComplete} or {@code onError} (Micronaut's HTTP server does; Reactive
     * Streams §3.7 makes such a cancel a no-op, and {@code doFinally} then sees a cancel), changes
     * nothing. {@code doFinally} ends a call cancelled before its end.
     */
    private static final class ReactorOperators implements EndingOperators {
        private final Method fromSource;
        private final Source source;
        private final Method doOnError;
        private final Method doOnTerminate;
        private final Method doFinally;

        private ReactorOperators(Method fromSource, Source source, Method doOnError, Method doOnTerminate,
                Method doFinally) {
            this.fromSource = fromSource;
            this.source = source;
            this.doOnError = doOnError;
            this.doOnTerminate = doOnTerminate;
            this.doFinally = doFinally;
        }

        static ReactorOperators of(Class<?> type) {
            try {
                Class<?> publisherInterface = publisherInterfaceOf(type);
                Method fromSource = type.getName().equals(MONO) ? type.getMethod("fromDirect", publisherInterface)
                        : type.getMethod("from", publisherInterface);
                // Mono and Flux are CorePublishers (Reactor 3.3 and later), whose subscribe(CoreSubscriber) Reactor's own
                // operators call.
                Class<?> corePublisher = ClassCache.interfaceNamed(type, CORE_PUBLISHER);
                return new ReactorOperators(fromSource, new Source(publisherInterface, corePublisher),
                        type.getMethod("doOnError", Consumer.class), type.getMethod("doOnTerminate", Runnable.class),
                        type.getMethod("doFinally", Consumer.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                return null;
            }
        }

        Object wrap(Call call, Object publisher) throws Throwable {
            return invoke(fromSource, null, source.watching(call, publisher, this));
        }

        @Override
        public Object watched(Call call, Object publisher) throws Throwable {
            Terminal terminal = new Terminal(call);
            Object watched = invoke(doOnTerminate, invoke(doOnError, publisher, terminal), terminal);
            return invoke(doFinally, watched, new ReactorFinally(terminal));
        }
    }

    /**
     * Reactor's {@code doFinally} of one call: a cancellation ends it, unless the terminal signal did
     * ({@link Terminal}); so does an end whose {@code doOnTerminate} could not end it.
     */
    private static final class ReactorFinally implements Consumer<Object> {
        private final Terminal terminal;

        ReactorFinally(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public void accept(Object signal) {
            // SignalType ON_COMPLETE, ON_ERROR or CANCEL; its toString() is not its name.
            boolean cancelled = signal instanceof Enum && ((Enum<?>) signal).name().equals("CANCEL");
            terminal.call.endQuietly(cancelled ? null : terminal.error, cancelled);
        }
    }

    /**
     * RxJava 3's {@code doOnError}, {@code doOnComplete} and {@code doOnCancel} of {@code Flowable},
     * called with proxies of RxJava's own functional interfaces, each called once per subscription:
     * nothing is added per item but the operators themselves; and {@code Flowable.fromPublisher}, the
     * way back from a {@link FirstSubscription}. As with Reactor, the first subscription gets the
     * measured flowable and later ones the original; the first end seen is the one that counts
     * ({@code doOnComplete} and {@code doOnError} run before the subscriber sees the end, so a
     * subscriber that cancels from {@code onComplete} changes nothing).
     */
    private static final class RxJavaOperators implements EndingOperators {
        private final Method fromPublisher;
        private final Source source;
        private final Method doOnError;
        private final Method doOnComplete;
        private final Method doOnCancel;
        private final Constructor<?> consumer;
        private final Constructor<?> action;

        private RxJavaOperators(Method fromPublisher, Source source, Method doOnError, Method doOnComplete,
                Method doOnCancel, Constructor<?> consumer, Constructor<?> action) {
            this.fromPublisher = fromPublisher;
            this.source = source;
            this.doOnError = doOnError;
            this.doOnComplete = doOnComplete;
            this.doOnCancel = doOnCancel;
            this.consumer = consumer;
            this.action = action;
        }

        static RxJavaOperators of(Class<?> flowable) {
            // io.reactivex.rxjava3.core.Flowable: its functional interfaces are in io.reactivex.rxjava3.functions.
            String core = flowable.getName().substring(0, flowable.getName().lastIndexOf('.'));
            String functions = core.substring(0, core.lastIndexOf('.') + 1) + "functions.";
            try {
                ClassLoader loader = flowable.getClassLoader();
                Class<?> publisherInterface = publisherInterfaceOf(flowable);
                Class<?> consumerType = Class.forName(functions + "Consumer", false, loader);
                Class<?> actionType = Class.forName(functions + "Action", false, loader);
                return new RxJavaOperators(flowable.getMethod("fromPublisher", publisherInterface),
                        new Source(publisherInterface, null), flowable.getMethod("doOnError", consumerType),
                        flowable.getMethod("doOnComplete", actionType), flowable.getMethod("doOnCancel", actionType),
                        ClassCache.proxyConstructor(consumerType), ClassCache.proxyConstructor(actionType));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                return null;
            }
        }

        Object wrap(Call call, Object publisher) throws Throwable {
            return invoke(fromPublisher, null, source.watching(call, publisher, this));
        }

        @Override
        public Object watched(Call call, Object publisher) throws Throwable {
            Object watched = invoke(doOnError, publisher, consumer.newInstance(new RxJavaSignal(call, RxJavaSignal.ERROR)));
            watched = invoke(doOnComplete, watched, action.newInstance(new RxJavaSignal(call, RxJavaSignal.COMPLETE)));
            return invoke(doOnCancel, watched, action.newInstance(new RxJavaSignal(call, RxJavaSignal.CANCEL)));
        }
    }

    /**
     * What RxJava's functional proxies of one call do: an error, the completion or a cancellation. A
     * named class, not anonymous ones, so that it is loaded with the handler shapes' warm-up, not in a
     * call at the top of an exhausted stack.
     */
    private static final class RxJavaSignal extends Lambda {
        static final int ERROR = 1;
        static final int COMPLETE = 2;
        static final int CANCEL = 3;

        private final Call call;
        private final int signal;

        RxJavaSignal(Call call, int signal) {
            this.call = call;
            this.signal = signal;
        }

        @Override
        Object apply(Object[] args) {
            switch (signal) {
                case ERROR:
                    call.endQuietly((Throwable) args[0], false);
                    return null;
                case COMPLETE:
                    call.endQuietly(null, false);
                    return null;
                default:
                    call.endQuietly(null, true);
                    return null;
            }
        }
    }

    /** A library's operators that end a call at the terminal signal of the subscription they watch. */
    interface EndingOperators {
        /**
         * {@code value} with the operators that end {@code call}, in the type of its source: what a first
         * subscription subscribes.
         */
        Object watched(Call call, Object value) throws Throwable;

        /** {@code value} in the type of its source, unwatched: what a later subscription subscribes. */
        default Object unwatched(Object value) {
            return value;
        }
    }

    /**
     * The source a library's type is made again from ({@code Mono.fromDirect}, {@code Flux.from},
     * RxJava's {@code Flowable.fromPublisher} and {@code Single.wrap}) hands each subscription here:
     * an instance of a class of the library's source interface ({@code Publisher}, {@code SingleSource},
     * ...) that {@link SubscribingSource} defines. The first subscription counts the call and subscribes
     * the value with the operators that end it; later ones subscribe the value itself.
     *
     * <p>So a frame of the agent's is around that subscription, and sees what it throws. Reactor and
     * RxJava rethrow a {@code VirtualMachineError} rather than signal it: a subscription that overflows
     * the stack, or a subscriber that throws one from {@code onNext}, passes every operator by, and the
     * call ends here with the throw (counted in the supplier of a {@code defer}, with no frame around
     * the subscription, such calls stayed in flight for good).
     */
    static final class FirstSubscription implements BiConsumer<Object, Object> {
        private final Call call;
        private final Object value;
        private final EndingOperators operators;

        FirstSubscription(Call call, Object value, EndingOperators operators) {
            this.call = call;
            this.value = value;
            this.operators = operators;
        }

        /**
         * {@code subscriber} subscribes to {@code source}: a {@code BiConsumer} too, which subscribes its
         * first argument with its second.
         */
        @Override
        @SuppressWarnings("unchecked")
        public void accept(Object source, Object subscriber) {
            BiConsumer<Object, Object> subscribing = (BiConsumer<Object, Object>) source;
            Object watched = watchedIfFirst();
            if (watched == null) {
                subscribing.accept(operators.unwatched(value), subscriber);
                return;
            }
            try {
                subscribing.accept(watched, subscriber);
            } catch (Throwable thrown) {
                // Where not even endQuietly's call fits, plain writes end the call, and WovenCalls.settle records it.
                try {
                    call.endQuietly(thrown, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                throw thrown;
            }
        }

        /**
         * The value, watched if this is the first subscription, which it counts. Null for a later one,
         * and for a first one whose operators could not be added (that call ends here): those subscribe
         * the value unwatched.
         * Never inlined (in the API's bootstrap copy), so that the frame that {@link #accept} keeps on
         * the stack for the whole subscription does not carry what this needs.
         */
        @DontInline
        private Object watchedIfFirst() {
            if (!subscribedQuietly(call)) {
                return null;
            }
            try {
                return operators.watched(call, value);
            } catch (Throwable failure) {
                // Subscribed unwatched: timed to now.
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
                try {
                    call.endQuietly(null, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                return null;
            }
        }
    }

    /** A library's source interface ({@code Publisher}, {@code SingleSource}, ...) and the class of it that subscribes for a call. */
    static final class Source {
        private final Constructor<?> subscribing;

        /** @param directInterface see {@link SubscribingSource#define}; null for none */
        Source(Class<?> sourceInterface, Class<?> directInterface) throws ReflectiveOperationException {
            this.subscribing = SubscribingSource.define(sourceInterface, directInterface);
        }

        /** A source whose subscriptions subscribe {@code value}, the first one watched by {@code operators}. */
        Object watching(Call call, Object value, EndingOperators operators) throws Throwable {
            return subscribing.newInstance(new FirstSubscription(call, value, operators));
        }
    }

    /**
     * The handler of a proxy of a functional interface of a library's own (RxJava's {@code Consumer},
     * {@code Consumer}, {@code Action}): its one abstract method runs {@link #apply}; a proxy is equal
     * only to itself.
     */
    abstract static class Lambda implements InvocationHandler {
        /** The functional method with its arguments ({@code null} for none). */
        abstract Object apply(Object[] args);

        @Override
        public final Object invoke(Object proxy, Method method, Object[] args) {
            if (method.getDeclaringClass() == Object.class) {
                if (method.getName().equals("equals")) {
                    return proxy == args[0];
                }
                return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                        : getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(proxy));
            }
            return apply(args);
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

    /**
     * Reactor's {@code doOnError} and {@code doOnTerminate} of one call: the terminal signal ends it,
     * with the error {@code doOnError} saw just before, before the subscriber sees the end.
     */
    private static final class Terminal implements Consumer<Throwable>, Runnable {
        final Call call;
        private volatile Throwable error;

        Terminal(Call call) {
            this.call = call;
        }

        @Override
        public void accept(Throwable failure) {
            error = failure;
        }

        @Override
        public void run() {
            call.endQuietly(error, false);
        }
    }

    /** The proxy constructors of one publisher interface (Reactive Streams or {@code Flow}) and its companions. */
    private static final class Watching {
        final Class<?> publisherInterface;
        final Constructor<?> publisher;
        final SubscriberProxies subscribers;
        final Constructor<?> subscription;

        Watching(Class<?> publisherInterface) {
            String prefix = publisherInterface.getName().substring(0, publisherInterface.getName().length()
                    - "Publisher".length());
            ClassLoader loader = publisherInterface.getClassLoader();
            this.publisherInterface = publisherInterface;
            try {
                this.publisher = ClassCache.proxyConstructor(publisherInterface);
                this.subscribers = new SubscriberProxies(Class.forName(prefix + "Subscriber", false, loader));
                this.subscription = ClassCache.proxyConstructor(Class.forName(prefix + "Subscription", false, loader));
            } catch (ClassNotFoundException incomplete) {
                throw new IllegalStateException(incomplete);
            }
        }
    }

    /**
     * The proxy constructor for each subscriber class: a proxy of the subscriber interface, or of
     * Reactor's {@code CoreSubscriber} when the subscriber is one, because Reactor reads a
     * subscription's {@code Context} from its subscriber ({@code currentContext()}), and a plain
     * subscriber proxy would hide the caller's {@code contextWrite}.
     */
    private static final class SubscriberProxies extends ClassCache<Constructor<?>> {
        private final Class<?> subscriberInterface;
        private final Constructor<?> plain;

        SubscriberProxies(Class<?> subscriberInterface) {
            this.subscriberInterface = subscriberInterface;
            this.plain = ClassCache.proxyConstructor(subscriberInterface);
        }

        @Override
        protected Constructor<?> compute(Class<?> subscriberType) {
            Class<?> core = ClassCache.interfaceNamed(subscriberType, CORE_SUBSCRIBER);
            return core != null && subscriberInterface.isAssignableFrom(core) ? ClassCache.proxyConstructor(core) : plain;
        }
    }

    /** A publisher proxy whose first subscriber is watched for the terminal signal. */
    private static final class WatchedPublisher extends ForwardingHandler {
        private final Call call;
        private final Watching watching;

        WatchedPublisher(Call call, Object publisher, Watching watching) {
            super(publisher);
            this.call = call;
            this.watching = watching;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            // A class may implement both publisher interfaces: either subscribe is the first subscription,
            // its subscriber and subscription proxied as its own interface's types.
            Watching through = name.equals("subscribe") && arity == 1 && args[0] != null
                    ? watchingOf(method.getDeclaringClass()) : null;
            if (through != null && subscribedQuietly(call)) {
                Object watched = args[0];
                try {
                    watched = through.subscribers.get(args[0].getClass())
                            .newInstance(new WatchedSubscriber(call, through, args[0]));
                } catch (Throwable failure) {
                    // Subscribed unwatched: timed to now. Here and below, at the top of an exhausted stack,
                    // where not even endQuietly's call fits, plain writes end the call (see PendingCall).
                    WovenCalls.lastFailure = failure;
                    WovenCalls.failureCount++;
                    try {
                        call.endQuietly(null, false);
                    } catch (Throwable noStack) {
                        if (call.state == PendingCall.OPEN) {
                            call.state = PendingCall.ENDED;
                            call.recorder.missedExits++;
                        }
                    }
                }
                try {
                    return forward(method, new Object[] {watched});
                } catch (Throwable thrown) {
                    // subscribe must not throw (Reactive Streams §1.9), nor a subscriber's methods (§2.13), but a
                    // publisher that does, or that emits at once to a subscriber that does, ends the call here:
                    // no signal will.
                    try {
                        call.endQuietly(thrown, false);
                    } catch (Throwable noStack) {
                        if (call.state == PendingCall.OPEN) {
                            call.state = PendingCall.ENDED;
                            call.recorder.missedExits++;
                        }
                    }
                    throw thrown;
                }
            }
            // A default method the class does not override (one that calls subscribe) runs on the proxy.
            return forward(proxy, method, args);
        }

        /** The watching of the publisher interface that declares {@code subscribe}, or null for another method's owner. */
        private Watching watchingOf(Class<?> declaring) {
            if (watching.publisherInterface.isAssignableFrom(declaring)) {
                return watching;
            }
            for (String name : new String[] {FLOW_PUBLISHER, REACTIVE_STREAMS_PUBLISHER}) {
                Class<?> publisherInterface = declaring.getName().equals(name) ? declaring
                        : ClassCache.interfaceNamed(declaring, name);
                if (publisherInterface != null) {
                    return WATCHING.get(publisherInterface);
                }
            }
            return null;
        }
    }

    /**
     * A Kotlin flow whose first collection is the call: {@code collect(collector, continuation)} is a
     * suspend function, so the collection ends when it returns anything but {@code COROUTINE_SUSPENDED},
     * when it throws, or when the continuation is resumed (watched by the proxy of a suspend
     * function's caller). A collection cancelled, or cut short by {@code take} or {@code first}
     * (which end it with a {@code CancellationException}), counts as a cancellation.
     */
    private static final class WatchedFlow extends ForwardingHandler {
        private final Call call;

        WatchedFlow(Call call, Object flow) {
            super(flow);
            this.call = call;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (!name.equals("collect") || arity != 2 || args[1] == null || !subscribedQuietly(call)) {
                return forward(method, args);
            }
            Object continuation;
            try {
                continuation = SuspendCalls.endingAtResumption(call, args[1]);
            } catch (Throwable failure) {
                // Collected unwatched: timed to now. Here and below, plain writes end the call where not even
                // endQuietly's call fits (see PendingCall).
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
                try {
                    call.endQuietly(null, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                return forward(method, args);
            }
            Object result;
            try {
                result = forward(method, new Object[] {args[0], continuation});
            } catch (Throwable thrown) {
                try {
                    call.endQuietly(thrown, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                throw thrown;
            }
            if (!SuspendCalls.isSuspended(result)) {
                try {
                    call.endQuietly(null, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
            }
            return result;
        }
    }

    /** The first subscriber: its {@code onError}/{@code onComplete}, or a cancel of its subscription, ends the call. */
    private static final class WatchedSubscriber extends ForwardingHandler {
        private final Call call;
        private final Watching watching;

        WatchedSubscriber(Call call, Watching watching, Object subscriber) {
            super(subscriber);
            this.call = call;
            this.watching = watching;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            Object[] forwarded = args;
            if (name.equals("onSubscribe") && arity == 1 && args[0] != null) {
                Object watched = args[0];
                try {
                    watched = watching.subscription.newInstance(new WatchedSubscription(call, args[0]));
                } catch (Throwable failure) {
                    // Not watched for a cancel; its signals still end the call.
                    WovenCalls.lastFailure = failure;
                    WovenCalls.failureCount++;
                }
                forwarded = new Object[] {watched};
            } else if (name.equals("onError") && arity == 1) {
                // Here and below, plain writes end the call where not even endQuietly's call fits (see
                // PendingCall), and the subscriber still sees its signal.
                try {
                    call.endQuietly((Throwable) args[0], false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
            } else if (name.equals("onComplete") && arity == 0) {
                try {
                    call.endQuietly(null, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
            }
            try {
                return forward(method, forwarded);
            } catch (Throwable thrown) {
                // A subscriber that throws (against Reactive Streams §2.13) ends the call with that error, on
                // whichever thread the publisher emits: the publisher may never signal again.
                try {
                    call.endQuietly(thrown, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                throw thrown;
            }
        }
    }

    /** The first subscriber's subscription: {@code cancel()} ends the call as a cancellation. */
    private static final class WatchedSubscription extends ForwardingHandler {
        private final Call call;

        WatchedSubscription(Call call, Object subscription) {
            super(subscription);
            this.call = call;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (name.equals("cancel") && arity == 0) {
                call.endQuietly(null, true);
            }
            return forward(method, args);
        }
    }
}
