package jdk.internal.vm.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A compile-time stand-in for the JDK's own annotation of this name, which HotSpot (9 and later)
 * obeys in classes of the bootstrap class loader, where the agent puts the API: the JIT never
 * inlines such a method into its callers. Only its name reaches the class files; this type is left
 * out of the jar (see the pom) and is never loaded.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DontInline {
}
