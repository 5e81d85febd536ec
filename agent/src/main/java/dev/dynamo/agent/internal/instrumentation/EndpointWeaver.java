package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.log.LogLevel;
import dev.dynamo.runtime.internal.ApiLog;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.MethodTooLargeException;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Rewrites one class: weaves the measurement ({@link EndpointMethodWeaver}) into each
 * {@code @DynamoEndpoint} method, with the endpoint's id as a constant, through the ASM that
 * ByteBuddy ships. Two passes over the class file: a scan that skips all code, then one that
 * rewrites only the annotated methods (the others are copied as they are); a Kotlin class, or one
 * whose annotated methods may be compiler-generated wrappers, gets a third that reads the code of
 * all its methods ({@link MethodBodies}). No class is loaded and no type pool is built; nothing
 * is kept after the class is done but {@link AsyncReturnTypes}' bounded answers about return
 * types. Adds no member and no type initializer, so the result is valid for retransformation too.
 *
 * <p>A method that cannot be woven (its code would outgrow the JVM's 64 KiB limit, its endpoint's
 * metrics cannot be created) is left as it is, with one warning, and the class is woven again
 * without it; its endpoint gets no series unless another method of it is woven. The metrics of an
 * endpoint are created only once a method of it is woven, so no series ever claims calls that
 * nothing measures. A method whose local variables leave no room for the start time (near the
 * JVM's limit of 65535 slots) is left as it is the same way: woven, its class would not load. So is a
 * Kotlin {@code inline} function, whose Kotlin callers run copies of its body and never call it.
 */
final class EndpointWeaver {
    private static final AgentLog LOG = AgentLog.get(EndpointWeaver.class);
    /** The JVM's limit on a method's local variable slots ({@code max_locals} is a u2). */
    static final int MAX_LOCALS = 65535;
    /**
     * The name Groovy's {@code @Memoized} gives the private method it moves the body into, with a copy of the
     * annotations: measured too, a miss counted twice, an error twice (a re-tester).
     */
    private static final String GROOVY_MEMOIZED_BODY = "memoizedMethodPriv$";
    /** What a method that cannot be woven costs: said in each warning about one. */
    private static final String UNMEASURED = "it runs unmeasured, and its calls are in no series (its endpoint has"
            + " series only if another method of it is measured)";

    private final String defaultNamespace;
    /** (key, message): warns once per key. */
    private final BiConsumer<String, String> warnOnce;
    private final ClassFileLookup classFiles = new ClassFileLookup();
    private final AsyncReturnTypes returnTypes = new AsyncReturnTypes(classFiles);
    /** Where the JVM's agents' {@code Premain-Class}es are loaded: the system class loader, but in tests. */
    private final ClassLoader agentsLoader;
    /** Tells which woven classes the JVM defined, and so which endpoints are served; null: all at once (tests). */
    private final Instrumentation definedClasses;
    /** Whether the OpenTelemetry agent runs (asked only for a method that also has its annotation); null: not asked. */
    private volatile Boolean openTelemetryStarted;

    EndpointWeaver(String defaultNamespace, BiConsumer<String, String> warnOnce) {
        this(defaultNamespace, warnOnce, ClassLoader.getSystemClassLoader(), null);
    }

    EndpointWeaver(String defaultNamespace, BiConsumer<String, String> warnOnce, ClassLoader agentsLoader,
            Instrumentation definedClasses) {
        this.defaultNamespace = defaultNamespace;
        this.warnOnce = warnOnce;
        this.agentsLoader = agentsLoader;
        this.definedClasses = definedClasses;
    }

    /** The instrumented class file, or null when no method was instrumented. */
    byte[] weave(ClassLoader loader, String internalName, byte[] classFile) {
        return weave(loader, internalName, classFile, false);
    }

    /**
     * The instrumented class file, or null when no method was instrumented.
     *
     * @param loaderLocked whether the thread that waits for this weaving holds {@code loader}'s lock (a
     *                     loader that is not parallel-capable, loading the class): nothing here calls
     *                     into that loader then, as it would wait for the waiting thread
     */
    byte[] weave(ClassLoader loader, String internalName, byte[] classFile, boolean loaderLocked) {
        ClassReader reader = new ClassReader(classFile);
        EndpointScan scan = EndpointScan.of(reader);
        if (scan.methods().isEmpty()) {
            return null;
        }
        if (scan.isSynthetic() || scan.isGeneratedSubclass()) {
            LOG.debug("not instrumenting " + internalName.replace('/', '.') + ": a generated proxy or subclass of a"
                    + " framework, whose @DynamoEndpoint methods call the measured ones they override");
            return null;
        }
        MethodBodies bodies = scan.needsMethodBodies() ? MethodBodies.of(classFile, scan) : null;
        String className = internalName.replace('/', '.');
        InstrumentedEndpoints.Linked recording = null;
        List<WovenMethod> woven = new ArrayList<WovenMethod>();
        // For Scala 2 mixin forwarders and overrides that only call super, read at the first: the scans of the
        // traits and superclasses they call, and this class's lines.
        Map<String, EndpointScan> calledScans = new HashMap<String, EndpointScan>();
        SourceLines lines = null;
        for (AnnotatedMethod method : scan.methods()) {
            String where = method.where(className);
            if (method.name.startsWith("<")) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " is ignored: constructors and static"
                        + " initializers are not measured; annotate a method they call");
                continue;
            }
            if ((!method.hasBody() || method.maxLocals < 0) && scan.isGroovyTrait()) {
                LOG.debug("not instrumenting " + where + ": a Groovy trait's method, which Groovy copies with its"
                        + " annotation into each class that implements the trait, where it is measured");
                continue;
            }
            if ((method.access & Opcodes.ACC_NATIVE) != 0) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " counts no call: a native method has no"
                        + " bytecode to measure; annotate the Java method that calls it");
                continue;
            }
            if (!method.hasBody() || method.maxLocals < 0) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " counts no call: an abstract method has no"
                        + " code to measure, and annotations on methods are not inherited. The calls are counted"
                        + " where the implementing method carries @DynamoEndpoint too; annotate it if it does not");
                continue;
            }
            if (scan.isGroovy() && method.name.startsWith(GROOVY_MEMOIZED_BODY)) {
                LOG.debug("not instrumenting " + where + ": Groovy's @Memoized copy of a method's body, which the"
                        + " annotated method runs through its cache on a miss and which counts each call");
                continue;
            }
            if (isKotlinInline(scan, bodies, classFile, method, where)) {
                continue;
            }
            if (method.maxLocals > MAX_LOCALS - EndpointMethodWeaver.MAX_ADDED_LOCALS) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " is not instrumented: it uses "
                        + method.maxLocals + " local variable slots, and the measurement needs up to "
                        + EndpointMethodWeaver.MAX_ADDED_LOCALS + " more than the JVM's limit of " + MAX_LOCALS
                        + " allows; " + UNMEASURED);
                continue;
            }
            if (bodies != null && bodies.isWrapper(method.name, method.descriptor)) {
                LOG.debug("not instrumenting " + where + ": it only forwards to a measured method (a compiler-generated"
                        + " wrapper), which counts the call");
                continue;
            }
            String trait = bodies == null ? null : bodies.mixinTrait(method.name, method.descriptor);
            if (trait != null && declaresTheSameEndpoint(calledScans, loader, loaderLocked, trait, method)) {
                if (lines == null) {
                    lines = SourceLines.of(classFile);
                }
                if (lines.ofClassDeclaration(method.name, method.descriptor)) {
                    LOG.debug("not instrumenting " + where + ": Scala's forwarder to the method of trait "
                            + trait.replace('/', '.') + ", which carries the same annotation and counts the call");
                    continue;
                }
            }
            EndpointNames names = EndpointNames.of(method, scan.simpleName(), defaultNamespace, scan.isKotlin());
            if (method.superCallOwner != null
                    && measuresTheSameSeries(calledScans, loader, loaderLocked, method.superCallOwner, method, names)) {
                LOG.debug("not instrumenting " + where + ": it only calls the same method of "
                        + method.superCallOwner.replace('/', '.') + ", which is measured as the same endpoint and"
                        + " counts the call (a proxy or subclass generated with the annotation copied)");
                continue;
            }
            int id;
            try {
                if (recording == null) {
                    recording = InstrumentedEndpoints.linkedFrom(loader);
                }
                id = recording.reserve(names);
            } catch (Exception | LinkageError invalid) {
                if (recording == null && invalid instanceof ClassNotFoundException) {
                    warnApiInvisible(loader, where);
                    return null;
                }
                if (isLoaderConstraintViolation(invalid)) {
                    warnApiMixed(loader, where, invalid);
                    return null;
                }
                if (!warnedOlderApiCopy(loader, where, invalid)) {
                    warnOnce.accept(where, "@DynamoEndpoint on " + where + " is not instrumented: "
                            + (invalid instanceof IllegalArgumentException ? names.explainInvalid(describe(invalid))
                            : describe(invalid)));
                }
                continue;
            }
            MethodShape shape = MethodShape.of(method.descriptor, loader, loaderLocked, returnTypes);
            if (method.withSpan && shape == MethodShape.COMPLETION_STAGE && isInsideOpenTelemetry(classFile)) {
                warnOnce.accept(OpenTelemetryAgent.PREMAIN_CLASS, OpenTelemetryAgent.measuredInside(where));
            }
            woven.add(new WovenMethod(method, where, names, id, shape,
                    bodies == null ? null : bodies.stateMachine(method.name, method.descriptor)));
        }
        if (!woven.isEmpty() && MockitoInlineMocks.wove(classFile)) {
            warnOnce.accept(MockitoInlineMocks.WARNING_KEY, MockitoInlineMocks.measuredOutside(className));
        }
        while (!woven.isEmpty()) {
            byte[] rewritten;
            try {
                rewritten = write(reader, woven);
            } catch (MethodTooLargeException tooLarge) {
                WovenMethod failed = find(woven, tooLarge.getMethodName(), tooLarge.getDescriptor());
                if (failed == null) {
                    throw tooLarge;
                }
                warnOnce.accept(failed.where, "@DynamoEndpoint on " + failed.where + " is not instrumented: its code"
                        + " would outgrow the JVM's limit of 65535 bytes with the measurement added ("
                        + tooLarge.getCodeSize() + " bytes); " + UNMEASURED);
                woven.remove(failed);
                continue;
            }
            List<String> served = new ArrayList<String>(woven.size());
            WovenMethod inactive = activateAll(loader, recording, woven, served);
            if (inactive == null) {
                InstrumentedEndpoints.woven(loader, internalName, served, recording.isPrimary() ? ids(woven) : null,
                        definedClasses);
                if (LOG.isEnabled(LogLevel.DEBUG)) {
                    for (int i = 0; i < woven.size(); i++) {
                        // As the series' labels show the endpoint, and as named where they differ.
                        WovenMethod method = woven.get(i);
                        String labels = served.get(i);
                        LOG.debug("instrumenting " + method.where + " as " + labels
                                + (labels.equals(method.names.toString()) ? "" : " (named " + method.names + ")")
                                + method.shape.describe());
                    }
                }
                return rewritten;
            }
            woven.remove(inactive);
        }
        return null;
    }

    /**
     * Whether {@code method} is a Kotlin {@code inline} function, as its class's {@code kotlin.Metadata}
     * tells (see {@link KotlinMetadata}), which is then left as it is, with one warning. Kotlin callers
     * run a copy of its body and never call it: measured, it would count only Java's calls, and its
     * series would claim none for all the others. Its {@code $$forInline} copy (of a {@code suspend}
     * function), which Kotlin copies from, is left as it is without a warning of its own.
     * A wrapper Kotlin generates around another function (the {@code @JvmStatic} bridge to a companion
     * object's) is no inline function, whatever the name it shares; except a synthetic method, which may
     * be one (of a function with {@code reified} type parameters).
     */
    private boolean isKotlinInline(EndpointScan scan, MethodBodies bodies, byte[] classFile, AnnotatedMethod method,
            String where) {
        KotlinMetadata metadata = scan.kotlinMetadata();
        if (metadata == null || (method.access & Opcodes.ACC_SYNTHETIC) == 0 && bodies != null
                && bodies.isWrapper(method.name, method.descriptor)) {
            return false;
        }
        if (method.name.endsWith(KotlinMetadata.FOR_INLINE_SUFFIX) && metadata.isInline(method.name.substring(0,
                method.name.length() - KotlinMetadata.FOR_INLINE_SUFFIX.length()), method.descriptor)) {
            LOG.debug("not instrumenting " + where + ": the copy of a Kotlin suspend inline function that the Kotlin"
                    + " compiler copies into its callers");
            return true;
        }
        KotlinMetadata.Match match = metadata.match(method.name, method.descriptor);
        if (match == KotlinMetadata.Match.NOT_INLINE) {
            return false;
        }
        // Matched by name alone, or no function at all (an inline property's accessor): the marker decides.
        if (match != KotlinMetadata.Match.INLINE_BY_DESCRIPTOR
                && !metadata.declaresInlineMarker(classFile, method.name, method.descriptor)) {
            return false;
        }
        warnOnce.accept(where, "@DynamoEndpoint on " + where + " is not instrumented: it is a Kotlin inline function,"
                + " whose body the Kotlin compiler copies into its Kotlin callers, which then never call it (measured,"
                + " it would count only calls from Java); " + UNMEASURED + ". Annotate a function that is not inline:"
                + " the one it calls, or a wrapper around it");
        return true;
    }

    /**
     * Whether the OpenTelemetry agent, which runs in this JVM, will rewrite {@code classFile} after
     * this one: its code is not in it yet (see {@link OpenTelemetryAgent}).
     */
    private boolean isInsideOpenTelemetry(byte[] classFile) {
        if (OpenTelemetryAgent.wove(classFile)) {
            return false;
        }
        Boolean started = openTelemetryStarted;
        if (started == null) {
            started = OpenTelemetryAgent.started(agentsLoader);
            openTelemetryStarted = started;
        }
        return started;
    }

    /**
     * Says once per class loader that its classes cannot see the API the woven code calls: module
     * systems hand only the packages they are told of to the bootstrap class loader, where the agent
     * defines the API (WildFly's JBoss Modules, OSGi frameworks without boot delegation).
     */
    private void warnApiInvisible(ClassLoader loader, String where) {
        warnForLoader("API invisible to", loader, where, "that class loader does not see the dynamo API"
                + " (dev.dynamo.runtime and its subpackages), which the agent defines in the bootstrap class loader,"
                + " and which the woven code"
                + " calls. A module system hands the bootstrap loader only the packages it is told of: on WildFly"
                + " or JBoss Modules add dev.dynamo.runtime to jboss.modules.system.pkgs (JBOSS_MODULES_SYSTEM_PKGS"
                + " in standalone.conf); on OSGi set org.osgi.framework.bootdelegation=dev.dynamo.*"
                + " (docs/configuration.md, \"Application servers and module systems\")");
    }

    /**
     * Whether {@code trait}'s method of {@code method}'s name and descriptor has code and carries
     * {@code @DynamoEndpoint} with the same attributes: then {@code method}, shaped as a Scala 2 mixin
     * forwarder, is the copy Scala made, not an override of the application's own that calls
     * {@code super} (which has an annotation of its own, and counts). When the trait's class file
     * cannot be read, {@code method} is measured.
     */
    private boolean declaresTheSameEndpoint(Map<String, EndpointScan> scans, ClassLoader loader,
            boolean loaderLocked, String trait, AnnotatedMethod method) {
        EndpointScan scan = scanOf(scans, loader, loaderLocked, trait);
        AnnotatedMethod original = scan == null ? null : scan.annotated(method.name, method.descriptor);
        return original != null && original.hasBody() && original.sameAttributes(method);
    }

    /**
     * Whether class {@code owner}'s method of {@code method}'s name and descriptor has code and is measured
     * as the endpoint {@code names}: then {@code method}, whose whole code calls it through {@code super},
     * would count each of its calls a second time in the same series (a re-tester's ByteBuddy proxy named
     * {@code gen.SvcProxy31}, which copied the annotation: 500 requests for 400 calls). An override measured
     * as another endpoint (the default component, its own class's name) still counts there. When the class
     * file cannot be read, {@code method} is measured.
     */
    private boolean measuresTheSameSeries(Map<String, EndpointScan> scans, ClassLoader loader, boolean loaderLocked,
            String owner, AnnotatedMethod method, EndpointNames names) {
        EndpointScan scan = scanOf(scans, loader, loaderLocked, owner);
        AnnotatedMethod original = scan == null ? null : scan.annotated(method.name, method.descriptor);
        return original != null && original.hasBody() && EndpointNames.of(original, scan.simpleName(),
                defaultNamespace, scan.isKotlin()).toString().equals(names.toString());
    }

    /** The scan of class {@code owner}'s class file, read once per weaving; null where it cannot be read. */
    private EndpointScan scanOf(Map<String, EndpointScan> scans, ClassLoader loader, boolean loaderLocked,
            String owner) {
        if (scans.containsKey(owner)) {
            return scans.get(owner);
        }
        EndpointScan scan;
        try {
            byte[] classFile = classFiles.read(loader, owner, loaderLocked);
            scan = classFile == null ? null : EndpointScan.of(new ClassReader(classFile));
        } catch (IOException | RuntimeException unreadable) {
            scan = null;
        }
        scans.put(owner, scan);
        return scan;
    }

    /** Whether {@code failure}, or its cause, is the JVM refusing to mix two copies of a class in one loader's view. */
    private static boolean isLoaderConstraintViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof LinkageError && String.valueOf(cause.getMessage()).contains("loader constraint")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Says once per class loader that its classes see two copies of the API: part of it from the
     * bootstrap loader (the agent's), part from a copy of the application's own, as an OSGi framework
     * shows when told to delegate only some of its packages to the bootstrap loader.
     */
    private void warnApiMixed(ClassLoader loader, String where, Throwable failure) {
        warnForLoader("API mixed in", loader, where, "that class loader sees part of the dynamo API in the"
                + " bootstrap class loader, where the"
                + " agent defines it, and part in a copy of its own (" + describe(failure) + "). Let it take all of"
                + " dev.dynamo.runtime and its subpackages from one place: on OSGi"
                + " org.osgi.framework.bootdelegation=dev.dynamo.* (with the .*), or none of it"
                + " (docs/configuration.md, \"Application servers and module systems\")");
    }

    /**
     * Warns once per class loader, not per method, when {@code failure} says that the API copy the
     * loader's classes link to is older than the agent: it lacks a member the agent calls (found so
     * by {@link InstrumentedEndpoints}, or thrown as a {@link LinkageError} where the agent's own code
     * links to that copy, as after a dynamic attach to an application with an older API jar on its
     * class path). Returns whether it was such a failure.
     */
    private boolean warnedOlderApiCopy(ClassLoader loader, String where, Throwable failure) {
        String lacking;
        if (failure instanceof NoSuchMethodException && String.valueOf(failure.getMessage()).startsWith(
                InstrumentedEndpoints.OLDER_COPY)) {
            lacking = failure.getMessage();
        } else if (failure instanceof IncompatibleClassChangeError) {
            // NoSuchMethodError, NoSuchFieldError, AbstractMethodError: the copy has another shape.
            lacking = InstrumentedEndpoints.olderCopy(loader, describe(failure));
        } else {
            return false;
        }
        warnForLoader("older API copy in", loader, where, lacking);
        return true;
    }

    /**
     * Warns once per class loader and {@code kind} of failure that none of its classes' endpoints is
     * measured, naming {@code where}, the first method, and {@code why}.
     */
    private void warnForLoader(String kind, ClassLoader loader, String where, String why) {
        warnOnce.accept(kind + " " + System.identityHashCode(loader), "@DynamoEndpoint methods of the classes that "
                + ApiLog.loaderName(loader) + " loads are not instrumented (the first: " + where + "), and their calls are in no series: "
                + why);
    }

    /**
     * Creates the metrics of each woven method's endpoint, adding each endpoint to {@code served};
     * returns a method whose metrics failed, or null.
     */
    private WovenMethod activateAll(ClassLoader loader, InstrumentedEndpoints.Linked recording,
            List<WovenMethod> woven, List<String> served) {
        for (WovenMethod method : woven) {
            try {
                served.add(recording.activate(method.id, method.names, method.shape.isHandlerShape()));
            } catch (Exception | LinkageError invalid) {
                if (isLoaderConstraintViolation(invalid)) {
                    warnApiMixed(loader, method.where, invalid);
                } else if (!warnedOlderApiCopy(loader, method.where, invalid)) {
                    warnOnce.accept(method.where, "@DynamoEndpoint on " + method.where + " is not instrumented: "
                            + describe(invalid));
                }
                return method;
            }
        }
        return null;
    }

    private static byte[] write(ClassReader reader, final List<WovenMethod> woven) {
        return new ClassRewrite() {
            @Override
            MethodVisitor rewrite(MethodVisitor target, String owner, int access, String name, String descriptor,
                    boolean writeFrames) {
                WovenMethod method = find(woven, name, descriptor);
                return method == null ? null : new EndpointMethodWeaver(target, owner, access, descriptor, method.id,
                        method.shape, method.stateMachine, method.method.maxLocals, writeFrames);
            }
        }.apply(reader);
    }

    /**
     * {@code woven}, a class being retransformed, with the parameter names of the class file that its
     * loader serves, where this JVM left them out of the class file it gave (see
     * {@link MethodParameterNames}); {@code woven} itself where it did not, or where no class file is found.
     */
    byte[] withParameterNames(ClassLoader loader, String internalName, byte[] woven) {
        if (!MethodParameterNames.LOST_ON_RETRANSFORMATION) {
            return woven;
        }
        try {
            byte[] original = classFiles.read(loader, internalName);
            return original == null ? woven : MethodParameterNames.restore(woven, original);
        } catch (IOException | RuntimeException unreadable) {
            return woven;
        }
    }

    /** The gRPC class {@code internalName} rewritten to report the end of calls (see {@link GrpcServerCalls}). */
    byte[] weaveGrpc(String internalName, byte[] classFile) {
        return GrpcServerCalls.weave(internalName, classFile);
    }

    private static int[] ids(List<WovenMethod> woven) {
        int[] ids = new int[woven.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = woven.get(i).id;
        }
        return ids;
    }

    private static WovenMethod find(List<WovenMethod> woven, String name, String descriptor) {
        for (WovenMethod method : woven) {
            if (method.method.is(name, descriptor)) {
                return method;
            }
        }
        return null;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** An annotated method to weave, with its endpoint. */
    private static final class WovenMethod {
        final AnnotatedMethod method;
        final String where;
        final EndpointNames names;
        final int id;
        final MethodShape shape;
        /** For a suspend function: its state-machine class (binary name), or null. */
        final String stateMachine;

        WovenMethod(AnnotatedMethod method, String where, EndpointNames names, int id, MethodShape shape,
                String stateMachine) {
            this.method = method;
            this.where = where;
            this.names = names;
            this.id = id;
            this.shape = shape;
            this.stateMachine = stateMachine;
        }
    }
}
