package com.example.endpoints

import dev.dynamo.runtime.DynamoEndpoint

import scala.concurrent.{ExecutionContext, Future, Promise}

/** Handlers returning Scala's `Future`: eager, measured from the call to its completion. */
class ScalaFutures(implicit ec: ExecutionContext) {
  @DynamoEndpoint(namespace = "eager_future_test", component = "scala", endpoint = "promised")
  def promised(answer: Promise[String]): Future[String] = answer.future

  @DynamoEndpoint(namespace = "eager_future_test", component = "scala", endpoint = "delayed")
  def delayed(millis: Long): Future[String] = Future {
    Thread.sleep(millis)
    "late"
  }

  @DynamoEndpoint(namespace = "eager_future_test", component = "scala", endpoint = "failing")
  def failing(): Future[String] = Future {
    throw new IllegalStateException("no stock")
  }

  @DynamoEndpoint(namespace = "eager_future_test", component = "scala", endpoint = "successful")
  def successful(): Future[String] = Future.successful("done")
}

/** What a Java test needs of Scala's futures. */
object ScalaFutureCalls {
  def newFutures(): ScalaFutures = new ScalaFutures()(ExecutionContext.global)

  def promise(): Promise[String] = Promise[String]()

  def await[T](future: Future[T]): T = scala.concurrent.Await.result(future, scala.concurrent.duration.Duration(10, "s"))
}
