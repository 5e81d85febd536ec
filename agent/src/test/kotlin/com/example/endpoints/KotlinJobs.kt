package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/** Handlers returning Kotlin's jobs: eager coroutines, measured from the call to their completion. */
class KotlinJobs(private val scope: CoroutineScope) {
    @DynamoEndpoint(namespace = "eager_future_test", component = "kotlin", endpoint = "deferred")
    fun deferred(millis: Long): Deferred<String> = scope.async {
        delay(millis)
        "late"
    }

    @DynamoEndpoint(namespace = "eager_future_test", component = "kotlin", endpoint = "failing")
    fun failing(): Deferred<String> = scope.async {
        delay(10)
        throw IllegalStateException("no stock")
    }

    @DynamoEndpoint(namespace = "eager_future_test", component = "kotlin", endpoint = "job")
    fun job(millis: Long): Job = scope.launch { delay(millis) }

    /** Declared as a subtype of Job: found through the return type's hierarchy. */
    @DynamoEndpoint(namespace = "eager_future_test", component = "kotlin", endpoint = "completable")
    fun completable(answer: CompletableDeferred<String>): CompletableDeferred<String> = answer
}

/** A scope whose failed coroutines do not cancel the others: each job stands alone, as a server's requests do. */
fun newJobScope(): CoroutineScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
