package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Method;
import java.util.function.BiConsumer;

/**
 * Mutiny's {@code Multi.createFrom().publisher(...)}, with which a {@code Multi} is made again from a
 * source of the agent's ({@link FirstSubscription}) (it does not catch what the subscription throws, so the source's
 * frame sees it), and {@code onTermination().invoke(BiConsumer)}, which the first subscription gets
 * the value with: Mutiny's own operator sees the completion, the failure and the cancellation, and
 * nothing of the agent's is on the way of an item. (A proxy of the subscriber, before, forwarded
 * every item with a reflective call, and at the top of an exhausted stack lost the failure that
 * Mutiny's {@code await()} waited for: a descent hung for good.)
 */
final class MultiOperators implements EndingOperators {
    private static final String MULTI = "io.smallrye.mutiny.Multi";

    /** Mutiny's way to make a {@code Multi} from a publisher, and to watch its end, per copy of Mutiny. */
    private static final ClassCache<MultiOperators> OF_MULTI = new ClassCache<MultiOperators>() {
        @Override
        protected MultiOperators compute(Class<?> multi) {
            return lookUp(multi);
        }
    };

    private final Object creator;
    private final Method publisher;
    private final Method onTermination;
    private final FirstSubscription.Source source;
    /** {@code invoke(BiConsumer)} of the group {@code onTermination()} returns, found from the first value watched. */
    private volatile Method onTerminationInvoke;

    private MultiOperators(Object creator, Method publisher, Method onTermination, FirstSubscription.Source source) {
        this.creator = creator;
        this.publisher = publisher;
        this.onTermination = onTermination;
        this.source = source;
    }

    /** The operators of a {@code Multi} of class {@code type} returned as {@code publisherInterface}; null for none. */
    static MultiOperators of(Class<?> type, Class<?> publisherInterface) {
        Class<?> multi = ClassCache.interfaceNamed(type, MULTI);
        MultiOperators operators = multi == null ? null : OF_MULTI.get(multi);
        return operators != null && operators.publisher.getParameterTypes()[0] == publisherInterface ? operators : null;
    }

    private static MultiOperators lookUp(Class<?> multi) {
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
                    new FirstSubscription.Source(publisher.getParameterTypes()[0], null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
            return null;
        }
    }

    Object wrap(Call call, Object multi) throws Throwable {
        return PublisherCalls.invoke(publisher, creator, source.watching(call, multi, this));
    }

    @Override
    public Object watched(Call call, Object multi) throws Throwable {
        Object group = PublisherCalls.invoke(onTermination, multi);
        Method invoke = onTerminationInvoke;
        if (invoke == null) {
            invoke = group.getClass().getMethod("invoke", BiConsumer.class);
            onTerminationInvoke = invoke;
        }
        return PublisherCalls.invoke(invoke, group, new MultiEnd(call));
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
}
