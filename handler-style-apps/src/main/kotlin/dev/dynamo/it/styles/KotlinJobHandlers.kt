package dev.dynamo.it.styles

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/** Handlers that start a coroutine and return its job: eager, measured from the call to the job's end. */
class KotlinJobHandlers {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "deferred")
    fun deferred(i: Int): Deferred<Int> = scope.async {
        delay(5)
        i
    }

    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "deferred_error")
    fun deferredFailing(): Deferred<Int> = scope.async {
        delay(1)
        throw QuotaExceededException()
    }

    /** Runs until its caller cancels it. */
    @DynamoEndpoint(namespace = "it", component = "eager_future", endpoint = "job_cancelled")
    fun longJob(): Job = scope.launch { delay(60_000) }
}
