package dev.dynamo.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * Puts the API jar that travels inside the agent jar on the bootstrap class path. Class loaders
 * delegate to the bootstrap loader first, so the application, the agent and the instrumented
 * classes of every class loader then share one copy of the API and its metrics. Links to no API
 * class itself: it runs before the API can be found.
 */
public final class BootstrapApi {
    static final String RESOURCE = "/dev/dynamo/agent/bootstrap/dynamo-api.jar";
    private static final String PROBE_CLASS = "dev.dynamo.runtime.internal.ExportBridge";

    private BootstrapApi() {
    }

    /** Appends the embedded API jar to the bootstrap search path, unless an earlier attach did. */
    public static void install(Instrumentation instrumentation) throws IOException {
        if (isOnBootstrapPath()) {
            return;
        }
        try (InputStream embedded = BootstrapApi.class.getResourceAsStream(RESOURCE)) {
            if (embedded == null) {
                // Running from a build directory (the agent's own tests): the API is on the class path.
                return;
            }
            Path jar = Files.createTempFile("dynamo-api-", ".jar");
            jar.toFile().deleteOnExit();
            Files.copy(embedded, jar, StandardCopyOption.REPLACE_EXISTING);
            instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        }
    }

    private static boolean isOnBootstrapPath() {
        try {
            Class.forName(PROBE_CLASS, false, null);
            return true;
        } catch (ClassNotFoundException notYet) {
            return false;
        }
    }
}
