package dev.dynamo.runtime.internal.instrumentation;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * The handler of a proxy of a functional interface of a library's own (RxJava's {@code Consumer},
 * {@code BiConsumer}, {@code Action}): its one abstract method runs {@link #apply}; a proxy is equal
 * only to itself.
 */
abstract class Lambda implements InvocationHandler {
    /** The functional method with its arguments ({@code null} for none). */
    abstract Object apply(Object[] args);

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                    : getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(proxy));
        }
        return apply(args);
    }
}
