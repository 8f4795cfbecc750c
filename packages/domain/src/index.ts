/**
 * mpc-kit's domain: the pure rules of Plivo's multiparty-call participant lifecycle.
 *
 * @since 0.1.0
 */

/** fast-check arbitraries of wire requests, valid and invalid. */
export * as AddParticipantArbitrary from "./AddParticipantArbitrary.js"
/** The add-participant request on the wire: decoding, defaults, refusals. */
export * as AddParticipantParams from "./AddParticipantParams.js"
/** The add-participant request once decoded. */
export * as AddParticipantRequest from "./AddParticipantRequest.js"
/** Why calls hang up and MPCs end. */
export * as Cause from "./Cause.js"
/** The outputs of `step`. */
export * as Command from "./Command.js"
/** The inputs of `step`. */
export * as Event from "./Event.js"
/** Who hears whom (LIFE-10, LIFE-11). */
export * as Hearing from "./Hearing.js"
/** Deterministic ids. */
export * as Ids from "./Ids.js"
/** Refusals that name the parameters at fault. */
export * as InvalidRequest from "./InvalidRequest.js"
/** The invariants, as pure predicates named by rule. */
export * as Invariants from "./Invariants.js"
/** The MPC's friendly name. */
export * as MpcName from "./MpcName.js"
/** What `step` answers: typed replies and tagged refusals. */
export * as Outcome from "./Outcome.js"
/** Wire parameter building blocks. */
export * as Param from "./Param.js"
/** A persistent map with string keys. */
export * as PMap from "./PMap.js"
/** One account's world. */
export * as State from "./State.js"
/** The rules engine. */
export * as Step from "./Step.js"
/** Pending timers, for whoever drives `step`. */
export * as Timers from "./Timers.js"
/** CB-3 timestamps. */
export * as Timestamp from "./Timestamp.js"
/** Call-control XML: the parsed document, the `<MultiPartyCall>` element, the document as a program. */
export * as Xml from "./xml/index.js"
