package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the instrumentation needs to know about the bodies of one class's methods, read once per
 * class at transform time: which annotated methods are only compiler-generated wrappers of another
 * annotated method, and which class is each Kotlin {@code suspend} function's own state machine.
 *
 * <p>Wrappers: Kotlin copies a function's annotations onto the code it generates around it — the
 * {@code @JvmStatic} bridge that calls the companion's function, each {@code @JvmOverloads}
 * overload that calls {@code name$default} — and javac copies them onto bridge methods. Measuring
 * those too would count one logical call twice, so a synthetic or bridge method is never
 * instrumented, and in a Kotlin class (annotated {@code kotlin.Metadata}) neither is a method whose
 * whole body loads its arguments and constants, calls one method of the same name (or
 * {@code name$default}) that is itself measured, and returns.
 */
final class MethodBodies {
    private static final String KOTLIN_METADATA = "Lkotlin/Metadata;";
    private static final String ANNOTATION = "L" + EndpointTransformer.ANNOTATION.replace('.', '/') + ";";
    private static final String DEFAULTS_SUFFIX = "$default";
    private static final String COMPANION_SUFFIX = "$Companion";

    private final Set<String> wrappers;
    private final Map<String, String> stateMachines;

    private MethodBodies(Set<String> wrappers, Map<String, String> stateMachines) {
        this.wrappers = wrappers;
        this.stateMachines = stateMachines;
    }

    /** Reads {@code classFile}. */
    static MethodBodies of(byte[] classFile) {
        Reader reader = new Reader();
        new ClassReader(classFile).accept(reader, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        Set<String> wrappers = new HashSet<String>();
        for (Body body : reader.bodies.values()) {
            if (body.annotated && (body.synthetic || reader.kotlin && body.delegatesToMeasured(reader))) {
                wrappers.add(body.key);
            }
        }
        Map<String, String> stateMachines = new HashMap<String, String>();
        for (Body body : reader.bodies.values()) {
            if (body.stateMachine != null && body.creates.contains(body.stateMachine)) {
                stateMachines.put(body.key, body.stateMachine.replace('/', '.'));
            }
        }
        return new MethodBodies(wrappers, stateMachines);
    }

    /** Whether method {@code name}{@code descriptor} only forwards to another measured method. */
    boolean isWrapper(String name, String descriptor) {
        return wrappers.contains(name + descriptor);
    }

    /** The binary name of suspend function {@code name}{@code descriptor}'s state-machine class, or null. */
    String stateMachine(String name, String descriptor) {
        return stateMachines.get(name + descriptor);
    }

    private static final class Reader extends ClassVisitor {
        final Map<String, Body> bodies = new HashMap<String, Body>();
        String owner;
        boolean kotlin;

        Reader() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            owner = name;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            if (descriptor.equals(KOTLIN_METADATA)) {
                kotlin = true;
            }
            return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            Body body = new Body(name, descriptor, access, owner);
            bodies.put(body.key, body);
            return body;
        }
    }

    /** One method's body, reduced to what the questions above need. */
    private static final class Body extends MethodVisitor {
        final String name;
        final String key;
        final String owner;
        final boolean synthetic;
        /** The local slot of the last parameter (the continuation of a suspend function). */
        final int lastParameterSlot;
        final Set<String> creates = new HashSet<String>();
        boolean annotated;
        String stateMachine;
        /** Whether the body so far is only loads, constants and at most one call. */
        boolean forwardingOnly = true;
        String calledOwner;
        String calledName;
        String calledDescriptor;
        private int previousOpcode = -1;
        private int previousVar = -1;

        Body(String name, String descriptor, int access, String owner) {
            super(Opcodes.ASM9);
            this.name = name;
            this.key = name + descriptor;
            this.owner = owner;
            this.synthetic = (access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0;
            int slot = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
            int last = -1;
            for (String parameter : MethodShape.parameters(descriptor)) {
                last = slot;
                slot += parameter.equals("J") || parameter.equals("D") ? 2 : 1;
            }
            this.lastParameterSlot = last;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            if (descriptor.equals(ANNOTATION)) {
                annotated = true;
            }
            return null;
        }

        /** Whether this body is a Kotlin wrapper around a measured method of the same name. */
        boolean delegatesToMeasured(Reader reader) {
            if (!forwardingOnly || calledName == null) {
                return false;
            }
            if (calledName.equals(name + DEFAULTS_SUFFIX) && calledOwner.equals(owner)) {
                return true; // @JvmOverloads: name$default fills the defaults in and calls the measured original
            }
            if (!calledName.equals(name)) {
                return false;
            }
            if (calledOwner.equals(owner)) {
                Body target = reader.bodies.get(calledName + calledDescriptor);
                return target != null && target != this && target.annotated;
            }
            // @JvmStatic: the bridge in the outer class calls the companion object's annotated function.
            return calledOwner.equals(owner + COMPANION_SUFFIX);
        }

        @Override
        public void visitInsn(int opcode) {
            boolean constant = opcode >= Opcodes.ACONST_NULL && opcode <= Opcodes.DCONST_1;
            boolean returns = opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
            if (!constant && !returns) {
                forwardingOnly = false;
            }
            step(opcode, -1);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            if (opcode == Opcodes.NEWARRAY) {
                forwardingOnly = false;
            }
            step(opcode, -1);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (opcode >= Opcodes.ISTORE) {
                forwardingOnly = false;
            }
            step(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode == Opcodes.INSTANCEOF && stateMachine == null && previousOpcode == Opcodes.ALOAD
                    && previousVar == lastParameterSlot) {
                stateMachine = type;
            } else if (opcode == Opcodes.NEW) {
                creates.add(type);
            }
            if (opcode != Opcodes.CHECKCAST) {
                forwardingOnly = false;
            }
            step(opcode, -1);
        }

        @Override
        public void visitFieldInsn(int opcode, String fieldOwner, String fieldName, String descriptor) {
            if (opcode != Opcodes.GETSTATIC) {
                forwardingOnly = false;
            }
            step(opcode, -1);
        }

        @Override
        public void visitMethodInsn(int opcode, String methodOwner, String methodName, String descriptor,
                boolean isInterface) {
            if (calledName != null) {
                forwardingOnly = false;
            }
            calledOwner = methodOwner;
            calledName = methodName;
            calledDescriptor = descriptor;
            step(opcode, -1);
        }

        @Override
        public void visitLdcInsn(Object value) {
            step(Opcodes.LDC, -1);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            forwardingOnly = false;
            step(opcode, -1);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, net.bytebuddy.jar.asm.Handle bootstrap,
                Object... arguments) {
            forwardingOnly = false;
            step(Opcodes.INVOKEDYNAMIC, -1);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            forwardingOnly = false;
            step(Opcodes.IINC, -1);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            forwardingOnly = false;
            step(Opcodes.TABLESWITCH, -1);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            forwardingOnly = false;
            step(Opcodes.LOOKUPSWITCH, -1);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            forwardingOnly = false;
            step(Opcodes.MULTIANEWARRAY, -1);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            forwardingOnly = false;
        }

        private void step(int opcode, int var) {
            previousOpcode = opcode;
            previousVar = var;
        }
    }
}
