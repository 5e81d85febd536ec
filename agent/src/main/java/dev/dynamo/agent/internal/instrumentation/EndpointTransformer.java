package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ApplicationText;
import dev.dynamo.runtime.internal.instrumentation.StreamObserverCalls;

import net.bytebuddy.jar.asm.ClassReader;

import java.lang.annotation.Annotation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Finds the classes with {@code @DynamoEndpoint} methods and hands them to the {@link EndpointWeaver}.
 *
 * <p>Most classes a JVM loads have no such method, so each class file is first scanned for the
 * annotation's descriptor, a byte search that needs no parsing; only a class that mentions it is
 * parsed and rewritten, and the weaver's classes are not even loaded before the first such class. The
 * annotation is matched by name: the agent never loads the application's annotation class.
 * Nothing here throws into class loading: a class that cannot be instrumented is loaded unchanged,
 * with one warning. Where the loading thread's stack is too short for the weaving, a thread of its own
 * weaves the class while the loading thread waits ({@link WeavingThread}); one whose weaving still ran
 * out of stack is woven once loaded ({@link StackStarvedClasses}).
 */
public final class EndpointTransformer implements ClassFileTransformer {
    public static final String ANNOTATION = "dev.dynamo.runtime.DynamoEndpoint";
    private static final BytePattern ANNOTATION_DESCRIPTOR = AnnotatedClasses.DESCRIPTOR;
    private static final AgentLog LOG = AgentLog.get(EndpointTransformer.class);

    /** The loader of the agent's classes, which the weaving loads the ones it has not used yet through. */
    private final ClassLoader agentLoader;
    private final String defaultNamespace;
    /** Tells the weaver which woven classes the JVM defined; null: none to ask (tests). */
    private final Instrumentation instrumentation;
    /** Where a class whose weaving ran out of stack waits to be woven once loaded; null: nowhere (tests). */
    final StackStarvedClasses stackStarved;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Created for the first class that mentions the annotation, so ByteBuddy loads only when needed. */
    private volatile EndpointWeaver weaver;

    EndpointTransformer(String defaultNamespace) {
        this(defaultNamespace, null);
    }

    /** @param instrumentation retransforms the classes whose weaving ran out of stack, or null not to */
    EndpointTransformer(String defaultNamespace, Instrumentation instrumentation) {
        this(defaultNamespace, instrumentation, EndpointTransformer.class.getClassLoader());
    }

    /** @param agentLoader the loader of the agent's classes (another in tests) */
    EndpointTransformer(String defaultNamespace, Instrumentation instrumentation, ClassLoader agentLoader) {
        this.agentLoader = agentLoader;
        this.defaultNamespace = defaultNamespace;
        this.instrumentation = instrumentation;
        this.stackStarved = instrumentation == null ? null : new StackStarvedClasses(instrumentation,
                new Predicate<Class<?>>() {
                    /** Made at the first class to check: most JVMs never have one, and premain stays short. */
                    private ClassFileLookup classFiles;

                    @Override
                    public boolean test(Class<?> type) {
                        if (classFiles == null) {
                            classFiles = new ClassFileLookup();
                        }
                        return isCandidate(type, classFiles);
                    }
                });
        if (stackStarved != null) {
            // Resolves the field references that the catch in transform() writes, where no call fits.
            stackStarved.notedLoaders[0] = null;
            stackStarved.notedNames[0] = null;
            stackStarved.noted = stackStarved.noted;
            stackStarved.unattended = stackStarved.unattended;
        }
        // Initialised here, before the transformer is installed: the first class load it sees may come
        // at the top of an exhausted stack, where a failed initialisation would stay failed for good.
        InstrumentationCost.nanos();
        StackHeadroom.suffices();
        new ClassWeaving(null, null, null, null, false);
        // Run once with no SecurityManager, so that doPrivileged is resolved before one is installed: see transform().
        AccessController.doPrivileged(new PrivilegedTransform(null, null, null, null, null));
        WeavingThread.class.getName();
        Thread.currentThread().getState();
        ThreadStartPause.allows();
        // Asked on the loading thread before a weaving thread takes over: its first initialisation must
        // not come at the top of a stack too short for weaving (a re-tester's -Xss136k under ulimit -u
        // left it failed, and every later class unmeasured, logged as instrumented).
        InstrumentedEndpoints.endpoints();
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> beingRedefined,
            ProtectionDomain protectionDomain, byte[] classFile) {
        if (loader == null) {
            // The bootstrap loader's classes are never woven; and nothing may be resolved for them here. Once the
            // application installs a SecurityManager, each class this code resolves for the first time has its
            // package checked, which loads JDK classes (ReflectUtil, Proxy) through this transformer: doing so
            // while one of them loads failed the application's package check with ClassCircularityError (JDK 17).
            return null;
        }
        if (System.getSecurityManager() != null) {
            // The class loads inside the application's frames, which a policy may grant nothing: the
            // weaving reads class files and the class path, and links to the API, with the agent's own
            // permissions only (a tester's Tomcat under -security: "not instrumented: access denied").
            try {
                return AccessController.doPrivileged(new PrivilegedTransform(this, loader, internalName,
                        beingRedefined, classFile));
            } catch (Throwable noStack) {
                // Only at the top of an exhausted stack: the class loads unchanged.
                return null;
            }
        }
        return transformNeverThrowing(loader, internalName, beingRedefined, classFile);
    }

    private byte[] transformNeverThrowing(ClassLoader loader, String internalName, Class<?> beingRedefined,
            byte[] classFile) {
        byte[] result = null;
        try {
            long start = System.nanoTime();
            if (stackStarved != null) {
                stackStarved.lookIfWaiting();
            }
            result = transformed(loader, internalName, beingRedefined, classFile);
            InstrumentationCost.record(System.nanoTime() - start, result != null);
            return result;
        } catch (Throwable noStack) {
            // Only where even the checks below fail: a class loaded at the top of an exhausted stack.
            // Whatever escapes a transformer, the JVM prints to the application's stderr; the class
            // loads unchanged, unless it was rewritten already (its endpoints are registered then).
            // Noted for StackStarvedClasses with plain writes, no call: there is no room for one here.
            StackStarvedClasses starved = stackStarved;
            if (result == null && beingRedefined == null && starved != null && loader != null && internalName != null) {
                int slot = starved.noted;
                if (slot < StackStarvedClasses.MAX_NOTED) {
                    starved.notedLoaders[slot] = loader;
                    starved.notedNames[slot] = internalName;
                    starved.noted = slot + 1;
                    starved.unattended = true;
                }
            }
            return result;
        }
    }

    private byte[] transformed(ClassLoader loader, String givenName, Class<?> beingRedefined, byte[] classFile) {
        if (loader != null && givenName != null && GrpcServerCalls.isTarget(givenName)) {
            return weaveGrpc(loader, givenName, classFile);
        }
        if (loader == null || (givenName != null && isIgnored(givenName))
                || !ANNOTATION_DESCRIPTOR.occursIn(classFile)) {
            return null;
        }
        String internalName = givenName;
        try {
            if (internalName == null) {
                // ClassLoader.defineClass(null, bytes, ...): the class is named by its bytes alone.
                internalName = new ClassReader(classFile).getClassName();
                if (isIgnored(internalName)) {
                    return null;
                }
            }
            if (beingRedefined == null && stackStarved != null && !StackHeadroom.suffices()) {
                // Too little stack here for the weaving: on a thread of its own while this one waits. The one
                // class loading the weaving may make through this class's loader is made here first, as this
                // thread may hold that loader's lock (one not parallel-capable), which the other would wait for.
                boolean ownCopy = false;
                boolean loaderLocked = Thread.holdsLock(loader);
                try {
                    ownCopy = !InstrumentedEndpoints.linkedFrom(loader).isPrimary();
                } catch (Exception | LinkageError failed) {
                    // The weaving meets it again, and says what it means.
                }
                // With its own copy of the API, the weaving also runs that copy's code, which loads its classes
                // through the loader: not on another thread while this one holds the loader's lock.
                // Nor does the weaving thread read class files through a loader this thread holds locked.
                WeavingThread elsewhere = ownCopy && loaderLocked ? null
                        : WeavingThread.weave(new ClassWeaving(this, loader, internalName, classFile, loaderLocked),
                                WeavingThread.WAIT_MILLIS,
                                agentLoader != null && Thread.holdsLock(agentLoader) ? agentLoader : null);
                if (elsewhere != null) {
                    return elsewhere.result();
                }
                if (stackStarved.weaveOnceLoaded(loader, internalName)) {
                    return null;
                }
            }
            byte[] woven = weaver().weave(loader, internalName, classFile);
            if (beingRedefined == null) {
                return woven;
            }
            // A retransformation may have dropped the parameter names, also where nothing is woven (an interface
            // whose annotated methods are abstract: a re-tester's lost every method's names at an attach).
            byte[] named = weaver().withParameterNames(loader, internalName, woven != null ? woven : classFile);
            return woven == null && named == classFile ? null : named;
        } catch (Throwable failed) {
            if (beingRedefined == null && stackStarved != null && internalName != null
                    && StackStarvedClasses.isStackOverflow(failed) && stackStarved.weaveOnceLoaded(loader, internalName)) {
                return null;
            }
            String shown = internalName == null ? "a class defined without a name" : internalName.replace('/', '.');
            warnOnce(shown, "cannot instrument " + shown + "; it runs without endpoint metrics: " + ApplicationText.of(failed));
            return null;
        }
    }

    private byte[] weaveGrpc(ClassLoader loader, String internalName, byte[] classFile) {
        try {
            byte[] woven = weaver().weaveGrpc(internalName, classFile);
            boolean listener = GrpcServerCalls.isListener(internalName);
            StreamObserverCalls.grpcClassInstrumented(listener, listener || GrpcServerCalls.listenersPresent(loader));
            return woven;
        } catch (Throwable failed) {
            StreamObserverCalls.grpcClassInstrumented(GrpcServerCalls.isListener(internalName), false);
            warnOnce(internalName, "cannot instrument " + internalName.replace('/', '.') + "; gRPC handlers that"
                    + " answer through a StreamObserver are timed to their return only: " + ApplicationText.of(failed));
            return null;
        }
    }

    /** Whether the loaded class {@code type} may have {@code @DynamoEndpoint} methods, or is a gRPC class to watch */
    boolean isCandidate(Class<?> type, ClassFileLookup classFiles) {
        String internalName = type.getName().replace('.', '/');
        if (GrpcServerCalls.isTarget(internalName)) {
            return true;
        }
        if (isIgnored(internalName)) {
            return false;
        }
        Boolean annotated = AnnotatedClasses.classFileHoldsTheAnnotation(type, internalName, classFiles);
        return annotated != null ? annotated : declaresEndpointMethod(type);
    }

    /**
     * Whether {@code type}, a loaded class whose loader serves no class file for it, declares a method
     * annotated {@code @DynamoEndpoint}: a class defined from bytes made or kept in memory
     * ({@code Lookup.defineClass}, a plugin or script loader, a {@code URLClassLoader} closed since).
     * Asked of reflection, which loads the types of the methods' signatures and annotations as the
     * application's own reflection would; only such classes are asked, and only where loaded classes
     * are looked for (an attach, a class whose first load had no stack left). True where reflection
     * fails (a type missing): the retransformation then reads the class as the JVM holds it.
     */
    static boolean declaresEndpointMethod(Class<?> type) {
        try {
            for (Method method : type.getDeclaredMethods()) {
                for (Annotation annotation : method.getDeclaredAnnotations()) {
                    if (annotation.annotationType().getName().equals(ANNOTATION)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (RuntimeException | LinkageError unknown) {
            return true;
        }
    }

    private EndpointWeaver weaver() {
        EndpointWeaver current = weaver;
        if (current == null) {
            synchronized (this) {
                current = weaver;
                if (current == null) {
                    // A class, not a method reference, which the JVM would spin a class for at the first annotated class.
                    current = new EndpointWeaver(defaultNamespace, new BiConsumer<String, String>() {
                        @Override
                        public void accept(String key, String message) {
                            warnOnce(key, message);
                        }
                    }, ClassLoader.getSystemClassLoader(), instrumentation);
                    weaver = current;
                }
            }
        }
        return current;
    }

    /** {@link #transform} under a SecurityManager, with the agent's own permissions. */
    private static final class PrivilegedTransform implements PrivilegedAction<byte[]> {
        private final EndpointTransformer transformer;
        private final ClassLoader loader;
        private final String internalName;
        private final Class<?> beingRedefined;
        private final byte[] classFile;

        PrivilegedTransform(EndpointTransformer transformer, ClassLoader loader, String internalName,
                Class<?> beingRedefined, byte[] classFile) {
            this.transformer = transformer;
            this.loader = loader;
            this.internalName = internalName;
            this.beingRedefined = beingRedefined;
            this.classFile = classFile;
        }

        @Override
        public byte[] run() {
            if (transformer == null) {
                return null;
            }
            return transformer.transformNeverThrowing(loader, internalName, beingRedefined, classFile);
        }
    }

    /** Weaves one class, on a {@link WeavingThread}. */
    private static final class ClassWeaving implements WeavingThread.Weaving {
        private final EndpointTransformer transformer;
        private final ClassLoader loader;
        private final String internalName;
        private final byte[] classFile;
        /** Whether the waiting thread holds {@link #loader}'s lock. */
        private final boolean loaderLocked;

        ClassWeaving(EndpointTransformer transformer, ClassLoader loader, String internalName, byte[] classFile,
                boolean loaderLocked) {
            this.transformer = transformer;
            this.loader = loader;
            this.internalName = internalName;
            this.classFile = classFile;
            this.loaderLocked = loaderLocked;
        }

        @Override
        public byte[] weave() {
            return transformer.weaver().weave(loader, internalName, classFile, loaderLocked);
        }
    }

    void warnOnce(String key, String message) {
        if (warned.add(key)) {
            LOG.warn(message);
        }
    }

    static boolean isIgnored(String internalName) {
        return AnnotatedClasses.isIgnored(internalName);
    }
}
