package dev.dynamo.agent.internal.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmLaunchTest {
    @TempDir
    Path directory;

    private Path jarWith(String name, String mainClass, String startClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        if (startClass != null) {
            manifest.getMainAttributes().putValue("Start-Class", startClass);
        }
        Path jar = directory.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar)) {
            new JarOutputStream(out, manifest).close();
        }
        return jar;
    }

    @Test
    void theMainClassOfAJarIsItsManifestsAndASpringBootJarsIsItsStartClass() throws IOException {
        Path plain = jarWith("orders.jar", "com.example.Orders", null);
        Path boot = jarWith("boot.jar", "org.springframework.boot.loader.launch.JarLauncher", "com.example.Billing");

        assertEquals("com.example.Orders", JvmLaunch.lookUpMainClass(plain.toString(), null, plain.toString()));
        assertEquals("com.example.Billing", JvmLaunch.lookUpMainClass(boot.toString(), null, boot.toString()));
        assertNull(JvmLaunch.lookUpMainClass(directory.resolve("absent.jar").toString(), null, ""));
    }

    /** {@code java -jar app.war}, and {@code java -cp app.jar ...JarLauncher}: the archive's Start-Class. */
    @Test
    void theMainClassOfAWarAndOfALauncherOverAJarIsTheirStartClass() throws IOException {
        Path war = jarWith("shop.war", "org.springframework.boot.loader.launch.WarLauncher", "com.example.Shop");
        Path jar = jarWith("boot.jar", "org.springframework.boot.loader.launch.JarLauncher", "com.example.Billing");

        assertEquals("com.example.Shop", JvmLaunch.lookUpMainClass(war.toString(), null, war.toString()));
        assertEquals("com.example.Billing", JvmLaunch.lookUpMainClass(
                "org.springframework.boot.loader.launch.JarLauncher", null, jar.toString()));
    }

    @Test
    void thePropertiesLaunchersMainClassIsLoaderMain() throws IOException {
        Path jar = jarWith("boot.jar", "org.springframework.boot.loader.launch.PropertiesLauncher", "com.example.Billing");
        System.setProperty("loader.main", "com.example.Other");
        try {
            assertEquals("com.example.Other", JvmLaunch.lookUpMainClass(
                    "org.springframework.boot.loader.launch.PropertiesLauncher", null, jar.toString()));
        } finally {
            System.clearProperty("loader.main");
        }
    }

    /** A Spring Boot application unpacked in a container image runs {@code java ... JarLauncher} from its directory. */
    @Test
    void theMainClassOfAnUnpackedSpringBootApplicationIsTheStartClassOfItsManifest() throws IOException {
        Path manifest = Files.createDirectories(directory.resolve("app/META-INF")).resolve("MANIFEST.MF");
        Files.write(manifest, ("Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\n"
                + "Start-Class: com.example.Shop\n\n").getBytes(StandardCharsets.UTF_8));
        String classPath = directory.resolve("lib").toString() + File.pathSeparator + directory.resolve("app");

        assertEquals("com.example.Shop", JvmLaunch.lookUpMainClass(
                "org.springframework.boot.loader.launch.JarLauncher", null, classPath));
        assertNull(JvmLaunch.lookUpMainClass("com.example.Other", null, classPath), "only behind Spring Boot's launchers");
    }

    /** {@code java -m java.base}: the module of a launch without a class gives its descriptor's main class, if any. */
    @Test
    void aModuleLaunchWithoutAClassAsksTheModulesDescriptor() {
        assertNull(JvmLaunch.lookUpMainClass("java.base", "java.base", ""), "java.base names no main class");
        assertNull(JvmLaunch.lookUpMainClass("no.such.module", "no.such.module", ""));
    }

    @Test
    void jettysIniFilesSayWhetherStartJarOnlyStartsAnotherJvm() throws IOException {
        assertFalse(JvmLaunch.iniSaysExec(directory.toFile()));
        Files.write(directory.resolve("start.ini"), "--module=http\njetty.http.port=8080\n".getBytes(StandardCharsets.UTF_8));
        assertFalse(JvmLaunch.iniSaysExec(directory.toFile()));

        Path startD = Files.createDirectories(directory.resolve("start.d"));
        Files.write(startD.resolve("jvm.ini"), "# JVM options\n  --exec  \n-Xmx1g\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(JvmLaunch.iniSaysExec(directory.toFile()));
    }
}
