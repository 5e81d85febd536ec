package dev.dynamo.it.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * External tools the tests need. Under {@code CI=true} a missing tool fails the test; elsewhere the
 * test is skipped with the reason.
 */
public final class Tools {

    private Tools() {
    }

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The executable {@code name} on the PATH, or a failure (CI) or skip (elsewhere) naming {@code howToGet}. */
    public static Path require(String name, String howToGet) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        missing(name + " is not on the PATH (" + path + "); " + howToGet);
        throw new AssertionError("unreachable");
    }

    /** Fails under CI, skips elsewhere. */
    public static void missing(String what) {
        if (onCi()) {
            Assertions.fail(what + " (CI=true: a missing tool is a failure)");
        }
        Assumptions.abort(what);
    }
}
