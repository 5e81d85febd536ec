package dev.dynamo.agent.internal.instrumentation;

/**
 * Whether the thread loading a class has stack to spare for weaving it: a recursion of
 * {@value #FRAMES} small frames, about 150 KB while interpreted and a few tens of KB once compiled.
 * The first class of each kind that the weaver meets initialises classes of the weaver's, and an
 * initialisation that overflows the stack stays failed for the life of the JVM: every later class
 * would then load unmeasured. Where the stack is that short, the class is woven once loaded
 * instead, on a thread with a stack of its own ({@link StackStarvedClasses}).
 */
final class StackHeadroom {
    static final int FRAMES = 1_500;

    private StackHeadroom() {
    }

    /** Whether {@value #FRAMES} frames still fit on this thread's stack. */
    static boolean suffices() {
        return fits(FRAMES);
    }

    /** Whether {@code frames} small frames still fit on this thread's stack. */
    static boolean fits(int frames) {
        try {
            return descend(frames) == frames;
        } catch (StackOverflowError tooDeep) {
            return false;
        }
    }

    private static int descend(int frames) {
        return frames == 0 ? 0 : descend(frames - 1) + 1;
    }
}
