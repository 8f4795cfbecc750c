/**
 * mpc-kit's shell: Effect services, the command line, and (soon) the Plivo-compatible emulator.
 *
 * @since 0.1.0
 */

/**
 * XML-1: inbound calls with an answer URL.
 *
 * @since 0.2.0
 * @category modules
 */
export * as AnswerUrl from "./AnswerUrl.js"
/**
 * Signed, retried, ordered callbacks (CB-2, CB-8).
 *
 * @since 0.1.0
 * @category modules
 */
export * as CallbackSender from "./CallbackSender.js"
/**
 * The `decode` command.
 *
 * @since 0.1.0
 * @category modules
 */
export * as DecodeCli from "./DecodeCli.js"
/**
 * The emulator's environment (HOST, PORT, MPC_CLOCK, ...), read through `Config`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as EmulatorConfig from "./EmulatorConfig.js"
/**
 * The emulator's engine.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Engine from "./Engine.js"
/**
 * The MPCs that ended: kept in memory or read from the store (STORE-10).
 *
 * @since 0.2.0
 * @category modules
 */
export * as History from "./History.js"
/**
 * The engine's outputs: callbacks wherever they go, XML fetched the same way.
 *
 * @since 0.2.0
 * @category modules
 */
export * as Outputs from "./Outputs.js"
/**
 * The CONNECT proxy and local CA for the official SDKs.
 *
 * @since 0.1.0
 * @category modules
 */
export * as ConnectProxy from "./Proxy.js"
/**
 * The emulator's HTTP server.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Server from "./Server.js"
/**
 * X-Plivo-Signature-V3 (CB-8).
 *
 * @since 0.1.0
 * @category modules
 */
export * as Signature from "./Signature.js"
/**
 * XML of sounds, music and prompts (Play, Speak, Wait).
 *
 * @since 0.1.0
 * @category modules
 */
export * as Xml from "./Xml.js"
/**
 * XML-1, XML-4: fetching the documents that run calls.
 *
 * @since 0.2.0
 * @category modules
 */
export * as DocumentFetcher from "./xml/Fetcher.js"
