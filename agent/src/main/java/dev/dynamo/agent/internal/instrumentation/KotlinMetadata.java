package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Kotlin class's {@code kotlin.Metadata} annotation, read for one question: which of its methods
 * are the JVM methods of Kotlin {@code inline} functions. The Kotlin compiler copies an inline
 * function's body into its Kotlin callers, which then never call the method: measured, it would count
 * only Java's calls.
 *
 * <p>The first pass over the class only keeps the annotation's strings ({@code k}, {@code d1},
 * {@code d2}); they are decoded at the first question, which the weaver asks only of a class with
 * annotated methods. {@code d1} is the protocol-buffers encoding of the class's declarations
 * (Kotlin's {@code metadata.proto} and {@code jvm_metadata.proto}), {@code d2} the strings its
 * indices name. Only what the question needs is read: the functions of a class ({@code k=1}), a file
 * facade ({@code k=2}) or a multi-file class part ({@code k=5}), each with its flags, its name and
 * its JVM signature. Anything else, and any metadata that does not read as expected (the 8-to-7-bit
 * encoding of Kotlin before 1.4 among it), answers "not known to be inline": the method is measured
 * as any other.
 */
final class KotlinMetadata {
    static final String DESCRIPTOR = "Lkotlin/Metadata;";
    /** The suffix of the copy of a {@code suspend inline} function that Kotlin callers inline from. */
    static final String FOR_INLINE_SUFFIX = "$$forInline";

    private static final int KIND_CLASS = 1;
    private static final int KIND_FILE_FACADE = 2;
    private static final int KIND_MULTI_FILE_CLASS_PART = 5;
    /** What the first character of {@code d1} is when each further character is one byte. */
    private static final char UTF8_MODE_MARKER = '\u0000';

    // Field numbers of metadata.proto and jvm_metadata.proto.
    private static final int CLASS_FUNCTION = 9;
    private static final int PACKAGE_FUNCTION = 3;
    private static final int FUNCTION_OLD_FLAGS = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_RECEIVER_TYPE = 5;
    private static final int FUNCTION_VALUE_PARAMETER = 6;
    private static final int FUNCTION_RECEIVER_TYPE_ID = 8;
    private static final int FUNCTION_FLAGS = 9;
    private static final int FUNCTION_CONTEXT_RECEIVER_TYPE = 10;
    private static final int FUNCTION_CONTEXT_RECEIVER_TYPE_ID = 11;
    private static final int FUNCTION_CONTEXT_PARAMETER = 13;
    private static final int FUNCTION_JVM_SIGNATURE = 100;
    private static final int SIGNATURE_NAME = 1;
    private static final int SIGNATURE_DESC = 2;
    private static final int STRING_TABLE_RECORD = 1;
    private static final int RECORD_RANGE = 1;
    private static final int RECORD_OPERATION = 3;

    /** A function's flags when the metadata gives none: public, final, a declaration. */
    private static final int DEFAULT_FLAGS = 6;
    /** Flags: hasAnnotations (1 bit), visibility (3), modality (2), memberKind (2), isOperator, isInfix, then isInline. */
    private static final int IS_INLINE = 1 << 10;
    /** Flags: after isInline come isTailrec, isExternal, then isSuspend. */
    private static final int IS_SUSPEND = 1 << 13;

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    private int kind;
    private final List<String> d1 = new ArrayList<String>(1);
    private final List<String> d2 = new ArrayList<String>();
    /** The methods (name and descriptor) whose code declares their inline marker; read at the first question. */
    private Set<String> withInlineMarker;
    /** Decoded at the first question; empty when the metadata could not be read. */
    private List<Function> functions;

    /** Collects the annotation's {@code k}, {@code d1} and {@code d2}, skipping the rest. */
    AnnotationVisitor reader() {
        return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String name, Object value) {
                if ("k".equals(name) && value instanceof Integer) {
                    kind = (Integer) value;
                }
            }

            @Override
            public AnnotationVisitor visitArray(String name) {
                if ("d1".equals(name)) {
                    return strings(d1);
                }
                return "d2".equals(name) ? strings(d2) : null;
            }
        };
    }

    private static AnnotationVisitor strings(final List<String> into) {
        return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String name, Object value) {
                if (value instanceof String) {
                    into.add((String) value);
                }
            }
        };
    }

    /** What the metadata says of a JVM method ({@link #match}). */
    enum Match {
        /** No function of the metadata can be it: a property's accessor, or a method the compiler generated. */
        NO_FUNCTION,
        /** A function that is not inline can be it. */
        NOT_INLINE,
        /** Only inline functions can be it, one of them by its descriptor. */
        INLINE_BY_DESCRIPTOR,
        /**
         * Only inline functions can be it, by JVM name and number of parameters alone (the metadata leaves out a
         * descriptor that follows from the types). Matched so, a property's accessor of the same JVM name (an
         * extension getter {@code getLabel(String)} beside {@code inline fun getLabel(x: Int)}) was taken for the
         * inline function: {@link #declaresInlineMarker} decides.
         */
        INLINE_BY_NAME
    }

    /**
     * Which functions of the metadata method {@code name}{@code descriptor} can be the JVM method of: those of
     * its JVM name, and of its descriptor where the metadata gives it, else of its number of parameters.
     */
    Match match(String name, String descriptor) {
        if (functions == null) {
            functions = decode(kind, d1.toArray(new String[0]), d2.toArray(new String[0]));
        }
        int parameters = Type.getArgumentTypes(descriptor).length;
        boolean matched = false;
        boolean byDescriptor = false;
        for (Function function : functions) {
            if (function.is(name, descriptor, parameters)) {
                if (!function.inline) {
                    return Match.NOT_INLINE;
                }
                matched = true;
                byDescriptor |= function.hasDescriptor;
            }
        }
        return !matched ? Match.NO_FUNCTION : byDescriptor ? Match.INLINE_BY_DESCRIPTOR : Match.INLINE_BY_NAME;
    }

    /**
     * Whether method {@code name}{@code descriptor} is known to be the JVM method of a Kotlin inline
     * function: each function of the metadata that it can be is inline, and there is one ({@link #match}).
     */
    boolean isInline(String name, String descriptor) {
        Match match = match(name, descriptor);
        return match == Match.INLINE_BY_DESCRIPTOR || match == Match.INLINE_BY_NAME;
    }

    /**
     * Whether method {@code name}{@code descriptor} of {@code classFile} declares the local variable
     * {@code $i$f$<name>} that the Kotlin compiler gives the body of an inline function or an inline
     * property's accessor (the debugger's marker, copied into each caller along with the body). An accessor
     * of the same JVM name as an inline function has none, unless it calls that function; a class file
     * stripped of its local variables has none either, and its method is then measured, as before. The class
     * file is read once for all its methods.
     */
    boolean declaresInlineMarker(byte[] classFile, String name, String descriptor) {
        if (withInlineMarker == null) {
            withInlineMarker = methodsWithInlineMarker(classFile);
        }
        return withInlineMarker.contains(name + descriptor);
    }

    private static Set<String> methodsWithInlineMarker(byte[] classFile) {
        final Set<String> found = new HashSet<String>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, final String name, final String descriptor, String signature,
                    String[] exceptions) {
                final String marker = "$i$f$" + name;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLocalVariable(String variable, String variableDescriptor, String variableSignature,
                            Label start, Label end, int index) {
                        if (variable.equals(marker)) {
                            found.add(name + descriptor);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return found;
    }

    /** The functions that {@code d1} declares, or none when it does not read as expected. */
    static List<Function> decode(int kind, String[] d1, String[] d2) {
        int functionField;
        if (kind == KIND_CLASS) {
            functionField = CLASS_FUNCTION;
        } else if (kind == KIND_FILE_FACADE || kind == KIND_MULTI_FILE_CLASS_PART) {
            functionField = PACKAGE_FUNCTION;
        } else {
            return Collections.emptyList();
        }
        try {
            byte[] bytes = bytes(d1);
            if (bytes == null) {
                return Collections.emptyList();
            }
            ProtoReader in = new ProtoReader(bytes, 0, bytes.length);
            int stringTableLength = in.length();
            boolean[] plain = plainStrings(new ProtoReader(bytes, in.position, in.position + stringTableLength),
                    d2.length);
            in.skip(stringTableLength);
            List<Function> functions = new ArrayList<Function>();
            while (in.hasMore()) {
                int tag = in.varint();
                if (tag >>> 3 == functionField && (tag & 7) == WIRE_LENGTH_DELIMITED) {
                    int length = in.length();
                    functions.add(function(new ProtoReader(bytes, in.position, in.position + length), d2, plain));
                    in.skip(length);
                } else {
                    in.skipField(tag);
                }
            }
            return functions;
        } catch (MalformedMetadata | RuntimeException unreadable) {
            return Collections.emptyList();
        }
    }

    /**
     * The bytes of {@code d1} in the encoding of Kotlin 1.4 and later: a marker, then one byte per
     * character. Null for the 8-to-7-bit encoding of earlier versions, or characters that are no bytes.
     */
    private static byte[] bytes(String[] d1) {
        if (d1.length == 0 || d1[0].isEmpty() || d1[0].charAt(0) != UTF8_MODE_MARKER) {
            return null;
        }
        int length = -1;
        for (String part : d1) {
            length += part.length();
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int i = 0; i < d1.length; i++) {
            for (int c = i == 0 ? 1 : 0; c < d1[i].length(); c++) {
                char character = d1[i].charAt(c);
                if (character > 0xFF) {
                    return null;
                }
                bytes[at++] = (byte) character;
            }
        }
        return bytes;
    }

    /**
     * Which of the {@code count} strings of {@code d2} the string table's records leave as they are
     * (JvmProtoBuf.StringTableTypes): the others are changed (a substring, a predefined class name, ...)
     * or not covered, and are taken for unknown. Kotlin writes names and signatures as plain strings.
     */
    private static boolean[] plainStrings(ProtoReader table, int count) throws MalformedMetadata {
        boolean[] plain = new boolean[count];
        int index = 0;
        while (table.hasMore()) {
            int tag = table.varint();
            if (tag >>> 3 != STRING_TABLE_RECORD || (tag & 7) != WIRE_LENGTH_DELIMITED) {
                table.skipField(tag);
                continue;
            }
            int length = table.length();
            ProtoReader record = new ProtoReader(table.bytes, table.position, table.position + length);
            table.skip(length);
            int range = 1;
            boolean trivial = true;
            while (record.hasMore()) {
                int field = record.varint();
                if (field >>> 3 == RECORD_RANGE && (field & 7) == WIRE_VARINT) {
                    range = record.varint();
                } else if (field >>> 3 == RECORD_OPERATION && (field & 7) == WIRE_VARINT) {
                    trivial &= record.varint() == 0;
                } else {
                    trivial = false;
                    record.skipField(field);
                }
            }
            for (int i = 0; i < range && index < count; i++) {
                plain[index++] = trivial;
            }
        }
        return plain;
    }

    private static Function function(ProtoReader in, String[] d2, boolean[] plain) throws MalformedMetadata {
        int flags = -1;
        int oldFlags = -1;
        int name = -1;
        int parameters = 0;
        int jvmName = -1;
        int jvmDescriptor = -1;
        while (in.hasMore()) {
            int tag = in.varint();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == FUNCTION_FLAGS && wire == WIRE_VARINT) {
                flags = in.varint();
            } else if (field == FUNCTION_OLD_FLAGS && wire == WIRE_VARINT) {
                oldFlags = in.varint();
            } else if (field == FUNCTION_NAME && wire == WIRE_VARINT) {
                name = in.varint();
            } else if (field == FUNCTION_RECEIVER_TYPE || field == FUNCTION_RECEIVER_TYPE_ID
                    || field == FUNCTION_VALUE_PARAMETER || field == FUNCTION_CONTEXT_RECEIVER_TYPE
                    || field == FUNCTION_CONTEXT_PARAMETER) {
                parameters++;
                in.skipField(tag);
            } else if (field == FUNCTION_CONTEXT_RECEIVER_TYPE_ID && wire == WIRE_LENGTH_DELIMITED) {
                // Packed: one varint per context receiver.
                int length = in.length();
                ProtoReader ids = new ProtoReader(in.bytes, in.position, in.position + length);
                in.skip(length);
                while (ids.hasMore()) {
                    ids.varint();
                    parameters++;
                }
            } else if (field == FUNCTION_JVM_SIGNATURE && wire == WIRE_LENGTH_DELIMITED) {
                int length = in.length();
                ProtoReader signature = new ProtoReader(in.bytes, in.position, in.position + length);
                in.skip(length);
                while (signature.hasMore()) {
                    int signatureTag = signature.varint();
                    if (signatureTag == (SIGNATURE_NAME << 3 | WIRE_VARINT)) {
                        jvmName = signature.varint();
                    } else if (signatureTag == (SIGNATURE_DESC << 3 | WIRE_VARINT)) {
                        jvmDescriptor = signature.varint();
                    } else {
                        signature.skipField(signatureTag);
                    }
                }
            } else {
                // A context receiver id not packed is one too.
                parameters += field == FUNCTION_CONTEXT_RECEIVER_TYPE_ID ? 1 : 0;
                in.skipField(tag);
            }
        }
        if (flags == -1) {
            flags = oldFlags == -1 ? DEFAULT_FLAGS : newFlags(oldFlags);
        }
        if ((flags & IS_SUSPEND) != 0) {
            parameters++; // the continuation
        }
        String kotlinName = string(name, d2, plain);
        return new Function(jvmName == -1 ? kotlinName : string(jvmName, d2, plain),
                jvmDescriptor == -1 ? null : string(jvmDescriptor, d2, plain), jvmDescriptor != -1, parameters,
                (flags & IS_INLINE) != 0);
    }

    /** Flags in the layout of {@code old_flags}, which had two more bits before memberKind, in today's. */
    private static int newFlags(int oldFlags) {
        return (oldFlags & 0x3f) + ((oldFlags >>> 8) << 6);
    }

    /** String {@code index} of {@code d2}, or null when it is no plain one. */
    private static String string(int index, String[] d2, boolean[] plain) {
        return index >= 0 && index < d2.length && plain[index] ? d2[index] : null;
    }

    /** One function of the metadata, as its JVM method shows it. */
    static final class Function {
        /** Null when unknown. */
        final String jvmName;
        /** Null when the metadata gives none (it follows from the types) or an unknown one. */
        final String descriptor;
        final boolean hasDescriptor;
        /** Of the JVM method: receivers, parameters, and a suspend function's continuation. */
        final int parameters;
        final boolean inline;

        Function(String jvmName, String descriptor, boolean hasDescriptor, int parameters, boolean inline) {
            this.jvmName = jvmName;
            this.descriptor = descriptor;
            this.hasDescriptor = hasDescriptor;
            this.parameters = parameters;
            this.inline = inline;
        }

        boolean is(String name, String methodDescriptor, int methodParameters) {
            if (jvmName == null || !jvmName.equals(name)) {
                return false;
            }
            return hasDescriptor ? methodDescriptor.equals(descriptor) : parameters == methodParameters;
        }
    }

    /** Metadata that does not read as protocol buffers of the expected layout. */
    private static final class MalformedMetadata extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedMetadata() {
            super(null, null, false, false);
        }
    }

    /** Reads protocol-buffers fields from {@code bytes} between {@code position} and {@code end}. */
    private static final class ProtoReader {
        final byte[] bytes;
        int position;
        final int end;

        ProtoReader(byte[] bytes, int position, int end) throws MalformedMetadata {
            if (position < 0 || end > bytes.length || position > end) {
                throw new MalformedMetadata();
            }
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        /** A varint, as an int32 field reads it (its low 32 bits). */
        int varint() throws MalformedMetadata {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw new MalformedMetadata();
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return (int) value;
                }
            }
            throw new MalformedMetadata();
        }

        /** The length of a length-delimited field, checked against what is left. */
        int length() throws MalformedMetadata {
            int length = varint();
            if (length < 0 || length > end - position) {
                throw new MalformedMetadata();
            }
            return length;
        }

        void skip(int count) throws MalformedMetadata {
            if (count < 0 || count > end - position) {
                throw new MalformedMetadata();
            }
            position += count;
        }

        void skipField(int tag) throws MalformedMetadata {
            switch (tag & 7) {
                case WIRE_VARINT:
                    varint();
                    break;
                case WIRE_FIXED64:
                    skip(8);
                    break;
                case WIRE_LENGTH_DELIMITED:
                    skip(length());
                    break;
                case WIRE_FIXED32:
                    skip(4);
                    break;
                default:
                    // Groups, or no protocol buffers at all.
                    throw new MalformedMetadata();
            }
        }
    }
}
