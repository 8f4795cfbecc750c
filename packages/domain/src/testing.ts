/**
 * Test helpers for services built on the domain: fast-check arbitraries of add-participant requests.
 * A separate entry point (`@mpc-kit/domain/testing`), so the main one never loads fast-check.
 *
 * @since 0.1.0
 */

/**
 * fast-check arbitraries of wire requests, valid and invalid.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AddParticipantArbitrary from "./AddParticipantArbitrary.js"
