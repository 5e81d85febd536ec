package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint

/**
 * A trait's concrete method, compiled by Scala 2: each class that mixes the trait in gets a forwarder
 * with the same annotation that calls the trait's static `greet$`, which runs the trait's method.
 */
trait Scala2Greeting {
  @DynamoEndpoint(namespace = "scala2_test", component = "trait", endpoint = "greet")
  def greet(name: String): String = "hello " + name

  /** Named by default: the trait's component, for every class that mixes it in. */
  @DynamoEndpoint(namespace = "scala2_test")
  def wave(name: String): String = "bye " + name
}

class Scala2Greeter extends Scala2Greeting

/** An object mixing the trait in: a static forwarder in Scala2GreeterObject, a mixin forwarder in its class. */
object Scala2GreeterObject extends Scala2Greeting

/**
 * An override of the application's own that calls `super`: Scala 2 compiles it to the same call of
 * the trait's static `greet$` as a mixin forwarder, but its annotation is its own.
 */
class Scala2Overrider extends Scala2Greeting {
  @DynamoEndpoint(namespace = "scala2_test", component = "overrider", endpoint = "greet")
  override def greet(name: String): String = super.greet(name)
}

/** An override of the application's own named by default, like the trait's method: its own endpoint all the same. */
class Scala2DefaultNamedOverrider extends Scala2Greeting {
  @DynamoEndpoint(namespace = "scala2_test")
  override def wave(name: String): String = super.wave(name)
}
