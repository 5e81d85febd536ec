package dev.dynamo.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds the JDKs installed on the machine. */
public final class Jdks {
    /** Where Debian, Ubuntu and the Temurin packages install JDKs; {@code -Dit.jdk.roots=a,b} overrides. */
    static final String DEFAULT_ROOTS = "/usr/lib/jvm";
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"([^\"]+)\"", Pattern.MULTILINE);

    private Jdks() {
    }

    /** Every JDK under the configured roots, plus the one running the tests, once each, ordered by version. */
    public static List<Jdk> installed() {
        List<Path> roots = new ArrayList<>();
        for (String root : System.getProperty("it.jdk.roots", DEFAULT_ROOTS).split(",")) {
            roots.add(Path.of(root));
        }
        List<Jdk> found = find(roots);
        Jdk current = Jdk.current();
        if (found.stream().noneMatch(jdk -> sameFile(jdk.home(), current.home()))) {
            found.add(current);
        }
        found.sort(Comparator.comparing(Jdk::feature).thenComparing(Jdk::version));
        return found;
    }

    /**
     * The JDKs directly under {@code roots}: directories with an executable {@code bin/java} and a
     * {@code release} file, deduplicated by real path (Debian links {@code java-1.17.0-openjdk-amd64} to
     * {@code java-17-openjdk-amd64}).
     */
    static List<Jdk> find(List<Path> roots) {
        Map<Path, Jdk> byRealHome = new LinkedHashMap<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                children.sorted().forEach(home -> {
                    Path java = home.resolve("bin").resolve("java");
                    Path release = home.resolve("release");
                    if (!Files.isExecutable(java) || !Files.isRegularFile(release)) {
                        return;
                    }
                    try {
                        Path realHome = home.toRealPath();
                        Matcher version = JAVA_VERSION.matcher(Files.readString(release));
                        if (version.find()) {
                            byRealHome.putIfAbsent(realHome, new Jdk(realHome, version.group(1)));
                        }
                    } catch (IOException unreadable) {
                        throw new UncheckedIOException(unreadable);
                    }
                });
            } catch (IOException unreadable) {
                throw new UncheckedIOException(unreadable);
            }
        }
        return new ArrayList<>(byRealHome.values());
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException incomparable) {
            return false;
        }
    }
}
