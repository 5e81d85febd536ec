package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint

/**
 * Handlers of a Scala `object`. Scala compiles them into the object's own class
 * (`ScalaObjectHandlers$`, called through `MODULE$` from Scala) and writes a static forwarder with
 * the same annotation into the class `ScalaObjectHandlers` for Java callers.
 */
object ScalaObjectHandlers {
  @DynamoEndpoint(namespace = "scala_test", component = "object", endpoint = "triple")
  def triple(x: Int): Int = x * 3

  @DynamoEndpoint(namespace = "scala_test", component = "object", endpoint = "fail")
  def fail(x: Int): Int = throw new java.io.IOException("no " + x)

  /** Named by default: the component is the object's name, for the forwarder and the object alike. */
  @DynamoEndpoint(namespace = "scala_test")
  def defaultNames(x: Int): Int = x * 4

  /** Scala callers go through the object itself, not the forwarder. */
  def callFromScala(x: Int): Int = triple(x)
}

/** An extension method: a method of the object `ScalaExtensions`, with its static forwarder too. */
object ScalaExtensions {
  extension (s: String)
    @DynamoEndpoint(namespace = "scala_test", component = "extension", endpoint = "shout")
    def shout: String = s.toUpperCase
}

/**
 * A companion object that extends its own class (a default instance): the object's class
 * `ScalaCompanionGreeter$` extends `ScalaCompanionGreeter`, and is declared nested in nothing.
 */
class ScalaCompanionGreeter {
  @DynamoEndpoint(namespace = "scala_test", component = "companion", endpoint = "greet")
  def greet(name: String): String = "hello " + name
}

object ScalaCompanionGreeter extends ScalaCompanionGreeter {
  @DynamoEndpoint(namespace = "scala_test", component = "companion", endpoint = "special")
  def special(name: String): String = "special " + name
}
