package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.DebuggedHandler;
import com.example.endpoints.ExhaustedStackHandlers;
import com.example.endpoints.GrpcHandlers;
import com.example.endpoints.Handlers;
import com.example.endpoints.MissingTypeHandler;
import com.example.endpoints.PublisherHandlers;
import com.example.endpoints.RenamedHandler;
import com.example.endpoints.SuperCallingOverrides;
import com.example.endpoints.SuspendHandlers;
import com.example.endpoints.UnreadableStageHandler;
import com.example.endpoints.UnreadableStageHandler.OwnReply;
import com.example.endpoints.UnreadableStageHandler.OwnStage;
import dev.dynamo.agent.internal.ByteStreams;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.log.LogSettings;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.bridge.WovenMember;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weaves class files directly, outside the agent, to check what weaving needs of the class path. */
class EndpointWeaverTest {
    @Test
    void weavesAMethodWhoseSignatureNamesATypeItsClassLoaderCannotSee() throws Throwable {
        String name = MissingTypeHandler.class.getName();
        byte[] original = classFile(name);
        // Sees the API, and nothing of com.example but the woven class itself.
        ClassLoader apiOnly = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
                if (className.startsWith("com.example.")) {
                    throw new ClassNotFoundException(className);
                }
                return super.loadClass(className, resolve);
            }
        };
        List<String> warnings = new ArrayList<>();

        byte[] woven = new EndpointWeaver("unused", (key, message) -> warnings.add(message))
                .weave(apiOnly, name.replace('.', '/'), original);

        assertNotNull(woven, "the class was woven");
        assertEquals(Collections.emptyList(), warnings);
        Class<?> loaded = define(apiOnly, name, woven);
        // Found by name and type: getMethod would resolve every signature of the class.
        MethodHandle plain = MethodHandles.publicLookup().findStatic(loaded, "plain",
                MethodType.methodType(int.class, int.class));
        assertEquals(8, (int) plain.invokeExact(7));
        assertEquals(1, requests("plain").get());
        assertTrue(InstrumentedEndpoints.endpoints().contains(MissingTypeHandler.NS + "/missing/names_absent_type"));
        assertThrows(NoClassDefFoundError.class, loaded::getMethods, "the type really is absent");
    }

    /**
     * A class loader that defines classes from bytes it serves to no one: the weaver cannot read the
     * declared return type, so the woven code asks what the method returns. A stage of the
     * application's own type is timed to its completion, and counts its failure; a plain value ends
     * the call at the return. Before, both were timed to the return, and the failure went uncounted.
     */
    @Test
    void aReturnTypeWhoseClassFileCannotBeReadIsTimedByTheObjectReturned() throws Throwable {
        String name = UnreadableStageHandler.class.getName();
        ClassLoader servesNoClassFiles = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public URL getResource(String resource) {
                return null;
            }

            @Override
            public InputStream getResourceAsStream(String resource) {
                return null;
            }
        };
        List<String> warnings = new ArrayList<>();
        byte[] woven = new EndpointWeaver("unused", (key, message) -> warnings.add(message))
                .weave(servesNoClassFiles, name.replace('.', '/'), classFile(name));
        assertEquals(Collections.emptyList(), warnings);
        Class<?> loaded = define(servesNoClassFiles, name, woven);
        MethodHandle ownStage = MethodHandles.publicLookup().findStatic(loaded, "ownStage",
                MethodType.methodType(OwnStage.class, OwnStage.class));
        MethodHandle ownReply = MethodHandles.publicLookup().findStatic(loaded, "ownReply",
                MethodType.methodType(OwnReply.class));
        EndpointMetrics stageCalls = new EndpointMetrics(UnreadableStageHandler.NS, "unreadable", "own_stage");
        EndpointMetrics replyCalls = new EndpointMetrics(UnreadableStageHandler.NS, "unreadable", "own_reply");

        OwnStage stage = new OwnStage();
        OwnStage returned = (OwnStage) ownStage.invokeExact(stage);
        assertSame(stage, returned);
        assertEquals(1, stageCalls.inflight(), "a stage not yet complete is still in flight");
        assertEquals(0, stageCalls.durations());
        stage.completeExceptionally(new IllegalStateException("failed later"));
        assertEquals(0, stageCalls.inflight());
        assertEquals(1, stageCalls.durations());
        assertEquals(1, stageCalls.errors("IllegalStateException"));

        OwnReply reply = (OwnReply) ownReply.invokeExact();
        assertNotNull(reply);
        assertEquals(1, replyCalls.durations(), "a plain value ends the call at the return");
        assertEquals(0, replyCalls.inflight());
    }

    /**
     * Weld generates synthetic client proxies and interception subclasses that copy the annotation onto
     * their overrides, which call the measured method: measured too, each call counted two or three
     * times, under the generated class's name. A class marked synthetic is left as it is.
     */
    @Test
    void aSyntheticClassThatCopiesTheAnnotationOntoItsOverridesIsLeftAsItIs() {
        List<String> warnings = new ArrayList<>();
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> warnings.add(message));

        assertEquals(null, weaver.weave(getClass().getClassLoader(), "gen/Service$Proxy$_$$_WeldSubclass",
                annotatedClass("gen/Service$Proxy$_$$_WeldSubclass", Opcodes.ACC_SYNTHETIC)), "a generated proxy");
        assertNotNull(weaver.weave(getClass().getClassLoader(), "gen/Service",
                annotatedClass("gen/Service", 0)), "the same class written by hand");
        assertEquals(Collections.emptyList(), warnings);
        assertTrue(!InstrumentedEndpoints.endpoints().stream().anyMatch(e -> e.contains("WeldSubclass")),
                InstrumentedEndpoints.endpoints().toString());
    }

    /**
     * Mockito 4's subclass mocks copy the annotation too, onto a class they do not mark synthetic but
     * name after its superclass without declaring it nested, as no compiler does.
     */
    @Test
    void aSubclassGeneratedAtRunTimeIsLeftAsItIsAndANestedSubclassIsWoven() {
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> { });

        assertEquals(null, weaver.weave(getClass().getClassLoader(), "gen/Service$MockitoMock$3kq1",
                annotatedClass("gen/Service$MockitoMock$3kq1", 0, "gen/Service", false)), "a generated subclass");
        assertNotNull(weaver.weave(getClass().getClassLoader(), "gen/Service$Special",
                annotatedClass("gen/Service$Special", 0, "gen/Service", true)), "a nested subclass written by hand");
    }

    /**
     * A generated subclass of an interface (a Mockito subclass-maker spy of an interface with an annotated
     * default method): its superclass is Object, its name the interface's plus {@code $}. Before, its override
     * and the default method it calls both counted each call (a re-tester).
     */
    @Test
    void aClassGeneratedForAnInterfaceIsLeftAsItIs() {
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> { });

        assertEquals(null, weaver.weave(getClass().getClassLoader(), "gen/Api$MockitoMock$5xq2",
                annotatedClass("gen/Api$MockitoMock$5xq2", 0, "java/lang/Object", false, "gen/Api")),
                "a class generated for an interface");
        assertNotNull(weaver.weave(getClass().getClassLoader(), "gen/ApiImpl",
                annotatedClass("gen/ApiImpl", 0, "java/lang/Object", false, "gen/Api")), "an implementation by hand");
    }

    /**
     * An override whose whole code calls the same method through {@code super} is measured only where it is
     * measured as another endpoint than the method it calls (a re-tester's ByteBuddy proxy named
     * {@code gen.SvcProxy31}: 500 requests for 400 calls).
     */
    @Test
    void anOverrideThatOnlyCallsSuperIsMeasuredOnlyAsAnotherEndpoint() throws Exception {
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> { });
        ClassLoader loader = getClass().getClassLoader();

        String proxy = SuperCallingOverrides.SameEndpointProxy.class.getName();
        assertEquals(null, weaver.weave(loader, proxy.replace('.', '/'), classFile(proxy)), proxy);
        for (String name : new String[] {SuperCallingOverrides.OwnComponentOverride.class.getName(),
                SuperCallingOverrides.WorkingOverride.class.getName(), SuperCallingOverrides.Service.class.getName()}) {
            assertNotNull(weaver.weave(loader, name.replace('.', '/'), classFile(name)), name);
        }
    }

    /** A class with one {@code @DynamoEndpoint int work(int)} that returns its argument. */
    /**
     * The debug line that lists an instrumented method names its endpoint as the series show it, with
     * the name as written where that differs: before, it gave only the name as written, which a
     * search of /metrics does not find (a tester's "générer_İı", served as "g_n_rer___").
     */
    @Test
    void theDebugLineNamesTheEndpointAsItsSeriesShowIt() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AgentLog.redirect(new PrintStream(log, true, "UTF-8"));
        AgentLog.configure(LogSettings.parse("debug", new ArrayList<>()));
        try {
            String name = RenamedHandler.class.getName();
            assertNotNull(new EndpointWeaver("unused", (key, message) -> { })
                    .weave(getClass().getClassLoader(), name.replace('.', '/'), classFile(name)));
        } finally {
            AgentLog.redirect(null);
            AgentLog.configure(LogSettings.DEFAULT);
        }
        assertTrue(log.toString("UTF-8").contains("RenamedHandler.handle(I)I as renamed_test/svc/g_n_rer_vite"
                + " (named renamed_test/svc/générer-vite)"), log.toString("UTF-8"));
    }

    private static byte[] annotatedClass(String internalName, int extraAccess) {
        return annotatedClass(internalName, extraAccess, "java/lang/Object", false);
    }

    /** @param nested whether its InnerClasses attribute declares it nested in its superclass, as javac does */
    private static byte[] annotatedClass(String internalName, int extraAccess, String superName, boolean nested,
            String... interfaces) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | extraAccess, internalName, null, superName, interfaces);
        if (nested) {
            writer.visitInnerClass(internalName, superName, internalName.substring(internalName.lastIndexOf('$') + 1),
                    Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC);
        }
        MethodVisitor work = writer.visitMethod(Opcodes.ACC_PUBLIC, "work", "(I)I", null, null);
        AnnotationVisitor annotation = work.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true);
        annotation.visit("namespace", "synthetic_test");
        annotation.visitEnd();
        work.visitCode();
        work.visitVarInsn(Opcodes.ILOAD, 1);
        work.visitInsn(Opcodes.IRETURN);
        work.visitMaxs(0, 0);
        work.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** javac refuses the annotation on constructors, but other compilers and class-file tools do not. */
    @Test
    void anAnnotatedConstructorOrStaticInitializerIsIgnoredWithAWarningThatSaysWhy() {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "gen/Annotated", null, "java/lang/Object", null);
        MethodVisitor constructor = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        constructor.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        constructor.visitCode();
        constructor.visitVarInsn(Opcodes.ALOAD, 0);
        constructor.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        constructor.visitInsn(Opcodes.RETURN);
        constructor.visitMaxs(0, 0);
        constructor.visitEnd();
        MethodVisitor initializer = writer.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        initializer.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        initializer.visitCode();
        initializer.visitInsn(Opcodes.RETURN);
        initializer.visitMaxs(0, 0);
        initializer.visitEnd();
        writer.visitEnd();
        List<String> warnings = new ArrayList<>();

        byte[] woven = new EndpointWeaver("unused", (key, message) -> warnings.add(message))
                .weave(getClass().getClassLoader(), "gen/Annotated", writer.toByteArray());

        assertEquals(null, woven, "nothing to weave");
        assertEquals(Arrays.asList(
                "@DynamoEndpoint on gen.Annotated.<init>()V is ignored: constructors and static initializers are not"
                        + " measured; annotate a method they call",
                "@DynamoEndpoint on gen.Annotated.<clinit>()V is ignored: constructors and static initializers are"
                        + " not measured; annotate a method they call"), warnings);
    }

    /**
     * WildFly's JBoss Modules and OSGi frameworks without boot delegation hand the bootstrap class
     * loader only the packages they are told of: classes of such a loader cannot see the API the
     * woven code calls. They load unchanged, and one warning per loader names the settings that fix it.
     */
    @Test
    void classesOfALoaderThatCannotSeeTheApiLoadUnchangedWithOneWarningForTheLoader() throws Exception {
        // Keyed as the transformer's warnOnce keys them: one warning per key.
        Map<String, String> warnings = new LinkedHashMap<>();
        EndpointWeaver weaver = new EndpointWeaver("unused", warnings::putIfAbsent);
        try (URLClassLoader isolated = new URLClassLoader(new URL[0], null)) {
            assertEquals(null, weaver.weave(isolated, Handlers.class.getName().replace('.', '/'),
                    classFile(Handlers.class.getName())));
            assertEquals(null, weaver.weave(isolated, DebuggedHandler.class.getName().replace('.', '/'),
                    classFile(DebuggedHandler.class.getName())));
        }

        assertEquals(1, warnings.size(), warnings::toString);
        String warning = warnings.values().iterator().next();
        assertTrue(warning.startsWith("@DynamoEndpoint methods of the classes that java.net.URLClassLoader@"), warning);
        assertTrue(warning.contains("does not see the dynamo API (dev.dynamo.runtime and its subpackages)"), warning);
        assertTrue(warning.contains("add dev.dynamo.runtime to jboss.modules.system.pkgs"), warning);
        assertTrue(warning.contains("org.osgi.framework.bootdelegation=dev.dynamo.*"), warning);
    }

    /**
     * An OSGi framework told to delegate only {@code dev.dynamo.runtime} (not its subpackages) to the
     * parent gives a bundle that carries the API half of each copy: the JVM refuses the mix with a
     * loader constraint violation. One warning per class loader says so and names the setting, instead
     * of one per method with the JVM's text alone.
     */
    @Test
    void classesOfALoaderThatSeesTheApiHalfFromItsParentGetOneWarningForTheLoader() throws Exception {
        URL apiClasses = DistributedRuntime.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader parent = getClass().getClassLoader();
        Map<String, String> warnings = new LinkedHashMap<>();
        EndpointWeaver weaver = new EndpointWeaver("unused", warnings::putIfAbsent);
        try (URLClassLoader half = new URLClassLoader(new URL[] {apiClasses}, parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                boolean subpackage = name.startsWith("dev.dynamo.runtime.") && name.indexOf('.', "dev.dynamo.runtime.".length()) > 0;
                if (!subpackage) {
                    return parent.loadClass(name);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
        }) {
            assertEquals(null, weaver.weave(half, Handlers.class.getName().replace('.', '/'),
                    classFile(Handlers.class.getName())));
        }

        assertEquals(1, warnings.size(), warnings::toString);
        String warning = warnings.values().iterator().next();
        assertTrue(warning.contains("sees part of the dynamo API in the bootstrap class loader"), warning);
        assertTrue(warning.contains("loader constraint violation"), warning);
        assertTrue(warning.contains("org.osgi.framework.bootdelegation=dev.dynamo.* (with the .*)"), warning);
    }

    /**
     * A Groovy trait is an interface whose annotated method has no code; Groovy copies the method,
     * annotation and all, into each class that implements the trait, where it is measured. So the
     * warning that an abstract method counts no call would send a Groovy user after a fix Groovy does
     * for them; a Java interface's abstract method still gets it.
     */
    @Test
    void aGroovyTraitsAnnotatedMethodIsNoCauseForAWarning() throws Exception {
        List<String> warnings = new ArrayList<>();
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> warnings.add(message));

        assertEquals(null, weaver.weave(getClass().getClassLoader(), "com/example/endpoints/GroovyGreeting",
                classFile("com.example.endpoints.GroovyGreeting")));
        assertEquals(Collections.emptyList(), warnings);

        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT, "gen/Greeting",
                null, "java/lang/Object", null);
        writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "greet", "()V", null, null)
                .visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        writer.visitEnd();
        weaver.weave(getClass().getClassLoader(), "gen/Greeting", writer.toByteArray());
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).startsWith("@DynamoEndpoint on gen.Greeting.greet()V counts no call"), warnings::toString);
    }

    /** A native method has no implementing Java method to annotate: the warning names the Java caller instead. */
    @Test
    void anAnnotatedNativeMethodIsNotWovenWithAWarningThatFitsIt() {
        List<String> warnings = new ArrayList<>();
        EndpointWeaver weaver = new EndpointWeaver("unused", (key, message) -> warnings.add(message));
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "gen/Native", null, "java/lang/Object", null);
        writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_NATIVE, "compute", "()I", null, null)
                .visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        writer.visitEnd();

        assertEquals(null, weaver.weave(getClass().getClassLoader(), "gen/Native", writer.toByteArray()));

        assertEquals(Collections.singletonList("@DynamoEndpoint on gen.Native.compute()I counts no call: a native method"
                + " has no bytecode to measure; annotate the Java method that calls it"), warnings);
    }

    /**
     * A debugger reads {@code this} from slot 0 whatever the tables say, and every other variable
     * where the local variable table says it is: the woven code never writes slot 0 of an instance
     * method, and where it keeps a returned value in a variable's slot until the return, the table
     * leaves that variable out. Before, {@code this} showed the returned value at each return.
     */
    @Test
    void aDebuggerSeesThisAndTheVariablesAsWrittenWhereverTheTableSaysSo() throws Exception {
        String name = DebuggedHandler.class.getName();
        byte[] woven = new EndpointWeaver("unused", (key, message) -> { })
                .weave(getClass().getClassLoader(), name.replace('.', '/'), classFile(name));
        Map<String, VariableView> methods = new HashMap<>();
        new ClassReader(woven).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                    String[] exceptions) {
                VariableView view = new VariableView();
                methods.put(method, view);
                return view;
            }
        }, 0);

        VariableView instance = methods.get("instance");
        assertTrue(instance.storesInto(0).isEmpty(), "this is overwritten: " + instance.storesInto(0));
        assertTrue(instance.coveredStores().isEmpty(), "stores into a variable the table shows: "
                + instance.coveredStores());
        VariableView staticMethod = methods.get("staticMethod");
        assertTrue(!staticMethod.storesInto(0).isEmpty(), "a static method's returned value waits in its slot 0");
        assertTrue(staticMethod.coveredStores().isEmpty(), "stores into a variable the table shows: "
                + staticMethod.coveredStores());
    }

    /** The positions of a method's stores and the ranges of its local variable table, in visiting order. */
    private static final class VariableView extends MethodVisitor {
        private final Map<Label, Integer> labelPositions = new HashMap<>();
        private final List<int[]> stores = new ArrayList<>();
        private final List<Object[]> variables = new ArrayList<>();
        private int position;

        VariableView() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visitLabel(Label label) {
            labelPositions.put(label, position);
        }

        @Override
        public void visitVarInsn(int opcode, int slot) {
            position++;
            if (opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
                stores.add(new int[] {position, slot});
            }
        }

        @Override
        public void visitInsn(int opcode) {
            position++;
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                int index) {
            variables.add(new Object[] {name, start, end, index});
        }

        List<Integer> storesInto(int slot) {
            List<Integer> at = new ArrayList<>();
            for (int[] store : stores) {
                if (store[1] == slot) {
                    at.add(store[0]);
                }
            }
            return at;
        }

        /** "variable@position" of every store into a slot at a position where the table shows another variable there. */
        List<String> coveredStores() {
            List<String> covered = new ArrayList<>();
            for (int[] store : stores) {
                for (Object[] variable : variables) {
                    int from = labelPositions.get((Label) variable[1]);
                    int to = labelPositions.get((Label) variable[2]);
                    if ((Integer) variable[3] == store[1] && from < store[0] && store[0] <= to) {
                        covered.add(variable[0] + "@" + store[0]);
                    }
                }
            }
            return covered;
        }
    }

    /**
     * The check a foreign API copy gets before weaving ({@link WovenMember#requireIn}) is only as good
     * as the list: every reference woven code makes into the API must be on it, whatever the shape.
     */
    @Test
    void wovenCodeRefersToTheApiOnlyThroughTheMembersOfTheContract() throws Exception {
        Set<String> listed = new TreeSet<>();
        for (WovenMember member : WovenMember.values()) {
            listed.add(member.owner() + "." + member.memberName() + member.descriptor());
        }
        Set<String> referenced = new TreeSet<>();
        for (Class<?> handlers : Arrays.asList(Handlers.class, PublisherHandlers.class, GrpcHandlers.class,
                SuspendHandlers.class, ExhaustedStackHandlers.class)) {
            String name = handlers.getName().replace('.', '/');
            byte[] woven = new EndpointWeaver("unused", (key, message) -> { })
                    .weave(getClass().getClassLoader(), name, classFile(handlers.getName()));
            assertNotNull(woven, name);
            new ClassReader(woven).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                        String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String member, String type, boolean itf) {
                            record(owner, member, type);
                        }

                        @Override
                        public void visitFieldInsn(int opcode, String owner, String member, String type) {
                            record(owner, member, type);
                        }

                        private void record(String owner, String member, String type) {
                            if (owner.startsWith("dev/dynamo/runtime/internal/")) {
                                referenced.add(owner + "." + member + type);
                            }
                        }
                    };
                }
            }, 0);
        }

        assertTrue(listed.containsAll(referenced), "not in WovenMember: " + difference(referenced, listed));
        assertEquals(listed, referenced, "every member is woven by some shape; unused ones would only refuse copies");
    }

    private static Set<String> difference(Set<String> all, Set<String> known) {
        Set<String> rest = new TreeSet<>(all);
        rest.removeAll(known);
        return rest;
    }

    /**
     * A method whose local variables leave no room for the start time would, woven, make its class
     * fail to load (ClassFormatError): it is left as it is, with one warning, and its class loads.
     */
    @Test
    void leavesAMethodAtTheLocalVariableLimitAsItIsAndItsClassStillLoads() throws Throwable {
        String name = "com.example.generated.ManyLocals";
        byte[] original = classWithTwoEndpoints(name.replace('.', '/'), "atLimit", 65534, "small", 0);
        List<String> warnings = new ArrayList<>();

        byte[] woven = new EndpointWeaver("many_locals_test", (key, message) -> warnings.add(message))
                .weave(getClass().getClassLoader(), name.replace('.', '/'), original);

        assertNotNull(woven, "the other method was woven");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("ManyLocals.atLimit()I is not instrumented: it uses 65534 local"
                + " variable slots") && warnings.get(0).contains("limit of 65535"), warnings.get(0));
        Class<?> loaded = define(getClass().getClassLoader(), name, woven);
        assertEquals(1, (int) MethodHandles.publicLookup().findStatic(loaded, "atLimit",
                MethodType.methodType(int.class)).invokeExact());
        assertEquals(1, (int) MethodHandles.publicLookup().findStatic(loaded, "small",
                MethodType.methodType(int.class)).invokeExact());
        assertTrue(InstrumentedEndpoints.endpoints().contains("many_locals_test/ManyLocals/small"));
        assertTrue(!InstrumentedEndpoints.endpoints().contains("many_locals_test/ManyLocals/atLimit"),
                "no series for the method left as it is");
    }

    @Test
    void aDefaultNameThatCannotBeALabelIsNamedInTheWarningWithItsFix() {
        String name = "com/example/generated/\u00d1\u00e9";
        List<String> warnings = new ArrayList<>();

        byte[] woven = new EndpointWeaver("default_names_test", (key, message) -> warnings.add(message))
                .weave(getClass().getClassLoader(), name, classWithTwoEndpoints(name, "first", 0, "second", 0));

        assertEquals(null, woven, "no method can be measured");
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("its component '\u00d1\u00e9' (by default the class's simple name) cannot"
                + " be a label value") && warnings.get(0).contains("Set @DynamoEndpoint(component = \"...\")"),
                warnings.get(0));
    }

    /** A public class with two annotated static methods {@code ()I} returning 1, with the given max_locals. */
    /**
     * A class loader whose own API copy is older than the agent (here: a WovenCalls with none of the
     * members the agent calls): one warning for the loader, naming what to do, not one per method.
     */
    @Test
    void anApiCopyOlderThanTheAgentIsOneWarningForItsLoader() {
        String recording = "dev.dynamo.runtime.internal.instrumentation.WovenCalls";
        ClassWriter fake = new ClassWriter(0);
        fake.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, recording.replace('.', '/'), null, "java/lang/Object", null);
        fake.visitEnd();
        byte[] fakeRecording = fake.toByteArray();
        ClassLoader olderCopy = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(className)) {
                    if (!className.equals(recording)) {
                        return super.loadClass(className, resolve);
                    }
                    Class<?> loaded = findLoadedClass(className);
                    return loaded != null ? loaded : defineClass(className, fakeRecording, 0, fakeRecording.length);
                }
            }
        };
        List<String> warnings = new ArrayList<>();
        String name = "gen/OlderCopyHandler";

        byte[] woven = new EndpointWeaver("older_copy_test", (key, message) -> {
            if (!warnings.contains(key)) {
                warnings.add(key);
                warnings.add(message);
            }
        }).weave(olderCopy, name, classWithTwoEndpoints(name, "first", 0, "second", 0));

        assertEquals(null, woven, "nothing woven");
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(1).startsWith("@DynamoEndpoint methods of the classes that " + olderCopy + " loads are"
                + " not instrumented (the first: gen.OlderCopyHandler.first()I), and their calls are in no series: the"
                + " copy of the dynamo API that " + olderCopy + " loads lacks "), warnings.get(1));
        assertTrue(warnings.get(1).endsWith("the application carries an API jar older than the agent. Use an API jar of"
                + " the agent's version or newer, or leave it out of the application (scope provided: the agent brings"
                + " its own)"), warnings.get(1));
    }

    /**
     * A class that Mockito's inline mock maker rewrote before this agent (Mockito's -javaagent first):
     * its methods call Mockito's dispatcher. Woven, with one warning that says what that costs and the fix.
     */
    @Test
    void aClassMockitoRewroteFirstIsWovenWithOneWarningAboutTheAgentsOrder() {
        List<String> warnings = new ArrayList<>();
        EndpointWeaver weaver = new EndpointWeaver("mockito_test", (key, message) -> {
            if (!warnings.contains(key)) {
                warnings.add(key);
                warnings.add(message);
            }
        });
        byte[] plain = classWithTwoEndpoints("gen/NotMocked", "first", 0, "second", 0);

        assertNotNull(weaver.weave(getClass().getClassLoader(), "gen/NotMocked", plain));
        assertEquals(List.of(), warnings, "Mockito's dispatch is not in the class");

        for (String name : new String[] {"gen/Mocked", "gen/MockedToo"}) {
            assertNotNull(weaver.weave(getClass().getClassLoader(), name, withMockitoDispatch(name)), name);
        }
        assertEquals(2, warnings.size(), "one warning: " + warnings);
        assertTrue(warnings.get(1).startsWith("@DynamoEndpoint methods of gen.Mocked are measured outside Mockito's"
                + " mock dispatch: Mockito's agent started before this one, so each call of a mock counts as a request"
                + " and each real call through a spy counts twice"), warnings.get(1));
        assertTrue(warnings.get(1).contains("Put -javaagent:dynamo-agent.jar before Mockito's -javaagent"),
                warnings.get(1));
    }

    /** A class with an endpoint whose code calls Mockito's dispatcher, as the inline mock maker's rewrite does. */
    private static byte[] withMockitoDispatch(String internalName) {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, internalName, null, "java/lang/Object", null);
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "get", "()I", null, null);
        method.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
        method.visitCode();
        method.visitLdcInsn("mockito-identifier");
        method.visitInsn(Opcodes.ACONST_NULL);
        method.visitMethodInsn(Opcodes.INVOKESTATIC, "org/mockito/internal/creation/bytebuddy/inject/MockMethodDispatcher",
                "get", "(Ljava/lang/String;Ljava/lang/Object;)Lorg/mockito/internal/creation/bytebuddy/inject/"
                        + "MockMethodDispatcher;", false);
        method.visitInsn(Opcodes.POP);
        method.visitInsn(Opcodes.ICONST_1);
        method.visitInsn(Opcodes.IRETURN);
        method.visitMaxs(2, 0);
        method.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static byte[] classWithTwoEndpoints(String internalName, String first, int firstLocals, String second,
            int secondLocals) {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, internalName, null, "java/lang/Object", null);
        String[] names = {first, second};
        int[] locals = {firstLocals, secondLocals};
        for (int i = 0; i < 2; i++) {
            MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, names[i], "()I", null,
                    null);
            method.visitAnnotation("Ldev/dynamo/runtime/DynamoEndpoint;", true).visitEnd();
            method.visitCode();
            method.visitInsn(Opcodes.ICONST_1);
            method.visitInsn(Opcodes.IRETURN);
            method.visitMaxs(1, locals[i]);
            method.visitEnd();
        }
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static byte[] classFile(String name) throws Exception {
        try (InputStream in = EndpointWeaverTest.class.getClassLoader()
                .getResourceAsStream(name.replace('.', '/') + ".class")) {
            return ByteStreams.readAll(in, 4096);
        }
    }

    /** Defines {@code classFile} in a loader of its own, beside the test's copy of the class. */
    private static Class<?> define(ClassLoader parent, String name, byte[] classFile) {
        return new ClassLoader(parent) {
            Class<?> define() {
                return defineClass(name, classFile, 0, classFile.length);
            }
        }.define();
    }

    private static IntCounter requests(String endpoint) {
        return DistributedRuntime.get().namespace(MissingTypeHandler.NS).component("missing").endpoint(endpoint)
                .metrics().createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                        Collections.emptyMap());
    }
}
