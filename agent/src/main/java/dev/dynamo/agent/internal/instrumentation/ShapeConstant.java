package dev.dynamo.agent.internal.instrumentation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the advice parameter bound to a per-method constant of the call shape, found at transform
 * time: a suspend function's state-machine class name, the kind of a publisher.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface ShapeConstant {
}
