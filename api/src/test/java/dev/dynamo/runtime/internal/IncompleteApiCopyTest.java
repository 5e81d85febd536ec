package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child class loader whose own dynamo-api.jar lacks classes (a minimizing packaging step dropped
 * them) gets those from its parent's copy: a copy mixed from two cannot hand its metrics to the
 * agent. It says so, once, and the application's use of the API goes on.
 */
class IncompleteApiCopyTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev.dynamo.runtime.internal.ExportBridge", "dev.dynamo.runtime.internal.PrimaryConnection"})
    void aCopyMissingAClassOfItsOwnSaysSoAndTheApplicationRunsOn(String missing) {
        try (IsolatedApi copy = new IsolatedApi(Collections.singleton(missing))) {
            List<String> warnings = Collections.synchronizedList(new ArrayList<String>());
            BiConsumer<String, String> sink = (level, message) -> warnings.add(level + " " + message);
            copy.callStatic(ApiLog.class.getName(), "setSink", sink);

            Object runtime = copy.callStatic(DistributedRuntime.class.getName(), "get");

            assertNotNull(runtime, "the runtime is there for the application");
            assertEquals(1, warnings.size(), warnings.toString());
            ClassLoader loader = copy.loader();
            String loaderName = loader.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(loader));
            assertTrue(warnings.get(0).startsWith("WARN the dynamo API loaded by " + loaderName + " is incomplete")
                    && !warnings.get(0).contains("Parent Classloader"), "names the loader by class and identity, not"
                    + " by its toString() of several lines: " + warnings.get(0));
            assertTrue(warnings.get(0).startsWith("WARN the dynamo API loaded by ")
                    && warnings.get(0).contains(" is incomplete, and mixed with another copy")
                    && warnings.get(0).contains("Ship dynamo-api.jar whole"), warnings.get(0));
        }
    }
}
