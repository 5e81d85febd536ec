package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;

/**
 * Weaves a method as APM agents built on Byte Buddy do (Elastic APM, Datadog): enter and exit
 * advice, with the arguments copied to new local variables on which the method's body then runs, so
 * that the exit advice sees them as they came in.
 */
final class ArgumentCopyingAdvice {
    private ArgumentCopyingAdvice() {
    }

    /** {@code classFile} of {@code className} with advice around its methods named {@code method}. */
    static byte[] apply(String className, byte[] classFile, String method) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(className, classFile),
                ClassFileLocator.ForClassLoader.of(ArgumentCopyingAdvice.class.getClassLoader()));
        return new ByteBuddy()
                .redefine(TypePool.Default.of(locator).describe(className).resolve(), locator)
                .visit(Advice.to(Span.class).on(ElementMatchers.named(method)))
                .make()
                .getBytes();
    }

    /** A span around the call, as an APM agent keeps one. */
    static final class Span {
        private Span() {
        }

        @Advice.OnMethodEnter
        static long enter() {
            return System.nanoTime();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, backupArguments = true)
        static void exit(@Advice.Enter long start) {
            // The span would end here; an exit advice is what makes Byte Buddy copy the arguments.
        }
    }
}
