package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.ByteStreams;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which methods a class's {@code kotlin.Metadata} tells to be Kotlin inline functions. */
class KotlinMetadataTest {
    private static final int CLASS = 1;
    private static final int CLASS_FUNCTION = 9;
    private static final int FUNCTION_OLD_FLAGS = 1;
    private static final int FUNCTION_NAME = 2;
    private static final int FUNCTION_VALUE_PARAMETER = 6;
    private static final int FUNCTION_FLAGS = 9;
    private static final int FUNCTION_JVM_SIGNATURE = 100;
    private static final int IS_INFIX = 1 << 9;
    private static final int IS_INLINE = 1 << 10;
    private static final int IS_SUSPEND = 1 << 13;

    private static KotlinMetadata of(String className) throws Exception {
        try (InputStream in = KotlinMetadataTest.class.getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return EndpointScan.of(new ClassReader(ByteStreams.readAll(in, 4096))).kotlinMetadata();
        }
    }

    @Test
    void tellsTheInlineFunctionsOfAKotlinClassFromTheOthers() throws Exception {
        KotlinMetadata metadata = of("com.example.endpoints.InlineHandlers");

        assertTrue(metadata.isInline("quote", "(Ljava/lang/String;Lkotlin/jvm/functions/Function1;)I"));
        assertTrue(metadata.isInline("plain", "(I)I"));
        assertTrue(metadata.isInline("reified", "(Ljava/lang/Object;)Z"), "reified type parameters");
        assertTrue(metadata.isInline("suspended", "(ILkotlin/coroutines/Continuation;)Ljava/lang/Object;"), "suspend");
        assertFalse(metadata.isInline("quote", "(Ljava/lang/String;)I"),
                "an overload that is not inline, though it has the $i$f$quote marker of the inline quote it calls");
        assertFalse(metadata.isInline("caller", "(Ljava/lang/String;)I"));
        assertFalse(metadata.isInline("<init>", "()V"));
        assertFalse(metadata.isInline("absent", "()V"));
    }

    @Test
    void tellsTheInlineFunctionsOfACompanionObjectAndOfAFileFacade() throws Exception {
        assertTrue(of("com.example.endpoints.InlineHandlers$Companion").isInline("quote", "(Ljava/lang/String;I)I"));
        KotlinMetadata facade = of("com.example.endpoints.InlineHandlersKt");
        assertTrue(facade.isInline("topQuote", "(Ljava/lang/String;)I"));
        assertFalse(facade.isInline("topCaller", "(Ljava/lang/String;)I"));
    }

    @Test
    void aJavaClassHasNone() throws Exception {
        assertNull(of(KotlinMetadataTest.class.getName()));
        assertNotNull(of("com.example.endpoints.InlineHandlers"));
    }

    @Test
    void readsTheInlineFlagAtItsBitAndNoOther() {
        assertTrue(withFunction(function(FUNCTION_FLAGS, IS_INLINE, 0, 1), "f").isInline("f", "(I)V"));
        assertFalse(withFunction(function(FUNCTION_FLAGS, IS_INFIX, 0, 1), "f").isInline("f", "(I)V"));
        assertFalse(withFunction(function(FUNCTION_FLAGS, 6, 0, 1), "f").isInline("f", "(I)V"));
    }

    /** Older compilers wrote {@code old_flags}, two bits wider before memberKind: isInline was bit 12. */
    @Test
    void readsTheOldFlagsOfOlderCompilers() {
        assertTrue(withFunction(function(FUNCTION_OLD_FLAGS, 1 << 12, 0, 0), "f").isInline("f", "()V"));
        assertFalse(withFunction(function(FUNCTION_OLD_FLAGS, IS_INLINE, 0, 0), "f").isInline("f", "()V"));
    }

    @Test
    void countsTheContinuationOfASuspendFunctionAmongItsParameters() {
        KotlinMetadata metadata = withFunction(function(FUNCTION_FLAGS, IS_INLINE | IS_SUSPEND, 0, 1), "f");

        assertTrue(metadata.isInline("f", "(ILkotlin/coroutines/Continuation;)Ljava/lang/Object;"));
        assertFalse(metadata.isInline("f", "(I)V"));
    }

    /** A JVM name given by the signature extension ({@code @JvmName}, internal, value-class mangling) is the method's. */
    @Test
    void matchesTheJvmNameAndDescriptorOfTheSignatureExtension() {
        Proto signature = new Proto().varint(1, 1).varint(2, 2);
        Proto function = function(FUNCTION_FLAGS, IS_INLINE, 0, 2).message(FUNCTION_JVM_SIGNATURE, signature);
        KotlinMetadata metadata = withFunction(function, "valued", "valued-xMiNKh4", "(Ljava/lang/String;I)I");

        assertTrue(metadata.isInline("valued-xMiNKh4", "(Ljava/lang/String;I)I"));
        assertFalse(metadata.isInline("valued", "(Ljava/lang/String;I)I"), "the Kotlin name is not the JVM name");
        assertFalse(metadata.isInline("valued-xMiNKh4", "(Ljava/lang/String;J)I"), "another descriptor");
    }

    /** Overloads of one name, one inline: told apart by their number of parameters, or not at all. */
    @Test
    void anOverloadIsInlineOnlyWhereNoOtherOfItsShapeIsNot() {
        Proto overloads = new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE, 0, 2))
                .message(CLASS_FUNCTION, function(FUNCTION_FLAGS, 6, 0, 1));
        assertTrue(withDeclarations(CLASS, overloads, "f").isInline("f", "(II)I"));
        assertFalse(withDeclarations(CLASS, overloads, "f").isInline("f", "(I)I"));

        Proto sameShape = new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE, 0, 1))
                .message(CLASS_FUNCTION, function(FUNCTION_FLAGS, 6, 0, 1));
        assertFalse(withDeclarations(CLASS, sameShape, "f").isInline("f", "(J)I"), "unsure: measured as any other");
    }

    /** A string the string table changes (here a substring) is not taken for the name it may be. */
    @Test
    void aNameTheStringTableChangesIsUnknown() {
        Proto record = new Proto().varint(1, 1).message(4, new Proto().raw(0).raw(1));
        Proto table = new Proto().message(1, record);
        byte[] bytes = d1Bytes(table, new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE, 0, 0)));
        KotlinMetadata metadata = metadata(CLASS, new String[] {d1(bytes)}, "f");

        assertFalse(metadata.isInline("f", "()V"));
    }

    /** Kotlin's string table has a record for each string of d2: one without is not taken for a name either. */
    @Test
    void aNameNoRecordCoversIsUnknown() {
        byte[] bytes = d1Bytes(new Proto(), new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE, 0,
                0)));

        assertFalse(metadata(CLASS, new String[] {d1(bytes)}, "f").isInline("f", "()V"));
    }

    @Test
    void unreadableMetadataTellsNoInlineFunctionAndThrowsNothing() {
        byte[] whole = d1Bytes(plainTable(1), new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE, 0,
                0)));
        for (int length = 1; length < whole.length; length++) {
            byte[] truncated = new byte[length];
            System.arraycopy(whole, 0, truncated, 0, length);
            assertFalse(metadata(CLASS, new String[] {d1(truncated)}, "f").isInline("f", "()V"), "cut at " + length);
        }
        assertTrue(metadata(CLASS, new String[] {d1(whole)}, "f").isInline("f", "()V"), "whole, it reads");
        assertFalse(metadata(CLASS, new String[] {"\u0000\u0008\u00ff\u00ff\u00ff\u00ff"}, "f").isInline("f", "()V"));
        assertFalse(metadata(CLASS, new String[] {"\u0000\u0000\u004b"}, "f").isInline("f", "()V"), "a group");
        assertFalse(metadata(CLASS, new String[] {"\u0000\u0000\u4e00"}, "f").isInline("f", "()V"), "no byte");
        assertFalse(metadata(CLASS, new String[0], "f").isInline("f", "()V"));
    }

    /** Before Kotlin 1.4, d1 packed 8 bits into 7 (no marker): not read, so the method is measured as any other. */
    @Test
    void theOlderEncodingIsTakenForUnknown() {
        String whole = d1(d1Bytes(plainTable(1), new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE,
                0, 0))));

        assertFalse(metadata(CLASS, new String[] {whole.substring(1)}, "f").isInline("f", "()V"));
    }

    @Test
    void onlyClassesFileFacadesAndMultiFileClassPartsAreRead() {
        Proto packageFunctions = new Proto().message(3, function(FUNCTION_FLAGS, IS_INLINE, 0, 0));

        assertTrue(withDeclarations(2, packageFunctions, "f").isInline("f", "()V"));
        assertTrue(withDeclarations(5, packageFunctions, "f").isInline("f", "()V"));
        assertFalse(withDeclarations(3, packageFunctions, "f").isInline("f", "()V"), "a synthetic class");
        assertFalse(withDeclarations(4, packageFunctions, "f").isInline("f", "()V"), "a multi-file class facade");
    }

    /** The d1 strings split where Kotlin splits long ones: one byte per character across them all. */
    @Test
    void readsD1AcrossItsStrings() {
        String whole = d1(d1Bytes(plainTable(1), new Proto().message(CLASS_FUNCTION, function(FUNCTION_FLAGS, IS_INLINE,
                0, 0))));
        String[] split = {whole.substring(0, 3), whole.substring(3)};

        assertTrue(metadata(CLASS, split, "f").isInline("f", "()V"));
    }

    private static Proto function(int flagsField, int flags, int name, int parameters) {
        Proto function = new Proto().varint(flagsField, flags).varint(FUNCTION_NAME, name);
        for (int i = 0; i < parameters; i++) {
            function.message(FUNCTION_VALUE_PARAMETER, new Proto().varint(1, 0));
        }
        return function;
    }

    /** Of a class with one function, and a string table without records. */
    private static KotlinMetadata withFunction(Proto function, String... d2) {
        return withDeclarations(CLASS, new Proto().message(CLASS_FUNCTION, function), d2);
    }

    private static KotlinMetadata withDeclarations(int kind, Proto declarations, String... d2) {
        return metadata(kind, new String[] {d1(d1Bytes(plainTable(d2.length), declarations))}, d2);
    }

    /** A string table whose one record leaves {@code strings} strings of d2 as they are, as Kotlin writes names. */
    private static Proto plainTable(int strings) {
        return new Proto().message(1, new Proto().varint(1, strings));
    }

    /** Through the reader the first pass uses, as ASM reports the annotation. */
    private static KotlinMetadata metadata(int kind, String[] d1, String... d2) {
        KotlinMetadata metadata = new KotlinMetadata();
        AnnotationVisitor reader = metadata.reader();
        reader.visit("k", kind);
        reader.visitArray("mv");
        AnnotationVisitor strings = reader.visitArray("d1");
        for (String part : d1) {
            strings.visit(null, part);
        }
        strings.visitEnd();
        strings = reader.visitArray("d2");
        for (String part : d2) {
            strings.visit(null, part);
        }
        strings.visitEnd();
        reader.visitEnd();
        return metadata;
    }

    /** The string table, length-delimited, then the declarations. */
    private static byte[] d1Bytes(Proto stringTable, Proto declarations) {
        byte[] table = stringTable.bytes();
        Proto all = new Proto().raw(table.length);
        for (byte b : table) {
            all.out.write(b);
        }
        byte[] rest = declarations.bytes();
        all.out.write(rest, 0, rest.length);
        return all.bytes();
    }

    /** Kotlin's encoding since 1.4: the marker, then one character per byte. */
    private static String d1(byte[] bytes) {
        StringBuilder d1 = new StringBuilder().append('\u0000');
        for (byte b : bytes) {
            d1.append((char) (b & 0xff));
        }
        return d1.toString();
    }

    /** Writes protocol-buffers fields. */
    private static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto raw(long value) {
            long rest = value;
            while ((rest & ~0x7fL) != 0) {
                out.write((int) (rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            out.write((int) rest);
            return this;
        }

        Proto varint(int field, long value) {
            return raw(field << 3).raw(value);
        }

        Proto message(int field, Proto message) {
            byte[] bytes = message.bytes();
            raw(field << 3 | 2).raw(bytes.length);
            out.write(bytes, 0, bytes.length);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
