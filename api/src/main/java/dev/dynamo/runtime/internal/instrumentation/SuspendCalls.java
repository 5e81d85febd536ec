package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;

/**
 * Measures Kotlin {@code suspend} functions: one request per logical call, timed until the
 * coroutine's result or exception.
 *
 * <p>The compiled function {@code f(args..., Continuation)} runs once per call and again at every
 * resumption: its state machine (a {@code ContinuationImpl} subclass that the function creates, named
 * in its bytecode) calls it back with itself as the continuation and the sign bit of its
 * {@code label} field set. Such an entry is not a call. A first entry replaces the caller's
 * continuation with a proxy that forwards everything to it; the state machine keeps that proxy as
 * its {@code completion} and resumes it exactly once with the coroutine's outcome, which ends the
 * call. This covers functions without a state machine too (the compiler omits it when every
 * suspension is a tail call): they pass the proxy on to the callee, which resumes it. A call that
 * returns a value or throws without suspending ends at that return.
 *
 * <p>The proxy also implements {@code CoroutineStackFrame} when the caller's continuation does, and
 * names the caller as its frame, so that coroutine stack-trace recovery and debug probes still see
 * the whole chain. Kotlin classes are only ever reached by name and reflection: the API has no
 * Kotlin dependency.
 */
public final class SuspendCalls {
    private static final String CONTINUATION = "kotlin.coroutines.Continuation";
    private static final String STACK_FRAME = "kotlin.coroutines.jvm.internal.CoroutineStackFrame";
    private static final String SINGLETONS = "kotlin.coroutines.intrinsics.CoroutineSingletons";
    private static final String SUSPENDED = "COROUTINE_SUSPENDED";
    private static final String RESULT_FAILURE = "kotlin.Result$Failure";

    /**
     * Kotlin's {@code COROUTINE_SUSPENDED}, once a call has met it (until then an object no function
     * returns). The woven code reads it where it could not call {@link #exit}: a function that
     * returned anything else will not be resumed, so its call ends there.
     */
    public static volatile Object suspended = new Object();

    /** The proxy class for continuations of each class, so that a call does not search interfaces. */
    private static final ClassCache<Constructor<?>> PROXIES = new ClassCache<Constructor<?>>() {
        @Override
        protected Constructor<?> compute(Class<?> continuationType) {
            knowSuspended(continuationType.getClassLoader());
            return continuationProxy(continuationType);
        }
    };
    /** The {@code label} field of each state-machine class. */
    private static final ClassCache<Field> LABELS = new ClassCache<Field>() {
        @Override
        protected Field compute(Class<?> stateMachine) {
            return accessibleField(stateMachine, "label");
        }
    };
    /** The {@code exception} field of {@code kotlin.Result.Failure}, per copy of Kotlin. */
    private static final ClassCache<Field> FAILURE_EXCEPTIONS = new ClassCache<Field>() {
        @Override
        protected Field compute(Class<?> failure) {
            return accessibleField(failure, "exception");
        }
    };

    private SuspendCalls() {
    }

    /**
     * An entry into suspend function {@code id} with {@code continuation}: the start of the call it
     * begins, or {@code NOT_STARTED} when the entry is a resumption of a call already counted (or
     * recording failed). Throws only when it cannot be called at all.
     *
     * @param stateMachine the binary name of the function's own state-machine class, null if it has none
     */
    public static long enter(int id, Object continuation, String stateMachine) {
        try {
            if (continuation == null || isResumption(continuation, stateMachine)) {
                return WovenCalls.NOT_STARTED;
            }
        } catch (Throwable failure) {
            // No call in a catch block: at the top of an exhausted stack it would fail too (see WorkHandlerMetrics).
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            return WovenCalls.NOT_STARTED;
        }
        return WovenCalls.recorders[id].enter();
    }

    /**
     * The continuation the function should run with: for a call that started at {@code startNanos}
     * the proxy that ends it, otherwise {@code continuation} unchanged. When the proxy cannot be
     * made this throws, and the woven code runs the function with {@code continuation}: its
     * {@link #exit} then finds no proxy of the call and ends it where the function returns, or
     * {@link #exitThrown} where it throws.
     */
    public static Object continuation(Object continuation, int id, long startNanos) throws Throwable {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return continuation;
        }
        try {
            return endingAtResumption(new PendingCall(WovenCalls.recorders[id], startNanos, PendingCall.OPEN),
                    continuation);
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            throw failure;
        }
    }

    /**
     * A proxy of {@code continuation} that forwards everything to it and ends {@code call} when it is
     * resumed, with the outcome it is resumed with: for a suspend function's caller, and for the
     * collector of a measured Kotlin {@code Flow} ({@link PublisherCalls}).
     */
    static Object endingAtResumption(PendingCall call, Object continuation) throws ReflectiveOperationException {
        return PROXIES.get(continuation.getClass()).newInstance(new Handler(call, continuation));
    }

    /**
     * An entry that started at {@code startNanos} ({@code NOT_STARTED}: a resumption) returns
     * {@code result} with {@code continuation} (the proxy, normally). The call ends here unless the
     * function suspended with the proxy in place. Throws only when it cannot be called at all, and
     * then the woven code ends the call as this would have (see {@link #suspended}).
     */
    public static void exit(Object result, Object continuation, int id, long startNanos) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return;
        }
        WorkHandlerMetrics recorder = WovenCalls.recorders[id];
        boolean endsHere = false;
        PendingCall call = null;
        try {
            call = callOf(continuation);
            if (call == null || call.recorder != recorder || call.startNanos != startNanos) {
                // No proxy of this call (the argument may be a caller's): ends here.
                call = null;
                endsHere = true;
                WovenCalls.end(recorder, startNanos, null);
            } else if (!isSuspended(result)) {
                call.end(null, false);
            }
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            // Nothing was recorded (each end records last, and a claimed end keeps its failures). A
            // result other than the suspension marker means that no resumption will end the call.
            if (endsHere) {
                recorder.missedExits++;
            } else if (result != suspended && (call == null || call.state == PendingCall.OPEN)) {
                if (call != null) {
                    call.state = PendingCall.ENDED;
                }
                recorder.missedExits++;
            }
        }
    }

    /** An entry that started at {@code startNanos} throws {@code thrown}: the call ends, nothing resumes it. */
    public static void exitThrown(Throwable thrown, int id, long startNanos) {
        if (startNanos != WovenCalls.NOT_STARTED) {
            WovenCalls.endQuietly(WovenCalls.recorders[id], startNanos, thrown);
        }
    }

    private static PendingCall callOf(Object continuation) {
        if (continuation == null || !Proxy.isProxyClass(continuation.getClass())) {
            return null;
        }
        InvocationHandler handler = Proxy.getInvocationHandler(continuation);
        return handler instanceof Handler ? ((Handler) handler).call : null;
    }

    /** Whether {@code continuation} is the function's own state machine, resuming (label sign bit set). */
    private static boolean isResumption(Object continuation, String stateMachine) throws IllegalAccessException {
        Class<?> type = continuation.getClass();
        if (stateMachine == null || !type.getName().equals(stateMachine)) {
            return false;
        }
        Field label = LABELS.get(type);
        // Without the field (another compiler's layout) every entry with the state machine is a resumption:
        // the function only sees its own state machine when it resumes, or when it calls itself.
        return label == null || (label.getInt(continuation) & Integer.MIN_VALUE) != 0;
    }

    static boolean isSuspended(Object result) {
        if (result == suspended) {
            return true;
        }
        if (result instanceof Enum && result.getClass().getName().equals(SINGLETONS)
                && ((Enum<?>) result).name().equals(SUSPENDED)) {
            suspended = result;
            return true;
        }
        return false;
    }

    /** Learns {@link #suspended} from the Kotlin of {@code loader} before any call can need it. */
    private static void knowSuspended(ClassLoader loader) {
        try {
            Class<?> singletons = Class.forName(SINGLETONS, true, loader);
            for (Object constant : singletons.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(SUSPENDED)) {
                    suspended = constant;
                }
            }
        } catch (ClassNotFoundException | LinkageError | RuntimeException unknown) {
            // Another Kotlin: isSuspended learns it from the first suspension.
        }
    }

    /** The exception of a {@code kotlin.Result} passed to {@code resumeWith}, null for a value. */
    static Throwable failureOf(Object result) throws IllegalAccessException {
        if (result == null || !result.getClass().getName().equals(RESULT_FAILURE)) {
            return null;
        }
        Field exception = FAILURE_EXCEPTIONS.get(result.getClass());
        return exception == null ? null : (Throwable) exception.get(result);
    }

    private static Field accessibleField(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException absent) {
                // declared higher up, if at all
            } catch (RuntimeException inaccessible) {
                return null;
            }
        }
        return null;
    }

    private static Constructor<?> continuationProxy(Class<?> continuationType) {
        Class<?> continuation = ClassCache.interfaceNamed(continuationType, CONTINUATION);
        if (continuation == null) {
            throw new IllegalArgumentException(continuationType + " does not implement " + CONTINUATION);
        }
        Class<?> stackFrame = ClassCache.interfaceNamed(continuationType, STACK_FRAME);
        return stackFrame == null ? ClassCache.proxyConstructor(continuation)
                : ClassCache.proxyConstructor(continuation, stackFrame);
    }

    /** The continuation proxy's handler: forwards to the caller's continuation, ending the call at its resumption. */
    private static final class Handler extends ForwardingHandler {
        final PendingCall call;

        Handler(PendingCall call, Object caller) {
            super(caller);
            this.call = call;
        }

        /** Ends the call with the outcome of {@code result} (a {@code kotlin.Result}); never throws. */
        private void resumed(Object result) {
            try {
                call.end(failureOf(result), false);
            } catch (Throwable failure) {
                WovenCalls.lastFailure = failure;
                WovenCalls.failureCount++;
                // Still open (a claimed end keeps its failures): the one resumption ends it, unrecorded.
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (name.equals("resumeWith") && arity == 1) {
                // Recorded before the caller resumes: the caller's continuation runs inside resumeWith.
                resumed(args[0]);
                CallerResumptions.resume(method, target, args);
                return null;
            } else if (name.equals("getCallerFrame") && arity == 0) {
                return target;
            } else if (name.equals("getStackTraceElement") && arity == 0) {
                return null;
            }
            return forward(method, args);
        }
    }

    /**
     * Resumes callers' continuations one inside the other only to a bounded depth. Kotlin resumes a
     * chain of suspend calls in a loop ({@code BaseContinuationImpl.resumeWith} walks up its
     * {@code completion}s), but a proxy is not part of that loop: each resumes its caller from inside
     * its own {@code resumeWith}, which a deep suspend recursion of measured functions would nest once
     * per level (about ten frames each) until the stack overflowed. So past {@link #NESTED_LIMIT}
     * nested resumptions on a thread, a proxy queues its caller, and the deepest level still nested
     * resumes the queued ones when its own returns: the same resumptions in the same order, on a
     * bounded stack. Below the limit nothing is deferred, so that code which blocks inside a resumed
     * caller waiting for another coroutine of this thread (a {@code runBlocking}) still sees it
     * resumed.
     */
    private static final class CallerResumptions {
        static final int NESTED_LIMIT = 64;
        private static final ThreadLocal<CallerResumptions> OF_THREAD = new ThreadLocal<CallerResumptions>() {
            @Override
            protected CallerResumptions initialValue() {
                return new CallerResumptions();
            }
        };

        private final ArrayDeque<Object[]> queued = new ArrayDeque<Object[]>();
        /** Resumptions under way on this thread, one inside the other. */
        private int depth;

        /** Calls {@code resumeWith} on {@code caller} now, or, past the nesting limit, after the deepest one returns. */
        static void resume(Method resumeWith, Object caller, Object[] args) throws Throwable {
            CallerResumptions thread = OF_THREAD.get();
            if (thread.depth >= NESTED_LIMIT) {
                thread.queued.add(new Object[] {resumeWith, caller, args});
                return;
            }
            thread.depth++;
            Throwable first = null;
            try {
                try {
                    PublisherCalls.invoke(resumeWith, caller, args);
                } catch (Throwable failed) {
                    first = failed;
                }
                if (thread.depth == NESTED_LIMIT) {
                    for (Object[] next = thread.queued.poll(); next != null; next = thread.queued.poll()) {
                        try {
                            PublisherCalls.invoke((Method) next[0], next[1], (Object[]) next[2]);
                        } catch (Throwable failed) {
                            // Queued ones would have run inside the one that failed: they still run.
                            first = first == null ? failed : first;
                        }
                    }
                }
            } finally {
                thread.depth--;
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
