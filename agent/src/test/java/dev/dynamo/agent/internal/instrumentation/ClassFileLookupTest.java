package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.Handlers;
import dev.dynamo.agent.internal.ByteStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class files are read from the loader's own class path first: the JDK's loaders, asked first, search their whole image. */
class ClassFileLookupTest {
    private static final byte[] OWN = {(byte) 0xCA, (byte) 0xFE, 1};
    private static final byte[] PARENTS = {(byte) 0xCA, (byte) 0xFE, 2};

    @Test
    void aClassFileOnTheLoadersOwnClassPathIsReadWithoutAskingItsParents(@TempDir Path own, @TempDir Path parents)
            throws IOException {
        readsTheOwnClassPathFirst(new ClassFileLookup(), own, parents);
    }

    @Test
    void beforeJava9AUrlClassLoadersOwnUrlsAreReadFirst(@TempDir Path own, @TempDir Path parents) throws IOException {
        readsTheOwnClassPathFirst(new ClassFileLookup(null, null), own, parents);
    }

    private static void readsTheOwnClassPathFirst(ClassFileLookup lookup, Path own, Path parents) throws IOException {
        write(own, "app/Own", OWN);
        write(parents, "app/OfTheParent", PARENTS);
        try (CountingLoader parent = new CountingLoader(parents);
             URLClassLoader loader = new URLClassLoader(new URL[] {own.toUri().toURL()}, parent)) {
            assertArrayEquals(OWN, lookup.read(loader, "app/Own"));
            assertEquals(0, parent.lookups, "the parent is not asked for a class file of the loader's own");

            assertArrayEquals(PARENTS, lookup.read(loader, "app/OfTheParent"), "found through the parent otherwise");
            assertNull(lookup.read(loader, "app/Missing"));
            assertTrue(lookup.read(loader, "java/lang/String").length > 0, "and the JDK's class files too");
        }
    }

    @Test
    void aLoaderWhoseOwnLookupFailsIsStillReadThroughItsParents(@TempDir Path parents) throws IOException {
        write(parents, "app/OfTheParent", PARENTS);
        try (URLClassLoader parent = new URLClassLoader(new URL[] {parents.toUri().toURL()}, null);
             URLClassLoader failing = new URLClassLoader(new URL[0], parent) {
                 @Override
                 public URL findResource(String name) {
                     throw new IllegalStateException("closed");
                 }
             }) {
            assertArrayEquals(PARENTS, new ClassFileLookup().read(failing, "app/OfTheParent"));
            assertArrayEquals(PARENTS, new ClassFileLookup(null, null).read(failing, "app/OfTheParent"));
        }
    }

    @Test
    void dynamicAttachFindsAnnotatedClassesThroughTheLookup() throws IOException {
        EndpointTransformer transformer = new EndpointTransformer("dynamo");
        ClassFileLookup lookup = new ClassFileLookup();

        assertTrue(transformer.isCandidate(Handlers.class, lookup));
        assertFalse(transformer.isCandidate(ClassFileLookupTest.class, lookup));
        try (InputStream in = Handlers.class.getResourceAsStream("Handlers.class")) {
            assertArrayEquals(ByteStreams.readAll(in, 4096),
                    lookup.read(Handlers.class.getClassLoader(), "com/example/endpoints/Handlers"));
        }
    }

    @Test
    void theApplicationClassLoadersClassFilesAreReadFromItsJarsAndDirectories(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("app/InTheJar.class"));
            out.write(OWN);
            out.putNextEntry(new ZipEntry("app/InBoth.class"));
            out.write(OWN);
        }
        Path classes = dir.resolve("classes");
        write(classes, "app/InTheDirectory", PARENTS);
        write(classes, "app/InBoth", PARENTS);
        Path notAJar = Files.write(dir.resolve("notes.txt"), new byte[] {1, 2, 3});
        String classPath = String.join(File.pathSeparator, dir.resolve("missing.jar").toString(), notAJar.toString(),
                jar.toString(), classes.toString());
        ClassFileLookup lookup = new ClassFileLookup(null, new ApplicationClassPath(classPath));
        ClassLoader application = ClassLoader.getSystemClassLoader();
        assertTrue(ApplicationClassPath.isApplicationLoader(application));

        assertArrayEquals(OWN, lookup.read(application, "app/InTheJar"), "the loader itself has no such class");
        assertArrayEquals(PARENTS, lookup.read(application, "app/InTheDirectory"));
        assertArrayEquals(OWN, lookup.read(application, "app/InBoth"), "the first entry that has it, as the loader");
        assertTrue(lookup.read(application, "java/lang/String").length > 0, "the rest through the loader");
        assertNull(lookup.read(application, "app/Missing"));
        assertNull(lookup.read(application, "../notes"), "nothing outside the entries");

        try (URLClassLoader other = new URLClassLoader(new URL[0], null)) {
            assertFalse(ApplicationClassPath.isApplicationLoader(other));
            assertNull(lookup.read(other, "app/InTheJar"), "another loader does not see that class path");
        }
    }

    /**
     * A multi-release jar on the class path is read as the application class loader reads it: the
     * version of a class for this JVM, not its base entry (the JVM loaded an annotated Java 17 version
     * whose base entry had no annotation, and an attach, which reads the class file, left it unmeasured).
     */
    @Test
    void aMultiReleaseJarIsReadForThisJvmsVersion(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("multi-release.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            out.write("Manifest-Version: 1.0\r\nMulti-Release: true\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("app/Versioned.class"));
            out.write(OWN);
            out.putNextEntry(new ZipEntry("META-INF/versions/9/app/Versioned.class"));
            out.write(PARENTS);
            out.putNextEntry(new ZipEntry("META-INF/versions/9999/app/Versioned.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, 3});
            out.putNextEntry(new ZipEntry("app/BaseOnly.class"));
            out.write(OWN);
        }
        ApplicationClassPath classPath = new ApplicationClassPath(jar.toString());
        boolean java8 = System.getProperty("java.specification.version").startsWith("1.");

        assertArrayEquals(java8 ? OWN : PARENTS, classPath.read("app/Versioned.class"),
                "the newest version up to this JVM's, as the JVM loads it");
        assertArrayEquals(OWN, classPath.read("app/BaseOnly.class"));
    }

    private static void write(Path classPath, String internalName, byte[] content) throws IOException {
        Path file = classPath.resolve(internalName + ".class");
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    /** A parent that counts the resources asked of it. */
    private static final class CountingLoader extends URLClassLoader {
        int lookups;

        CountingLoader(Path classPath) throws IOException {
            super(new URL[] {classPath.toUri().toURL()}, null);
        }

        @Override
        public URL getResource(String name) {
            lookups++;
            return super.getResource(name);
        }
    }
}
