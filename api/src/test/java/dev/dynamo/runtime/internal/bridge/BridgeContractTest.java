package dev.dynamo.runtime.internal.bridge;

import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.IsolatedApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent/API contract, checked from both sides: every name one side calls resolves, with its
 * signature, in a fresh copy of the other; the names copies released before the contract call are
 * still answered; and the encoder writes, and the decoder reads, exactly the golden fixtures
 * below. A change to one side alone fails here; a deliberate change updates the fixture and, when
 * old readers would misread it, the format version.
 */
class BridgeContractTest {
    private final IsolatedApi copy = new IsolatedApi();

    @AfterEach
    void closeTheCopy() {
        copy.close();
    }

    // names

    @Test
    void everyReflectiveCallResolvesWithItsSignatureInAFreshCopyOfTheApi() throws Exception {
        for (ReflectiveCall call : ReflectiveCall.values()) {
            Class<?> declaring = copy.type(call.className());
            assertTrue(declaring.getClassLoader() != ReflectiveCall.class.getClassLoader(), call.name());

            Method method = call.in(declaring);

            assertTrue(Modifier.isPublic(method.getModifiers()) && Modifier.isStatic(method.getModifiers()),
                    call.signature());
        }
    }

    /**
     * What an application's copy of the API from before this contract calls on the agent's copy,
     * and what an agent from then calls on an application's copy, spelled out here rather than
     * through {@link ReflectiveCall}: renaming one there and in the API together still breaks them.
     */
    @Test
    void answersEveryCallThatCopiesReleasedBeforeTheContractMake() throws Exception {
        Object[][] released = {
            {"dev.dynamo.runtime.internal.ExportBridge", "isAgentAttached", boolean.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "registerForeignStore", void.class,
                new Class<?>[] {Supplier.class}},
            {"dev.dynamo.runtime.internal.ExportBridge", "registerForeignHealth", void.class,
                new Class<?>[] {Supplier.class}},
            {"dev.dynamo.runtime.internal.ExportBridge", "defaultMaxSeries", int.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "connect", boolean.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "claimAgent", boolean.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "collectEncoded", List.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "healthEncoded", List.class, new Class<?>[0]},
            {"dev.dynamo.runtime.internal.ExportBridge", "setDefaultMaxSeries", void.class, new Class<?>[] {int.class}},
            {"dev.dynamo.runtime.internal.ApiLog", "setSink", void.class, new Class<?>[] {BiConsumer.class}},
            // Nothing of WovenCalls: copies from before it do not define that class, so woven code of
            // their loaders links to the agent's copy (OlderApiCopyIT); see WovenMember for what it needs.
        };
        for (Object[] call : released) {
            Method method = copy.type((String) call[0]).getMethod((String) call[1], (Class<?>[]) call[3]);

            assertTrue(Modifier.isStatic(method.getModifiers()), method.toString());
            assertEquals(call[2], method.getReturnType(), method.toString());
        }
    }

    @Test
    void everyMemberTheWovenCodeReferencesIsPublicAndStaticWithItsDescriptorInAFreshCopyOfTheApi() throws Exception {
        for (WovenMember member : WovenMember.values()) {
            Class<?> declaring = copy.type(member.owner().replace('/', '.'));

            member.requireIn(declaring.getClassLoader());
        }
    }

    /**
     * The members woven classes of this version refer to, spelled out rather than through
     * {@link WovenMember}: changing one there and in the API together still breaks classes that
     * released agents wove.
     */
    @Test
    void keepsEveryMemberThatReleasedWovenCodeRefersTo() throws Exception {
        String calls = "dev.dynamo.runtime.internal.instrumentation.";
        Object[][] released = {
            {calls + "WovenCalls", "enter", long.class, new Class<?>[] {int.class}},
            {calls + "WovenCalls", "exit", void.class, new Class<?>[] {int.class, long.class}},
            {calls + "WovenCalls", "exitStage", void.class, new Class<?>[] {Object.class, int.class, long.class}},
            {calls + "WovenCalls", "exitThrown", void.class, new Class<?>[] {Throwable.class, int.class, long.class}},
            {calls + "SuspendCalls", "enter", long.class, new Class<?>[] {int.class, Object.class, String.class}},
            {calls + "SuspendCalls", "continuation", Object.class, new Class<?>[] {Object.class, int.class, long.class}},
            {calls + "SuspendCalls", "exit", void.class,
                new Class<?>[] {Object.class, Object.class, int.class, long.class}},
            {calls + "SuspendCalls", "exitThrown", void.class, new Class<?>[] {Throwable.class, int.class, long.class}},
            {calls + "PublisherCalls", "enter", long.class, new Class<?>[] {int.class}},
            {calls + "PublisherCalls", "exit", Object.class, new Class<?>[] {Object.class, int.class, long.class, int.class}},
            {calls + "PublisherCalls", "exitThrown", void.class, new Class<?>[] {Throwable.class, int.class, long.class}},
            {calls + "StreamObserverCalls", "enter", long.class, new Class<?>[] {int.class, Object.class}},
            {calls + "StreamObserverCalls", "exit", void.class, new Class<?>[] {int.class, long.class, Object.class}},
            {calls + "StreamObserverCalls", "exitThrown", void.class,
                new Class<?>[] {Throwable.class, Object.class, int.class, long.class}},
            {calls + "AsyncResponseCalls", "enter", long.class, new Class<?>[] {int.class, Object.class}},
            {calls + "AsyncResponseCalls", "watch", Object.class, new Class<?>[] {Object.class, int.class, long.class}},
            {calls + "AsyncResponseCalls", "exit", void.class, new Class<?>[] {int.class, long.class, Object.class}},
            {calls + "AsyncResponseCalls", "exitThrown", void.class,
                new Class<?>[] {Throwable.class, Object.class, int.class, long.class}},
        };
        for (Object[] call : released) {
            Method method = copy.type((String) call[0]).getMethod((String) call[1], (Class<?>[]) call[3]);

            assertTrue(Modifier.isStatic(method.getModifiers()), method.toString());
            assertEquals(call[2], method.getReturnType(), method.toString());
        }
        assertEquals(int[].class, copy.type(calls + "WovenCalls").getField("UNRECORDED_EXITS").getType());
        assertEquals(int[].class, copy.type(calls + "WovenCalls").getField("UNRECORDED_THROWN_EXITS").getType());
        assertEquals(Throwable[].class, copy.type(calls + "WovenCalls").getField("UNRECORDED_THROWN").getType());
        assertEquals(Object.class, copy.type(calls + "SuspendCalls").getField("suspended").getType());
        assertEquals(18 + 4, WovenMember.values().length, "a new member is added here too");
    }

    @Test
    void aCopyWithoutAWovenMemberIsNamedInTheError() throws Exception {
        try (CopyWithoutExitStage careless = new CopyWithoutExitStage()) {
            NoSuchMethodException missing = assertThrows(NoSuchMethodException.class,
                    () -> WovenMember.EXIT_STAGE.requireIn(careless));

            assertTrue(missing.getMessage().contains("WovenCalls.exitStage(Ljava/lang/Object;IJ)V"), missing.getMessage());
            WovenMember.EXIT.requireIn(careless);
        }
    }

    /**
     * A copy of the API whose {@code WovenCalls} lost {@code exitStage}, as a careless change might
     * leave it: the method's name is patched in the class file (same length, so nothing else moves).
     */
    private static final class CopyWithoutExitStage extends URLClassLoader {
        private static final String WOVEN_CALLS = WovenMember.ClassNames.WOVEN_CALLS.replace('/', '.');

        CopyWithoutExitStage() {
            super(new URL[] {ExportBridge.class.getProtectionDomain().getCodeSource().getLocation()},
                    ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.equals(WOVEN_CALLS)) {
                return super.findClass(name);
            }
            try (InputStream in = getResourceAsStream(WovenMember.ClassNames.WOVEN_CALLS + ".class")) {
                byte[] classFile = in.readAllBytes();
                byte[] exitStage = "\u0001\u0000\u0009exitStage".getBytes(StandardCharsets.ISO_8859_1);
                int at = indexOf(classFile, exitStage);
                assertTrue(at >= 0, "the class file names exitStage");
                classFile[at + exitStage.length - 1] = 'X';
                return defineClass(name, classFile, 0, classFile.length);
            } catch (IOException unreadable) {
                throw new ClassNotFoundException(name, unreadable);
            }
        }

        private static int indexOf(byte[] data, byte[] part) {
            for (int i = 0; i + part.length <= data.length; i++) {
                if (Arrays.equals(Arrays.copyOfRange(data, i, i + part.length), part)) {
                    return i;
                }
            }
            return -1;
        }
    }

    @Test
    void aMethodWithTheRightNameButAnotherSignatureDoesNotPassForTheCall() {
        NoSuchMethodException wrong = assertThrows(NoSuchMethodException.class,
                () -> ReflectiveCall.CLAIM_AGENT.in(Signatures.class));

        assertTrue(wrong.getMessage().contains("static boolean"), wrong.getMessage());
    }

    /** {@code claimAgent} returning Boolean instead of boolean, as a careless change might. */
    public static final class Signatures {
        public static Boolean claimAgent() {
            return true;
        }
    }

    // snapshot format

    /** What {@link #goldenFamilies()} encodes to in the current version. */
    private static List<Object[]> goldenSnapshotV2() {
        return Arrays.asList(
                new Object[] {"dynamo_component_requests", "COUNTER", "Requests, \"all\"", new Object[] {
                    new Object[] {"dynamo_component_requests_total", new String[] {"dynamo_namespace", "model"},
                        new String[] {"ns", "llama"}, 3.0},
                }, 2},
                new Object[] {"dynamo_component_latency", "HISTOGRAM", "Latency", new Object[] {
                    new Object[] {"dynamo_component_latency_bucket", new String[] {"le"}, new String[] {"+Inf"}, 2.0},
                    new Object[] {"dynamo_component_latency_count", new String[0], new String[0], 2.0},
                    new Object[] {"dynamo_component_latency_sum", new String[0], new String[0], Double.NaN},
                }, 2},
                new Object[] {"dynamo_component_empty", "GAUGE", "No series yet", new Object[0], 2});
    }

    /** The same families as copies wrote them before the version travelled. */
    private static List<Object[]> goldenSnapshotV1() {
        List<Object[]> v1 = new ArrayList<Object[]>();
        for (Object[] family : goldenSnapshotV2()) {
            v1.add(Arrays.copyOf(family, 4));
        }
        return v1;
    }

    /** Families as a decoder's caller sees them: "name type help" and "sample[labels][values]=value". */
    private static List<String> goldenFamilies() {
        return Arrays.asList(
                "dynamo_component_requests COUNTER Requests, \"all\"",
                "  dynamo_component_requests_total[dynamo_namespace, model][ns, llama]=3.0",
                "dynamo_component_latency HISTOGRAM Latency",
                "  dynamo_component_latency_bucket[le][+Inf]=2.0",
                "  dynamo_component_latency_count[][]=2.0",
                "  dynamo_component_latency_sum[][]=NaN",
                "dynamo_component_empty GAUGE No series yet");
    }

    private static List<Object[]> encodeGoldenFamilies() {
        return Arrays.asList(
                SnapshotFormat.family("dynamo_component_requests", "COUNTER", "Requests, \"all\"", new Object[] {
                    SnapshotFormat.sample("dynamo_component_requests_total",
                            new String[] {"dynamo_namespace", "model"}, new String[] {"ns", "llama"}, 3),
                }),
                SnapshotFormat.family("dynamo_component_latency", "HISTOGRAM", "Latency", new Object[] {
                    SnapshotFormat.sample("dynamo_component_latency_bucket", new String[] {"le"},
                            new String[] {"+Inf"}, 2),
                    SnapshotFormat.sample("dynamo_component_latency_count", new String[0], new String[0], 2),
                    SnapshotFormat.sample("dynamo_component_latency_sum", new String[0], new String[0], Double.NaN),
                }),
                SnapshotFormat.family("dynamo_component_empty", "GAUGE", "No series yet", new Object[0]));
    }

    /** A decoder caller that describes what it is given in the lines of {@link #goldenFamilies()}. */
    private static final SnapshotFormat.Builder<List<String>, String> DESCRIBE =
            new SnapshotFormat.Builder<List<String>, String>() {
                @Override
                public String sample(String name, List<String> labelNames, List<String> labelValues, double value) {
                    return "  " + name + labelNames + labelValues + "=" + value;
                }

                @Override
                public List<String> family(String name, String exposition, String help, List<String> samples) {
                    List<String> lines = new ArrayList<String>();
                    lines.add(name + " " + exposition + " " + help);
                    lines.addAll(samples);
                    return lines;
                }
            };

    private static List<String> decodeToLines(List<Object[]> encoded, List<String> skipped) {
        List<String> lines = new ArrayList<String>();
        for (List<String> family : SnapshotFormat.decode(encoded, DESCRIBE, skipped::add)) {
            lines.addAll(family);
        }
        return lines;
    }

    @Test
    void theEncoderWritesTheGoldenSnapshotOfTheCurrentVersion() {
        assertEquals(2, SnapshotFormat.VERSION, "a new version needs a golden snapshot of its own");

        assertDeepEquals(goldenSnapshotV2(), encodeGoldenFamilies());
    }

    @Test
    void theDecoderReadsTheGoldenSnapshotOfTheCurrentVersion() {
        List<String> skipped = new ArrayList<String>();

        assertEquals(goldenFamilies(), decodeToLines(goldenSnapshotV2(), skipped));
        assertEquals(Collections.emptyList(), skipped);
    }

    @Test
    void theDecoderReadsWhatCopiesWroteBeforeTheVersionTravelled() {
        List<String> skipped = new ArrayList<String>();

        assertEquals(goldenFamilies(), decodeToLines(goldenSnapshotV1(), skipped));
        assertEquals(Collections.emptyList(), skipped);
    }

    @Test
    void theCurrentVersionKeepsTheIndicesOfVersionOneSoThatOlderReadersStillReadIt() {
        for (Object[] family : goldenSnapshotV2()) {
            Object[] asVersionOne = Arrays.copyOf(family, 4);
            assertArrayEquals(asVersionOne, Arrays.copyOf(family, SnapshotFormat.FAMILY_VERSION));
        }
        assertEquals(4, SnapshotFormat.FAMILY_VERSION);
    }

    @Test
    void leavesOutAFamilyOfANewerVersionAndSaysSoInTheSameWordsForEachOfIt() {
        List<Object[]> mixed = new ArrayList<Object[]>();
        mixed.add(new Object[] {"dynamo_component_future", "SUMMARY", "From a newer copy", "a new layout", 3});
        mixed.addAll(goldenSnapshotV2());
        mixed.add(new Object[] {"dynamo_component_future_2", 7, null, null, 3});
        List<String> skipped = new ArrayList<String>();

        List<String> lines = decodeToLines(mixed, skipped);

        assertEquals(goldenFamilies(), lines);
        assertEquals(2, skipped.size());
        assertEquals(skipped.get(0), skipped.get(1));
        assertTrue(skipped.get(0).contains("version 3"), skipped.get(0));
    }

    // health format

    @Test
    void healthStatesRoundTripInTheGoldenLayout() {
        Callable<Boolean> check = () -> true;
        Map<String, Object[]> checks = new LinkedHashMap<String, Object[]>();
        checks.put("db", HealthFormat.check(check, 250));

        Object[] encoded = HealthFormat.state(false, Collections.singletonMap("generate", true), checks);

        assertEquals(4, encoded.length);
        assertEquals(Boolean.FALSE, encoded[0]);
        assertEquals(Collections.singletonMap("generate", true), encoded[1]);
        Object[] golden = {check, 250L};
        assertArrayEquals(golden, (Object[]) ((Map<?, ?>) encoded[2]).get("db"));
        assertEquals(2, encoded[3]);
        HealthFormat.State decoded = HealthFormat.decode(encoded);
        assertEquals(Boolean.FALSE, decoded.runtimeReady());
        assertEquals(Collections.singletonMap("generate", true), decoded.endpoints());
        assertSame(check, decoded.checks().get("db").callable());
        assertEquals(250L, decoded.checks().get("db").timeoutMillis());
    }

    @Test
    void readsAHealthStateWrittenBeforeTheVersionTravelledAndLeavesOutANewerOne() {
        Callable<Boolean> check = () -> false;
        Object[] versionOne = {null, Collections.singletonMap("generate", false),
            Collections.singletonMap("db", new Object[] {check, 100L})};

        HealthFormat.State decoded = HealthFormat.decode(versionOne);

        assertNotNull(decoded);
        assertNull(decoded.runtimeReady());
        assertEquals(Collections.singletonMap("generate", false), decoded.endpoints());
        assertSame(check, decoded.checks().get("db").callable());
        assertNull(HealthFormat.decode(new Object[] {"a new layout", null, null, 3}));
    }

    private static void assertDeepEquals(List<Object[]> expected, List<Object[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(Arrays.deepToString(expected.get(i)), Arrays.deepToString(actual.get(i)));
            assertTrue(Arrays.deepEquals(expected.get(i), actual.get(i)), Arrays.deepToString(actual.get(i)));
            assertSame(Integer.class, actual.get(i)[SnapshotFormat.FAMILY_VERSION].getClass());
            for (Object sample : (Object[]) actual.get(i)[SnapshotFormat.FAMILY_SAMPLES]) {
                assertSame(String[].class, ((Object[]) sample)[SnapshotFormat.SAMPLE_LABEL_NAMES].getClass());
                assertSame(Double.class, ((Object[]) sample)[SnapshotFormat.SAMPLE_VALUE].getClass());
            }
        }
    }
}
