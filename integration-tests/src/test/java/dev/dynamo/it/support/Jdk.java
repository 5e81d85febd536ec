package dev.dynamo.it.support;

import java.nio.file.Path;

/** An installed JDK: its home and version. */
public final class Jdk {
    private final Path home;
    private final String version;

    public Jdk(Path home, String version) {
        this.home = home;
        this.version = version;
    }

    /** The JDK running the tests. */
    public static Jdk current() {
        return new Jdk(Path.of(System.getProperty("java.home")), System.getProperty("java.version"));
    }

    public Path home() {
        return home;
    }

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** The full version, e.g. {@code 17.0.15}. */
    public String version() {
        return version;
    }

    /** The feature release, e.g. 17 (1 for {@code 1.8.0_x} is read as 8). */
    public int feature() {
        String[] parts = version.split("[._+-]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    }

    @Override
    public String toString() {
        return "JDK " + version + " (" + home + ")";
    }
}
