package dev.dynamo.agent.internal.instrumentation

import com.example.endpoints.CompanionOrders
import com.example.endpoints.CompanionUsers
import com.example.endpoints.ExhaustedStackHandlers
import com.example.endpoints.ExhaustedSuspend
import com.example.endpoints.OverflowingSuspend
import com.example.endpoints.QuotaExceededException
import com.example.endpoints.SUSPEND_NS
import com.example.endpoints.SuspendHandlers
import dev.dynamo.runtime.DistributedRuntime
import dev.dynamo.runtime.internal.instrumentation.WovenCalls
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTimeoutPreemptively
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.function.ThrowingSupplier
import java.time.Duration
import java.util.concurrent.atomic.AtomicReference

/** Kotlin suspend functions: one request per logical call, timed until the coroutine completes. */
class SuspendShapeTest {
    companion object {
        private lateinit var transformer: EndpointTransformer
        private lateinit var handlers: SuspendHandlers

        @JvmStatic
        @BeforeAll
        fun installAgent() {
            transformer = EndpointMetrics.install()
            handlers = SuspendHandlers()
        }

        @JvmStatic
        @AfterAll
        fun removeAgent() = EndpointMetrics.uninstall(transformer)

        private fun metrics(endpoint: String, component: String = "suspend") =
            EndpointMetrics(SUSPEND_NS, component, endpoint)
    }

    @Test
    fun `returns at the top of an exhausted stack stay out of the function and end each call once`() {
        ExhaustedStackTest.descend("suspend") { runBlocking { ExhaustedSuspend.deep(0) } }
    }

    /**
     * Also the calls whose continuation proxy could not be made at the top of the stack: they run
     * with the caller's continuation, and their overflow still ends them as errors.
     */
    @Test
    fun `every call of an overflowing recursion counts as an error of its type`() {
        val metrics = EndpointMetrics(ExhaustedStackHandlers.NS, "exhausted", "suspend_overflow")
        val ended = AtomicReference<Throwable>()
        repeat(ExhaustedStackTest.DESCENTS) { i ->
            val thread = Thread(null, {
                try {
                    runBlocking { OverflowingSuspend.overflow(0) }
                } catch (overflow: Throwable) {
                    ended.set(overflow)
                }
            }, "suspend-overflow-$i", 256L * 1024 + i * 4096)
            thread.start()
            thread.join()
        }
        assertTrue(ended.get() is StackOverflowError, ended.get().toString())

        WovenCalls.settle()
        assertTrue(metrics.requests() > ExhaustedStackTest.DESCENTS * 100L, "the descents were counted")
        assertEquals(0, metrics.inflight(), "every counted call ended")
        assertEquals(metrics.requests(), metrics.durations(), "every counted call ended once")
        assertEquals(metrics.requests(), metrics.errors("StackOverflowError"), "every counted call threw")
    }

    @Test
    fun `a call that completes without suspending is one call timed to its return`() {
        val metrics = metrics("no_suspend")

        assertEquals(42, runBlocking { handlers.noSuspend(41) })

        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `a call that suspends many times is one request`() {
        val metrics = metrics("many")

        assertEquals(100, runBlocking { handlers.suspendsMany(100) })

        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `the duration runs until the coroutine completes and the call is in flight meanwhile`() = runBlocking {
        val metrics = metrics("delayed")

        val call = async(Dispatchers.Default) { handlers.delayed(300) }
        delay(100)
        assertEquals(1, metrics.inflight(), "in flight while suspended")
        assertEquals(0, metrics.durations())
        assertEquals(300L, call.await())

        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
        assertTrue(metrics.durationSum() >= 0.3, "duration covers the delay: " + metrics.durationSum())
    }

    @Test
    fun `a function compiled without state machine is timed until its callee resumes the caller`() {
        val metrics = metrics("tail_call")

        runBlocking { handlers.tailCall(200) }

        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
        assertTrue(metrics.durationSum() >= 0.2, "duration covers the delay: " + metrics.durationSum())
    }

    @Test
    fun `an exception after a suspension counts one error by type and reaches the caller unchanged`() {
        val metrics = metrics("failing")
        val atOnce = metrics("failing_at_once")

        assertThrows(QuotaExceededException::class.java) { runBlocking { handlers.failing() } }
        assertThrows(QuotaExceededException::class.java) { runBlocking { handlers.failingAtOnce() } }

        assertEquals(1, metrics.errors("QuotaExceededException"))
        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
        assertEquals(1, atOnce.errors("QuotaExceededException"))
        assertEquals(0, atOnce.inflight())
    }

    @Test
    fun `a cancelled coroutine counts a cancellation, not an error`() = runBlocking {
        val metrics = metrics("waiting")

        val job = launch(Dispatchers.Default) { handlers.waiting() }
        delay(100)
        job.cancel()
        job.join()

        assertEquals(1, metrics.cancellations())
        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    /**
     * Each measured level's caller is resumed through a proxy, outside Kotlin's own loop; nested
     * inside one another those resumptions overflowed the stack at about a thousand levels.
     */
    @Test
    fun `a deep recursion that suspends at its bottom resumes every level on a flat stack`() {
        val metrics = metrics("deep_resumption")
        val depth = 1500
        var result: Result<Int>? = null
        // A 1 MiB stack, whatever the test runner's: the descent fits in it; nested resumptions did not.
        val thread = Thread(null, { result = runCatching { runBlocking { handlers.deepResumption(depth) } } },
            "deep-resumption", 1024L * 1024)
        thread.start()
        thread.join()

        assertEquals(depth, result!!.getOrThrow())
        assertEquals(depth + 1L, metrics.requests())
        assertEquals(depth + 1L, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `the default endpoint of a function whose name the compiler mangles is its name in the source`() {
        assertEquals(2, runBlocking { handlers.internalName(1) })
        assertEquals(7L, handlers.valueClassResult(7).id)

        assertEquals(1, metrics("internalName", "mangled").requests())
        assertEquals(1, metrics("valueClassResult", "mangled").requests())
    }

    @Test
    fun `a function of a companion object counts under the class the companion belongs to`() {
        val orders = metrics("companion_handle", component = "CompanionOrders")
        val users = metrics("companion_handle", component = "CompanionUsers")
        val nested = metrics("companion_handle", component = "Nested")

        assertEquals(1, CompanionOrders.handle())
        assertEquals(2, CompanionUsers.handle())
        assertEquals(2, CompanionUsers.handle())
        assertEquals(3, CompanionUsers.Nested.handle())

        // Before, all three counted 4 requests together under the component "Companion".
        assertEquals(1, orders.requests())
        assertEquals(2, users.requests())
        assertEquals(1, nested.requests())
    }

    @Test
    fun `a caller that blocks on another coroutine of its thread while a proxy resumes it still completes`() {
        val metrics = metrics("blocking_bridge")

        val result = assertTimeoutPreemptively(Duration.ofSeconds(20),
            ThrowingSupplier { runBlocking { handlers.blockingBridge() } })

        assertEquals(2L, result)
        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `a function calling itself with its own state machine counts each call`() {
        val metrics = metrics("recursive")

        assertEquals(5, runBlocking { handlers.recursive(5) })

        assertEquals(6, metrics.requests())
        assertEquals(6, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `concurrent calls on two threads are counted exactly`() {
        val metrics = metrics("delayed")
        val before = metrics.requests()

        runBlocking {
            withContext(Dispatchers.Default.limitedParallelism(2)) {
                (1..500).map { async { handlers.delayed(1) } }.awaitAll()
            }
        }

        assertEquals(before + 500, metrics.requests())
        assertEquals(before + 500, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `the resumed value reaches the caller unchanged`() {
        val value = runBlocking { handlers.delayed(1) }

        assertSame(1L, value)
    }

    @Test
    fun `a failing metrics backend never reaches the coroutine`() {
        val id = WovenCalls.reserve(SUSPEND_NS, "suspend", "guarded")
        val failuresBefore = WovenCallsSeams.failures()
        ThrowingMetrics.install(id)
        try {
            assertEquals(2L, runBlocking { handlers.guarded(1) })
            assertTrue(WovenCallsSeams.failures() > failuresBefore, "failures are counted")
        } finally {
            WovenCallsSeams.restore(id, (
                DistributedRuntime.get().namespace(SUSPEND_NS).component("suspend").endpoint("guarded")))
        }
    }

    /**
     * Another agent's Byte Buddy advice, woven before this one (Elastic APM, Datadog), copies the
     * arguments to new local variables and runs the function on the copies: its state machine is
     * still found, and each call counts once. Before, each resumption counted as a new call, and the
     * proxy of its continuation made the function start over: the call never ended, and the counts
     * grew by thousands a second (a tester: Elastic APM 1.55.1 and dd-java-agent 1.68.1, JDK 17 and 25).
     */
    @Test
    fun `a function whose arguments another agent's advice copies counts each call once`() {
        val name = "com.example.endpoints.AdvisedSuspend"
        val original = SuspendShapeTest::class.java.classLoader.getResourceAsStream(name.replace('.', '/') + ".class")!!
            .use { it.readBytes() }
        val advised = ArgumentCopyingAdvice.apply(name, original, "delayed")
        val loader = object : ClassLoader(SuspendShapeTest::class.java.classLoader) {
            fun define(classFile: ByteArray): Class<*> = defineClass(name, classFile, 0, classFile.size)

            // Its state machine too, which it may access only in its own package of this loader.
            override fun loadClass(className: String, resolve: Boolean): Class<*> {
                if (!className.startsWith("$name$")) {
                    return super.loadClass(className, resolve)
                }
                synchronized(getClassLoadingLock(className)) {
                    findLoadedClass(className)?.let { return it }
                    val bytes = parent.getResourceAsStream(className.replace('.', '/') + ".class")!!.use { it.readBytes() }
                    return defineClass(className, bytes, 0, bytes.size)
                }
            }
        }
        // Woven by the installed agent as the JVM defines it, after the other agent's advice.
        val type = loader.define(advised)
        val delayed = type.getMethod("delayed", Long::class.javaPrimitiveType, kotlin.coroutines.Continuation::class.java)
        val target = type.getConstructor().newInstance()
        val metrics = metrics("delayed", "advised")
        val before = metrics.requests()

        repeat(3) {
            val result = assertTimeoutPreemptively(Duration.ofSeconds(10), ThrowingSupplier {
                runBlocking {
                    kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn<Any?> { continuation ->
                        delayed.invoke(target, 5L, continuation)
                    }
                }
            })
            assertEquals(5L, result)
        }
        assertEquals(before + 3, metrics.requests(), "one request per call")
        assertEquals(0, metrics.inflight(), "every call ended")
    }

    @Test
    fun `Kotlin wrappers called from Java count one call each`() {
        val overloads = metrics("overloads", "wrappers")
        val staticBridge = metrics("jvm_static", "wrappers")
        val defaults = metrics("defaults", "wrappers")

        KotlinWrapperCalls.callEachOnce(handlers)
        handlers.withDefault(1)

        assertEquals(2, overloads.requests(), "overloads(a) and overloads(a, b)")
        assertEquals(2, staticBridge.requests(), "the static bridge and the companion")
        assertEquals(1, defaults.requests(), "through withDefault\$default")
    }
}
