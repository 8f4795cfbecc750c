/**
 * mpc-kit's domain: the pure rules of Plivo's multiparty-call participant lifecycle.
 *
 * The fast-check arbitraries are in `@mpc-kit/domain/testing`, so this entry exports none.
 *
 * @since 0.1.0
 */

/**
 * The add-participant request on the wire: decoding, defaults, refusals.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AddParticipantParams from "./AddParticipantParams.js"
/**
 * The add-participant request once decoded.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AddParticipantRequest from "./AddParticipantRequest.js"
/**
 * Why calls hang up and MPCs end.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Cause from "./Cause.js"
/**
 * The outputs of `step`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Command from "./Command.js"
/**
 * The inputs of `step`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Event from "./Event.js"
/**
 * Who hears whom (LIFE-10, LIFE-11).
 *
 * @since 0.1.0
 * @category modules
 */
export * as Hearing from "./Hearing.js"
/**
 * Deterministic ids.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Ids from "./Ids.js"
/**
 * Refusals that name the parameters at fault.
 *
 * @since 0.1.0
 * @category modules
 */
export * as InvalidRequest from "./InvalidRequest.js"
/**
 * The invariants, as pure predicates named by rule.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Invariants from "./Invariants.js"
/**
 * The MPC's friendly name.
 *
 * @since 0.1.0
 * @category modules
 */
export * as MpcName from "./MpcName.js"
/**
 * What `step` answers: typed replies and tagged refusals.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Outcome from "./Outcome.js"
/**
 * Wire parameter building blocks.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Param from "./Param.js"
/**
 * A persistent map with string keys.
 *
 * @since 0.1.0
 * @category modules
 */
export * as PMap from "./PMap.js"
/**
 * One account's world.
 *
 * @since 0.1.0
 * @category modules
 */
export * as State from "./State.js"
/**
 * The rules engine.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Step from "./Step.js"
/**
 * Pending timers, for whoever drives `step`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Timers from "./Timers.js"
/**
 * CB-3 timestamps.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Timestamp from "./Timestamp.js"
/**
 * A run's trace: the events taken and the commands given, in order.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Trace from "./Trace.js"
/**
 * Call-control XML: the parsed document, the `<MultiPartyCall>` element, the document as a program.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Xml from "./xml/index.js"
