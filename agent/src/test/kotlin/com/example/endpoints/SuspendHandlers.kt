package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

const val SUSPEND_NS = "suspend_test"

class QuotaExceededException : RuntimeException("quota exceeded")

@JvmInline
value class UserId(val id: Long)

/** Suspend functions in each of their compiled forms, and Kotlin-generated wrappers. */
class SuspendHandlers {
    /** Compiled as internalName$<module>: the endpoint is still the name in the source. */
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "mangled")
    internal suspend fun internalName(x: Int): Int = x + 1

    /** Compiled as valueClassResult-<hash>. */
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "mangled")
    fun valueClassResult(x: Long): UserId = UserId(x)

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "no_suspend")
    suspend fun noSuspend(x: Int): Int = x + 1

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "many")
    suspend fun suspendsMany(times: Int): Int {
        var count = 0
        repeat(times) {
            yield()
            count++
        }
        return count
    }

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "delayed")
    suspend fun delayed(millis: Long): Long {
        delay(millis)
        return millis
    }

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "tail_call")
    suspend fun tailCall(millis: Long) = delay(millis)

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "failing")
    suspend fun failing(): Int {
        yield()
        throw QuotaExceededException()
    }

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "failing_at_once")
    suspend fun failingAtOnce(): Int = throw QuotaExceededException()

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "waiting")
    suspend fun waiting(): Int {
        delay(600_000)
        return 0
    }

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "recursive")
    suspend fun recursive(depth: Int): Int {
        if (depth == 0) {
            return 0
        }
        yield()
        return 1 + recursive(depth - 1)
    }

    /** Suspends only at the bottom: Kotlin resumes the whole chain from there in one loop. */
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "deep_resumption")
    suspend fun deepResumption(depth: Int): Int {
        if (depth == 0) {
            delay(1)
            return 0
        }
        return 1 + deepResumption(depth - 1)
    }

    /**
     * Resumed by the proxy of a measured callee, it then blocks on another coroutine of the same
     * thread, whose own measured call must be resumed meanwhile.
     */
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "blocking_bridge")
    suspend fun blockingBridge(): Long {
        val first = delayed(1)
        return first + runBlocking { delayed(1) }
    }

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "suspend", endpoint = "guarded")
    suspend fun guarded(x: Long): Long {
        yield()
        return x + 1
    }

    @JvmOverloads
    @DynamoEndpoint(namespace = SUSPEND_NS, component = "wrappers", endpoint = "overloads")
    fun overloads(a: Int, b: Int = 2): Int = a * b

    @DynamoEndpoint(namespace = SUSPEND_NS, component = "wrappers", endpoint = "defaults")
    fun withDefault(a: Int, b: Int = 3): Int = a + b

    companion object {
        @JvmStatic
        @DynamoEndpoint(namespace = SUSPEND_NS, component = "wrappers", endpoint = "jvm_static")
        fun jvmStatic(x: Int): Int = x + 1
    }
}

/**
 * A suspend function that recurses until the stack ends and catches the overflow (see
 * ExhaustedStackHandlers). It returns a constant object: an `Int` result would be boxed and unboxed
 * by calls of the function's own, which fail at the top of the stack with or without the agent.
 */
object ExhaustedSuspend {
    @JvmField
    val done = Any()

    @DynamoEndpoint(namespace = ExhaustedStackHandlers.NS, component = "exhausted", endpoint = "suspend")
    suspend fun deep(level: Int): Any {
        try {
            deep(level + 1)
        } catch (end: StackOverflowError) {
            ExhaustedStackHandlers.caught++
        }
        return done
    }
}

/** A suspend function that recurses until the stack ends and lets the overflow go: every call throws. */
object OverflowingSuspend {
    @DynamoEndpoint(namespace = ExhaustedStackHandlers.NS, component = "exhausted", endpoint = "suspend_overflow")
    suspend fun overflow(level: Int): Int = overflow(level + 1) + 1
}

/** Two classes whose companions hold a measured function of the same name, and a nested class's. */
class CompanionOrders {
    companion object {
        @DynamoEndpoint(namespace = SUSPEND_NS, endpoint = "companion_handle")
        fun handle(): Int = 1
    }
}

class CompanionUsers {
    companion object {
        @DynamoEndpoint(namespace = SUSPEND_NS, endpoint = "companion_handle")
        fun handle(): Int = 2
    }

    class Nested {
        companion object {
            @DynamoEndpoint(namespace = SUSPEND_NS, endpoint = "companion_handle")
            fun handle(): Int = 3
        }
    }
}
