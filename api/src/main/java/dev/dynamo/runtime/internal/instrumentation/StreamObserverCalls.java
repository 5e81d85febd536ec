package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiFunction;

/**
 * Measures gRPC server handlers that answer through an {@code io.grpc.stub.StreamObserver}: unary
 * and server-streaming handlers ({@code void m(Req, StreamObserver<Resp>)}) and client-streaming or
 * bidi handlers ({@code StreamObserver<Req> m(StreamObserver<Resp>)}). A call is timed until gRPC
 * reports its end to the call's listener: closed ({@code onComplete}), with the answer the handler
 * gave through the response observer's {@code onCompleted} or {@code onError}, or without one (an
 * interceptor closed the call itself); or cancelled ({@code onCancel}: the client cancelled, its
 * deadline expired, the connection was lost). It ends sooner when its request observer or ready
 * handler throws.
 *
 * <p>An answer that gRPC took does not decide the outcome on its own: a unary call that the client
 * cancelled takes the answer without complaint when the listener has not been told of the cancel
 * yet (its executor is busy), drops it, and then reports the cancel. Only the listener's final
 * report says which the client saw; gRPC makes exactly one of the two for every call.
 *
 * <p>The observer gRPC passes in is its own {@code ServerCalls$ServerCallStreamObserverImpl}, which
 * applications cast to {@code ServerCallStreamObserver}, so it cannot be replaced by a wrapper.
 * Instead the agent also instruments that gRPC class by name, and its {@code onCompleted},
 * {@code onError}, the call listeners' {@code onCancel} and {@code onComplete}, and the exceptions of
 * the application's code the listeners run, report here; the observer object itself
 * (identity, never equality: gRPC does not override {@code equals}) leads to the call. An entry
 * lives from the handler's entry to the call's end, so nothing is kept for a finished call.
 *
 * <p>An error passed to {@code onError} counts under the gRPC status code name ({@code UNAVAILABLE},
 * read reflectively) for {@code StatusRuntimeException} and {@code StatusException}, else under the
 * exception's simple name; so does an exception the handler throws instead. A handler called with
 * some other observer (a test's own) is timed to its return.
 */
public final class StreamObserverCalls {
    /** The response observer of gRPC's server calls, the only one whose end is reported. */
    public static final String GRPC_OBSERVER = "io.grpc.stub.ServerCalls$ServerCallStreamObserverImpl";
    private static final String[] STATUS_EXCEPTIONS = {"io.grpc.StatusRuntimeException", "io.grpc.StatusException"};

    /**
     * What {@link #enter} returns for a call that gRPC's observer will end: the woven code passes it
     * back to the exits, and where it cannot call them, counts no unrecorded exit for it. No clock
     * reading is this value.
     */
    public static final long TRACKED = Long.MIN_VALUE;

    /** The error type of a call the server closed before its handler answered. */
    public static final String CLOSED_WITHOUT_ANSWER = "closed_without_answer";
    /** A call's pending answer when it is {@code onCompleted} (an error's is the exception). */
    private static final Object ANSWERED = new Object();
    /**
     * In place of a pending answer: the server closed the call on another thread while the answer was
     * being given, so the answering thread ends the call, with its answer if gRPC takes it and as
     * {@link #CLOSED_WITHOUT_ANSWER} if gRPC refuses it (the close came first).
     */
    private static final Object CLOSED_WHILE_ANSWERING = new Object();
    private static final AtomicReferenceFieldUpdater<Call, Object> PENDING_ANSWER =
            AtomicReferenceFieldUpdater.newUpdater(Call.class, Object.class, "pendingAnswer");

    /**
     * Whether gRPC's classes report the ends of calls: once its observer (completion, errors) is
     * instrumented in a gRPC whose call listeners (cancellation) exist under the known names, and no
     * gRPC class failed to be. Without all reports a call is timed to the handler's return rather than
     * risk staying in flight forever.
     */
    private static volatile boolean grpcReports;
    private static boolean observerReports;
    private static boolean grpcReportsFailed;
    /** In-flight calls by their response observer. */
    private static final ConcurrentMap<Object, Call> CALLS = new ConcurrentHashMap<Object, Call>();
    /** Ends taken out of {@link #CALLS} and not recorded yet: {@link #pending} counts them. */
    private static final AtomicInteger ENDING = new AtomicInteger();

    private StreamObserverCalls() {
    }

    /**
     * Called by the agent for each gRPC class it instrumented to report here ({@code reporting}) or
     * failed to: the response observer, or a call listener ({@code listener}). The observer is
     * instrumented first, and reports only when the listeners of that gRPC version exist.
     */
    public static synchronized void grpcClassInstrumented(boolean listener, boolean reporting) {
        if (!reporting) {
            grpcReportsFailed = true;
        } else if (!listener) {
            observerReports = true;
        }
        grpcReports = observerReports && !grpcReportsFailed;
    }

    /**
     * A call of handler {@code id} starts with response observer {@code observer}; returns its start,
     * or {@link #TRACKED} when gRPC's observer will end it. Throws only before it counted anything.
     */
    public static long enter(int id, Object observer) {
        WorkHandlerMetrics recorder = WovenCalls.recorders[id];
        boolean tracked;
        try {
            tracked = isGrpcObserver(observer);
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            return WovenCalls.NOT_STARTED;
        }
        long startNanos = recorder.enter();
        if (startNanos == WovenCalls.NOT_STARTED || !tracked) {
            return startNanos;
        }
        Call call = null;
        try {
            call = new Call(recorder, startNanos);
            // A handler may pass its observer to another measured handler: the calls nest, and the
            // observer's end ends them all. Usually the observer has no call yet, and a plain insert
            // allocates less than compute() does.
            if (CALLS.putIfAbsent(observer, call) != null) {
                CALLS.compute(observer, call);
            }
            return TRACKED;
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (call == null) {
                return startNanos; // not tracked: timed to the handler's return
            }
            // Perhaps tracked: ended here, for settle(), so that a report from gRPC finds it ended.
            call.state = PendingCall.ENDED;
            recorder.missedExits++;
            return WovenCalls.NOT_STARTED;
        }
    }

    /**
     * The handler call of {@code id} that started at {@code startNanos} returns: a gRPC call goes on,
     * any other ends. Throws only before it recorded anything.
     */
    public static void exit(int id, long startNanos, Object observer) {
        if (startNanos != WovenCalls.NOT_STARTED && startNanos != TRACKED) {
            WovenCalls.endQuietly(WovenCalls.recorders[id], startNanos, null);
        }
    }

    /**
     * The handler call of {@code id} that started at {@code startNanos} throws {@code thrown}: it ends.
     * Throws only before it recorded anything; a tracked call is then left to gRPC's report of its end.
     */
    public static void exitThrown(Throwable thrown, Object observer, int id, long startNanos) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return;
        }
        if (startNanos == TRACKED) {
            endInnermost(observer, thrown);
        } else {
            new Call(WovenCalls.recorders[id], startNanos).end(thrown);
        }
    }

    /**
     * gRPC's {@code observer.onCompleted()} is entered: the answer is pending until it returns. The
     * server may finish the call (its listener's {@code onComplete}) before this thread returns; see
     * {@link #closed}.
     */
    public static void answering(Object observer) {
        pendingAnswer(observer, ANSWERED);
    }

    /** gRPC's {@code observer.onError(thrown)} is entered: as {@link #answering}, with an error. */
    public static void answeringError(Object observer, Throwable thrown) {
        pendingAnswer(observer, thrown == null ? ANSWERED : thrown);
    }

    /**
     * gRPC refused the pending answer (the call was closed or cancelled already): it is no outcome.
     * When the close was reported while the answer was pending, the call ends here, closed without
     * an answer.
     */
    public static void refused(Object observer) {
        if (CALLS.isEmpty()) {
            return;
        }
        Call calls = CALLS.get(observer);
        if (calls == null) {
            return;
        }
        while (true) {
            Object answer = calls.pendingAnswer;
            if (answer == CLOSED_WHILE_ANSWERING) {
                report(observer, null, CLOSED_WITHOUT_ANSWER, false);
                return;
            }
            if (PENDING_ANSWER.compareAndSet(calls, answer, null)) {
                return;
            }
        }
    }

    private static void pendingAnswer(Object observer, Object answer) {
        if (CALLS.isEmpty()) {
            return;
        }
        Call calls = CALLS.get(observer);
        if (calls == null) {
            return;
        }
        calls.answeringThread = Thread.currentThread();
        while (true) {
            Object current = calls.pendingAnswer;
            // Closed while an earlier answer was pending: that answer's thread ends the call.
            if (current == CLOSED_WHILE_ANSWERING || PENDING_ANSWER.compareAndSet(calls, current, answer)) {
                return;
            }
        }
    }

    /**
     * gRPC's {@code observer.onCompleted()} returned: gRPC took the answer, and the call ends with it
     * when the listener reports the close ({@link #closed}); a cancel reported instead ends it as
     * cancelled. Where the close was reported while the answer was pending, the call ends here.
     */
    public static void answered(Object observer) {
        taken(observer, ANSWERED);
    }

    /** gRPC's {@code observer.onError(thrown)} returned: as {@link #answered}, with an error. */
    public static void answeredError(Object observer, Throwable thrown) {
        taken(observer, thrown == null ? ANSWERED : thrown);
    }

    private static void taken(Object observer, Object answer) {
        if (CALLS.isEmpty()) {
            return;
        }
        Call calls = CALLS.get(observer);
        if (calls == null) {
            return;
        }
        // Written before the pending answer is cleared, so that a close reported meanwhile finds one or the other.
        calls.takenAnswer = answer;
        while (true) {
            Object pending = calls.pendingAnswer;
            if (pending == CLOSED_WHILE_ANSWERING) {
                report(observer, failureOf(answer), null, false);
                return;
            }
            if (PENDING_ANSWER.compareAndSet(calls, pending, null)) {
                return;
            }
        }
    }

    /**
     * The application's code that a call listener runs (the request observer, the ready handler)
     * threw {@code thrown}: the call ends with it, unless the handler has answered already, when the
     * listener's report of the close decides.
     */
    public static void failed(Object observer, Throwable thrown) {
        if (CALLS.isEmpty()) {
            return;
        }
        Call calls = CALLS.get(observer);
        if (calls != null && calls.takenAnswer == null) {
            report(observer, thrown, null, false);
        }
    }

    /** The client cancelled the call that answers through {@code observer}. */
    public static void cancelled(Object observer) {
        if (!CALLS.isEmpty() && observer != null) {
            report(observer, null, null, true);
        }
    }

    /**
     * The server closed the call that answers through {@code observer}. A call whose handler answered
     * ends with that answer. A call with no answer was closed without it (an interceptor closed
     * it, or gRPC did after an exception the agent did not see), and ends as an error of type
     * {@link #CLOSED_WITHOUT_ANSWER}: the client was given some status other than the handler's.
     *
     * <p>An answer still pending decides by where the close comes from. On the answering thread
     * (a transport that finishes the call inside the answer), gRPC took the answer, and the call ends
     * with it now. On another thread, the close may be the answer's or an earlier one that gRPC will
     * refuse the answer for (an interceptor closed the call just before the handler answered): the
     * answering thread ends the call when it learns which ({@link #answered}, {@link #answeredError}
     * or {@link #refused}). Ending it here with the pending answer counted such a call as answered.
     */
    public static void closed(Object observer) {
        if (CALLS.isEmpty() || observer == null) {
            return;
        }
        Call calls = CALLS.get(observer);
        while (calls != null) {
            Object answer = calls.pendingAnswer;
            if (answer == null) {
                Object taken = calls.takenAnswer;
                if (taken != null) {
                    report(observer, failureOf(taken), null, false);
                    return;
                }
                break;
            }
            if (answer == CLOSED_WHILE_ANSWERING) {
                break;
            }
            if (calls.answeringThread == Thread.currentThread()) {
                report(observer, failureOf(answer), null, false);
                return;
            }
            if (PENDING_ANSWER.compareAndSet(calls, answer, CLOSED_WHILE_ANSWERING)) {
                return;
            }
        }
        report(observer, null, CLOSED_WITHOUT_ANSWER, false);
    }

    /** The exception an answer passed to {@code onError}; null for {@link #ANSWERED}. */
    private static Throwable failureOf(Object answer) {
        return answer == ANSWERED ? null : (Throwable) answer;
    }

    /** Ends the tracked calls of {@code observer}, if any; never throws once it has taken them. */
    private static void report(Object observer, Throwable thrown, String errorType, boolean cancelled) {
        if (thrown != null && errorType == null && !cancelled) {
            // Named before the calls are taken (the first reflective lookup takes a while), so that a call
            // is out of the table only while its end is recorded.
            errorType = statusName(thrown);
        }
        ENDING.incrementAndGet();
        try {
            Call calls;
            try {
                calls = CALLS.remove(observer);
            } catch (Throwable failure) {
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
                return;
            }
            for (Call call = calls; call != null; call = call.outer) {
                endQuietly(call, thrown, errorType, cancelled);
            }
        } finally {
            ENDING.decrementAndGet();
        }
    }

    /**
     * The innermost handler answering through {@code observer} threw {@code thrown}: its call ends,
     * and a handler that called it, with the same observer, goes on until the observer ends.
     */
    private static void endInnermost(Object observer, Throwable thrown) {
        final Call[] innermost = new Call[1];
        ENDING.incrementAndGet();
        try {
            try {
                CALLS.computeIfPresent(observer, (key, top) -> {
                    if (top.takenAnswer != null) {
                        // It answered before it threw: the listener's report of the close ends it.
                        return top;
                    }
                    innermost[0] = top;
                    return top.outer;
                });
            } catch (Throwable failure) {
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
            }
            if (innermost[0] != null) {
                endQuietly(innermost[0], thrown, null, false);
            }
        } finally {
            ENDING.decrementAndGet();
        }
    }

    private static void endQuietly(Call call, Throwable thrown, String errorType, boolean cancelled) {
        try {
            if (cancelled) {
                call.end(null, true);
            } else if (errorType != null) {
                call.endWithError(errorType);
            } else {
                call.end(thrown);
            }
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (call.state == PendingCall.OPEN) {
                call.state = PendingCall.ENDED;
                call.recorder.missedExits++;
            }
        }
    }

    /** The gRPC status code name of {@code thrown}, or null when it has none or it cannot be read. */
    private static String statusName(Throwable thrown) {
        try {
            return statusCodeName(thrown);
        } catch (Throwable unknown) {
            WovenCalls.lastFailure = unknown;
            WovenCalls.failureCount++;
            return null;
        }
    }

    /**
     * How many calls are waiting for their observer to end them, or being ended (for tests: a call
     * leaves the table before its end is recorded, its error type last).
     */
    static int pending() {
        return CALLS.size() + ENDING.get();
    }

    private static boolean isGrpcObserver(Object observer) {
        return grpcReports && observer != null && observer.getClass().getName().equals(GRPC_OBSERVER);
    }

    /** {@code thrown.getStatus().getCode().name()} for gRPC's status exceptions, else null. */
    static String statusCodeName(Throwable thrown) throws ReflectiveOperationException {
        for (Class<?> c = thrown.getClass(); c != null; c = c.getSuperclass()) {
            for (String statusException : STATUS_EXCEPTIONS) {
                if (c.getName().equals(statusException)) {
                    Object status = c.getMethod("getStatus").invoke(thrown);
                    Method getCode = status.getClass().getMethod("getCode");
                    Object code = getCode.invoke(status);
                    return code instanceof Enum ? ((Enum<?>) code).name() : null;
                }
            }
        }
        return null;
    }

    /**
     * A handler call, ended by its return, its exception or gRPC's report. It is also the function
     * that puts it in the table above the observer's call already there, so that nesting allocates
     * no function.
     */
    private static final class Call extends PendingCall implements BiFunction<Object, Call, Call> {
        /** The call of a handler that passed this one its observer, or null; set before the call is published. */
        Call outer;
        /**
         * The answer being given through the observer, when this is the newest call of the observer:
         * {@link #ANSWERED}, the exception passed to {@code onError}, null (none, or refused), or
         * {@link #CLOSED_WHILE_ANSWERING}.
         */
        volatile Object pendingAnswer;
        /** The thread that gave the newest answer. */
        volatile Thread answeringThread;
        /**
         * The answer gRPC took ({@link #ANSWERED} or the exception passed to {@code onError}), or null:
         * the call's outcome once the listener reports the close, unless it reports a cancel.
         */
        volatile Object takenAnswer;

        @Override
        public Call apply(Object observer, Call existing) {
            outer = existing;
            return this;
        }

        Call(WorkHandlerMetrics recorder, long startNanos) {
            super(recorder, startNanos, OPEN);
        }

        /**
         * Ends the call, with {@code thrown} named by its gRPC status code when it has one; once it has
         * claimed the end it never throws.
         */
        void end(Throwable thrown) {
            String status = thrown == null ? null : statusName(thrown);
            if (status != null) {
                endWithError(status);
            } else {
                end(thrown, false);
            }
        }
    }
}
