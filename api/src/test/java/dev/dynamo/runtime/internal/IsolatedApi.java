package dev.dynamo.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fresh copy of the API classes in their own class loader, with static state (the runtime, the
 * store, the log sink, the agent flag) of its own: what a child-first application class loader
 * sees, and a way to test first-use behaviour that the shared copy of this JVM has long passed.
 * Only JDK types cross between the copies.
 */
public final class IsolatedApi implements AutoCloseable {
    private final URLClassLoader loader;
    /** The names of the classes the copy's class loader defined. */
    private final Set<String> defined = ConcurrentHashMap.newKeySet();
    /** Set by {@link #stopLoading}. */
    private volatile boolean stopped;

    public IsolatedApi() {
        this(Collections.<String>emptySet());
    }

    /**
     * A copy that lacks the classes {@code missing}: its class loader gets them from the test's
     * shared copy, as a child class loader whose API jar lacks classes gets them from its parent's.
     */
    public IsolatedApi(Set<String> missing) {
        URL apiClasses = apiClasses();
        this.loader = new URLClassLoader(new URL[] {apiClasses}, ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (stopped) {
                    // As Tomcat's class loader of a stopped application answers.
                    throw new ClassNotFoundException(name, new IllegalStateException("this application instance has"
                            + " been stopped already; could not load [" + name + "]"));
                }
                return missing.contains(name) ? IsolatedApi.class.getClassLoader().loadClass(name)
                        : super.loadClass(name, resolve);
            }

            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                Class<?> found = super.findClass(name);
                defined.add(name);
                return found;
            }

            /** Over several lines, as Tomcat's class loader describes itself: messages must not quote it. */
            @Override
            public String toString() {
                return "IsolatedApi\n  classes: " + apiClasses + "\n----------> Parent Classloader:\n" + getParent();
            }
        };
    }

    /**
     * From now on the copy's class loader loads no class, the JDK's neither, as an application server's
     * does once its application is stopped: only classes it loaded before can still be used.
     */
    public void stopLoading() {
        stopped = true;
    }

    /** The names of the classes the copy's class loader has defined so far. */
    public Set<String> definedClasses() {
        return Collections.unmodifiableSet(defined);
    }

    /** Where the API's classes are: a directory in this build. */
    public static URL apiClasses() {
        return ExportBridge.class.getProtectionDomain().getCodeSource().getLocation();
    }

    /** The copy's class loader: not parallel-capable, so the JVM locks it while it loads a class. */
    public ClassLoader loader() {
        return loader;
    }

    /** Calls the static method {@code method} of the copy's class {@code className}, whatever its access. */
    public Object callDeclaredStatic(String className, String method) {
        try {
            Method declared = type(className).getDeclaredMethod(method);
            declared.setAccessible(true);
            return declared.invoke(null);
        } catch (InvocationTargetException thrown) {
            throw rethrow(thrown);
        } catch (ReflectiveOperationException failed) {
            throw new IllegalStateException(failed);
        }
    }

    /** The copy's class {@code name}. */
    public Class<?> type(String name) {
        return type(name, true);
    }

    /** The copy's class {@code name}, initialised or not. */
    public Class<?> type(String name, boolean initialise) {
        try {
            return Class.forName(name, initialise, loader);
        } catch (ClassNotFoundException missing) {
            throw new IllegalStateException(missing);
        }
    }

    /** Calls the public static method {@code method} of the copy's class {@code className}. */
    public Object callStatic(String className, String method, Object... args) {
        return invoke(type(className), null, method, args);
    }

    /** Calls {@code method}, declared by the copy's public type {@code declaringType}, on {@code target}. */
    public Object call(Object target, String declaringType, String method, Object... args) {
        return invoke(type(declaringType), target, method, args);
    }

    /** A new instance of the copy's class {@code className}, through its public constructor taking {@code args}. */
    public Object construct(String className, Object... args) {
        for (Constructor<?> constructor : type(className).getConstructors()) {
            if (accepts(constructor.getParameterTypes(), args)) {
                try {
                    return constructor.newInstance(args);
                } catch (InvocationTargetException thrown) {
                    throw rethrow(thrown);
                } catch (ReflectiveOperationException failed) {
                    throw new IllegalStateException(failed);
                }
            }
        }
        throw new IllegalArgumentException("no constructor of " + className + " takes " + args.length + " arguments");
    }

    private static Object invoke(Class<?> type, Object target, String name, Object[] args) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && Modifier.isStatic(method.getModifiers()) == (target == null)
                    && accepts(method.getParameterTypes(), args)) {
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException thrown) {
                    throw rethrow(thrown);
                } catch (IllegalAccessException failed) {
                    throw new IllegalStateException(failed);
                }
            }
        }
        throw new IllegalArgumentException("no method " + type.getName() + "." + name + " takes " + args.length
                + " arguments");
    }

    private static boolean accepts(Class<?>[] parameters, Object[] args) {
        if (parameters.length != args.length) {
            return false;
        }
        for (int i = 0; i < parameters.length; i++) {
            if (args[i] != null && !box(parameters[i]).isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> box(Class<?> type) {
        if (type == double.class) {
            return Double.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        return type;
    }

    /** What the copy threw, unwrapped, so that tests can assert on it. */
    private static RuntimeException rethrow(InvocationTargetException thrown) {
        Throwable cause = thrown.getCause();
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }

    @Override
    public void close() {
        try {
            loader.close();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }
}
