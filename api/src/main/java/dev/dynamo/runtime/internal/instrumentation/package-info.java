/**
 * Not API: what the code the agent weaves into {@code @DynamoEndpoint} methods calls, one class per
 * handler shape ({@code WovenCalls} for synchronous and {@code CompletionStage} methods,
 * {@code SuspendCalls}, {@code PublisherCalls}, {@code StreamObserverCalls}), and the metrics of one
 * endpoint they record into ({@code WorkHandlerMetrics}). Public only because woven classes of any
 * package call in; the members they refer to are listed, and frozen, in
 * {@link dev.dynamo.runtime.internal.bridge.WovenMember}. Applications must not call anything here.
 */
package dev.dynamo.runtime.internal.instrumentation;
