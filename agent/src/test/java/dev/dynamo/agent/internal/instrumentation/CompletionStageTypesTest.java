package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the weaver learns whether a declared return type is a {@code CompletionStage}, and what reading that costs. */
class CompletionStageTypesTest {
    private static final String FUTURE = "java/util/concurrent/CompletableFuture";
    private static final String STAGE = "java/util/concurrent/CompletionStage";

    private final CompletionStageTypes types = new CompletionStageTypes(new ClassFileLookup());

    @Test
    void applicationTypesAreCompletionStagesThroughTheirSuperclassesAndInterfaces() {
        ClassFiles files = new ClassFiles()
                .type("app/AppFuture", FUTURE)
                .type("app/DeeperFuture", "app/AppFuture")
                .type("app/Staged", "java/lang/Object", STAGE)
                .type("app/StagedBase", "java/lang/Object", "java/io/Serializable", "app/Staged")
                .type("app/StagedImpl", "app/StagedBase")
                .type("app/Reply", "java/lang/Object", "java/io/Serializable");

        assertTrue(types.mayBeCompletionStage(files, "app/DeeperFuture", false));
        assertTrue(types.mayBeCompletionStage(files, "app/StagedImpl", false));
        assertFalse(types.mayBeCompletionStage(files, "app/Reply", false));
        assertTrue(types.mayBeCompletionStage(files, FUTURE, false));
        assertTrue(types.mayBeCompletionStage(files, STAGE, false));
        assertFalse(types.mayBeCompletionStage(files, "java/lang/String", false));
    }

    /** The woven code then asks the returned object, so that a stage is never taken for a plain value. */
    @Test
    void aTypeWhoseHierarchyCannotBeReadMayBeAStage() {
        ClassFiles files = new ClassFiles()
                .type("app/OverAMissingType", "app/NotOnTheClassPath")
                .type("app/Reply", "java/lang/Object");

        assertTrue(types.mayBeCompletionStage(files, "app/NotOnTheClassPath", false));
        assertTrue(types.mayBeCompletionStage(files, "app/OverAMissingType", false));
        assertFalse(types.mayBeCompletionStage(files, "app/Reply", false), "a type read whole is only what it is");
    }

    @Test
    void eachClassFileIsReadOnceForTheSameLoaderIncludingTheTypesReadOnTheWay() {
        ClassFiles files = new ClassFiles()
                .type("app/AppFuture", FUTURE)
                .type("app/DeeperFuture", "app/AppFuture")
                .type("app/Reply", "java/lang/Object");

        assertTrue(types.mayBeCompletionStage(files, "app/DeeperFuture", false));
        assertFalse(types.mayBeCompletionStage(files, "app/Reply", false));
        assertEquals(3, files.reads);

        assertTrue(types.mayBeCompletionStage(files, "app/DeeperFuture", false));
        assertTrue(types.mayBeCompletionStage(files, "app/AppFuture", false));
        assertFalse(types.mayBeCompletionStage(files, "app/Reply", false));
        assertEquals(3, files.reads, "answered from what the first questions read");
    }

    @Test
    void answersAreKeptForOneLoaderOnlyBecauseAnotherMayDefineTheSameNameDifferently() {
        ClassFiles stage = new ClassFiles().type("app/Result", FUTURE);
        ClassFiles plain = new ClassFiles().type("app/Result", "java/lang/Object");

        assertTrue(types.mayBeCompletionStage(stage, "app/Result", false));
        assertFalse(types.mayBeCompletionStage(plain, "app/Result", false));
        assertTrue(types.mayBeCompletionStage(stage, "app/Result", false));
        assertEquals(2, stage.reads);
        assertEquals(1, plain.reads);
    }

    @Test
    void theAnswersHoldTheirLoaderWeakly() throws InterruptedException {
        ClassFiles files = new ClassFiles().type("app/Reply", "java/lang/Object");
        assertFalse(types.mayBeCompletionStage(files, "app/Reply", false));
        WeakReference<ClassFiles> released = new WeakReference<ClassFiles>(files);
        files = null;

        for (int i = 0; i < 100 && released.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(released.get(), "the loader is collectable while its answers are kept");
    }

    @Test
    void atMostMaxAnswersAreKept() {
        ClassFiles files = new ClassFiles();
        for (int i = 0; i <= CompletionStageTypes.MAX_ANSWERS; i++) {
            files.type("app/Type" + i, "java/lang/Object");
        }
        for (int i = 0; i <= CompletionStageTypes.MAX_ANSWERS; i++) {
            assertFalse(types.mayBeCompletionStage(files, "app/Type" + i, false));
        }
        int reads = files.reads;

        assertFalse(types.mayBeCompletionStage(files, "app/Type0", false));
        assertEquals(reads, files.reads, "the first answers are kept");
        assertFalse(types.mayBeCompletionStage(files, "app/Type" + CompletionStageTypes.MAX_ANSWERS, false));
        assertEquals(reads + 1, files.reads, "the answer beyond the bound was not kept, so it is read again");
    }

    @Test
    void aHierarchyDeeperThanTheReadBoundIsNotAStageAndThatAnswerIsNotKept() {
        ClassFiles files = new ClassFiles();
        int depth = 70;
        for (int i = 0; i < depth; i++) {
            files.type("app/Level" + i, i == depth - 1 ? FUTURE : "app/Level" + (i + 1));
        }

        assertFalse(types.mayBeCompletionStage(files, "app/Level0", false), "reading stops after 64 class files");
        int reads = files.reads;
        assertEquals(64, reads);
        assertFalse(types.mayBeCompletionStage(files, "app/Level0", false));
        assertEquals(2 * reads, files.reads, "an answer cut short is asked again, not taken as known");
        assertTrue(types.mayBeCompletionStage(files, "app/Level10", false), "a question from further down reaches the top");
    }

    /** A class loader that serves generated class files with the given supertypes and counts the reads. */
    private static final class ClassFiles extends ClassLoader {
        private final Map<String, byte[]> files = new HashMap<String, byte[]>();
        int reads;

        ClassFiles() {
            super(null);
        }

        ClassFiles type(String internalName, String superName, String... interfaces) {
            files.put(internalName + ".class", classFile(internalName, superName, interfaces));
            return this;
        }

        private static byte[] classFile(String internalName, String superName, String... interfaces) {
            ClassWriter writer = new ClassWriter(0);
            boolean isInterface = superName.equals("java/lang/Object") && interfaces.length == 1
                    && interfaces[0].equals(STAGE);
            writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | (isInterface ? Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT : 0),
                    internalName, null, superName, interfaces);
            writer.visitEnd();
            return writer.toByteArray();
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            reads++;
            byte[] file = files.get(name);
            return file == null ? null : new ByteArrayInputStream(file);
        }
    }
}
