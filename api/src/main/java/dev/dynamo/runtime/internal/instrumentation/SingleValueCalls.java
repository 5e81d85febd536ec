package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Measures methods that return a lazy single value: Mutiny's {@code Uni} (Quarkus's reactive type) and RxJava 3's {@code Single}, {@code Maybe} and {@code Completable}. As for a publisher
 * ({@link PublisherCalls}), the call counts at its first subscription and ends at that subscription's
 * terminal signal: the item (or a {@code Maybe}'s or {@code Completable}'s completion), the failure, or
 * the subscriber cancelling (disposing). Later subscriptions are not further calls; a value returned but
 * never subscribed is no request.
 *
 * <p>The returned object keeps its type: it is made again from a source of the agent's
 * ({@link FirstSubscription.Source}; RxJava: its type's {@code wrap}; Mutiny: {@code Uni.createFrom().publisher}
 * of the value as a publisher), which gives the first subscription the value with the operators that
 * end the call ({@code doOnEvent} and {@code doOnDispose} of RxJava, {@code onItemOrFailure().invoke}
 * and {@code onCancellation().invoke} of Mutiny) and later subscriptions the value itself, and sees a
 * throw of the subscription that the library does not signal (a {@code StackOverflowError}). These
 * run before the subscriber sees the end, so a subscriber that cancels from its {@code onItem} changes
 * nothing. An RxJava subject ({@code SingleSubject}, {@code MaybeSubject}, {@code CompletableSubject}),
 * which the application feeds and its caller may cast back to, is returned as it is and timed to the
 * method's return, as a shared publisher is; so is a value of the application's own subclass
 * ({@link ReturnedAsIs#isApplicationsOwn}).
 *
 * <p>No library is a dependency: their methods are found by name, once per copy of the library. Eager
 * futures (Vert.x's {@code Future} and the like) are measured by {@link EagerFutureCalls}.
 */
final class SingleValueCalls {
    private static final String UNI = "io.smallrye.mutiny.Uni";
    private static final String[] RXJAVA_TYPES = {
        "io.reactivex.rxjava3.core.Single", "io.reactivex.rxjava3.core.Maybe", "io.reactivex.rxjava3.core.Completable",
    };

    /** Mutiny's operators, looked up once per copy of Mutiny. */
    private static final ClassCache<UniOperators> UNI_OPERATORS = new ClassCache<UniOperators>() {
        @Override
        protected UniOperators compute(Class<?> uni) {
            return UniOperators.of(uni);
        }
    };
    /** RxJava's operators, looked up once per type ({@code Single}, {@code Maybe}, {@code Completable}) and copy. */
    private static final ClassCache<RxJavaOperators> RXJAVA_OPERATORS = new ClassCache<RxJavaOperators>() {
        @Override
        protected RxJavaOperators compute(Class<?> type) {
            return RxJavaOperators.of(type);
        }
    };

    private SingleValueCalls() {
    }

    /**
     * {@code value} wrapped so that its first subscription ends {@code call}, or null when it is not
     * one of the types of {@code kind} or cannot be wrapped (then the call is timed to the return).
     */
    static Object wrap(Call call, Object value, int kind) throws Throwable {
        Class<?> type = value.getClass();
        if (ReturnedAsIs.isReturnedAsIs(type)) {
            return null; // the application's own class, which its caller may cast to
        }
        if (kind == PublisherCalls.MUTINY_UNI) {
            Class<?> uni = ClassCache.interfaceNamed(type, UNI);
            UniOperators operators = uni == null ? null : UNI_OPERATORS.get(uni);
            return operators == null ? null : operators.wrap(call, value);
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (String name : RXJAVA_TYPES) {
                if (c.getName().equals(name)) {
                    RxJavaOperators operators = RXJAVA_OPERATORS.get(c);
                    return operators == null || operators.isSubject(type) ? null : operators.wrap(call, value);
                }
            }
        }
        return null;
    }

    /**
     * Mutiny's {@code Uni.createFrom().publisher(Publisher)} and its converter of a {@code Uni} to a
     * publisher ({@code UniToMultiPublisher}, what {@code toMulti()} is made of), with which a
     * {@code Uni} is made again from a source of the agent's ({@link FirstSubscription.Source}): neither
     * catches what the subscription throws, so the source's frame sees it (Mutiny's {@code deferred}
     * and {@code emitter} catch it and signal it as a failure, which would change what the application
     * sees). The first subscription gets the value with {@code onItemOrFailure().invoke(BiConsumer)}
     * and {@code onCancellation().invoke(Runnable)}, JDK functional types. The converter is a
     * {@code Flow.Publisher} from Mutiny 2 on and a Reactive Streams publisher in Mutiny 1, which
     * {@code createFrom().publisher} takes there. Mutiny before 1.0 has no converter: its {@code Uni}
     * is wrapped with {@code Uni.createFrom().deferred(Supplier)} instead, counted in its supplier, whose
     * failures Mutiny signals to the subscriber.
     */
    private static final class UniOperators implements EndingOperators {
        private final Object creator;
        private final Method deferred;
        private final Method onItemOrFailure;
        private final Method onCancellation;
        /** {@code invoke} of the groups the two above return, found from the first value wrapped. */
        private volatile Method onItemOrFailureInvoke;
        private volatile Method onCancellationInvoke;
        /** {@code createFrom().publisher}, the converter's constructor and the source: all null, or none. */
        private final Method fromPublisher;
        private final Constructor<?> toPublisher;
        private final FirstSubscription.Source source;

        private UniOperators(Object creator, Method deferred, Method onItemOrFailure, Method onCancellation,
                Method fromPublisher, Constructor<?> toPublisher, FirstSubscription.Source source) {
            this.creator = creator;
            this.deferred = deferred;
            this.onItemOrFailure = onItemOrFailure;
            this.onCancellation = onCancellation;
            this.fromPublisher = fromPublisher;
            this.toPublisher = toPublisher;
            this.source = source;
        }

        static UniOperators of(Class<?> uni) {
            Object creator;
            Method deferred;
            Method onItemOrFailure;
            Method onCancellation;
            try {
                creator = uni.getMethod("createFrom").invoke(null);
                deferred = creator.getClass().getMethod("deferred", Supplier.class);
                onItemOrFailure = uni.getMethod("onItemOrFailure");
                onCancellation = uni.getMethod("onCancellation");
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                return null;
            }
            // io.smallrye.mutiny.Uni, or a relocated copy: the converter is named from the same root.
            String root = uni.getName().substring(0, uni.getName().length() - "Uni".length());
            try {
                Class<?> converter = Class.forName(root + "converters.uni.UniToMultiPublisher", false, uni.getClassLoader());
                // Mutiny 2 and later publish through the JDK's Flow.Publisher, Mutiny 1 through Reactive Streams'.
                Class<?> publisherInterface = ClassCache.interfaceNamed(converter, PublisherCalls.FLOW_PUBLISHER);
                if (publisherInterface == null) {
                    publisherInterface = ClassCache.interfaceNamed(converter, PublisherCalls.REACTIVE_STREAMS_PUBLISHER);
                }
                if (publisherInterface == null) {
                    return new UniOperators(creator, deferred, onItemOrFailure, onCancellation, null, null, null);
                }
                return new UniOperators(creator, deferred, onItemOrFailure, onCancellation,
                        creator.getClass().getMethod("publisher", publisherInterface), converter.getConstructor(uni),
                        new FirstSubscription.Source(publisherInterface, null));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError olderMutiny) {
                return new UniOperators(creator, deferred, onItemOrFailure, onCancellation, null, null, null);
            }
        }

        Object wrap(Call call, Object uni) throws Throwable {
            if (source == null) {
                return PublisherCalls.invoke(deferred, creator, new UniSignal(this, call, uni));
            }
            return PublisherCalls.invoke(fromPublisher, creator, source.watching(call, uni, this));
        }

        @Override
        public Object watched(Call call, Object uni) throws Throwable {
            return toPublisher.newInstance(watchedUni(call, uni));
        }

        /** The value as a publisher, made only for the subscriptions that need it (not the first, watched one). */
        @Override
        public Object unwatched(Object uni) {
            try {
                return toPublisher.newInstance(uni);
            } catch (InvocationTargetException thrown) {
                Throwable cause = thrown.getCause();
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
            } catch (ReflectiveOperationException unreachable) {
                // The public constructor of a public class, found in of().
                throw new IllegalStateException(unreachable);
            }
        }

        /** {@code uni} with the operators that end {@code call}. */
        Object watchedUni(Call call, Object uni) throws Throwable {
            Object group = PublisherCalls.invoke(onItemOrFailure, uni);
            Method invoke = onItemOrFailureInvoke;
            if (invoke == null) {
                invoke = group.getClass().getMethod("invoke", BiConsumer.class);
                onItemOrFailureInvoke = invoke;
            }
            Object watched = PublisherCalls.invoke(invoke, group, new UniSignal(this, call, uni));
            group = PublisherCalls.invoke(onCancellation, watched);
            invoke = onCancellationInvoke;
            if (invoke == null) {
                invoke = group.getClass().getMethod("invoke", Runnable.class);
                onCancellationInvoke = invoke;
            }
            return PublisherCalls.invoke(invoke, group, new UniSignal(this, call, uni));
        }
    }

    /**
     * What Mutiny's callbacks of one call do: a subscription ({@code deferred}'s supplier), the item or
     * failure, or a cancellation. A named class, so that it is loaded with the handler shapes' warm-up,
     * not in a call at the top of an exhausted stack.
     */
    private static final class UniSignal implements Supplier<Object>, BiConsumer<Object, Throwable>, Runnable {
        private final UniOperators operators;
        private final Call call;
        private final Object uni;

        UniSignal(UniOperators operators, Call call, Object uni) {
            this.operators = operators;
            this.call = call;
            this.uni = uni;
        }

        @Override
        public Object get() {
            if (!PublisherCalls.subscribedQuietly(call)) {
                return uni;
            }
            try {
                return operators.watchedUni(call, uni);
            } catch (Throwable failure) {
                // Subscribed unwatched: timed to now. Plain writes end the call where not even endQuietly's
                // call fits (see PendingCall).
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
                return uni;
            }
        }

        @Override
        public void accept(Object item, Throwable failure) {
            call.endQuietly(failure, false);
        }

        @Override
        public void run() {
            call.endQuietly(null, true);
        }
    }

    /**
     * RxJava 3's {@code wrap(SingleSource)} (and {@code MaybeSource}, {@code CompletableSource}),
     * {@code doOnEvent(BiConsumer)} ({@code Completable}: {@code doOnEvent(Consumer)}, of the error or
     * null) and {@code doOnDispose(Action)} of one of {@code Single}, {@code Maybe} and
     * {@code Completable}, called with proxies of RxJava's own functional interfaces, each called once
     * per subscription.
     */
    private static final class RxJavaOperators implements EndingOperators {
        private final Method wrap;
        private final FirstSubscription.Source source;
        private final Method doOnEvent;
        private final Method doOnDispose;
        private final Constructor<?> onEvent;
        private final Constructor<?> action;
        /** {@code SingleObserver} and the like: a subject is one too, and is fed by the application. */
        private final Class<?> observer;
        /**
         * RxJava's operators ({@code io.reactivex.rxjava3.internal.}): some are observers too, fed by their
         * upstream, not by the application ({@code cache()}'s {@code SingleCache}); they are no subjects.
         */
        private final String operatorsPackage;

        private RxJavaOperators(Method wrap, FirstSubscription.Source source, Method doOnEvent, Method doOnDispose,
                Constructor<?> onEvent, Constructor<?> action, Class<?> observer, String operatorsPackage) {
            this.wrap = wrap;
            this.source = source;
            this.doOnEvent = doOnEvent;
            this.doOnDispose = doOnDispose;
            this.onEvent = onEvent;
            this.action = action;
            this.observer = observer;
            this.operatorsPackage = operatorsPackage;
        }

        static RxJavaOperators of(Class<?> type) {
            // io.reactivex.rxjava3.core.Single: its functional interfaces are in io.reactivex.rxjava3.functions.
            String core = type.getName().substring(0, type.getName().lastIndexOf('.'));
            String root = core.substring(0, core.lastIndexOf('.') + 1);
            String functions = root + "functions.";
            try {
                ClassLoader loader = type.getClassLoader();
                Class<?> sourceType = Class.forName(type.getName() + "Source", false, loader);
                Class<?> onEventType = Class.forName(functions
                        + (type.getSimpleName().equals("Completable") ? "Consumer" : "BiConsumer"), false, loader);
                Class<?> actionType = Class.forName(functions + "Action", false, loader);
                return new RxJavaOperators(type.getMethod("wrap", sourceType), new FirstSubscription.Source(sourceType, null),
                        type.getMethod("doOnEvent", onEventType), type.getMethod("doOnDispose", actionType),
                        ClassCache.proxyConstructor(onEventType), ClassCache.proxyConstructor(actionType),
                        Class.forName(type.getName() + "Observer", false, loader), root + "internal.");
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                return null;
            }
        }

        boolean isSubject(Class<?> type) {
            return observer.isAssignableFrom(type) && !type.getName().startsWith(operatorsPackage);
        }

        Object wrap(Call call, Object value) throws Throwable {
            return PublisherCalls.invoke(wrap, null, source.watching(call, value, this));
        }

        @Override
        public Object watched(Call call, Object value) throws Throwable {
            Object watched = PublisherCalls.invoke(doOnEvent, value,
                    onEvent.newInstance(new RxJavaSignal(call, RxJavaSignal.END)));
            return PublisherCalls.invoke(doOnDispose, watched, action.newInstance(new RxJavaSignal(call, RxJavaSignal.DISPOSE)));
        }
    }

    /** What RxJava's functional proxies of one call do: the end (the error, if any) or a disposal. */
    private static final class RxJavaSignal extends Lambda {
        static final int END = 1;
        static final int DISPOSE = 2;

        private final Call call;
        private final int signal;

        RxJavaSignal(Call call, int signal) {
            this.call = call;
            this.signal = signal;
        }

        @Override
        Object apply(Object[] args) {
            switch (signal) {
                case END:
                    // doOnEvent: (item, error) for Single and Maybe, (error) for Completable; the error is last.
                    call.endQuietly((Throwable) args[args.length - 1], false);
                    return null;
                default:
                    call.endQuietly(null, true);
                    return null;
            }
        }
    }
}
