package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.ApiLog;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What the agent's advice calls on entry to and exit from an {@code @DynamoEndpoint} method. Each
 * instrumented method gets an id at transform time; a call costs one array read to find its
 * {@link EndpointRecorder}. Nothing here ever throws into the instrumented method: a failure is
 * counted and logged (the first at warn, the rest at debug).
 */
public final class EndpointRecording {
    /**
     * Returned by {@link #enter} when recording failed, so that exit records nothing. Zero, because
     * that is also what the advice's exit receives when its enter did not complete (a
     * {@code StackOverflowError} inside enter, suppressed by the advice).
     */
    public static final long NOT_STARTED = 0L;

    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static final Map<String, Integer> IDS = new HashMap<String, Integer>();
    /** Copied on every change and published whole, so that readers need no lock. */
    private static volatile EndpointRecorder[] recorders = new EndpointRecorder[0];
    private static final AtomicLong FAILURES = new AtomicLong();

    private EndpointRecording() {
    }

    /**
     * The id of the method known as {@code key}, creating the work-handler metrics of endpoint
     * {@code namespace/component/endpoint} when the key is new. Registering a key again
     * (retransformation, a second attach) returns the same id. Only JDK types cross here, because
     * the agent's classes may link to another copy of the API than this one.
     *
     * @throws IllegalArgumentException when a name has no character valid in a label
     */
    public static int register(String key, String namespace, String component, String endpoint) {
        return register(key, () -> EndpointRecorder.forEndpoint(
                DistributedRuntime.get().namespace(namespace).component(component).endpoint(endpoint)));
    }

    /** {@link #register(String, String, String, String)} with the recorder {@code factory} makes. */
    public static int register(String key, Supplier<EndpointRecorder> factory) {
        synchronized (LOCK) {
            Integer existing = IDS.get(key);
            if (existing != null) {
                return existing;
            }
            EndpointRecorder recorder = factory.get();
            EndpointRecorder[] grown = new EndpointRecorder[recorders.length + 1];
            System.arraycopy(recorders, 0, grown, 0, recorders.length);
            int id = recorders.length;
            grown[id] = recorder;
            IDS.put(key, id);
            recorders = grown;
            return id;
        }
    }

    /** Puts {@code recorder} in place of the one registered under {@code id} (for tests of failing backends). */
    public static void replace(int id, EndpointRecorder recorder) {
        synchronized (LOCK) {
            EndpointRecorder[] copy = recorders.clone();
            copy[id] = recorder;
            recorders = copy;
        }
    }

    /** How many times recording failed and was suppressed. */
    public static long failures() {
        return FAILURES.get();
    }

    /** A call of method {@code id} starts; returns what its exit needs. */
    public static long enter(int id) {
        try {
            return recorders[id].enter();
        } catch (Throwable failure) {
            failed(failure);
            return NOT_STARTED;
        }
    }

    /** A call of method {@code id} returns, or throws {@code thrown}. */
    public static void exit(int id, long startNanos, Throwable thrown) {
        if (startNanos == NOT_STARTED) {
            return;
        }
        try {
            recorders[id].exit(startNanos, thrown);
        } catch (Throwable failure) {
            failed(failure);
        }
    }

    /**
     * A call of method {@code id}, which returns a {@link CompletionStage}, returns {@code result}
     * or throws {@code thrown}; the call ends when the stage completes.
     */
    public static void exitAsync(int id, long startNanos, Throwable thrown, Object result) {
        if (startNanos == NOT_STARTED) {
            return;
        }
        EndpointRecorder recorder;
        try {
            recorder = recorders[id];
        } catch (Throwable failure) {
            failed(failure);
            return;
        }
        boolean ended = false;
        try {
            if (thrown != null || !(result instanceof CompletionStage)) {
                ended = true;
                recorder.exit(startNanos, thrown);
            } else if (result.getClass() == CompletableFuture.class && ((CompletableFuture<?>) result).isDone()) {
                // Exactly CompletableFuture: its subclass for completedStage() and minimalCompletionStage()
                // throws from isDone(), so other stages take the callback path.
                ended = true;
                completeDone(recorder, startNanos, (CompletableFuture<?>) result);
            } else {
                ((CompletionStage<?>) result).whenComplete(new Completion(recorder, startNanos));
            }
        } catch (Throwable failure) {
            failed(failure);
            if (!ended) {
                // The call was counted in flight on entry; it must not stay there forever.
                endQuietly(recorder, startNanos);
            }
        }
    }

    private static void endQuietly(EndpointRecorder recorder, long startNanos) {
        try {
            recorder.exit(startNanos, null);
        } catch (Throwable failure) {
            failed(failure);
        }
    }

    /** The fast path: the future finished before the method returned, so no callback is needed. */
    private static void completeDone(EndpointRecorder recorder, long startNanos, CompletableFuture<?> future) {
        if (!future.isCompletedExceptionally()) {
            recorder.exit(startNanos, null);
            return;
        }
        Throwable failure;
        try {
            future.getNow(null);
            failure = null;
        } catch (CancellationException cancelled) {
            failure = cancelled;
        } catch (CompletionException completion) {
            failure = completion;
        }
        finish(recorder, startNanos, failure);
    }

    static void finish(EndpointRecorder recorder, long startNanos, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CancellationException) {
            recorder.cancelled(startNanos);
        } else {
            recorder.exit(startNanos, cause);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static void failed(Throwable failure) {
        long count = FAILURES.incrementAndGet();
        String message = "recording endpoint metrics failed (" + count + " so far); the application is not affected: "
                + failure;
        if (count == 1) {
            ApiLog.warn(message + "; further failures are logged at debug level");
        } else {
            ApiLog.debug(message);
        }
    }

    /** Ends the measurement of an asynchronous call when its stage completes. */
    private static final class Completion implements BiConsumer<Object, Throwable> {
        private final EndpointRecorder recorder;
        private final long startNanos;

        Completion(EndpointRecorder recorder, long startNanos) {
            this.recorder = recorder;
            this.startNanos = startNanos;
        }

        @Override
        public void accept(Object value, Throwable failure) {
            try {
                finish(recorder, startNanos, failure);
            } catch (Throwable recordingFailure) {
                failed(recordingFailure);
            }
        }
    }
}
