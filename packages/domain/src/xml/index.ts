/**
 * Call-control XML (XML-1 to XML-20): the parsed document, the `<MultiPartyCall>` element and the
 * document as a program of steps.
 *
 * @since 0.2.0
 */

/**
 * A parsed XML document.
 *
 * @since 0.2.0
 * @category modules
 */
export * as Document from "./Document.js"
/**
 * The `<MultiPartyCall>` element, decoded to an add-participant request.
 *
 * @since 0.2.0
 * @category modules
 */
export * as MultiPartyCall from "./MultiPartyCall.js"
/**
 * A document as steps, run one at a time by whoever drives the call.
 *
 * @since 0.2.0
 * @category modules
 */
export * as Program from "./Program.js"
