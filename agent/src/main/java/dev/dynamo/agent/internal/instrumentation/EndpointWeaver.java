package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import static net.bytebuddy.matcher.ElementMatchers.is;

/**
 * Rewrites one class: adds {@link EndpointAdvice} (or {@link AsyncEndpointAdvice} for methods
 * returning a {@code CompletionStage}) to each {@code @DynamoEndpoint} method, with the method's id
 * bound as a constant. Adds no member and no type initializer, so the result is valid for
 * retransformation too.
 */
final class EndpointWeaver {
    private static final AgentLog LOG = AgentLog.get(EndpointWeaver.class);

    private final String defaultNamespace;
    /** (key, message): warns once per key. */
    private final BiConsumer<String, String> warnOnce;
    private final ByteBuddy byteBuddy = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE)
            .with(InstrumentedType.Factory.Default.FROZEN)
            .with(VisibilityBridgeStrategy.Default.NEVER)
            .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);

    EndpointWeaver(String defaultNamespace, BiConsumer<String, String> warnOnce) {
        this.defaultNamespace = defaultNamespace;
        this.warnOnce = warnOnce;
    }

    /** The instrumented class file, or null when no method needed instrumenting. */
    byte[] weave(ClassLoader loader, String typeName, byte[] classFile) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        TypeDescription type = pool.describe(typeName).resolve();
        DynamicType.Builder<?> builder = byteBuddy.redefine(type, locator);
        boolean changed = false;
        for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
            AnnotationDescription annotation = endpointAnnotation(method);
            if (annotation == null) {
                continue;
            }
            String where = typeName + "." + method.getName() + method.getDescriptor();
            if (method.isAbstract() || method.isNative() || !method.isMethod()) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " is ignored: only methods with a body can be"
                        + " measured (not abstract or native); annotate the implementing method");
                continue;
            }
            EndpointNames names = EndpointNames.of(annotation, type, method, defaultNamespace);
            int id;
            try {
                id = RecordingRegistry.register(loader, where + "@" + System.identityHashCode(loader), names);
            } catch (Exception | LinkageError invalid) {
                warnOnce.accept(where, "@DynamoEndpoint on " + where + " is not instrumented: " + describe(invalid));
                continue;
            }
            boolean async = method.getReturnType().asErasure().isAssignableTo(CompletionStage.class);
            builder = builder.visit(Advice.withCustomMapping()
                    .bind(EndpointId.class, id)
                    .to(async ? AsyncEndpointAdvice.class : EndpointAdvice.class)
                    .on(is(method)));
            changed = true;
            LOG.debug("instrumenting " + where + " as " + names + (async ? " (until its stage completes)" : ""));
        }
        return changed ? builder.make(pool).getBytes() : null;
    }

    private static AnnotationDescription endpointAnnotation(MethodDescription method) {
        for (AnnotationDescription annotation : method.getDeclaredAnnotations()) {
            if (annotation.getAnnotationType().getName().equals(EndpointTransformer.ANNOTATION)) {
                return annotation;
            }
        }
        return null;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
