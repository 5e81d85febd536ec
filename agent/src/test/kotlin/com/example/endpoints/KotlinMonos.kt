package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint
import reactor.core.CoreSubscriber
import reactor.core.publisher.Mono

/** A Kotlin `object` that is a Mono: one instance, which callers compare with. */
object ConstantMono : Mono<String>() {
    override fun subscribe(actual: CoreSubscriber<in String>) {
        Mono.just("constant").subscribe(actual)
    }
}

/** A sealed class of Monos whose callers tell the cases apart with `when`. */
sealed class Reply : Mono<String>()

class Found : Reply() {
    override fun subscribe(actual: CoreSubscriber<in String>) {
        Mono.just("found").subscribe(actual)
    }
}

object NotFound : Reply() {
    override fun subscribe(actual: CoreSubscriber<in String>) {
        Mono.empty<String>().subscribe(actual)
    }
}

/** Handlers returning Kotlin's own kinds of Mono subclasses, which add no member a caller calls. */
class KotlinMonoHandlers {
    @DynamoEndpoint(namespace = "own_subclass_test", component = "kotlin", endpoint = "constant")
    fun constant(): Mono<String> = ConstantMono

    @DynamoEndpoint(namespace = "own_subclass_test", component = "kotlin", endpoint = "reply")
    fun reply(found: Boolean): Mono<String> = if (found) Found() else NotFound

    /** What a caller of [reply] does with the answer. */
    fun describe(reply: Mono<String>): String = when (reply) {
        is Found -> "found"
        is NotFound -> "not found"
        else -> "other: " + reply.javaClass.name
    }
}
