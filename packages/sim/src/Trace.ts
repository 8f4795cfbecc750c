/**
 * A run's trace. The type and its NDJSON form belong to the domain (the emulator records the same
 * entries); the simulator re-exports them here so `@mpc-kit/sim`'s `Trace` keeps working.
 *
 * @since 0.1.0
 */
export * from "@mpc-kit/domain/Trace"
