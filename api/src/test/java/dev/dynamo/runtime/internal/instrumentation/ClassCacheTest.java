package dev.dynamo.runtime.internal.instrumentation;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The handler shapes' per-class cache: one computation per class, and nothing kept alive. */
class ClassCacheTest {
    /** A class that each class loader below defines anew, as each deployment of an application defines its library's. */
    public static class Deployed {
        public void handle() {
        }
    }

    /**
     * A redeployed application's copy of a library is collected though the cache holds, for its class,
     * a value that holds the class (Reactor's operators hold its methods). Before, the newest 64 such
     * classes were kept with their class loaders.
     */
    @Test
    void aValueThatHoldsItsClassKeepsNoClassLoaderAlive() throws Exception {
        ClassCache<Method> handlers = new ClassCache<Method>() {
            @Override
            protected Method compute(Class<?> type) {
                try {
                    return type.getMethod("handle");
                } catch (NoSuchMethodException missing) {
                    throw new IllegalStateException(missing);
                }
            }
        };
        URL classes = ClassCacheTest.class.getProtectionDomain().getCodeSource().getLocation();
        List<WeakReference<ClassLoader>> deployments = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            URLClassLoader deployment = new URLClassLoader(new URL[] {classes}, null);
            Class<?> type = Class.forName(Deployed.class.getName(), false, deployment);
            Method handler = handlers.get(type);
            assertSame(type, handler.getDeclaringClass());
            assertSame(handler, handlers.get(type), "computed once, then read from the cache");
            deployments.add(new WeakReference<>(deployment));
        }

        int alive = deployments.size();
        for (int round = 0; round < 50 && alive > 0; round++) {
            System.gc();
            Thread.sleep(20);
            alive = 0;
            for (WeakReference<ClassLoader> deployment : deployments) {
                alive += deployment.get() == null ? 0 : 1;
            }
        }
        assertEquals(0, alive, "class loaders of dropped deployments still reachable");
    }

    @Test
    void aClassWithoutValueIsComputedOnce() {
        AtomicInteger computed = new AtomicInteger();
        ClassCache<Object> none = new ClassCache<Object>() {
            @Override
            protected Object compute(Class<?> type) {
                computed.incrementAndGet();
                return null;
            }
        };

        assertNull(none.get(Deployed.class));
        assertNull(none.get(Deployed.class));
        assertEquals(1, computed.get());
    }
}
