package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Method;
import java.util.function.Consumer;

/**
 * Reactor's {@code doOnError}, {@code doOnTerminate} and {@code doFinally} of {@code Mono} or
 * {@code Flux}, and the way back from a {@link FirstSubscription} to the type ({@code Mono.fromDirect},
 * {@code Flux.from}: no check of the source, no operator of its own). The terminal signal ends the
 * call before the subscriber sees it, as RxJava's operators do: a subscriber that then throws, or
 * cancels from its {@code onComplete} or {@code onError} (Micronaut's HTTP server does; Reactive
 * Streams §3.7 makes such a cancel a no-op, and {@code doFinally} then sees a cancel), changes
 * nothing. {@code doFinally} ends a call cancelled before its end.
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
    private final Method doOnError;
    private final Method doOnTerminate;
    private final Method doFinally;

    private ReactorOperators(Method fromSource, FirstSubscription.Source source, Method doOnError, Method doOnTerminate,
            Method doFinally) {
        this.fromSource = fromSource;
        this.source = source;
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
            Method fromSource = type.getName().equals(MONO) ? type.getMethod("fromDirect", publisherInterface)
                    : type.getMethod("from", publisherInterface);
            // Mono and Flux are CorePublishers (Reactor 3.3 and later), whose subscribe(CoreSubscriber) Reactor's own
            // operators call.
            Class<?> corePublisher = ClassCache.interfaceNamed(type, CORE_PUBLISHER);
            return new ReactorOperators(fromSource, new FirstSubscription.Source(publisherInterface, corePublisher),
                    type.getMethod("doOnError", Consumer.class), type.getMethod("doOnTerminate", Runnable.class),
                    type.getMethod("doFinally", Consumer.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
            return null;
        }
    }

    Object wrap(Call call, Object publisher) throws Throwable {
        return PublisherCalls.invoke(fromSource, null, source.watching(call, publisher, this));
    }

    @Override
    public Object watched(Call call, Object publisher) throws Throwable {
        Terminal terminal = new Terminal(call);
        Object watched = PublisherCalls.invoke(doOnTerminate, PublisherCalls.invoke(doOnError, publisher, terminal), terminal);
        return PublisherCalls.invoke(doFinally, watched, new ReactorFinally(terminal));
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
