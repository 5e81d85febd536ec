package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.flow

const val FLOW_NS = "flow_test"

class StreamBrokenException : RuntimeException("stream broken")

/** Functions returning a Kotlin `Flow`: each call is one request, timed until its first collection ends. */
class FlowHandlers {
    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "slow")
    fun slow(items: Int, pauseMillis: Long): Flow<Int> = flow {
        for (i in 1..items) {
            delay(pauseMillis)
            emit(i)
        }
    }

    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "immediate")
    fun immediate(): Flow<Int> = listOf(1, 2, 3).asFlow()

    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "failing")
    fun failing(): Flow<Int> = flow {
        emit(1)
        delay(5)
        throw StreamBrokenException()
    }

    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "endless")
    fun endless(): Flow<Int> = flow {
        var i = 0
        while (true) {
            emit(i++)
            delay(1)
        }
    }

    /** A channel flow, which kotlinx.coroutines fuses with `flowOn` and `buffer` when it can. */
    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "channel")
    fun channel(): Flow<Int> = channelFlow {
        send(1)
        delay(5)
        send(2)
    }

    val state = MutableStateFlow(7)

    /** A hot flow, returned as a `Flow`: returned as it is, timed to the return. */
    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "state")
    fun state(): Flow<Int> = state

    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "throwing")
    fun throwing(): Flow<Int> = throw StreamBrokenException()

    /** A flow of the application's own class, which its callers may cast to: returned as it is. */
    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "own_class")
    fun ownClass(): Flow<Int> = Paged(3)

    /** An anonymous flow: measured at its collection. */
    @DynamoEndpoint(namespace = FLOW_NS, component = "flows", endpoint = "anonymous")
    fun anonymous(): Flow<Int> = object : Flow<Int> {
        override suspend fun collect(collector: FlowCollector<Int>) {
            delay(30)
            collector.emit(1)
        }
    }
}

class Paged(val total: Int) : Flow<Int> {
    override suspend fun collect(collector: FlowCollector<Int>) {
        for (i in 1..total) {
            collector.emit(i)
        }
    }
}
