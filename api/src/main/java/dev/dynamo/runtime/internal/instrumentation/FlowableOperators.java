package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * RxJava 3's {@code doOnError}, {@code doOnComplete} and {@code doOnCancel} of {@code Flowable},
 * called with proxies of RxJava's own functional interfaces, each called once per subscription:
 * nothing is added per item but the operators themselves; and {@code Flowable.fromPublisher}, the
 * way back from a {@link FirstSubscription}. As with Reactor, the first subscription gets the
 * measured flowable and later ones the original; the first end seen is the one that counts
 * ({@code doOnComplete} and {@code doOnError} run before the subscriber sees the end, so a
 * subscriber that cancels from {@code onComplete} changes nothing).
 */
final class FlowableOperators implements EndingOperators {
    private static final String FLOWABLE = "io.reactivex.rxjava3.core.Flowable";

    /** RxJava's operators, looked up once per copy of RxJava; null for a copy without them. */
    private static final ClassCache<FlowableOperators> OF_FLOWABLE = new ClassCache<FlowableOperators>() {
        @Override
        protected FlowableOperators compute(Class<?> flowable) {
            return lookUp(flowable);
        }
    };
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

    private final Method fromPublisher;
    private final FirstSubscription.Source source;
    private final Method doOnError;
    private final Method doOnComplete;
    private final Method doOnCancel;
    private final Constructor<?> consumer;
    private final Constructor<?> action;

    private FlowableOperators(Method fromPublisher, FirstSubscription.Source source, Method doOnError,
            Method doOnComplete, Method doOnCancel, Constructor<?> consumer, Constructor<?> action) {
        this.fromPublisher = fromPublisher;
        this.source = source;
        this.doOnError = doOnError;
        this.doOnComplete = doOnComplete;
        this.doOnCancel = doOnCancel;
        this.consumer = consumer;
        this.action = action;
    }

    /** The {@code Flowable} class that {@code type} extends, or null when it is none. */
    static Class<?> flowableOf(Class<?> type) {
        return PublisherCalls.superclassNamed(type, FLOWABLE);
    }

    /**
     * {@code publisher}, of class {@link #flowableOf} {@code flowable}, as a {@code Flowable} again whose
     * first subscription ends {@code call}: as the method's type requires, and as a caller that casts a
     * {@code Flowable} returned as {@code Publisher} back to {@code Flowable} expects. Null when it
     * cannot be made again.
     */
    static Object wrap(Call call, Object publisher, Class<?> flowable) throws Throwable {
        FlowableOperators operators = OF_FLOWABLE.get(flowable);
        if (operators != null) {
            // RxJava's own operators, which cost nothing per item.
            return PublisherCalls.invoke(operators.fromPublisher, null, operators.source.watching(call, publisher, operators));
        }
        // An RxJava without them: Flowable.fromPublisher(watched), a proxy on the way of every item.
        Method fromPublisher = FROM_PUBLISHER.get(flowable);
        return fromPublisher == null ? null : PublisherCalls.invoke(fromPublisher, null,
                WatchedPublishers.watched(call, publisher, publisherInterfaceOf(flowable)));
    }

    private static FlowableOperators lookUp(Class<?> flowable) {
        // io.reactivex.rxjava3.core.Flowable: its functional interfaces are in io.reactivex.rxjava3.functions.
        String core = flowable.getName().substring(0, flowable.getName().lastIndexOf('.'));
        String functions = core.substring(0, core.lastIndexOf('.') + 1) + "functions.";
        try {
            ClassLoader loader = flowable.getClassLoader();
            Class<?> publisherInterface = publisherInterfaceOf(flowable);
            Class<?> consumerType = Class.forName(functions + "Consumer", false, loader);
            Class<?> actionType = Class.forName(functions + "Action", false, loader);
            return new FlowableOperators(flowable.getMethod("fromPublisher", publisherInterface),
                    new FirstSubscription.Source(publisherInterface, null), flowable.getMethod("doOnError", consumerType),
                    flowable.getMethod("doOnComplete", actionType), flowable.getMethod("doOnCancel", actionType),
                    ClassCache.proxyConstructor(consumerType), ClassCache.proxyConstructor(actionType));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
            return null;
        }
    }

    private static Class<?> publisherInterfaceOf(Class<?> flowable) {
        return ClassCache.interfaceNamed(flowable, PublisherCalls.REACTIVE_STREAMS_PUBLISHER);
    }

    @Override
    public Object watched(Call call, Object publisher) throws Throwable {
        Object watched = PublisherCalls.invoke(doOnError, publisher, consumer.newInstance(new Signal(call, Signal.ERROR)));
        watched = PublisherCalls.invoke(doOnComplete, watched, action.newInstance(new Signal(call, Signal.COMPLETE)));
        return PublisherCalls.invoke(doOnCancel, watched, action.newInstance(new Signal(call, Signal.CANCEL)));
    }

    /**
     * What RxJava's functional proxies of one call do: an error, the completion or a cancellation. A
     * named class, not anonymous ones, so that it is loaded with the handler shapes' warm-up, not in a
     * call at the top of an exhausted stack.
     */
    private static final class Signal extends Lambda {
        static final int ERROR = 1;
        static final int COMPLETE = 2;
        static final int CANCEL = 3;

        private final Call call;
        private final int signal;

        Signal(Call call, int signal) {
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
}
