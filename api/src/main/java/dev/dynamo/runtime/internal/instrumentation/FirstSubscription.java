package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;
import jdk.internal.vm.annotation.DontInline;

import java.lang.reflect.Constructor;
import java.util.function.BiConsumer;

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
final class FirstSubscription implements BiConsumer<Object, Object> {
    /**
     * The messages of the {@code NullPointerException} that RxJava 2 and 3's {@code subscribe} throws
     * in place of whatever subscribing threw (a subscriber's {@code onNext}, say), which is its cause:
     * Reactive Streams lets {@code subscribe} throw nothing else. {@code Flowable} and
     * {@code Observable}; {@code Single} and {@code Maybe}; {@code Completable}.
     */
    private static final String[] RXJAVA_WRAPPERS = {"Actually not, but can't throw other exceptions due to RS",
        "subscribeActual failed", "Actually not, but can't pass out an exception otherwise..."};

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
                call.endQuietly(unwrapped(thrown), false);
            } catch (Throwable noStack) {
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
            throw thrown;
        }
    }

    /** What subscribing threw: the cause of RxJava's stand-in {@code NullPointerException}, else {@code thrown}. */
    static Throwable unwrapped(Throwable thrown) {
        Throwable cause = thrown.getCause();
        if (thrown instanceof NullPointerException && cause != null) {
            String message = thrown.getMessage();
            for (String wrapper : RXJAVA_WRAPPERS) {
                if (wrapper.equals(message)) {
                    return cause;
                }
            }
        }
        return thrown;
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
        if (!PublisherCalls.subscribedQuietly(call)) {
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
}
