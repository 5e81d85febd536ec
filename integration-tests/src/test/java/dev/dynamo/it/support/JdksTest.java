package dev.dynamo.it.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JdksTest {
    @TempDir
    Path root;

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = root.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.createFile(home.resolve("bin/java"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\n");
        return java.getParent().getParent();
    }

    @Test
    void findsEachJdkOnceThroughSymlinks() throws IOException {
        fakeJdk("java-17-openjdk-amd64", "17.0.15");
        fakeJdk("temurin-25-jdk-amd64", "25.0.3");
        Files.createSymbolicLink(root.resolve("java-1.17.0-openjdk-amd64"), root.resolve("java-17-openjdk-amd64"));

        List<Jdk> found = Jdks.find(List.of(root));

        assertEquals(List.of("17.0.15", "25.0.3"), found.stream().map(Jdk::version).toList());
        assertEquals(root.resolve("java-17-openjdk-amd64").toRealPath(), found.get(0).home());
    }

    @Test
    void skipsDirectoriesWithoutAnExecutableJavaOrAReleaseFile() throws IOException {
        Files.createDirectories(root.resolve("openjdk-17"));
        Path noRelease = fakeJdk("no-release", "11.0.1");
        Files.delete(noRelease.resolve("release"));
        Path notExecutable = fakeJdk("not-executable", "21.0.2");
        Files.setPosixFilePermissions(notExecutable.resolve("bin/java"), PosixFilePermissions.fromString("rw-r--r--"));

        assertEquals(List.of(), Jdks.find(List.of(root, root.resolve("missing"))));
    }

    @Test
    void readsTheFeatureReleaseOfOldAndNewVersionStrings() {
        assertEquals(8, new Jdk(root, "1.8.0_392").feature());
        assertEquals(17, new Jdk(root, "17.0.15").feature());
        assertEquals(21, new Jdk(root, "21").feature());
        assertEquals(25, new Jdk(root, "25-ea").feature());
    }
}
