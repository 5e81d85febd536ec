package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;

import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;

/**
 * Instruments every method annotated {@code @DynamoEndpoint}: registers an
 * {@link EndpointTransformer} for classes loaded from now on and retransforms the annotated classes
 * that are loaded already: after a dynamic attach, and at {@code premain} those that an agent before
 * this one loaded (its own {@code premain} calling into the application, or an agent of
 * {@code JAVA_TOOL_OPTIONS}, whose options come first). Class formats never change, so
 * retransformation is always allowed.
 *
 * <pre>{@code
 * EndpointInstrumentation.install(instrumentation, "dynamo", false);
 * }</pre>
 */
public final class EndpointInstrumentation {
    private static final AgentLog LOG = AgentLog.get(EndpointInstrumentation.class);

    private EndpointInstrumentation() {
    }

    /**
     * Installs the instrumentation.
     *
     * @param defaultNamespace       the namespace of annotations that name none
     * @param attached               whether the agent was attached to a running JVM, whose classes are mostly
     *                               loaded; at {@code premain} the few loaded before it are looked at, and
     *                               nothing is said when none is annotated
     * @return the transformer, so that tests can remove it again
     */
    public static EndpointTransformer install(Instrumentation instrumentation, String defaultNamespace,
            boolean attached) {
        EndpointTransformer transformer = new EndpointTransformer(defaultNamespace,
                instrumentation.isRetransformClassesSupported() ? instrumentation : null);
        instrumentation.addTransformer(transformer, true);
        if (instrumentation.isRetransformClassesSupported()) {
            retransformAnnotated(instrumentation, transformer, attached);
        }
        return transformer;
    }

    /**
     * Weaves the classes whose first load had no stack left for it, if some wait for a thread to do
     * so ({@link StackStarvedClasses}); cheap when none wait.
     */
    public static void weaveStackStarvedClasses() {
        StackStarvedClasses.lookIfAnyWaiting();
    }

    private static void retransformAnnotated(Instrumentation instrumentation, EndpointTransformer transformer,
            boolean attached) {
        List<Class<?>> annotated = new ArrayList<Class<?>>();
        ClassFileLookup classFiles = new ClassFileLookup();
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getClassLoader() != null && instrumentation.isModifiableClass(loaded)
                    && transformer.isCandidate(loaded, classFiles)) {
                annotated.add(loaded);
            }
        }
        if (annotated.isEmpty() && !attached) {
            // What almost every start finds: the JDK's classes and the agent's own. Asking the JVM to retransform
            // no class would still stop the application for a moment.
            return;
        }
        int instrumented = annotated.size();
        try {
            // All in one call: for each call the JVM stops the application and walks every loaded class,
            // so one call per class took 9.5 s to attach to an application with 1,000 annotated classes.
            instrumentation.retransformClasses(annotated.toArray(new Class<?>[0]));
        } catch (UnmodifiableClassException | RuntimeException | LinkageError | InternalError failed) {
            // Then no class was changed. One at a time, so that a class that cannot be retransformed does not
            // stop the others (the JVM throws InternalError for a class it refused to verify).
            LOG.debug("retransforming " + annotated.size() + " classes in one call failed, so one at a time: " + failed);
            for (Class<?> type : annotated) {
                try {
                    instrumentation.retransformClasses(type);
                } catch (UnmodifiableClassException | RuntimeException | LinkageError | InternalError failedAlone) {
                    instrumented--;
                    InstrumentedEndpoints.leftAsItWas(type);
                    LOG.warn("cannot instrument already loaded " + type.getName() + "; it runs without endpoint"
                            + " metrics: " + failedAlone);
                }
            }
        }
        LOG.info("instrumented " + instrumented + " already loaded class(es) with @DynamoEndpoint methods"
                + (attached ? "" : ", loaded before this agent started (by an agent before it on the command line"
                        + " or in JAVA_TOOL_OPTIONS)"));
    }
}
