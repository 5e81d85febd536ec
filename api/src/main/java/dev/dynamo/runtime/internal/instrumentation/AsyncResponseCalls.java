package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Measures JAX-RS resource methods that answer through an {@code AsyncResponse}
 * ({@code void m(..., @Suspended AsyncResponse response)}; {@code jakarta.ws.rs} or {@code javax.ws.rs}):
 * a call is timed until the response is done, which the JAX-RS runtime reports to a
 * {@code CompletionCallback} the agent registers on entry, or until the client is gone
 * ({@code ConnectionCallback}, where the runtime supports it: a cancellation).
 *
 * <p>The method runs with a proxy of its {@code AsyncResponse} in place of the runtime's, which
 * forwards every call and notes the answer: an exception passed to {@code resume(Throwable)} ends
 * the call as an error of its type, as the same exception thrown by a synchronous resource method
 * does, even where an {@code ExceptionMapper} turns it into a response; a successful {@code cancel}
 * ends it as cancelled; a {@code TimeoutHandler} the application sets is given the proxy too. An
 * exception the method itself throws ends the call at once, as an error. A response that the runtime
 * ends without the application's answer (a suspend timeout with no handler: 503) ends the call as an
 * error of type {@link #CLOSED_WITHOUT_ANSWER}, as a gRPC call closed without its handler's answer;
 * what the runtime passes to {@code onComplete} (an exception no mapper took) makes it an error of
 * that exception's type.
 *
 * <p>An entry lives from the method's entry to the response's end, so nothing is kept for a finished
 * call. A method called with an {@code AsyncResponse} that another measured method is answering
 * through, one whose runtime does not take the completion callback, or one of no runtime the agent
 * knows (a unit test's mock or hand-written response, which is then left untouched), is timed to its
 * return. An answer the runtime refuses because a suspend timeout is ending the response on another
 * thread is no answer: the call ends as the timeout's.
 */
public final class AsyncResponseCalls {
    /** What {@link #enter} returns for a call that the response's end will end; as gRPC's. */
    public static final long TRACKED = StreamObserverCalls.TRACKED;
    /** The error type of a response the runtime ended without the application's answer. */
    public static final String CLOSED_WITHOUT_ANSWER = StreamObserverCalls.CLOSED_WITHOUT_ANSWER;
    private static final String[] PACKAGES = {"jakarta.ws.rs.container.", "javax.ws.rs.container."};
    /**
     * The JAX-RS runtimes whose responses are watched: Jersey (GlassFish, Payara, Helidon, Dropwizard),
     * RESTEasy (WildFly, Quarkus) and Apache CXF (TomEE, Open Liberty). Any other object, a unit test's
     * mock or hand-written response among them, is left untouched (the test may compare it with the one
     * it passed, or verify every call made on it), and the call is timed to the method's return.
     */
    private static final String[] RUNTIMES = {"org.glassfish.jersey.", "org.jboss.resteasy.", "org.apache.cxf."};

    /** In-flight calls by the runtime's {@code AsyncResponse} (identity: runtimes do not override equals). */
    private static final ConcurrentMap<Object, Call> CALLS = new ConcurrentHashMap<Object, Call>();
    private static final ClassCache<Api> APIS = new ClassCache<Api>() {
        @Override
        protected Api compute(Class<?> responseType) {
            return Api.of(responseType);
        }
    };

    private AsyncResponseCalls() {
    }

    /**
     * A call of handler {@code id} starts, answering through {@code response}; returns its start, or
     * {@link #TRACKED} when the response's end will end it. Throws only before it counted anything.
     */
    public static long enter(int id, Object response) {
        WorkHandlerMetrics recorder = WovenCalls.recorders[id];
        Object runtimes;
        Api api;
        try {
            runtimes = unwrap(response);
            api = runtimes == null || CALLS.containsKey(runtimes) ? null : APIS.get(runtimes.getClass());
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            return WovenCalls.NOT_STARTED;
        }
        long startNanos = recorder.enter();
        if (startNanos == WovenCalls.NOT_STARTED || api == null) {
            return startNanos;
        }
        Call call = null;
        try {
            call = new Call(recorder, startNanos, runtimes, api);
            call.proxy = api.proxy.newInstance(new WatchedResponse(runtimes, call));
            Object callbacks = api.callbacks.newInstance(new Callbacks(call));
            if (CALLS.putIfAbsent(runtimes, call) != null) {
                call.state = PendingCall.ENDED; // not published: another call answers through it
                return startNanos;
            }
            Object registered = PublisherCalls.invoke(api.register, runtimes, callbacks);
            if (!(registered instanceof Collection) || !api.takesCompletion((Collection<?>) registered)) {
                // The runtime will not report the response's end (register says what it took): timed to the return.
                call.state = PendingCall.ENDED;
                CALLS.remove(runtimes, call);
                return startNanos;
            }
            return TRACKED;
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (call == null || call.state == PendingCall.ENDED) {
                return startNanos; // not tracked: timed to the method's return
            }
            // Perhaps registered: ended here, so that the runtime's report finds it ended, and never counted twice.
            call.state = PendingCall.ENDED;
            CALLS.remove(runtimes, call);
            recorder.missedExits++;
            return WovenCalls.NOT_STARTED;
        }
    }

    /**
     * The {@code AsyncResponse} the method runs with: the proxy that notes its answer, for a tracked
     * call; {@code response} itself otherwise.
     */
    public static Object watch(Object response, int id, long startNanos) {
        if (startNanos != TRACKED) {
            return response;
        }
        Call call = CALLS.get(response);
        if (call == null || call.proxy == null) {
            return response;
        }
        call.watched = true;
        return call.proxy;
    }

    /** The call of {@code id} that started at {@code startNanos} returns: a tracked call goes on, any other ends. */
    public static void exit(int id, long startNanos, Object response) {
        if (startNanos != WovenCalls.NOT_STARTED && startNanos != TRACKED) {
            WovenCalls.endQuietly(WovenCalls.recorders[id], startNanos, null);
        }
    }

    /** The call of {@code id} throws {@code thrown}: it ends, as an error, whatever its response does later. */
    public static void exitThrown(Throwable thrown, Object response, int id, long startNanos) {
        if (startNanos == WovenCalls.NOT_STARTED) {
            return;
        }
        if (startNanos != TRACKED) {
            WovenCalls.endQuietly(WovenCalls.recorders[id], startNanos, thrown);
            return;
        }
        Call call = CALLS.remove(unwrap(response));
        if (call != null) {
            call.endQuietly(thrown, null, false);
        }
    }

    /** The runtime's {@code AsyncResponse} behind {@code response}, which may be one of the agent's proxies. */
    private static Object unwrap(Object response) {
        if (response != null && Proxy.isProxyClass(response.getClass())) {
            InvocationHandler handler = Proxy.getInvocationHandler(response);
            if (handler instanceof WatchedResponse) {
                return ((WatchedResponse) handler).target;
            }
        }
        return response;
    }

    /** Calls waiting for their response to end (for tests). */
    static int pending() {
        return CALLS.size();
    }

    /** A call, ended by its response's end, its method's exception, or a cancellation. */
    private static final class Call extends PendingCall {
        final Object response;
        final Api api;
        /** The proxy the method runs with; null until made. */
        volatile Object proxy;
        /** What the application passed to {@code resume(Throwable)}. */
        volatile Throwable answeredError;
        /** Whether the application cancelled the response. */
        volatile boolean cancelled;
        /** Whether the method was given the proxy, which sees every answer the application gives. */
        volatile boolean watched;
        /** Whether the runtime took an answer given through the proxy, or is being given one; guarded by this. */
        private boolean answered;
        /** The thread giving the first answer through the proxy while the runtime has not said whether it took it. */
        private Thread answering;
        /** Whether the runtime reported the response done, on another thread, while an answer was pending. */
        private boolean doneWhileAnswering;
        private Throwable unmappedWhileAnswering;

        Call(WorkHandlerMetrics recorder, long startNanos, Object response, Api api) {
            super(recorder, startNanos, OPEN);
            this.response = response;
            this.api = api;
        }

        /**
         * The application gives its first answer through the proxy: noted before the runtime takes it, as
         * it may write the response and report its end inside that call. Whether it was the first.
         */
        synchronized boolean answering(Throwable error, boolean cancel) {
            if (answered) {
                return false;
            }
            answered = true;
            answering = Thread.currentThread();
            answeredError = error;
            cancelled = cancel;
            return true;
        }

        /**
         * The runtime took the first answer, or refused it ({@code taken} false: the response was done
         * already, or is being ended by a suspend timeout on another thread). A report of the response's
         * end that came meanwhile on another thread is acted on now.
         */
        void answered(boolean taken) {
            boolean ended;
            Throwable unmapped;
            synchronized (this) {
                answering = null;
                if (!taken) {
                    answered = false;
                    answeredError = null;
                    cancelled = false;
                }
                ended = doneWhileAnswering;
                unmapped = unmappedWhileAnswering;
            }
            if (ended) {
                finish(unmapped);
            }
        }

        /** The runtime is done with the response; {@code unmapped}: the exception no mapper took, or null. */
        void done(Throwable unmapped) {
            synchronized (this) {
                if (answering != null && answering != Thread.currentThread()) {
                    // Which answer the client got decides when the answering thread learns whether it was taken.
                    doneWhileAnswering = true;
                    unmappedWhileAnswering = unmapped;
                    return;
                }
            }
            finish(unmapped);
        }

        private void finish(Throwable unmapped) {
            if (!CALLS.remove(response, this)) {
                return;
            }
            boolean answeredByTheApplication;
            synchronized (this) {
                answeredByTheApplication = answered;
            }
            if (watched && !answeredByTheApplication && !isCancelled()) {
                // The runtime's own answer (a suspend timeout's 503), whatever it passes to onComplete
                // (RESTEasy its ServiceUnavailableException, Jersey nothing).
                endQuietly(null, CLOSED_WITHOUT_ANSWER, false);
                return;
            }
            Throwable error = unmapped != null ? unmapped : answeredError;
            endQuietly(error, null, error == null && (cancelled || isCancelled()));
        }

        void disconnected() {
            if (CALLS.remove(response, this)) {
                endQuietly(null, null, true);
            }
        }

        private boolean isCancelled() {
            try {
                return Boolean.TRUE.equals(PublisherCalls.invoke(api.isCancelled, response));
            } catch (Throwable unknown) {
                return false;
            }
        }

        /** Ends the call: with {@code failure}, as an error of {@code errorType}, as cancelled, or normally. */
        void endQuietly(Throwable failure, String errorType, boolean cancelled) {
            try {
                if (errorType != null) {
                    endWithError(errorType);
                } else {
                    end(failure, cancelled);
                }
            } catch (Throwable failed) {
                WovenCalls.lastFailure = failed;
                WovenCalls.failureCount++;
                if (state == PendingCall.OPEN) {
                    state = PendingCall.ENDED;
                    recorder.missedExits++;
                }
            }
        }
    }

    /** The proxy's handler: forwards every call to the runtime's response, and notes the application's answer. */
    private static final class WatchedResponse extends ForwardingHandler {
        private final Call call;

        WatchedResponse(Object target, Call call) {
            super(target);
            this.call = call;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (name.equals("setTimeoutHandler") && arity == 1 && args[0] != null) {
                // The handler answers through the proxy too, so that its answer is seen.
                Class<?> handlerType = method.getParameterTypes()[0];
                args = new Object[] {Proxy.newProxyInstance(handlerType.getClassLoader(),
                        new Class<?>[] {handlerType}, new TimeoutHandler(args[0], proxy))};
            }
            boolean resume = name.equals("resume") && arity == 1;
            boolean cancel = name.equals("cancel");
            if (!resume && !cancel) {
                return forward(proxy, method, args);
            }
            // Noted before the runtime takes the answer: it writes the response, and reports its end, inside
            // this call. An answer it refuses (given twice, or after a timeout) came after the call's end.
            boolean first = call.answering(resume && args[0] instanceof Throwable
                    && method.getParameterTypes()[0] == Throwable.class ? (Throwable) args[0] : null, cancel);
            if (!first) {
                return forward(proxy, method, args); // the runtime refuses any answer after the first it took
            }
            Object result;
            try {
                result = forward(proxy, method, args);
            } catch (Throwable thrown) {
                // Taken all the same: CXF on Jetty throws out of resume when a suspend timeout is expiring the
                // request, after it kept the answer, which it then sends (a re-tester: 285 of 285 such calls
                // answered 200). A runtime that refuses an answer says so with false.
                call.answered(true);
                throw thrown;
            }
            call.answered(Boolean.TRUE.equals(result));
            return result;
        }
    }

    /** The application's {@code TimeoutHandler}, called with the proxy in place of the runtime's response. */
    private static final class TimeoutHandler extends ForwardingHandler {
        private final Object watchedResponse;

        TimeoutHandler(Object target, Object watchedResponse) {
            super(target);
            this.watchedResponse = watchedResponse;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
            if (name.equals("handleTimeout") && arity == 1) {
                return forward(method, new Object[] {watchedResponse});
            }
            return forward(proxy, method, args);
        }
    }

    /** The callbacks registered on the runtime's response: {@code CompletionCallback}, {@code ConnectionCallback}. */
    private static final class Callbacks extends ForwardingHandler {
        private final Call call;

        Callbacks(Call call) {
            super(call);
            this.call = call;
        }

        @Override
        Object intercept(Object proxy, Method method, String name, int arity, Object[] args) {
            if (name.equals("onComplete") && arity == 1) {
                call.done((Throwable) args[0]);
            } else if (name.equals("onDisconnect") && arity == 1) {
                call.disconnected();
            } else if (name.equals("toString") && arity == 0) {
                return "dynamo-metrics callbacks of a measured call";
            }
            return null;
        }
    }

    private static boolean isRuntimes(Class<?> type) {
        for (String runtime : RUNTIMES) {
            if (type.getName().startsWith(runtime)) {
                return true;
            }
        }
        return false;
    }

    /** The JAX-RS types of one {@code AsyncResponse} class: what the agent calls and the proxies it makes. */
    private static final class Api {
        final Method register;
        final Method isCancelled;
        /** The proxy of the response: every interface of its class, so that a cast to one still holds. */
        final Constructor<?> proxy;
        /** The proxy of the callbacks: {@code CompletionCallback}, and {@code ConnectionCallback} where present. */
        final Constructor<?> callbacks;

        private Api(Method register, Method isCancelled, Constructor<?> proxy, Constructor<?> callbacks) {
            this.register = register;
            this.isCancelled = isCancelled;
            this.proxy = proxy;
            this.callbacks = callbacks;
        }

        /** Whether {@code registered}, what {@code register} returned, says that the runtime took the completion callback. */
        boolean takesCompletion(Collection<?> registered) {
            for (Object taken : registered) {
                if (taken instanceof Class && ((Class<?>) taken).getSimpleName().equals("CompletionCallback")) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Null when {@code type} is no {@code AsyncResponse} of a known runtime, or a proxy cannot stand in
         * for it: then timed to the return.
         */
        static Api of(Class<?> type) {
            if (!isRuntimes(type)) {
                return null;
            }
            for (String pkg : PACKAGES) {
                Class<?> response = ClassCache.interfaceNamed(type, pkg + "AsyncResponse");
                if (response == null) {
                    continue;
                }
                try {
                    ClassLoader jaxrs = response.getClassLoader();
                    Class<?> completion = Class.forName(pkg + "CompletionCallback", false, jaxrs);
                    Class<?> connection = Class.forName(pkg + "ConnectionCallback", false, jaxrs);
                    Set<Class<?>> interfaces = new LinkedHashSet<Class<?>>();
                    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                        interfaces.addAll(Arrays.asList(c.getInterfaces()));
                    }
                    Constructor<?> proxy = ClassCache.proxyConstructor(type.getClassLoader(),
                            interfaces.toArray(new Class<?>[0]));
                    proxy.setAccessible(true);
                    return new Api(response.getMethod("register", Object.class), response.getMethod("isCancelled"),
                            proxy, ClassCache.proxyConstructor(jaxrs, completion, connection));
                } catch (ReflectiveOperationException | RuntimeException | LinkageError noProxy) {
                    return null;
                }
            }
            return null;
        }
    }
}
