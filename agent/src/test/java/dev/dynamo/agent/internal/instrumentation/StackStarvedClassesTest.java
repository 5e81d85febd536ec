package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.StarvedHandler;
import dev.dynamo.agent.internal.ByteStreams;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A class first loaded where the stack has no room left for its weaving (at the top of a deep
 * recursion, or while an overflow unwinds) loads unchanged, and is woven once loaded, on the agent's
 * thread: its endpoint is measured from then on, instead of never for the life of the JVM.
 */
class StackStarvedClassesTest {
    private static final String NAME = StarvedHandler.class.getName();

    @Test
    void aClassWhoseWeavingRanOutOfStackIsWovenOnceLoaded() throws Throwable {
        byte[] classFile = handlerClassFile();
        OwnCopyLoader loader = new OwnCopyLoader();
        Class<?> loaded = loader.define(classFile);
        MethodHandle handle = MethodHandles.publicLookup().findStatic(loaded, "handle",
                MethodType.methodType(int.class, int.class));
        EndpointMetrics metrics = new EndpointMetrics(StarvedHandler.NS, "starved", "handle");
        Instrumentation instrumentation = ByteBuddyAgent.install();
        EndpointTransformer transformer = new EndpointTransformer("unused", instrumentation);
        // The weaving's classes initialised here first: an initialisation that fails at the top of the stack
        // stays failed for the JVM, and would break every later test of this one.
        assertNotNull(transformer.transform(loader, NAME.replace('.', '/'), null, null, classFile));
        instrumentation.addTransformer(transformer, true);
        try {
            // The load's transformation, as the JVM would have called it at the top of an exhausted stack.
            byte[][] woven = new byte[1][];
            Thread thread = new Thread(null, () -> transformWhileAnOverflowUnwinds(transformer, loader, classFile, woven),
                    "stack-starved", 256 * 1024);
            thread.start();
            thread.join();
            // As the next class load or scrape does, in case the thread could not be started at the top of the stack.
            EndpointInstrumentation.weaveStackStarvedClasses();

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (metrics.requests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                assertEquals(2, (int) handle.invokeExact(1));
            }
            assertTrue(metrics.requests() > 0, "a class whose weaving ran out of stack is never measured");
            long before = metrics.requests();
            assertEquals(2, (int) handle.invokeExact(1));
            assertEquals(before + 1, metrics.requests(), "every call is counted once it is woven");
        } finally {
            instrumentation.removeTransformer(transformer);
        }
    }

    /**
     * A class loaded where the stack is too short for the weaving but not exhausted (every thread of a
     * JVM started with {@code -Xss160k}) is woven by a thread of its own while the loading thread
     * waits, also where that thread holds the lock of a loader that is not parallel-capable: it loads
     * woven, and its first call is counted. Before, it loaded unchanged and was woven
     * tens to hundreds of milliseconds later, its calls until then lost (a tester: all 10,000 calls of a
     * short job).
     */
    @Test
    void aClassLoadedWhereTheStackIsTooShortForWeavingLoadsWoven() throws Throwable {
        byte[] classFile = handlerClassFile();
        EndpointTransformer transformer = new EndpointTransformer("unused", ByteBuddyAgent.install());
        assertNotNull(transformer.transform(new OwnCopyLoader(), NAME.replace('.', '/'), null, null, classFile));
        OwnCopyLoader loader = new OwnCopyLoader();
        ShortStackLoad load = new ShortStackLoad(transformer, loader, classFile, false);

        Thread thread = new Thread(null, load::recurseThenTransform, "short-stack", 512 * 1024);
        thread.start();
        thread.join();

        assertTrue(load.starved, "the transformation ran where the headroom check failed");
        assertNotNull(load.woven, "the class loads woven");
        assertTrue(load.waitedMillis < WeavingThread.WAIT_MILLIS, "the weaving did not wait for the loader's lock: "
                + load.waitedMillis + " ms");
        EndpointMetrics metrics = new EndpointMetrics(StarvedHandler.NS, "starved", "handle");
        long before = metrics.requests();
        MethodHandle handle = MethodHandles.publicLookup().findStatic(loader.define(load.woven), "handle",
                MethodType.methodType(int.class, int.class));
        assertEquals(2, (int) handle.invokeExact(1));
        assertEquals(before + 1, metrics.requests(), "its first call is counted");
    }

    /**
     * The same where the loader locks itself to serve resources too (a {@code synchronized getResource})
     * and a method returns a type whose class file the weaving reads: the weaving thread does not call
     * into the loader the waiting thread holds. Before, it waited for that lock until the wait gave up
     * after 5 s, and the class loaded unwoven, its first calls lost (a re-tester, JDK 17 and 25).
     */
    @Test
    void aLoaderLockedWhileItLoadsIsNotAskedForTheClassFilesOfReturnTypes() throws Throwable {
        byte[] classFile = handlerClassFile();
        EndpointTransformer transformer = new EndpointTransformer("unused", ByteBuddyAgent.install());
        assertNotNull(transformer.transform(new OwnCopyLoader(), NAME.replace('.', '/'), null, null, classFile));
        SelfLockingLoader loader = new SelfLockingLoader();
        ShortStackLoad load = new ShortStackLoad(transformer, loader, classFile, false);

        Thread thread = new Thread(null, load::recurseThenTransform, "short-stack-self-locking", 512 * 1024);
        thread.start();
        thread.join();

        assertTrue(load.starved, "the transformation ran where the headroom check failed");
        assertTrue(load.waitedMillis < WeavingThread.WAIT_MILLIS, "the weaving did not wait for the loader's lock: "
                + load.waitedMillis + " ms");
        assertNotNull(load.woven, "the class loads woven");
        EndpointMetrics metrics = new EndpointMetrics(StarvedHandler.NS, "starved", "reply");
        long before = metrics.requests();
        Object reply = loader.define(load.woven).getMethod("reply", int.class).invoke(null, 5);
        assertEquals(5, ((StarvedHandler.Reply) reply).value);
        assertEquals(before + 1, metrics.requests(), "its first call is counted");
    }

    /**
     * A loading thread with an interrupt pending waits for the weaving all the same (class loading is
     * not interruptible), and keeps its interrupt. Before, its wait ended at once and the class
     * loaded unwoven, its calls lost (a tester: 0 of 100 in 7 of 8 runs).
     */
    @Test
    void aLoadingThreadWithAnInterruptPendingGetsTheClassWovenAndKeepsTheInterrupt() throws Throwable {
        byte[] classFile = handlerClassFile();
        EndpointTransformer transformer = new EndpointTransformer("unused", ByteBuddyAgent.install());
        assertNotNull(transformer.transform(new OwnCopyLoader(), NAME.replace('.', '/'), null, null, classFile));
        ShortStackLoad load = new ShortStackLoad(transformer, new OwnCopyLoader(), classFile, true);

        Thread thread = new Thread(null, load::recurseThenTransform, "short-stack-interrupted", 512 * 1024);
        thread.start();
        thread.join();

        assertTrue(load.starved, "the transformation ran where the headroom check failed");
        assertNotNull(load.woven, "the class loads woven");
        assertTrue(load.stillInterrupted, "the interrupt is kept for the application");
    }

    /**
     * Transforms the class once, on the way back from a stack overflow, where the headroom check fails
     * but 400 frames fit, holding the loader's lock, with an interrupt pending if asked.
     */
    private static final class ShortStackLoad {
        private final EndpointTransformer transformer;
        private final ClassLoader loader;
        private final byte[] classFile;
        boolean attempted;
        boolean starved;
        byte[] woven;
        long waitedMillis;

        private final boolean interrupted;
        boolean stillInterrupted;

        ShortStackLoad(EndpointTransformer transformer, ClassLoader loader, byte[] classFile, boolean interrupted) {
            this.transformer = transformer;
            this.loader = loader;
            this.classFile = classFile;
            this.interrupted = interrupted;
        }

        void recurseThenTransform() {
            try {
                recurseThenTransform();
            } catch (StackOverflowError bottom) {
                // The deepest frame.
            }
            if (!attempted && StackHeadroom.fits(400)) {
                attempted = true;
                starved = !StackHeadroom.suffices();
                // As the JVM loads through a loader that is not parallel-capable: holding its lock.
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                synchronized (loader) {
                    long start = System.nanoTime();
                    woven = transformer.transform(loader, NAME.replace('.', '/'), null, null, classFile);
                    waitedMillis = (System.nanoTime() - start) / 1_000_000;
                }
                stillInterrupted = Thread.interrupted();
            }
        }
    }

    /**
     * Where not even a call fits, the transformer notes the class with plain writes, unchecked (as in
     * its outermost catch, done by hand here): a noted class with the annotation is woven once found
     * loaded, and one without it, or of the JDK, is left alone.
     */
    @Test
    void aClassNotedWhereNoCallFittedIsWovenIfItHasTheAnnotation() throws Throwable {
        byte[] classFile = handlerClassFile();
        OwnCopyLoader loader = new OwnCopyLoader();
        MethodHandle handle = MethodHandles.publicLookup().findStatic(loader.define(classFile), "handle",
                MethodType.methodType(int.class, int.class));
        EndpointMetrics metrics = new EndpointMetrics(StarvedHandler.NS, "starved", "handle");
        long before = metrics.requests();
        Instrumentation instrumentation = ByteBuddyAgent.install();
        EndpointTransformer transformer = new EndpointTransformer("unused", instrumentation);
        instrumentation.addTransformer(transformer, true);
        try {
            StackStarvedClasses starved = transformer.stackStarved;
            String[] names = {NAME.replace('.', '/'), "java/util/ArrayList",
                    StackStarvedClassesTest.class.getName().replace('.', '/')};
            for (String name : names) {
                int slot = starved.noted;
                starved.notedLoaders[slot] = name.startsWith("java/") ? ClassLoader.getPlatformClassLoader()
                        : name.equals(names[0]) ? loader : StackStarvedClassesTest.class.getClassLoader();
                starved.notedNames[slot] = name;
                starved.noted = slot + 1;
                starved.unattended = true;
            }

            EndpointInstrumentation.weaveStackStarvedClasses();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (metrics.requests() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
                assertEquals(2, (int) handle.invokeExact(1));
            }
            assertTrue(metrics.requests() > before, "a class noted where no call fitted is never measured");
        } finally {
            instrumentation.removeTransformer(transformer);
        }
    }

    /**
     * Recurses until the stack ends, then transforms the class file once in each frame on the way back
     * until a transformation returns the woven class: the frames below had no stack for the weaving.
     */
    private static void transformWhileAnOverflowUnwinds(EndpointTransformer transformer, ClassLoader loader,
            byte[] classFile, byte[][] woven) {
        try {
            transformWhileAnOverflowUnwinds(transformer, loader, classFile, woven);
        } catch (StackOverflowError bottom) {
            // The deepest frame.
        }
        if (woven[0] == null) {
            try {
                woven[0] = transformer.transform(loader, NAME.replace('.', '/'), null, null, classFile);
            } catch (Throwable noStackToCallIt) {
                // One frame further up.
            }
        }
    }

    private static byte[] handlerClassFile() throws IOException {
        try (InputStream in = StackStarvedClassesTest.class.getClassLoader()
                .getResourceAsStream(NAME.replace('.', '/') + ".class")) {
            return ByteStreams.readAll(in, 4096);
        }
    }

    /** Defines its own copy of the handler class; everything else, the API included, comes from the test's loader. */
    private static class OwnCopyLoader extends ClassLoader {
        OwnCopyLoader() {
            super(StackStarvedClassesTest.class.getClassLoader());
        }

        Class<?> define(byte[] classFile) {
            return defineClass(NAME, classFile, 0, classFile.length);
        }
    }

    /** Locks itself to serve resources, as some application class loaders do. */
    private static final class SelfLockingLoader extends OwnCopyLoader {
        @Override
        public synchronized java.net.URL getResource(String name) {
            return super.getResource(name);
        }
    }
}
