package dev.dynamo.agent.internal.instrumentation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the advice parameter bound to the argument a call shape watches: the continuation of a
 * suspend function, the response observer of a gRPC handler. Its index differs per method, so it
 * is bound at transform time.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ShapeArgument {
}
