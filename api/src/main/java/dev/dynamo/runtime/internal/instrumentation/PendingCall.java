package dev.dynamo.runtime.internal.instrumentation;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A call of a handler shape that ends after its method returned (a suspend function's coroutine, a
 * publisher's subscription, a gRPC handler's response observer): counted once, ended exactly once,
 * by whichever signal comes first.
 *
 * <p>Its {@link #state} is read and written plainly in the {@code catch} blocks of the callers, where
 * no call can be made (see {@link WorkHandlerMetrics}): {@code if (call.state == OPEN) { call.state =
 * ENDED; call.recorder.missedExits++; }} ends a counted call that nothing else will end, and
 * {@link WovenCalls#settle} records it. The frames of the agent's that are around a first subscription
 * or collection ({@link FirstSubscription}, the proxies of {@link WatchedPublishers} and
 * {@link WatchedFlow}, an eager future's registration) fall back to these writes when not even the
 * call that ends the call fits, as at the top of an exhausted stack: what a subscription throws there
 * reaches them, whichever signal callback it passed on the way. The signal callbacks themselves end
 * the call with a plain call.
 */
class PendingCall {
    /** Not counted yet: a publisher counts at its first subscription. */
    static final int CREATED = 0;
    /** Counted and in flight. */
    static final int OPEN = 1;
    /** Ended, or never to be recorded. */
    static final int ENDED = 2;

    private static final AtomicIntegerFieldUpdater<PendingCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(PendingCall.class, "state");

    final WorkHandlerMetrics recorder;
    final long startNanos;
    volatile int state;

    PendingCall(WorkHandlerMetrics recorder, long startNanos, int state) {
        this.recorder = recorder;
        this.startNanos = startNanos;
        this.state = state;
    }

    /** Counts the call unless counted already; whether this did. Throws only before it changed anything. */
    final boolean count() {
        if (!STATE.compareAndSet(this, CREATED, OPEN)) {
            return false;
        }
        long started;
        try {
            started = recorder.enter();
        } catch (Throwable notCalled) {
            // Nothing counted, nothing to end.
            WovenCalls.lastFailure = notCalled;
            WovenCalls.failureCount++;
            state = ENDED;
            return false;
        }
        if (started == WovenCalls.NOT_STARTED) {
            // Not counted: its end must not be recorded either.
            state = ENDED;
            return false;
        }
        return true;
    }

    /**
     * Ends the call ({@code failure} null: normally) unless it has ended; once it has claimed the
     * end it never throws, so a throw means the call is still {@link #OPEN}.
     */
    final void end(Throwable failure, boolean cancelled) {
        end(failure, null, cancelled);
    }

    /** {@link #end(Throwable, boolean)} for an error named {@code errorType} rather than by a class (a gRPC status). */
    final void endWithError(String errorType) {
        end(null, errorType, false);
    }

    private void end(Throwable failure, String errorType, boolean cancelled) {
        if (!STATE.compareAndSet(this, OPEN, ENDED)) {
            return;
        }
        try {
            if (cancelled) {
                recorder.cancelled(startNanos);
            } else if (errorType != null) {
                recorder.exitWithError(startNanos, errorType);
            } else {
                WovenCalls.end(recorder, startNanos, failure);
            }
        } catch (Throwable notRecorded) {
            // Claimed but nothing recorded (each way records last): settle() ends it.
            WovenCalls.lastFailure = notRecorded;
            WovenCalls.failureCount++;
            recorder.missedExits++;
        }
    }
}
