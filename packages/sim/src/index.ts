/**
 * mpc-kit's simulator: the domain's rules on virtual time, against scripted callees.
 *
 * @since 0.1.0
 */

/** The agenda. */
export * as Heap from "./Heap.js"
/** A run's figures. */
export * as Metrics from "./Metrics.js"
/** Seeded randomness and distributions. */
export * as Random from "./Random.js"
/** Scenarios as data. */
export * as Scenario from "./Scenario.js"
/** The engine. */
export * as Simulation from "./Simulation.js"
/** Traces. */
export * as Trace from "./Trace.js"
