/**
 * Test helpers for the simulator: fast-check arbitraries of scenarios. A separate entry point
 * (`@mpc-kit/sim/testing`), so the main one never loads fast-check.
 *
 * @since 0.1.0
 */

/**
 * fast-check arbitraries of scenarios.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Arbitrary from "./Arbitrary.js"
