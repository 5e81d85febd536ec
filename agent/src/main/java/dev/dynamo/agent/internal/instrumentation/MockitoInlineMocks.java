package dev.dynamo.agent.internal.instrumentation;

import java.nio.charset.StandardCharsets;

/**
 * What the weaver knows of Mockito's inline mock maker (Mockito 5's default), which rewrites a
 * mocked or spied class so that each method first asks Mockito's dispatcher whether the call is a
 * mock's: a mock's call returns the stub without running the method's code; a spy's real call runs
 * the method once more, which the dispatcher then lets through.
 *
 * <p>As with {@link OpenTelemetryAgent}, the JVM applies the rewrites in the order the agents started,
 * the last one's code outermost. Mockito attaching itself (its default) or given as {@code -javaagent}
 * after this agent: its dispatch is outside the measurement, and counts are exact. Given as
 * {@code -javaagent} before it (as Mockito's documentation suggests for Java 21 and later, ahead of an
 * agent appended to the same line): the measurement is outside the dispatch, so every call of a mock
 * counts as a request and every real call through a spy counts twice (a tester, Mockito 5.20). The
 * weaver tells that case by the class file it is given at the retransformation that makes a mock:
 * Mockito's dispatch is in it already.
 */
final class MockitoInlineMocks {
    /** In every method Mockito's inline mock maker has rewritten: its code asks this class. */
    private static final BytePattern DISPATCH =
            new BytePattern("org/mockito/internal/creation/bytebuddy/inject/MockMethodDispatcher"
                    .getBytes(StandardCharsets.UTF_8));
    /** The key of the one warning. */
    static final String WARNING_KEY = "mockito started first";

    private MockitoInlineMocks() {
    }

    /** Whether Mockito rewrote {@code classFile} before this agent was given it. */
    static boolean wove(byte[] classFile) {
        return DISPATCH.occursIn(classFile);
    }

    /** The warning for {@code className}, a class whose measurement wraps Mockito's dispatch. */
    static String measuredOutside(String className) {
        return "@DynamoEndpoint methods of " + className + " are measured outside Mockito's mock dispatch: Mockito's"
                + " agent started before this one, so each call of a mock counts as a request and each real call"
                + " through a spy counts twice, for every class Mockito mocks. Put -javaagent:dynamo-agent.jar before"
                + " Mockito's -javaagent, or let Mockito attach itself; an agent in JAVA_TOOL_OPTIONS starts before"
                + " those on the command line";
    }
}
