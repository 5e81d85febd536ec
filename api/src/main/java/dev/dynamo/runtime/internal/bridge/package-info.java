/**
 * The contract between the agent and the copies of the API in a JVM: every method one side calls
 * on the other by name ({@link dev.dynamo.runtime.internal.bridge.ReflectiveCall}), and the formats
 * in which metric families ({@link dev.dynamo.runtime.internal.bridge.SnapshotFormat}) and health
 * states ({@link dev.dynamo.runtime.internal.bridge.HealthFormat}) cross between them. Nothing
 * else crosses; a change to either side that this package does not describe breaks only the
 * mixed-version cases, which {@code BridgeContractTest} guards.
 *
 * <h2>Who runs what, where</h2>
 * <ul>
 *   <li>The <em>primary</em> copy of the API is the one the agent defines in the bootstrap class
 *       loader. Its {@code ExportBridge} answers the agent and every other copy.</li>
 *   <li>A <em>foreign</em> copy is one a child-first class loader loaded from the application's
 *       own jar. It may be older or newer than the primary. It finds the primary through the
 *       bootstrap loader, calls it by name, and hands it suppliers that encode with the foreign
 *       copy's own {@link dev.dynamo.runtime.internal.bridge.SnapshotFormat}; the primary decodes
 *       with its own.</li>
 *   <li>The agent calls the primary by name too: after a dynamic attach its classes may link to an
 *       application's older copy that the system class loader loaded first. For the same reason
 *       the agent jar carries this package relocated ({@code dev.dynamo.agent.shaded.bridge}): the
 *       agent decodes what the primary encoded with the code of its own version, never with a
 *       copy it happens to link to.</li>
 * </ul>
 * Therefore these classes use JDK types only and refer to no other class of the API.
 *
 * <p>One more kind of call crosses, linked rather than reflected: the code the agent weaves into an
 * {@code @DynamoEndpoint} method calls {@code WovenCalls} of the copy of the API the
 * method's class loader sees. Copies from before that class existed do not define it, so their
 * loader finds the primary's. Every member woven code refers to is listed in
 * {@link dev.dynamo.runtime.internal.bridge.WovenMember}; members are only added, never changed,
 * and the agent instruments no class whose loader sees a copy lacking one, and says so once.
 *
 * <h2>Versions</h2>
 * Each encoded family and health state carries its format version. A decoder reads every version
 * up to its own and leaves out a newer one, with one warning, rather than misread it. A new field
 * goes after the existing ones and keeps their indices, so that readers of an older version still
 * read the rest; a change that would mislead them takes a new version. Version 1 is the layout
 * copies wrote before the version travelled with it: the same indices, no version field.
 * The class {@code dev.dynamo.runtime.internal.ExportBridge} and the names in
 * {@link dev.dynamo.runtime.internal.bridge.ReflectiveCall} are frozen: released copies call them.
 */
package dev.dynamo.runtime.internal.bridge;
