package dev.dynamo.it.styles

import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.util.concurrent.Executors

/**
 * Calls every [CoroutineHandlers] function a known number of times on two threads, many calls in
 * flight at once, prints `done <calls>` and waits for stdin to close so that the metrics can be read.
 *
 * Arguments: calls per concurrent function (default 400).
 */
object CoroutineApp {
    @JvmStatic
    fun main(args: Array<String>) {
        val calls = args.firstOrNull()?.toInt() ?: 400
        val handlers = CoroutineHandlers()
        val pool = Executors.newFixedThreadPool(2)
        val twoThreads = pool.asCoroutineDispatcher()
        runBlocking(twoThreads) {
            (1..calls).map { async { handlers.suspendOnce(it) } }.awaitAll()
            (1..calls).map { async { handlers.tailCall() } }.awaitAll()
            (1..calls).map { async { handlers.noSuspend(it) } }.awaitAll()
            (1..20).map { async { handlers.suspendMany(50) } }.awaitAll()
            check(handlers.recursive(9) == 9)
            repeat(4) {
                try {
                    handlers.failing()
                } catch (expected: QuotaExceededException) {
                }
            }
            val waiting = (1..3).map { launch { handlers.waiting() } }
            delay(100)
            waiting.forEach { it.cancel() }
            waiting.forEach { it.join() }
            // From Kotlin: one call of the function itself (the overloads are for Java callers).
            handlers.overloads(1)
            CoroutineHandlers.jvmStatic(1)
        }
        // From Java: through the generated overloads and the static bridge.
        JavaCallers.callWrappers(handlers)
        pool.shutdown()
        println("done $calls")
        System.out.flush()
        System.`in`.read()
    }
}
