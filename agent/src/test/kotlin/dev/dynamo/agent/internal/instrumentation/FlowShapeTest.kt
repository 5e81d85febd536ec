package dev.dynamo.agent.internal.instrumentation

import com.example.endpoints.FLOW_NS
import com.example.endpoints.FlowHandlers
import com.example.endpoints.Paged
import com.example.endpoints.StreamBrokenException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.delay
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test

/**
 * Functions returning a Kotlin `Flow` (grpc-kotlin's streaming methods among them): a flow does
 * nothing until collected, so a call is counted at its first collection and timed until that
 * collection ends, as a publisher's first subscription is.
 */
class FlowShapeTest {
    companion object {
        private lateinit var transformer: EndpointTransformer
        private lateinit var handlers: FlowHandlers

        @JvmStatic
        @BeforeAll
        fun installAgent() {
            transformer = EndpointMetrics.install()
            handlers = FlowHandlers()
        }

        @JvmStatic
        @AfterAll
        fun removeAgent() = EndpointMetrics.uninstall(transformer)

        private fun metrics(endpoint: String) = EndpointMetrics(FLOW_NS, "flows", endpoint)
    }

    @Test
    fun `a call is timed until its collection ends, not until the function returns`() {
        val metrics = metrics("slow")

        val items = runBlocking { handlers.slow(3, 40).toList() }

        assertEquals(listOf(1, 2, 3), items)
        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.durations())
        assertEquals(0, metrics.inflight())
        // Before: timed to the function's return, well under a millisecond.
        assertTrue(metrics.durationSum() >= 0.12, "the duration covers the three pauses: " + metrics.durationSum())
    }

    @Test
    fun `a flow never collected is no request, and one collected twice is one`() {
        val metrics = metrics("immediate")

        handlers.immediate()
        assertEquals(0, metrics.requests())

        val flow = handlers.immediate()
        assertEquals(listOf(1, 2, 3), runBlocking { flow.toList() })
        assertEquals(listOf(1, 2, 3), runBlocking { flow.toList() })
        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.durations())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `an exception while the flow is collected counts one error of its type and reaches the collector`() {
        val metrics = metrics("failing")

        assertThrows(StreamBrokenException::class.java) { runBlocking { handlers.failing().toList() } }

        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.errors("StreamBrokenException"))
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `a collection cancelled or cut short counts a cancellation`() {
        val metrics = metrics("endless")

        assertEquals(listOf(0, 1, 2), runBlocking { handlers.endless().take(3).toList() })
        assertEquals(0, runBlocking { handlers.endless().first() })
        runBlocking {
            val collecting = launch { handlers.endless().collect { } }
            delay(20)
            assertEquals(1, metrics.inflight(), "in flight while collected")
            collecting.cancelAndJoin()
        }

        assertEquals(3, metrics.requests())
        assertEquals(3, metrics.cancellations())
        assertEquals(0, metrics.errors("AbortFlowException"))
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `a channel flow the caller moves to another dispatcher is still measured`() {
        val metrics = metrics("channel")

        val items = runBlocking { handlers.channel().flowOn(Dispatchers.IO).toList() }

        assertEquals(listOf(1, 2), items)
        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
    }

    @Test
    fun `a hot flow returned as a Flow is returned as it is and timed to the return`() {
        val metrics = metrics("state")

        val flow = handlers.state()

        assertSame(handlers.state, flow, "the caller gets the very StateFlow, to compare or cast")
        assertEquals(7, (flow as StateFlow<*>).value)
        assertEquals(1, metrics.requests())
        assertEquals(0, metrics.inflight())
        assertEquals(7, runBlocking { flow.first() })
        assertEquals(0, metrics.cancellations())
    }

    @Test
    fun `a flow of the application's own class is returned as it is and timed to the return`() {
        val metrics = metrics("own_class")

        val flow = handlers.ownClass()

        assertEquals(3, (flow as Paged).total, "the caller can still cast it to its class")
        assertEquals(1, metrics.requests())
        assertEquals(listOf(1, 2, 3), runBlocking { flow.toList() })
        assertEquals(1, metrics.requests())
    }

    @Test
    fun `an anonymous flow is measured at its collection`() {
        val metrics = metrics("anonymous")

        val flow = handlers.anonymous()
        assertEquals(0, metrics.requests())
        assertEquals(listOf(1), runBlocking { flow.toList() })

        assertEquals(1, metrics.requests())
        assertTrue(metrics.durationSum() >= 0.03, "timed to the end of the collection: " + metrics.durationSum())
    }

    @Test
    fun `a function that throws instead of returning a flow counts one request and one error`() {
        val metrics = metrics("throwing")

        assertThrows(StreamBrokenException::class.java) { handlers.throwing() }

        assertEquals(1, metrics.requests())
        assertEquals(1, metrics.errors("StreamBrokenException"))
        assertEquals(0, metrics.inflight())
    }
}
