package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * Instruments every method annotated {@code @DynamoEndpoint} (matched by name, so the agent never
 * loads the application's annotation class) with {@link EndpointAdvice} or, for methods returning
 * a {@code CompletionStage}, {@link AsyncEndpointAdvice}. Classes loaded before the agent are
 * retransformed; class formats never change, so retransformation is always allowed.
 */
public final class EndpointInstrumentation {
    public static final String ANNOTATION = "dev.dynamo.runtime.DynamoEndpoint";
    private static final AgentLog LOG = AgentLog.get(EndpointInstrumentation.class);

    private EndpointInstrumentation() {
    }

    /** Installs the instrumentation; {@code defaultNamespace} applies to annotations that name none. */
    public static ResettableClassFileTransformer install(Instrumentation instrumentation, String defaultNamespace) {
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new FailureListener())
                .ignore(nameStartsWith("dev.dynamo.agent.")
                        .or(nameStartsWith("dev.dynamo.runtime."))
                        .or(nameStartsWith("net.bytebuddy."))
                        .or(nameStartsWith("java."))
                        .or(nameStartsWith("javax."))
                        .or(nameStartsWith("jdk."))
                        .or(nameStartsWith("sun."))
                        .or(nameStartsWith("com.sun."))
                        .or(isSynthetic()))
                .or(any(), isBootstrapClassLoader())
                .type(declaresMethod(isAnnotatedWith(named(ANNOTATION))))
                .transform(new EndpointTransformer(defaultNamespace))
                .installOn(instrumentation);
    }

    /** Adds the advice to each annotated method of a matched type, with the method's id bound as a constant. */
    static final class EndpointTransformer implements AgentBuilder.Transformer {
        private final String defaultNamespace;
        private final Set<String> warned = ConcurrentHashMap.newKeySet();

        EndpointTransformer(String defaultNamespace) {
            this.defaultNamespace = defaultNamespace;
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                ClassLoader classLoader, JavaModule module, ProtectionDomain protectionDomain) {
            DynamicType.Builder<?> result = builder;
            for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
                AnnotationDescription annotation = endpointAnnotation(method);
                if (annotation == null) {
                    continue;
                }
                String where = type.getName() + "." + method.getName() + method.getDescriptor();
                if (method.isAbstract() || method.isNative() || !method.isMethod()) {
                    if (warned.add(where)) {
                        LOG.warn("@DynamoEndpoint on " + where + " is ignored: only methods with a body can be"
                                + " measured (not abstract, native or constructors); annotate the implementation");
                    }
                    continue;
                }
                EndpointNames names = EndpointNames.of(annotation, type, method, defaultNamespace);
                int id;
                try {
                    id = EndpointRecording.register(where + "@" + System.identityHashCode(classLoader),
                            names.namespace(), names.component(), names.endpoint());
                } catch (RuntimeException invalid) {
                    if (warned.add(where)) {
                        LOG.warn("@DynamoEndpoint on " + where + " is not instrumented: " + invalid.getMessage());
                    }
                    continue;
                }
                boolean async = method.getReturnType().asErasure().isAssignableTo(CompletionStage.class);
                result = result.visit(Advice.withCustomMapping()
                        .bind(EndpointId.class, id)
                        .to(async ? AsyncEndpointAdvice.class : EndpointAdvice.class)
                        .on(is(method)));
                LOG.debug("instrumenting " + where + " as " + names + (async ? " (async)" : ""));
            }
            return result;
        }

        private static AnnotationDescription endpointAnnotation(MethodDescription method) {
            for (AnnotationDescription annotation : method.getDeclaredAnnotations()) {
                if (annotation.getAnnotationType().getName().equals(ANNOTATION)) {
                    return annotation;
                }
            }
            return null;
        }
    }

    /** Writes errors only: a class that cannot be instrumented runs unchanged. */
    static final class FailureListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                Throwable throwable) {
            LOG.warn("cannot instrument " + typeName + "; it runs without endpoint metrics: " + throwable);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader classLoader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            LOG.debug("instrumented " + type.getName() + (loaded ? " (retransformed)" : ""));
        }
    }
}
