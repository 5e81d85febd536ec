package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.Test;

import java.security.AccessControlException;
import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A copy of the API that the application carries itself (a war's {@code WEB-INF/lib}), run under a
 * SecurityManager whose policy grants that jar nothing: its look for the agent's copy is refused.
 */
@SuppressWarnings("removal") // The SecurityManager is what is tested: JDK 17 still runs applications under one.
class SecurityManagerTest {
    /**
     * The first {@code DistributedRuntime.get()} returns the runtime and one warning says what to do.
     * Before, it threw the {@code AccessControlException} into the application (a tester's Tomcat
     * under {@code -security}: the first request failed, the later ones worked).
     */
    @Test
    void aCopyRefusedItsLookForTheAgentSaysSoAndReturnsTheRuntime() {
        try (IsolatedApi copy = new IsolatedApi()) {
            List<String> said = new CopyOnWriteArrayList<String>();
            BiConsumer<String, String> sink = (level, message) -> said.add(level + " " + message);
            copy.callStatic(ApiLog.class.getName(), "setSink", sink);
            RefusingTheCopy refusing = new RefusingTheCopy(copy.loader());
            try {
                System.setSecurityManager(refusing);
            } catch (UnsupportedOperationException noSecurityManagers) {
                assumeTrue(false, "this JDK cannot install a SecurityManager at run time: " + noSecurityManagers);
            }
            Object runtime;
            try {
                runtime = copy.callStatic("dev.dynamo.runtime.DistributedRuntime", "get");
            } finally {
                refusing.stop();
                System.setSecurityManager(null);
            }
            assertNotNull(runtime);
            assertTrue(refusing.refused > 0, "the copy was refused something");
            assertTrue(said.stream().anyMatch(line -> line.startsWith(ApiLog.WARN) && line.contains("SecurityManager refused")
                    && line.contains("Where the JVM runs the dynamo agent, leave dynamo-api.jar out")
                    && line.contains("loaded by " + IsolatedApi.class.getName())), said::toString);
        }
    }

    /** Refuses {@code getClassLoader} to code of the copy's class loader, and nothing else. */
    private static final class RefusingTheCopy extends SecurityManager {
        private final ClassLoader copy;
        private volatile boolean refusing = true;
        private final ThreadLocal<Boolean> checking = ThreadLocal.withInitial(() -> false);
        volatile int refused;

        RefusingTheCopy(ClassLoader copy) {
            this.copy = copy;
        }

        void stop() {
            refusing = false;
        }

        @Override
        public void checkPermission(Permission permission) {
            if (!refusing || !(permission instanceof RuntimePermission) || !permission.getName().equals("getClassLoader")
                    || checking.get()) {
                return;
            }
            // Asking a class for its loader is itself checked: not again from here.
            checking.set(true);
            try {
                for (Class<?> caller : getClassContext()) {
                    if (caller.getClassLoader() == copy) {
                        refused++;
                        throw new AccessControlException("access denied " + permission, permission);
                    }
                }
            } finally {
                checking.set(false);
            }
        }

        @Override
        public void checkPermission(Permission permission, Object context) {
            checkPermission(permission);
        }
    }
}
