package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * The handler of a proxy that stands in for {@code target}: {@code equals} and {@code hashCode} are
 * the proxy's own identity (the proxy is a new object, whatever the target's equality), every
 * other method goes to {@link #intercept}, which forwards it unless the subclass watches it.
 */
abstract class ForwardingHandler implements InvocationHandler {
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
        return intercept(method, name, arity, args);
    }

    /** Handles {@code method} (named {@code name}, with {@code arity} arguments): by default forwards it. */
    Object intercept(Method method, String name, int arity, Object[] args) throws Throwable {
        return forward(method, args);
    }

    /** Calls {@code method} on the target, throwing what it throws. */
    final Object forward(Method method, Object[] args) throws Throwable {
        return PublisherCalls.invoke(method, target, args);
    }
}
