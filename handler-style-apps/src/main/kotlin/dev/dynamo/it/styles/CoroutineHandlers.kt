package dev.dynamo.it.styles

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.delay

class QuotaExceededException : RuntimeException("quota exceeded")

/** Suspend functions of every compiled form, and the wrappers Kotlin generates around functions. */
class CoroutineHandlers {
    /** Suspends once and works after it: compiled with a state machine, re-entered at the resumption. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "suspend_once")
    suspend fun suspendOnce(i: Int): Int {
        delay(SUSPEND_MILLIS)
        return i * 2
    }

    /** Suspends [times] times: re-entered [times] times per call. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "suspend_many")
    suspend fun suspendMany(times: Int): Int {
        var sum = 0
        repeat(times) {
            delay(1)
            sum += it
        }
        return sum
    }

    /** Only a tail call: compiled without a state machine, the callee resumes the caller directly. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "tail_call")
    suspend fun tailCall() = delay(SUSPEND_MILLIS)

    /** A suspend function that returns without ever suspending. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "no_suspend")
    suspend fun noSuspend(i: Int): Int = i + 1

    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "failing")
    suspend fun failing(): Int {
        delay(1)
        throw QuotaExceededException()
    }

    /** Waits until its coroutine is cancelled. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "waiting")
    suspend fun waiting(): Int {
        delay(600_000)
        return 0
    }

    /** Calls itself [depth] times, suspending before each: depth + 1 calls. */
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "recursive")
    suspend fun recursive(depth: Int): Int {
        if (depth == 0) {
            return 0
        }
        delay(1)
        return 1 + recursive(depth - 1)
    }

    /** Kotlin adds overloads without the defaulted parameter, each calling `overloads$default`. */
    @JvmOverloads
    @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "overloads")
    fun overloads(a: Int, b: Int = 2, c: Int = 3): Int = a * b + c

    companion object {
        const val SUSPEND_MILLIS = 5L

        /** Kotlin adds a static bridge to the outer class that calls this function. */
        @JvmStatic
        @DynamoEndpoint(namespace = "it", component = "kotlin", endpoint = "jvm_static")
        fun jvmStatic(x: Int): Int = x + 1
    }
}
