package dev.dynamo.runtime.internal.instrumentation;

import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Arrays;

/**
 * What the handler shapes look up once per class (a proxy constructor, a field, Reactor's operators).
 * A lookup is a plain scan, without lock, allocation or call into the JDK, of an array of weak
 * references that is copied on every change. The values themselves live in a {@code ClassValue},
 * that is, with their class: a value that holds its class (a {@code Method} or {@code Field} does, a
 * generated class's loader holds the library's) keeps nothing alive once the class's loader is
 * unreachable, so a redeployed application's copy of a library is collected. (Held here strongly, up
 * to 64 of them were kept, each with its deployment: a re-tester's redeploys ran out of memory.)
 *
 * <p>The {@code ClassValue} is asked only in {@link #add}, with stack to spare: its first use for a
 * class creates JDK structures (its very first use initialises {@code ClassValue}'s own classes), and
 * an overflow there, at the top of an exhausted stack, could leave them broken. The array keeps at
 * most {@link #CAPACITY} classes and drops the oldest beyond; a JVM meets few classes here (one per
 * continuation, state machine or publisher class), which keeps the scan short.
 *
 * @param <V> what is cached per class; may be null ("none")
 */
abstract class ClassCache<V> {
    static final int CAPACITY = 64;
    /** Frames of {@code WovenCalls.descend} that must fit before a value is computed: what defining a proxy class takes, and more. */
    static final int SLOW_PATH_HEADROOM_FRAMES = 4096;
    private static final Entry[] EMPTY = new Entry[0];
    /** What the {@code ClassValue} holds for a null value: a weak reference to it is never cleared. */
    private static final Object NONE = new Object();

    private volatile Entry[] entries = EMPTY;
    /** The values, computed at each class's first lookup and kept with the class. */
    private final ClassValue<Object> values = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            V value = System.getSecurityManager() == null ? compute(type) : computePrivileged(type);
            return value == null ? NONE : value;
        }
    };

    /** The value of {@code type}, computed at its first lookup. */
    final V get(Class<?> type) {
        for (Entry entry : entries) {
            if (entry.type.get() == type) {
                Object value = entry.value.get();
                if (value != null) {
                    return unmasked(value);
                }
            }
        }
        return add(type);
    }

    /** What {@code type} maps to; may throw, and then nothing is cached. */
    protected abstract V compute(Class<?> type);

    private synchronized V add(Class<?> type) {
        // Computing loads and defines classes (proxies) in JDK caches that an overflow cut short would
        // leave broken for the whole JVM: only with stack to spare (throws StackOverflowError otherwise).
        WovenCalls.descend(SLOW_PATH_HEADROOM_FRAMES);
        Entry[] known = entries;
        int live = 0;
        for (Entry entry : known) {
            Class<?> cached = entry.type.get();
            Object cachedValue = cached == type ? entry.value.get() : null;
            if (cachedValue != null) {
                return unmasked(cachedValue);
            }
            if (cached != null && cached != type) {
                live++;
            }
        }
        Object value = values.get(type);
        // Drops the entries of unloaded classes while copying anyway, and the oldest when full.
        int skip = Math.max(0, live + 1 - CAPACITY);
        Entry[] grown = new Entry[live + 1 - skip];
        int i = 0;
        for (Entry entry : known) {
            Class<?> cached = entry.type.get();
            if (cached != null && cached != type && skip-- <= 0 && i < grown.length - 1) {
                grown[i++] = entry;
            }
        }
        grown[i] = new Entry(type, value);
        entries = Arrays.copyOf(grown, i + 1);
        return unmasked(value);
    }

    @SuppressWarnings("unchecked")
    private static <V> V unmasked(Object value) {
        return value == NONE ? null : (V) value;
    }

    /**
     * {@link #compute} with the API's own permissions only. It runs on the application's threads, inside
     * its frames (a coroutine's resumption, a subscription), and reads fields, makes them accessible and
     * defines proxies: under a SecurityManager the application's code may hold none of those
     * permissions, which a careful policy grants only to the agent's jar. Before, a Kotlin suspend
     * function's errors went uncounted there, without a word (a tester, Tomcat's -security policy).
     */
    private V computePrivileged(final Class<?> type) {
        // What compute throws passes through unchanged.
        return AccessController.doPrivileged(new PrivilegedAction<V>() {
            @Override
            public V run() {
                return compute(type);
            }
        });
    }

    /** The constructor of the proxy class implementing {@code interfaces}, which takes its {@code InvocationHandler}. */
    static Constructor<?> proxyConstructor(Class<?>... interfaces) {
        return proxyConstructor(interfaces[0].getClassLoader(), interfaces);
    }

    /** The same, defined in {@code loader}, which sees every one of {@code interfaces}. */
    static Constructor<?> proxyConstructor(ClassLoader loader, Class<?>... interfaces) {
        try {
            @SuppressWarnings("deprecation") // Proxy.newProxyInstance would look the class up on every call
            Class<?> proxyClass = Proxy.getProxyClass(loader, interfaces);
            return proxyClass.getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The interface named {@code name} that {@code type} implements, directly or not; null if none. */
    static Class<?> interfaceNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.getName().equals(name)) {
                    return implemented;
                }
                Class<?> inherited = interfaceNamed(implemented, name);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        return null;
    }

    /** A class and its value, both weakly held: the value is held with its class, by the {@code ClassValue}. */
    private static final class Entry {
        final WeakReference<Class<?>> type;
        final WeakReference<Object> value;

        Entry(Class<?> type, Object value) {
            this.type = new WeakReference<Class<?>>(type);
            this.value = new WeakReference<Object>(value);
        }
    }
}
