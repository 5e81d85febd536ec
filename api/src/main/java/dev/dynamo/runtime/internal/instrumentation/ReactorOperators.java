package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Reactor's {@code doOnError}, {@code doOnTerminate} and {@code doFinally} of {@code Mono} or
 * {@code Flux}, and the way back from a {@link FirstSubscription} to the type ({@code Mono.fromDirect},
 * {@code Flux.from}: no check of the source, no operator of its own). The terminal signal ends the
 * call before the subscriber sees it, as RxJava's operators do: a subscriber that then throws, or
 * cancels from its {@code onComplete} or {@code onError} (Micronaut's HTTP server does; Reactive
 * Streams §3.7 makes such a cancel a no-op, and {@code doFinally} then sees a cancel), changes
 * nothing. {@code doFinally} ends a call cancelled before its end.
 *
 * <p>A {@code Mono} whose value a call computes at its subscription ({@code just}, {@code empty},
 * {@code error}, {@code fromCallable}, {@code fromSupplier}, {@code fromRunnable}: Reactor's
 * {@code Callable} monos) is made again with {@code Mono.fromCallable} of a {@link FirstCall} instead:
 * its first call is the call measured. Reactor takes the call of a {@code Callable} publisher for its
 * subscription (its {@code flatMap} calls one instead of subscribing to it); {@code subscribeOn} of
 * one is no {@code Callable}. Reactor's own {@code block()} of such a value calls it at once,
 * so it stays free of the check for non-blocking threads (Reactor's parallel scheduler, Netty's event
 * loops), and of the suppressed exception that a blocking subscriber adds to the error: made again
 * from a source, a ready {@code Mono} threw {@code IllegalStateException} there, and a handler
 * returning {@code Mono.error} of one shared exception grew that exception by one suppressed
 * exception per call until the heap was full (a re-tester).
 */
final class ReactorOperators implements EndingOperators {
    private static final String MONO = "reactor.core.publisher.Mono";
    private static final String FLUX = "reactor.core.publisher.Flux";
    private static final String CORE_PUBLISHER = "reactor.core.CorePublisher";

    /** Reactor's operators, looked up once per Reactor class (normally one copy of Reactor per JVM). */
    private static final ClassCache<ReactorOperators> OF_TYPE = new ClassCache<ReactorOperators>() {
        @Override
        protected ReactorOperators compute(Class<?> monoOrFlux) {
            return lookUp(monoOrFlux);
        }
    };

    private final Method fromSource;
    private final FirstSubscription.Source source;
    /** {@code Mono.fromCallable}; null for {@code Flux}. */
    private final Method fromCallable;
    private final Method doOnError;
    private final Method doOnTerminate;
    private final Method doFinally;

    private ReactorOperators(Method fromSource, FirstSubscription.Source source, Method fromCallable,
            Method doOnError, Method doOnTerminate, Method doFinally) {
        this.fromSource = fromSource;
        this.source = source;
        this.fromCallable = fromCallable;
        this.doOnError = doOnError;
        this.doOnTerminate = doOnTerminate;
        this.doFinally = doFinally;
    }

    /** The operators of the {@code Mono} or {@code Flux} that {@code type} is (or extends), or null for none. */
    static ReactorOperators of(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(MONO) || c.getName().equals(FLUX)) {
                return OF_TYPE.get(c);
            }
        }
        return null;
    }

    private static ReactorOperators lookUp(Class<?> type) {
        try {
            Class<?> publisherInterface = ClassCache.interfaceNamed(type, PublisherCalls.REACTIVE_STREAMS_PUBLISHER);
            boolean mono = type.getName().equals(MONO);
            Method fromSource = mono ? type.getMethod("fromDirect", publisherInterface) : type.getMethod("from", publisherInterface);
            // Mono and Flux are CorePublishers (Reactor 3.3 and later), whose subscribe(CoreSubscriber) Reactor's own
            // operators call.
            Class<?> corePublisher = ClassCache.interfaceNamed(type, CORE_PUBLISHER);
            return new ReactorOperators(fromSource, new FirstSubscription.Source(publisherInterface, corePublisher),
                    mono ? type.getMethod("fromCallable", Callable.class) : null, type.getMethod("doOnError", Consumer.class), type.getMethod("doOnTerminate", Runnable.class),
                    type.getMethod("doFinally", Consumer.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
            return null;
        }
    }

    Object wrap(Call call, Object publisher) throws Throwable {
        if (fromCallable != null && publisher instanceof Callable) {
            return PublisherCalls.invoke(fromCallable, null, new FirstCall(call, (Callable<?>) publisher));
        }
        return PublisherCalls.invoke(fromSource, null, source.watching(call, publisher, this));
    }

    @Override
    public Object watched(Call call, Object publisher) throws Throwable {
        Terminal terminal = new Terminal(call);
        Object watched = PublisherCalls.invoke(doOnTerminate, PublisherCalls.invoke(doOnError, publisher, terminal), terminal);
        return PublisherCalls.invoke(doFinally, watched, new ReactorFinally(terminal));
    }

    /**
     * The callable of a {@code Mono} made again with {@code Mono.fromCallable}: its first call counts the
     * call and ends it with the value's own call, which it returns or throws; later calls are the value's
     * alone. A subscription cancelled before Reactor calls it is no request. As for
     * {@link FirstSubscription}, its frame sees what the value's call throws, and plain writes end the
     * call where not even {@code endQuietly}'s call fits (see {@link PendingCall}).
     */
    private static final class FirstCall implements Callable<Object> {
        private static final String REACTIVE_EXCEPTION = "Exceptions$ReactiveException";

        private final Call call;
        private final Callable<?> value;

        FirstCall(Call call, Callable<?> value) {
            this.call = call;
            this.value = value;
        }

        @Override
        public Object call() throws Exception {
            if (!PublisherCalls.subscribedQuietly(call)) {
                return value.call();
            }
            Object result;
            try {
                result = value.call();
            } catch (Throwable thrown) {
                try {
                    call.endQuietly(errorOf(thrown), false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
                throw thrown;
            }
            try {
                call.endQuietly(null, false);
            } catch (Throwable noStack) {
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
            return result;
        }

        /** The error of {@code Mono.error} of a checked exception, which its call throws wrapped, as Reactor's {@code Exceptions.unwrap}. */
        private static Throwable errorOf(Throwable thrown) {
            if (!thrown.getClass().getName().endsWith(REACTIVE_EXCEPTION)) {
                // Not Reactor's wrapper: the application's own, whose getCause() may throw (a re-tester's did,
                // and the call's error was lost).
                return thrown;
            }
            try {
                Throwable cause = thrown.getCause();
                return cause != null ? cause : thrown;
            } catch (RuntimeException | LinkageError unreadable) {
                return thrown;
            }
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
}
