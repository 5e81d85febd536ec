package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which copy of the recording a class links to, looked up without keeping any class loader alive. */
class InstrumentedEndpointsTest {

    @Test
    void aRedeployedApplicationWithItsOwnApiCopyCanBeCollectedAfterItsClassesWereWoven() throws Exception {
        WeakReference<ClassLoader> dropped = linkFromAnOwnCopyAndDropIt();
        for (int i = 0; i < 100 && dropped.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(dropped.get(), "the class loader of a dropped application with its own API copy is still reachable"
                + " after the agent linked its classes");
    }

    private static WeakReference<ClassLoader> linkFromAnOwnCopyAndDropIt() throws Exception {
        URL api = WovenCalls.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader application = new URLClassLoader(new URL[] {api}, null)) {
            InstrumentedEndpoints.Linked primary = InstrumentedEndpoints.linkedFrom(
                    InstrumentedEndpointsTest.class.getClassLoader());
            InstrumentedEndpoints.Linked linked = InstrumentedEndpoints.linkedFrom(application);
            assertNotSame(primary, linked, "a loader with its own API copy links to that copy");
            // The copy's lookup stays the last one: the one the agent keeps.
            assertSame(linked, InstrumentedEndpoints.linkedFrom(application), "looked up once per run of classes");
            return new WeakReference<ClassLoader>(application);
        }
    }
}
