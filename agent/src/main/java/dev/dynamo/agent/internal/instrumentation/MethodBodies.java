package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the instrumentation needs to know about the bodies of one class's methods, read once per
 * class at transform time: which annotated methods are only compiler-generated wrappers of another
 * annotated method, and which class is each Kotlin {@code suspend} function's own state machine.
 *
 * <p>Wrappers: compilers copy a method's annotations onto the code they generate around it. javac
 * copies them onto bridge methods; Kotlin onto the {@code @JvmStatic} bridge that calls the
 * companion's function and each {@code @JvmOverloads} overload that calls {@code name$default};
 * Scala onto the static forwarder that calls an {@code object}'s method through {@code MODULE$}, and
 * (Scala 2) onto the forwarder that a class mixing in a trait gets for each of the trait's concrete
 * methods, which calls the trait's static {@code name$}; Groovy onto each overload it writes for
 * default arguments, which computes the defaults and calls the full method. Measuring those too
 * would count one logical call twice, so a synthetic or bridge method is never instrumented, and
 * neither is an annotated method whose whole body loads its arguments and constants, makes one such
 * call and returns, nor a Groovy-generated method that ends by returning what such a call returns. A Scala 2 mixin forwarder
 * looks like an override that calls {@code super}: the weaver tells them apart by the trait's
 * annotation ({@link #mixinTrait}). Overloads written by hand are methods like any other: each
 * annotated one counts.
 */
final class MethodBodies {
    private static final String ANNOTATION = "L" + EndpointTransformer.ANNOTATION.replace('.', '/') + ";";
    private static final String GROOVY_GENERATED = "Lgroovy/transform/Generated;";
    private static final String DEFAULTS_SUFFIX = "$default";
    private static final String COMPANION_SUFFIX = "$Companion";
    /** How many wrappers of wrappers are followed to the measured method. */
    private static final int MAX_CHAIN = 8;

    private final Set<String> wrappers;
    /** The methods shaped as Scala 2 mixin forwarders, with the trait each calls. */
    private final Map<String, String> mixins;
    private final Map<String, String> stateMachines;

    private MethodBodies(Set<String> wrappers, Map<String, String> mixins, Map<String, String> stateMachines) {
        this.wrappers = wrappers;
        this.mixins = mixins;
        this.stateMachines = stateMachines;
    }

    /** Reads {@code classFile}, whose annotated methods {@code scan} found. */
    static MethodBodies of(byte[] classFile, EndpointScan scan) {
        Reader reader = new Reader();
        new ClassReader(classFile).accept(reader, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        // Each wrapper, with the method of this class it calls, or null when that one is in another class.
        Map<String, String> calls = new HashMap<String, String>();
        Set<String> wrappers = new HashSet<String>();
        Map<String, String> mixins = new HashMap<String, String>();
        for (Body body : reader.bodies.values()) {
            if (!body.annotated) {
                continue;
            }
            if (body.synthetic) {
                wrappers.add(body.key);
            } else {
                String called = body.delegatesToMeasured(scan);
                if (called != null) {
                    calls.put(body.key, called.isEmpty() ? null : called);
                } else {
                    String trait = body.mixinTrait();
                    if (trait != null) {
                        mixins.put(body.key, trait);
                    }
                }
            }
        }
        for (Map.Entry<String, String> call : calls.entrySet()) {
            if (endsMeasured(call.getValue(), calls)) {
                wrappers.add(call.getKey());
            }
        }
        Map<String, String> stateMachines = new HashMap<String, String>();
        for (Body body : reader.bodies.values()) {
            String stateMachine = body.stateMachine();
            if (stateMachine != null) {
                stateMachines.put(body.key, stateMachine.replace('/', '.'));
            }
        }
        return new MethodBodies(wrappers, mixins, stateMachines);
    }

    /**
     * Whether a chain of wrappers that calls {@code called} (null: a method of another class) ends at
     * a method that is measured, not at one of the wrappers again.
     */
    private static boolean endsMeasured(String called, Map<String, String> calls) {
        for (int step = 0; step < MAX_CHAIN; step++) {
            if (called == null || !calls.containsKey(called)) {
                return true;
            }
            called = calls.get(called);
        }
        return false;
    }

    /** Whether method {@code name}{@code descriptor} only forwards to another measured method. */
    boolean isWrapper(String name, String descriptor) {
        return wrappers.contains(name + descriptor);
    }

    /**
     * The trait (internal name) whose method {@code name}{@code descriptor} calls as a Scala 2 mixin
     * forwarder does, or null: a wrapper if the trait's method carries the same annotation.
     */
    String mixinTrait(String name, String descriptor) {
        return mixins.get(name + descriptor);
    }

    /** The binary name of suspend function {@code name}{@code descriptor}'s state-machine class, or null. */
    String stateMachine(String name, String descriptor) {
        return stateMachines.get(name + descriptor);
    }

    private static final class Reader extends ClassVisitor {
        final Map<String, Body> bodies = new HashMap<String, Body>();
        String owner;

        Reader() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            owner = name;
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
        final String descriptor;
        final String key;
        final String owner;
        final boolean synthetic;
        final boolean isStatic;
        /**
         * The local slots that hold the last parameter (the continuation of a suspend function): its
         * own, and those it is copied to (Byte Buddy advice, as other agents weave it before this one,
         * copies the arguments and runs the body on the copies).
         */
        final Set<Integer> continuationSlots = new HashSet<Integer>();
        /** The types the continuation is checked to be an instance of, in order. */
        final List<String> continuationChecks = new ArrayList<String>(2);
        final Set<String> creates = new HashSet<String>();
        boolean annotated;
        /** Whether Groovy generated it ({@code @groovy.transform.Generated}). */
        boolean groovyGenerated;
        /** Whether the body so far is only loads, constants and at most one call. */
        boolean forwardingOnly = true;
        /** The first method the body calls, and how. */
        int calledOpcode;
        String calledOwner;
        String calledName;
        String calledDescriptor;
        /** The last method the body calls, and whether its single return returns what that call returned. */
        String lastOwner;
        String lastName;
        String lastDescriptor;
        boolean returnsLastCall;
        private boolean afterCall;
        private int returns;
        private int previousOpcode = -1;
        private int previousVar = -1;

        Body(String name, String descriptor, int access, String owner) {
            super(Opcodes.ASM9);
            this.name = name;
            this.descriptor = descriptor;
            this.key = name + descriptor;
            this.owner = owner;
            this.synthetic = (access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            int slot = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
            int last = -1;
            for (String parameter : MethodShape.parameters(descriptor)) {
                last = slot;
                slot += parameter.equals("J") || parameter.equals("D") ? 2 : 1;
            }
            if (last >= 0) {
                continuationSlots.add(last);
            }
        }

        /**
         * The state-machine class of a suspend function: the first type its continuation is checked to
         * be an instance of and that the function creates (it resumes with its state machine, and creates
         * one at its first entry); null for none.
         */
        String stateMachine() {
            for (String checked : continuationChecks) {
                if (creates.contains(checked)) {
                    return checked;
                }
            }
            return null;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            if (descriptor.equals(ANNOTATION)) {
                annotated = true;
            } else if (descriptor.equals(GROOVY_GENERATED)) {
                groovyGenerated = true;
            }
            return null;
        }

        /**
         * The method this body only forwards to, when it is a wrapper around a measured method of the
         * same name: its key in this class, "" for a method of another class; null when it is no wrapper.
         */
        String delegatesToMeasured(EndpointScan scan) {
            if (forwardingOnly && calledName != null) {
                if (calledName.equals(name + DEFAULTS_SUFFIX) && calledOwner.equals(owner)) {
                    return ""; // Kotlin's @JvmOverloads: name$default fills the defaults in and calls the original
                }
                if (calledName.equals(name) && calledOwner.equals(owner + COMPANION_SUFFIX)) {
                    return ""; // Kotlin's @JvmStatic: the bridge calls the companion object's function
                }
                if (calledName.equals(name) && isStatic && calledOwner.equals(owner + "$")
                        && calledDescriptor.equals(descriptor)) {
                    return ""; // Scala's static forwarder: calls the object's method through MODULE$
                }
            }
            // Groovy's overload for default arguments: computes the defaults, then calls the full method.
            if (groovyGenerated && returnsLastCall && lastOwner.equals(owner) && lastName.equals(name)
                    && measuresTheSameEndpoint(lastDescriptor, scan)) {
                return lastName + lastDescriptor;
            }
            return null;
        }

        /**
         * The trait this body forwards to as a Scala 2 mixin forwarder does (it calls the trait's static
         * {@code name$} with itself and its arguments), or null. A class's own override that calls
         * {@code super} compiles to the same code: which one it is, only the annotations tell.
         */
        String mixinTrait() {
            return forwardingOnly && calledName != null && calledOpcode == Opcodes.INVOKESTATIC
                    && calledName.equals(name + "$") && calledDescriptor.equals("(L" + calledOwner + ";"
                    + descriptor.substring(1)) ? calledOwner : null;
        }

        /** Whether this class's method of this name and {@code otherDescriptor} is measured as the same endpoint. */
        private boolean measuresTheSameEndpoint(String otherDescriptor, EndpointScan scan) {
            if (otherDescriptor.equals(descriptor)) {
                return false;
            }
            AnnotatedMethod target = scan.annotated(name, otherDescriptor);
            AnnotatedMethod self = scan.annotated(name, descriptor);
            return target != null && self != null && target.hasBody() && target.sameAttributes(self);
        }

        @Override
        public void visitInsn(int opcode) {
            boolean constant = opcode >= Opcodes.ACONST_NULL && opcode <= Opcodes.DCONST_1;
            boolean returns = opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
            if (!constant && !returns) {
                forwardingOnly = false;
            }
            if (returns) {
                this.returns++;
                returnsLastCall = afterCall && this.returns == 1;
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
            if (opcode == Opcodes.ASTORE && previousOpcode == Opcodes.ALOAD && continuationSlots.contains(previousVar)) {
                continuationSlots.add(var);
            }
            step(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode == Opcodes.INSTANCEOF && previousOpcode == Opcodes.ALOAD && continuationSlots.contains(previousVar)) {
                continuationChecks.add(type);
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
            } else {
                calledOpcode = opcode;
                calledOwner = methodOwner;
                calledName = methodName;
                calledDescriptor = descriptor;
            }
            lastOwner = methodOwner;
            lastName = methodName;
            lastDescriptor = descriptor;
            step(opcode, -1);
            afterCall = true;
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
            // A cast of the returned value keeps it the call's; anything else in between does not.
            afterCall = afterCall && opcode == Opcodes.CHECKCAST;
        }
    }
}
