package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Kotlin flow whose first collection is the call: {@code collect(collector, continuation)} is a
 * suspend function, so the collection ends when it returns anything but {@code COROUTINE_SUSPENDED},
 * when it throws, or when the continuation is resumed (watched by the proxy of a suspend
 * function's caller). A collection cancelled, or cut short by {@code take} or {@code first}
 * (which end it with a {@code CancellationException}), counts as a cancellation.
 */
final class WatchedFlow extends ForwardingHandler {
    private static final String FLOW = "kotlinx.coroutines.flow.Flow";
    /** Hot flows (and {@code StateFlow}): shared objects whose collections never end; not wrapped. */
    private static final String SHARED_FLOW = "kotlinx.coroutines.flow.SharedFlow";
    private static final String KOTLINX = "kotlinx.";
    /**
     * kotlinx.coroutines' operator fusion: {@code flowOn} or {@code buffer} on a {@code FusibleFlow}
     * returns a new flow built from its parts instead of collecting it, which would bypass the proxy.
     */
    private static final String FLOW_INTERNALS = "kotlinx.coroutines.flow.internal.";

    /** The proxy constructor for flows of each class: every public interface the flow has, but fusion's. */
    private static final ClassCache<Constructor<?>> PROXIES = new ClassCache<Constructor<?>>() {
        @Override
        protected Constructor<?> compute(Class<?> flowType) {
            return proxyOf(flowType);
        }
    };

    private final Call call;

    /** {@code flow} watched for {@code call}, or null when it is returned as it is ({@link #proxyOf}). */
    static Object watched(Call call, Object flow) throws Throwable {
        Constructor<?> proxy = PROXIES.get(flow.getClass());
        return proxy == null ? null : proxy.newInstance(new WatchedFlow(call, flow));
    }

    private WatchedFlow(Call call, Object flow) {
        super(flow);
        this.call = call;
    }

    @Override
    Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
        if (!name.equals("collect") || arity != 2 || args[1] == null || !PublisherCalls.subscribedQuietly(call)) {
            return forward(method, args);
        }
        Object continuation;
        try {
            continuation = SuspendCalls.endingAtResumption(call, args[1]);
        } catch (Throwable failure) {
            // Collected unwatched: timed to now. Here and below, plain writes end the call where not even
            // endQuietly's call fits (see PendingCall).
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
            return forward(method, args);
        }
        Object result;
        try {
            result = forward(method, new Object[] {args[0], continuation});
        } catch (Throwable thrown) {
            try {
                call.endQuietly(thrown, false);
            } catch (Throwable noStack) {
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
            throw thrown;
        }
        if (!SuspendCalls.isSuspended(result)) {
            try {
                call.endQuietly(null, false);
            } catch (Throwable noStack) {
                if (call.state == PendingCall.OPEN) {
                    call.state = PendingCall.ENDED;
                    call.recorder.missedExits++;
                }
            }
        }
        return result;
    }

    /**
     * The proxy class of a Kotlin flow of class {@code flowType}: it keeps the flow's public interfaces,
     * so that a caller that casts the flow it got to one of them still can. Null, and the flow
     * returned as it is (timed to the return), when a proxy could change what the caller sees: for
     * a class of the application's own, which the caller may cast to; and for a hot flow
     * ({@code SharedFlow}, {@code StateFlow}), a shared object the caller may compare with the one it
     * holds, and whose collections never end. Flows of {@code kotlinx.coroutines} (the builders
     * {@code flow}, {@code channelFlow}, {@code callbackFlow}, {@code asFlow}, the operators) and
     * anonymous ones are wrapped.
     */
    private static Constructor<?> proxyOf(Class<?> flowType) {
        Class<?> flow = ClassCache.interfaceNamed(flowType, FLOW);
        if (flow == null || ClassCache.interfaceNamed(flowType, SHARED_FLOW) != null
                || !flowType.getName().startsWith(KOTLINX) && !flowType.isAnonymousClass()) {
            return null;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<Class<?>>();
        interfaces.add(flow);
        for (Class<?> c = flowType; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (Modifier.isPublic(implemented.getModifiers()) && !implemented.getName().startsWith(FLOW_INTERNALS)) {
                    interfaces.add(implemented);
                }
            }
        }
        @SuppressWarnings("deprecation") // Proxy.newProxyInstance would look the class up on every call
        Class<?> proxyClass = Proxy.getProxyClass(flowType.getClassLoader(), interfaces.toArray(new Class<?>[0]));
        try {
            return proxyClass.getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
