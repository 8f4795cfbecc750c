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
/** Refusals that name the parameters at fault. */
export * as InvalidRequest from "./InvalidRequest.js"
/** The MPC's friendly name. */
export * as MpcName from "./MpcName.js"
/** Wire parameter building blocks. */
export * as Param from "./Param.js"
