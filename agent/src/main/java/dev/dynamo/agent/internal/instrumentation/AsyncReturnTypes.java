package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Answers which of the asynchronous types found only through a type's hierarchy a method's declared
 * return type is: a {@code CompletionStage} (the JDK's, or an application's subtype such as its own
 * {@code CompletableFuture}), an eager future of a library ({@link MethodShape#EAGER_FUTURES}: Vert.x's
 * {@code CompositeFuture}, Guava's {@code SettableFuture}, an application's subinterface), or neither. It reads class files through the class loader of the class
 * being woven, without loading any class: the weaver runs while the application's classes are being
 * loaded. A type whose class file, or one of whose supertypes' class files, cannot be found (a class
 * loader that defines classes from bytes it serves to no one) may be a stage: its methods are woven
 * to ask the object they return ({@code WovenCalls.exitStage} times a {@code CompletionStage} to its
 * completion and anything else to the return), which costs one {@code instanceof} a call instead of
 * a guess.
 *
 * <p>Reading a class file through a class loader costs a good part of what weaving a small class
 * does, and an application's handlers return the same few types over and over (a framework's
 * response type, a DTO shared by several endpoints). So the answers are remembered, with the hierarchy read on the
 * way, for the class loader asked about last, which in most applications defines every annotated
 * class. Asked about another loader, it forgets them. It holds that loader weakly and at most
 * {@value #MAX_ANSWERS} answers, so it keeps no loader alive and stays small.
 *
 * <p>Class files are read by a {@link ClassFileLookup}, from the loader's own class path first.
 */
final class AsyncReturnTypes {
    private static final String COMPLETION_STAGE = "java/util/concurrent/CompletionStage";
    /** JDK types that are completion stages; other {@code java.*} types are not read, for speed. */
    private static final String[] JDK_COMPLETION_STAGES = {COMPLETION_STAGE, "java/util/concurrent/CompletableFuture"};
    /** Class files read for one question at most: a bound for hierarchies that are deep or broken. */
    private static final int MAX_TYPES_READ = 64;
    static final int MAX_ANSWERS = 1024;

    private final ClassFileLookup classFiles;
    private WeakReference<ClassLoader> answersLoader = new WeakReference<ClassLoader>(null);
    /** Internal name to answer, for {@link #answersLoader}; guarded by {@code this}. */
    private final Map<String, MethodShape> answers = new HashMap<String, MethodShape>();

    AsyncReturnTypes(ClassFileLookup classFiles) {
        this.classFiles = classFiles;
    }

    /**
     * What {@code type} (an internal name), seen from {@code loader}, is: {@link MethodShape#COMPLETION_STAGE}
     * when it is or implements {@code CompletionStage}, or may, because a class file of its hierarchy
     * cannot be read; {@link MethodShape#FUTURE} when it is or extends an eager future of a library;
     * {@link MethodShape#SYNCHRONOUS} when it is neither.
     *
     * @param loaderLocked whether another thread holds {@code loader}'s lock and waits for this one:
     *                     nothing is read through {@code loader} itself then (see {@link ClassFileLookup}),
     *                     and nothing learned is kept, as the loader may serve what was not found
     */
    MethodShape shapeOf(ClassLoader loader, String type, boolean loaderLocked) {
        synchronized (this) {
            if (answersLoader.get() == loader) {
                MethodShape known = answers.get(type);
                if (known != null) {
                    return known;
                }
            }
        }
        // Read outside the lock: classes of several threads may be woven at once.
        Map<String, MethodShape> learned = new HashMap<String, MethodShape>();
        MethodShape answer = new Question(loader, loaderLocked, classFiles, learned).shapeOf(type, new HashSet<String>());
        if (loaderLocked) {
            return answer;
        }
        synchronized (this) {
            if (answersLoader.get() != loader) {
                answers.clear();
                answersLoader = new WeakReference<ClassLoader>(loader);
            }
            if (answers.size() + learned.size() <= MAX_ANSWERS) {
                answers.putAll(learned);
            }
        }
        return answer;
    }

    /** One question: reads class files up to {@link #MAX_TYPES_READ}, and notes the answers it is sure of. */
    private static final class Question {
        private final ClassLoader loader;
        private final boolean loaderLocked;
        private final ClassFileLookup classFiles;
        private final Map<String, MethodShape> learned;
        private int typesRead;
        /** Whether an answer came from running out of reads, so that it and those built on it are not noted. */
        private boolean cutShort;

        Question(ClassLoader loader, boolean loaderLocked, ClassFileLookup classFiles, Map<String, MethodShape> learned) {
            this.loader = loader;
            this.loaderLocked = loaderLocked;
            this.classFiles = classFiles;
            this.learned = learned;
        }

        MethodShape shapeOf(String type, Set<String> visited) {
            if (type.startsWith("java/")) {
                for (String stage : JDK_COMPLETION_STAGES) {
                    if (stage.equals(type)) {
                        return MethodShape.COMPLETION_STAGE;
                    }
                }
                return MethodShape.SYNCHRONOUS;
            }
            if (MethodShape.isEagerFuture(type)) {
                return MethodShape.FUTURE;
            }
            if (!visited.add(type)) {
                // Reached again through another interface: its first visit gives the answer.
                return MethodShape.SYNCHRONOUS;
            }
            if (typesRead >= MAX_TYPES_READ) {
                cutShort = true;
                return MethodShape.SYNCHRONOUS;
            }
            ClassReader reader = read(type);
            // Unreadable: the object the method returns decides, at each call.
            MethodShape answer = reader == null ? MethodShape.COMPLETION_STAGE : MethodShape.SYNCHRONOUS;
            if (reader != null) {
                String superName = reader.getSuperName();
                if (superName != null) {
                    answer = shapeOf(superName, visited);
                }
                for (String implemented : reader.getInterfaces()) {
                    if (answer == MethodShape.COMPLETION_STAGE) {
                        break;
                    }
                    MethodShape byInterface = shapeOf(implemented, visited);
                    answer = byInterface == MethodShape.SYNCHRONOUS ? answer : byInterface;
                }
            }
            if (answer != MethodShape.SYNCHRONOUS || !cutShort) {
                learned.put(type, answer);
            }
            return answer;
        }

        private ClassReader read(String type) {
            typesRead++;
            try {
                byte[] classFile = classFiles.read(loader, type, loaderLocked);
                return classFile == null ? null : new ClassReader(classFile);
            } catch (IOException | RuntimeException unreadable) {
                return null;
            }
        }
    }
}
