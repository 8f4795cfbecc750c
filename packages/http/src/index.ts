/**
 * mpc-kit's shell: Effect services, the command line, and (soon) the Plivo-compatible emulator.
 *
 * @since 0.1.0
 */

/** The `decode` command. */
export * as DecodeCli from "./DecodeCli.js"
