package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The handler of a proxy that stands in for {@code target}: {@code equals} and {@code hashCode} are
 * the proxy's own identity (the proxy is a new object, whatever the target's equality), every
 * other method goes to {@link #intercept}, which forwards it unless the subclass watches it.
 */
abstract class ForwardingHandler implements InvocationHandler {
    /** {@code InvocationHandler.invokeDefault} (Java 16+), or null. */
    private static final Method INVOKE_DEFAULT = invokeDefault();

    final Object target;

    ForwardingHandler(Object target) {
        this.target = target;
    }

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        int arity = args == null ? 0 : args.length;
        if (name.equals("equals") && arity == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && arity == 0) {
            return System.identityHashCode(proxy);
        }
        return intercept(proxy, method, name, arity, args);
    }

    /** Handles {@code method} of {@code proxy} (named {@code name}, with {@code arity} arguments); forwards it. */
    Object intercept(Object proxy, Method method, String name, int arity, Object[] args) throws Throwable {
        return forward(method, args);
    }

    /**
     * Calls {@code method} on the target, throwing what it throws. A default method that the target's
     * class does not override runs on the proxy instead, as it would on the target, so that the
     * interface methods it calls ({@code subscribe}) come back through the proxy (Java 16+; before, on
     * the target).
     */
    final Object forward(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.isDefault() && INVOKE_DEFAULT != null && !overridden(method)) {
            try {
                return INVOKE_DEFAULT.invoke(null, proxy, method, args);
            } catch (InvocationTargetException thrown) {
                throw thrown.getCause();
            } catch (IllegalAccessException | IllegalArgumentException cannot) {
                // Forwarded to the target below.
            }
        }
        return forward(method, args);
    }

    /** Calls {@code method} on the target, throwing what it throws. */
    final Object forward(Method method, Object[] args) throws Throwable {
        return PublisherCalls.invoke(method, target, args);
    }

    /** Whether the target's class has a method of its own where the interface has {@code method}'s default. */
    private boolean overridden(Method method) {
        try {
            return !target.getClass().getMethod(method.getName(), method.getParameterTypes()).isDefault();
        } catch (NoSuchMethodException | RuntimeException unknown) {
            return true;
        }
    }

    private static Method invokeDefault() {
        try {
            return InvocationHandler.class.getMethod("invokeDefault", Object.class, Method.class, Object[].class);
        } catch (NoSuchMethodException | RuntimeException java15OrOlder) {
            return null;
        }
    }
}
