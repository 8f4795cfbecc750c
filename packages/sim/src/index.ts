/**
 * mpc-kit's simulator: the domain's rules on virtual time, against scripted callees.
 *
 * The fast-check arbitraries are in `@mpc-kit/sim/testing`, so this entry exports none.
 *
 * @since 0.1.0
 */

/**
 * XML-1: inbound callers' applications as data.
 *
 * @since 0.2.0
 * @category modules
 */
export * as Applications from "./Applications.js"
/**
 * A run's figures as Vega-Lite charts, rendered to SVG.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Charts from "./Charts.js"
/**
 * The agenda.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Heap from "./Heap.js"
/**
 * A run's figures.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Metrics from "./Metrics.js"
/**
 * Seeded randomness and distributions.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Random from "./Random.js"
/**
 * Scenarios as data.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Scenario from "./Scenario.js"
/**
 * The engine.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Simulation from "./Simulation.js"
/**
 * One MPC of a run as an SVG timeline.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Timeline from "./Timeline.js"
/**
 * Traces (the domain's, re-exported).
 *
 * @since 0.1.0
 * @category modules
 */
export * as Trace from "./Trace.js"
