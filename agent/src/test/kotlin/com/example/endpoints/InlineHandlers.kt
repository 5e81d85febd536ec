@file:Suppress("NOTHING_TO_INLINE")

package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint

/**
 * Annotated Kotlin inline functions, whose bodies Kotlin copies into their Kotlin callers: not measured.
 * Next to them, functions that are not inline but call inline functions, some of the same name (and
 * so with the same `$i$f$quote` marker in their code): measured.
 */
class InlineHandlers {
    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "quote")
    inline fun quote(sku: String, block: (String) -> Int): Int = block(sku) * 2

    /** Not inline: calls the inline `quote` of another class, copied in here. */
    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "quote_caller")
    fun quote(sku: String): Int = InlinePricing.quote(sku) { it.length }

    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "plain")
    inline fun plain(value: Int): Int = value + 1

    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "reified")
    inline fun <reified T> reified(value: Any): Boolean = value is T

    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "suspended")
    suspend inline fun suspended(value: Int): Int = value * 3

    /** Not inline: calls this class's own inline functions. */
    @DynamoEndpoint(namespace = NS, component = "kotlin", endpoint = "caller")
    fun caller(sku: String): Int = quote(sku) { it.length } + plain(1)

    companion object {
        const val NS = "inline_test"

        /** Kotlin writes a static bridge into InlineHandlers too, with the annotation, which calls this one. */
        @JvmStatic
        @DynamoEndpoint(namespace = NS, component = "companion", endpoint = "quote")
        inline fun quote(sku: String, times: Int): Int = sku.length * times
    }
}

object InlinePricing {
    inline fun quote(sku: String, block: (String) -> Int): Int = block(sku) + 1
}

@DynamoEndpoint(namespace = InlineHandlers.NS, component = "top", endpoint = "quote")
inline fun topQuote(sku: String): Int = sku.length * 7

/** Not inline: calls the inline function above. */
@DynamoEndpoint(namespace = InlineHandlers.NS, component = "top", endpoint = "caller")
fun topCaller(sku: String): Int = topQuote(sku) + 1

/**
 * Property accessors that share their JVM names and numbers of parameters with inline functions beside
 * them, whose metadata gives no descriptor: the accessors are not inline, and are measured.
 */
class InlineAccessors {
    @get:DynamoEndpoint(namespace = InlineHandlers.NS, component = "accessor", endpoint = "label")
    val String.label: Int get() = length

    @DynamoEndpoint(namespace = InlineHandlers.NS, component = "accessor", endpoint = "label_inline")
    inline fun getLabel(x: Int): Int = x

    @set:DynamoEndpoint(namespace = InlineHandlers.NS, component = "accessor", endpoint = "size")
    var size: Int = 0

    @DynamoEndpoint(namespace = InlineHandlers.NS, component = "accessor", endpoint = "size_inline")
    inline fun setSize(x: String) {
        size = x.length
    }

    fun label(s: String): Int = s.label
}

/** An inline property, whose getter Kotlin callers copy in as they copy an inline function, beside a plain one. */
class InlineProperties {
    var base = 3

    @get:DynamoEndpoint(namespace = InlineHandlers.NS, component = "property", endpoint = "doubled")
    inline val doubled: Int get() = base * 2

    @get:DynamoEndpoint(namespace = InlineHandlers.NS, component = "property", endpoint = "plain")
    val plain: Int get() = base + 1

    fun sum(): Int = doubled + plain
}
