package dev.dynamo.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a request handler: with the agent attached, each call is counted, timed, tracked in flight
 * and its exceptions counted, as Dynamo's work-handler metrics. Methods returning a
 * {@code CompletionStage} are measured until the stage completes.
 *
 * <pre>{@code
 * @DynamoEndpoint(namespace = "system", component = "component", endpoint = "endpoint")
 * Response handle(Request request) { ... }
 * }</pre>
 *
 * <p>Every value is sanitized as a Prometheus label value.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DynamoEndpoint {

    /** The {@code dynamo_namespace} label; empty means {@code DYN_NAMESPACE}, else {@code dynamo}. */
    String namespace() default "";

    /**
     * The {@code dynamo_component} label; empty means the declaring class's simple name (for a Kotlin
     * {@code companion object}, that of the class it belongs to).
     */
    String component() default "";

    /** The {@code dynamo_endpoint} label; empty means the method's name. */
    String endpoint() default "";
}
