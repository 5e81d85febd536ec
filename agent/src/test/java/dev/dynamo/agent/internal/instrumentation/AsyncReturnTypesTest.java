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
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * How the weaver learns whether a declared return type is a {@code CompletionStage} or a Vert.x {@code Future},
 * and what reading that costs.
 */
class AsyncReturnTypesTest {
    private static final String FUTURE = "java/util/concurrent/CompletableFuture";
    private static final String STAGE = "java/util/concurrent/CompletionStage";
    private static final String VERTX_FUTURE = "io/vertx/core/Future";

    private final AsyncReturnTypes types = new AsyncReturnTypes(new ClassFileLookup());

    @Test
    void applicationTypesAreCompletionStagesThroughTheirSuperclassesAndInterfaces() {
        ClassFiles files = new ClassFiles()
                .type("app/AppFuture", FUTURE)
                .type("app/DeeperFuture", "app/AppFuture")
                .type("app/Staged", "java/lang/Object", STAGE)
                .type("app/StagedBase", "java/lang/Object", "java/io/Serializable", "app/Staged")
                .type("app/StagedImpl", "app/StagedBase")
                .type("app/Reply", "java/lang/Object", "java/io/Serializable");

        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/DeeperFuture", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/StagedImpl", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Reply", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, FUTURE, false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, STAGE, false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "java/lang/String", false));
    }

    @Test
    void vertxFutureSubtypesAreFuturesThroughTheirInterfaces() {
        ClassFiles files = new ClassFiles()
                .type("io/vertx/core/CompositeFuture", "java/lang/Object", VERTX_FUTURE)
                .type("app/Pending", "java/lang/Object", "java/io/Serializable", "io/vertx/core/CompositeFuture")
                .type("app/Both", FUTURE, VERTX_FUTURE);

        assertEquals(MethodShape.FUTURE, types.shapeOf(files, VERTX_FUTURE, false));
        assertEquals(MethodShape.FUTURE, types.shapeOf(files, "io/vertx/core/CompositeFuture", false));
        assertEquals(MethodShape.FUTURE, types.shapeOf(files, "app/Pending", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/Both", false),
                "a CompletionStage first: its completion is the JDK's contract");
    }

    @Test
    void subtypesOfGuavasScalasAndKotlinsFuturesAreFuturesThroughTheirHierarchy() {
        ClassFiles files = new ClassFiles()
                .type("com/google/common/util/concurrent/AbstractFuture", "java/lang/Object",
                        "com/google/common/util/concurrent/ListenableFuture")
                .type("com/google/common/util/concurrent/SettableFuture", "com/google/common/util/concurrent/AbstractFuture")
                .type("scala/concurrent/impl/Promise$DefaultPromise", "java/lang/Object", "scala/concurrent/Future")
                .type("kotlinx/coroutines/CompletableDeferred", "java/lang/Object", "kotlinx/coroutines/Deferred")
                .type("app/Plain", "java/lang/Object", "java/util/concurrent/Future");

        assertEquals(MethodShape.FUTURE, types.shapeOf(files, "com/google/common/util/concurrent/SettableFuture", false));
        assertEquals(MethodShape.FUTURE, types.shapeOf(files, "scala/concurrent/impl/Promise$DefaultPromise", false));
        assertEquals(MethodShape.FUTURE, types.shapeOf(files, "kotlinx/coroutines/CompletableDeferred", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Plain", false), "the JDK's Future alone");
    }

    /** The woven code then asks the returned object, so that a stage is never taken for a plain value. */
    @Test
    void aTypeWhoseHierarchyCannotBeReadMayBeAStage() {
        ClassFiles files = new ClassFiles()
                .type("app/OverAMissingType", "app/NotOnTheClassPath")
                .type("app/Reply", "java/lang/Object");

        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/NotOnTheClassPath", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/OverAMissingType", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Reply", false), "a type read whole is only what it is");
    }

    @Test
    void eachClassFileIsReadOnceForTheSameLoaderIncludingTheTypesReadOnTheWay() {
        ClassFiles files = new ClassFiles()
                .type("app/AppFuture", FUTURE)
                .type("app/DeeperFuture", "app/AppFuture")
                .type("app/Reply", "java/lang/Object");

        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/DeeperFuture", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Reply", false));
        assertEquals(3, files.reads);

        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/DeeperFuture", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/AppFuture", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Reply", false));
        assertEquals(3, files.reads, "answered from what the first questions read");
    }

    @Test
    void answersAreKeptForOneLoaderOnlyBecauseAnotherMayDefineTheSameNameDifferently() {
        ClassFiles stage = new ClassFiles().type("app/Result", FUTURE);
        ClassFiles plain = new ClassFiles().type("app/Result", "java/lang/Object");

        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(stage, "app/Result", false));
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(plain, "app/Result", false));
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(stage, "app/Result", false));
        assertEquals(2, stage.reads);
        assertEquals(1, plain.reads);
    }

    @Test
    void theAnswersHoldTheirLoaderWeakly() throws InterruptedException {
        ClassFiles files = new ClassFiles().type("app/Reply", "java/lang/Object");
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Reply", false));
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
        for (int i = 0; i <= AsyncReturnTypes.MAX_ANSWERS; i++) {
            files.type("app/Type" + i, "java/lang/Object");
        }
        for (int i = 0; i <= AsyncReturnTypes.MAX_ANSWERS; i++) {
            assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Type" + i, false));
        }
        int reads = files.reads;

        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Type0", false));
        assertEquals(reads, files.reads, "the first answers are kept");
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Type" + AsyncReturnTypes.MAX_ANSWERS, false));
        assertEquals(reads + 1, files.reads, "the answer beyond the bound was not kept, so it is read again");
    }

    @Test
    void aHierarchyDeeperThanTheReadBoundIsNotAStageAndThatAnswerIsNotKept() {
        ClassFiles files = new ClassFiles();
        int depth = 70;
        for (int i = 0; i < depth; i++) {
            files.type("app/Level" + i, i == depth - 1 ? FUTURE : "app/Level" + (i + 1));
        }

        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Level0", false), "reading stops after 64 class files");
        int reads = files.reads;
        assertEquals(64, reads);
        assertEquals(MethodShape.SYNCHRONOUS, types.shapeOf(files, "app/Level0", false));
        assertEquals(2 * reads, files.reads, "an answer cut short is asked again, not taken as known");
        assertEquals(MethodShape.COMPLETION_STAGE, types.shapeOf(files, "app/Level10", false), "a question from further down reaches the top");
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
                    && (interfaces[0].equals(STAGE) || interfaces[0].equals(VERTX_FUTURE));
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
