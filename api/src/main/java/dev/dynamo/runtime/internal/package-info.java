/**
 * Not API: the implementation behind {@link dev.dynamo.runtime.DistributedRuntime} and its metrics,
 * and the entry points the agent reaches. Public only where the agent, which lives in another
 * package (and often links to another copy of these classes), must call in; applications must not
 * use anything here, and any of it may change in any release. The API is
 * {@code dev.dynamo.runtime} and {@code dev.dynamo.runtime.metrics}.
 */
package dev.dynamo.runtime.internal;
