package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint

/** Overloads written by hand in Kotlin: each annotated one counts, as in Java. */
open class KotlinOverloads {
    @DynamoEndpoint(namespace = "overloads_test", component = "kotlin", endpoint = "scale")
    open fun scale(value: Int): Int = scale(value, 2)

    @DynamoEndpoint(namespace = "overloads_test", component = "kotlin", endpoint = "scale")
    open fun scale(value: Int, factor: Int): Int = value * factor
}

/** Overrides the full method without the annotation: calls through the short one still count there. */
class KotlinOverloadsOverridden : KotlinOverloads() {
    override fun scale(value: Int, factor: Int): Int = value * factor * 10
}
