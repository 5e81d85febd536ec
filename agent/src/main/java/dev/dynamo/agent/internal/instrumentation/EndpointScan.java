package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.Attribute;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first, cheap pass over a class file: its annotated methods with their annotation attributes
 * and {@code max_locals}, and the class's simple name. Skips all code.
 */
final class EndpointScan extends ClassVisitor {
    static final String ANNOTATION_DESCRIPTOR = "Ldev/dynamo/runtime/DynamoEndpoint;";
    /** The name Kotlin gives a {@code companion object} that has none of its own. */
    private static final String COMPANION = "Companion";
    private static final String GROOVY_OBJECT = "groovy/lang/GroovyObject";
    /** What marks an interface as a Groovy trait, whose annotated methods Groovy copies into the classes that implement it. */
    private static final String GROOVY_TRAIT = "Lgroovy/transform/Trait;";

    /** The class file version from which the JVM reads annotations. */
    private static final int JAVA_5 = 49;

    private final List<AnnotatedMethod> methods = new ArrayList<AnnotatedMethod>();
    private int majorVersion;
    private String internalName;
    /** The class's {@code kotlin.Metadata}, undecoded; null for a class that is not Kotlin's. */
    private KotlinMetadata kotlinMetadata;
    /** Whether the class is Scala's (it has the Scala compilers' {@code Scala}, {@code ScalaSig} or {@code TASTY} attribute). */
    private static final String[] NO_INTERFACES = new String[0];
    /** The opcode of {@code aload_0}, which ASM's {@code Opcodes} leaves out with the other short forms. */
    private static final int ALOAD_0 = 42;
    /** The one-byte loads of slots 0 to 3, {@code iload_0} (26) to {@code aload_3} (45). */
    private static final int FIRST_SHORT_LOAD = 26;
    private static final int LAST_SHORT_LOAD = 45;
    private boolean scala;
    private boolean groovyTrait;
    /** Whether the class is Groovy's: it implements {@code groovy.lang.GroovyObject}, as Groovy's classes do. */
    private boolean groovy;
    private boolean synthetic;
    private String superName;
    private String[] interfaces = NO_INTERFACES;
    /** From the InnerClasses attribute: null until found, "" for an anonymous class. */
    private String innerSimpleName;
    /** From the InnerClasses attribute: the class this one is declared in, or null. */
    private String outerInternalName;
    /** From the InnerClasses attribute: the simple names of the nested classes it names, in any order. */
    private final Map<String, String> nestedSimpleNames = new HashMap<String, String>();

    private EndpointScan() {
        super(Opcodes.ASM9);
    }

    static EndpointScan of(ClassReader reader) {
        EndpointScan scan = new EndpointScan();
        reader.accept(scan, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (scan.majorVersion < JAVA_5) {
            // The JVM ignores the annotations of such a class file: reflection sees none, a retransformation gives
            // none. Measured at a first load only, such methods were measured with -javaagent, not after an attach.
            scan.methods.clear();
        }
        if (!scan.methods.isEmpty()) {
            scan.readMaxLocals(reader);
        }
        return scan;
    }

    List<AnnotatedMethod> methods() {
        return methods;
    }

    /**
     * Whether the weaver needs {@link MethodBodies} to decide about this class: Kotlin and Scala
     * classes have wrappers around measured functions (and Kotlin suspend state machines); in other
     * classes only synthetic or bridge methods, and annotated methods that share a name (overloads
     * such as Groovy's for default arguments), can be wrappers. Most classes have none of these, and
     * are spared a pass over all their code.
     */
    boolean needsMethodBodies() {
        if (kotlinMetadata != null || scala) {
            return true;
        }
        for (int i = 0; i < methods.size(); i++) {
            AnnotatedMethod method = methods.get(i);
            if ((method.access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0
                    || method.descriptor.contains(MethodShape.CONTINUATION)) {
                return true;
            }
            for (int j = 0; j < i; j++) {
                if (methods.get(j).name.equals(method.name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The annotated method {@code name}{@code descriptor}, or null. */
    AnnotatedMethod annotated(String name, String descriptor) {
        return find(name, descriptor);
    }

    /**
     * Whether the class is marked synthetic: generated, not written. Frameworks mark so the proxies and
     * subclasses they generate (Weld's client proxies and interception subclasses), and some copy
     * {@code @DynamoEndpoint} onto the overrides that call the measured method: measuring those too
     * would count each call twice, under the generated class's name.
     */
    boolean isSynthetic() {
        return synthetic;
    }

    /**
     * Whether the class is a subclass a library generated at run time: named after its superclass
     * plus {@code $} and a suffix ({@code Service$MockitoMock$3kq1}, {@code Service$ByteBuddy$...}), yet
     * not declared as a nested class, as every compiler declares {@code Service$Inner}. Mockito's
     * subclass mocks copy {@code @DynamoEndpoint} onto their overrides without marking the class synthetic.
     * Not a Scala class: a companion {@code object Greeter extends Greeter} compiles to {@code Greeter$}, a
     * subclass of {@code Greeter} declared nested in nothing, whose own handlers were left unmeasured.
     */
    boolean isGeneratedSubclass() {
        if (scala || innerSimpleName != null) {
            return false;
        }
        if (isNamedAfter(superName)) {
            return true;
        }
        // An implementation generated for an interface (a Mockito subclass-maker spy of an interface with an
        // annotated default method, Mocks$Api$MockitoMock$...): its superclass is Object. Before, its override
        // counted each call, and the default method it calls counted it again (a re-tester).
        for (String implemented : interfaces) {
            if (isNamedAfter(implemented)) {
                return true;
            }
        }
        return false;
    }

    private boolean isNamedAfter(String type) {
        return type != null && internalName.length() > type.length() + 1 && internalName.startsWith(type)
                && internalName.charAt(type.length()) == '$';
    }

    /** Whether the class is Kotlin's: its method names may carry the compiler's mangling. */
    boolean isKotlin() {
        return kotlinMetadata != null;
    }

    /** The class's {@code kotlin.Metadata}, which tells its inline functions; null for a class that is not Kotlin's. */
    KotlinMetadata kotlinMetadata() {
        return kotlinMetadata;
    }

    /** Whether the class is Groovy's (it implements {@code GroovyObject}). */
    boolean isGroovy() {
        return groovy;
    }

    /**
     * Whether the class is a Groovy trait: Groovy copies the trait's annotated methods, annotation
     * and all, into each class that implements it, where they are measured.
     */
    boolean isGroovyTrait() {
        return groovyTrait;
    }

    /**
     * The simple name; for anonymous classes the binary name's last part ({@code Outer$1}); for a
     * Kotlin {@code companion object} (named {@code Companion}) the simple name of the class it
     * belongs to, whose functions it holds in the source: otherwise the companions of every class
     * would share the component {@code Companion}; for a Scala {@code object} ({@code Obj$}, the
     * object's own class) the object's name ({@code Obj}), as for the static forwarders that Scala
     * writes into the class {@code Obj}.
     */
    String simpleName() {
        if (kotlinMetadata != null && COMPANION.equals(innerSimpleName) && outerInternalName != null) {
            String outerSimpleName = nestedSimpleNames.get(outerInternalName);
            return outerSimpleName != null ? outerSimpleName
                    : outerInternalName.substring(outerInternalName.lastIndexOf('/') + 1);
        }
        String simpleName = innerSimpleName != null && !innerSimpleName.isEmpty() ? innerSimpleName
                : internalName.substring(internalName.lastIndexOf('/') + 1);
        if (scala && simpleName.length() > 1 && simpleName.endsWith("$")) {
            return simpleName.substring(0, simpleName.length() - 1);
        }
        return simpleName;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName,
            String[] interfaces) {
        this.majorVersion = version & 0xFFFF;
        if (interfaces != null) {
            for (String implemented : interfaces) {
                groovy |= implemented.equals(GROOVY_OBJECT);
            }
        }
        this.internalName = name;
        this.superName = superName;
        this.interfaces = interfaces == null ? NO_INTERFACES : interfaces;
        this.synthetic = (access & Opcodes.ACC_SYNTHETIC) != 0;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        if (descriptor.equals(KotlinMetadata.DESCRIPTOR)) {
            // Only its strings are kept here: they are decoded if the class has annotated methods.
            kotlinMetadata = new KotlinMetadata();
            return kotlinMetadata.reader();
        } else if (descriptor.equals(GROOVY_TRAIT)) {
            groovyTrait = true;
        }
        return null;
    }

    @Override
    public void visitAttribute(Attribute attribute) {
        if (isScalaAttribute(attribute.type)) {
            scala = true;
        }
    }

    /** Scala 2 writes {@code ScalaSig} or {@code Scala}, Scala 3 {@code TASTY} and {@code Scala}. */
    static boolean isScalaAttribute(String type) {
        return type.equals("Scala") || type.equals("ScalaSig") || type.equals("TASTY");
    }

    @Override
    public void visitInnerClass(String name, String outerName, String innerName, int access) {
        if (name.equals(internalName)) {
            innerSimpleName = innerName == null ? "" : innerName;
            outerInternalName = outerName;
        } else if (innerName != null && !innerName.isEmpty() && internalName.startsWith(name)) {
            // Perhaps the class this one is declared in (the entries come in any order).
            nestedSimpleNames.put(name, innerName);
        }
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
        final AnnotatedMethod method = new AnnotatedMethod(access, name, descriptor);
        return new MethodVisitor(Opcodes.ASM9) {
            @Override
            public AnnotationVisitor visitAnnotation(String annotationDescriptor, boolean visible) {
                if (!ANNOTATION_DESCRIPTOR.equals(annotationDescriptor)) {
                    method.withSpan |= OpenTelemetryAgent.isWithSpan(annotationDescriptor);
                    return null;
                }
                methods.add(method);
                return new AnnotationVisitor(Opcodes.ASM9) {
                    @Override
                    public void visit(String attribute, Object value) {
                        if (!(value instanceof String)) {
                            return;
                        }
                        if (attribute.equals("namespace")) {
                            method.namespace = (String) value;
                        } else if (attribute.equals("component")) {
                            method.component = (String) value;
                        } else if (attribute.equals("endpoint")) {
                            method.endpoint = (String) value;
                        }
                    }
                };
            }
        };
    }

    /**
     * Reads {@code max_locals} of the annotated methods from the class file's method table: the
     * weaver needs it before it sees the code (where ASM reports it last), and parsing every
     * method's code for it would cost more than this walk.
     */
    private void readMaxLocals(ClassReader reader) {
        char[] buffer = new char[reader.getMaxStringLength()];
        int offset = reader.header + 6;
        offset += 2 + 2 * reader.readUnsignedShort(offset);
        int fields = reader.readUnsignedShort(offset);
        offset += 2;
        for (int i = 0; i < fields; i++) {
            offset = skipAttributes(reader, offset + 6);
        }
        int methodCount = reader.readUnsignedShort(offset);
        offset += 2;
        for (int i = 0; i < methodCount; i++) {
            String name = reader.readUTF8(offset + 2, buffer);
            String descriptor = reader.readUTF8(offset + 4, buffer);
            AnnotatedMethod method = find(name, descriptor);
            int attributes = reader.readUnsignedShort(offset + 6);
            offset += 8;
            for (int j = 0; j < attributes; j++) {
                if (method != null && "Code".equals(reader.readUTF8(offset, buffer))) {
                    method.maxLocals = reader.readUnsignedShort(offset + 8);
                    method.superCallOwner = superCallOwner(reader, offset + 14, reader.readInt(offset + 10), method,
                            buffer);
                }
                offset += 6 + reader.readInt(offset + 2);
            }
        }
    }

    /** The longest code of a method that only calls its super method: {@code this}, its arguments, the call. */
    private static final int MAX_SUPER_CALL_CODE = 64;

    /**
     * The class whose method of the same name and descriptor the whole code of {@code method} calls with
     * {@code invokespecial} on {@code this} and its loaded values, returning what it returns: an override
     * that only calls {@code super} (a proxy that ByteBuddy's {@code SuperMethodCall} generated, copying the
     * annotation); null for any other code. Read from the code's bytes: the weaver parses no code to ask.
     */
    private static String superCallOwner(ClassReader reader, int code, int length, AnnotatedMethod method,
            char[] buffer) {
        if ((method.access & Opcodes.ACC_STATIC) != 0 || length < 5 || length > MAX_SUPER_CALL_CODE
                || reader.readByte(code) != ALOAD_0) {
            return null;
        }
        int end = code + length;
        int at = code + 1;
        while (at < end) {
            int opcode = reader.readByte(at);
            if (opcode >= FIRST_SHORT_LOAD && opcode <= LAST_SHORT_LOAD) {
                at += 1;
            } else if (opcode >= Opcodes.ILOAD && opcode <= Opcodes.ALOAD || opcode == Opcodes.CHECKCAST) {
                at += opcode == Opcodes.CHECKCAST ? 3 : 2;
            } else {
                break;
            }
        }
        if (at + 4 != end || reader.readByte(at) != Opcodes.INVOKESPECIAL
                || reader.readByte(at + 3) < Opcodes.IRETURN || reader.readByte(at + 3) > Opcodes.RETURN) {
            return null;
        }
        int called = reader.getItem(reader.readUnsignedShort(at + 1));
        int nameAndType = reader.getItem(reader.readUnsignedShort(called + 2));
        return method.name.equals(reader.readUTF8(nameAndType, buffer))
                && method.descriptor.equals(reader.readUTF8(nameAndType + 2, buffer))
                ? reader.readClass(called, buffer) : null;
    }

    private static int skipAttributes(ClassReader reader, int offset) {
        int attributes = reader.readUnsignedShort(offset);
        offset += 2;
        for (int j = 0; j < attributes; j++) {
            offset += 6 + reader.readInt(offset + 2);
        }
        return offset;
    }

    private AnnotatedMethod find(String name, String descriptor) {
        for (AnnotatedMethod method : methods) {
            if (method.is(name, descriptor)) {
                return method;
            }
        }
        return null;
    }
}
