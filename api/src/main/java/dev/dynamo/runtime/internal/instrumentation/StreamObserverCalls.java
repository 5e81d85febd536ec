package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Measures gRPC server handlers that answer through an {@code io.grpc.stub.StreamObserver}: unary
 * and server-streaming handlers ({@code void m(Req, StreamObserver<Resp>)}) and client-streaming or
 * bidi handlers ({@code StreamObserver<Req> m(StreamObserver<Resp>)}). A call is timed until the
 * response observer's {@code onCompleted} or {@code onError}, or until the client cancels it.
 *
 * <p>The observer gRPC passes in is its own {@code ServerCalls$ServerCallStreamObserverImpl}, which
 * applications cast to {@code ServerCallStreamObserver}, so it cannot be replaced by a wrapper.
 * Instead the agent also instruments that gRPC class by name, and its {@code onCompleted},
 * {@code onError} and the call listeners' {@code onCancel} report here; the observer object itself
 * (identity, never equality: gRPC does not override {@code equals}) leads to the call. An entry
 * lives from the handler's entry to the first of these ends, so nothing is kept for a finished call.
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

    /** A call of handler {@code id} starts with response observer {@code observer}; returns its start. */
    public static long enter(int id, Object observer) {
        try {
            WorkHandlerMetrics recorder = WovenCalls.recorder(id);
            long startNanos = recorder.enter();
            if (startNanos != WovenCalls.NOT_STARTED && isGrpcObserver(observer)) {
                CALLS.put(observer, new Call(recorder, startNanos));
            }
            return startNanos;
        } catch (Throwable failure) {
            WovenCalls.failed(failure);
            return WovenCalls.NOT_STARTED;
        }
    }

    /** The handler call of {@code id} that started at {@code startNanos} returns: a gRPC call goes on. */
    public static void exit(int id, long startNanos, Object observer) {
        exit(id, startNanos, observer, null);
    }

    /** The handler call of {@code id} that started at {@code startNanos} throws {@code thrown}: it ends. */
    public static void exitThrown(Throwable thrown, Object observer, int id, long startNanos) {
        exit(id, startNanos, observer, thrown);
    }

    private static void exit(int id, long startNanos, Object observer, Throwable thrown) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return;
        }
        try {
            if (isGrpcObserver(observer)) {
                if (thrown != null) {
                    end(CALLS.remove(observer), thrown);
                }
            } else {
                end(new Call(WovenCalls.recorder(id), startNanos), thrown);
            }
        } catch (Throwable failure) {
            WovenCalls.failed(failure);
        }
    }

    /** gRPC's {@code observer.onCompleted()} is called. */
    public static void completed(Object observer) {
        if (CALLS.isEmpty()) {
            return;
        }
        try {
            end(CALLS.remove(observer), null);
        } catch (Throwable failure) {
            WovenCalls.failed(failure);
        }
    }

    /** gRPC's {@code observer.onError(thrown)} is called. */
    public static void failed(Object observer, Throwable thrown) {
        if (CALLS.isEmpty()) {
            return;
        }
        try {
            end(CALLS.remove(observer), thrown);
        } catch (Throwable failure) {
            WovenCalls.failed(failure);
        }
    }

    /** The client cancelled the call that answers through {@code observer}. */
    public static void cancelled(Object observer) {
        if (CALLS.isEmpty() || observer == null) {
            return;
        }
        try {
            Call call = CALLS.remove(observer);
            if (call != null) {
                call.recorder.cancelled(call.startNanos);
            }
        } catch (Throwable failure) {
            WovenCalls.failed(failure);
        }
    }

    /** How many calls are waiting for their observer to end them (for tests). */
    static int pending() {
        return CALLS.size();
    }

    private static boolean isGrpcObserver(Object observer) {
        return grpcReports && observer != null && observer.getClass().getName().equals(GRPC_OBSERVER);
    }

    private static void end(Call call, Throwable thrown) throws ReflectiveOperationException {
        if (call == null) {
            return;
        }
        String status = thrown == null ? null : statusCodeName(thrown);
        if (status != null) {
            call.recorder.exitWithError(call.startNanos, status);
        } else {
            WovenCalls.end(call.recorder, call.startNanos, thrown);
        }
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

    private static final class Call {
        final WorkHandlerMetrics recorder;
        final long startNanos;

        Call(WorkHandlerMetrics recorder, long startNanos) {
            this.recorder = recorder;
            this.startNanos = startNanos;
        }
    }
}
