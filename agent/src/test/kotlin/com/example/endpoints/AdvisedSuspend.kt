package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.delay

/**
 * A suspend function that the tests rewrite with another agent's Byte Buddy advice before this agent
 * weaves it, and define in a class loader of their own: never loaded by its name.
 */
class AdvisedSuspend {
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "advised", endpoint = "delayed")
    suspend fun delayed(millis: Long): Long {
        delay(millis)
        return millis
    }
}
