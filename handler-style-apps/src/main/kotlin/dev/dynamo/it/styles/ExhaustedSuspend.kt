package dev.dynamo.it.styles

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.runBlocking

/**
 * A suspend function that recurses until the stack ends and catches the `StackOverflowError` itself
 * (see [ExhaustedStackApp]): its returns nearest the top run where no call fits. It returns a
 * constant object: an `Int` would be boxed and unboxed by calls of its own, which fail at the top
 * of the stack with or without the agent.
 */
object ExhaustedSuspend {
    @JvmField
    var caught = 0

    @JvmField
    val done = Any()

    @DynamoEndpoint(namespace = "exhausted", component = "shapes", endpoint = "suspend")
    suspend fun deep(level: Int): Any {
        try {
            deep(level + 1)
        } catch (end: StackOverflowError) {
            caught++
        }
        return done
    }

    /** One descent, from a coroutine on the calling thread. */
    @JvmStatic
    fun descend() {
        runBlocking { deep(0) }
    }
}
