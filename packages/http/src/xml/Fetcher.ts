/**
 * XML-1, XML-4, XML-9, XML-15: fetches the document that runs a call (its answer URL, a
 * `<Redirect>`, an `onExitActionUrl`) as Plivo does: the call's parameters in the body (POST) or
 * the query (GET), signed with `X-Plivo-Signature-V3` like callbacks, with the limits of every
 * fetched document (size, time, XML-19) and parsed by the kept parser (XML-20). The result is the
 * event the engine feeds back to the rules: `XmlFetched`, or `XmlFetchFailed` with the reason.
 *
 * @since 0.2.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Command, Event, Xml } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { buildRequest, makeNonce } from "../CallbackSender.js"
import { describe, readBody } from "../Xml.js"
import * as Parser from "./Parser.js"

/**
 * What a call's document is asked for with: the `FetchCallXml` command's fields.
 *
 * @since 0.2.0
 * @category fetching
 */
export type DocumentRequest = Omit<Extract<Command.Command, { _tag: "FetchCallXml" }>, "_tag">

/**
 * The event a fetch ends with, without its time (the engine stamps it).
 *
 * @since 0.2.0
 * @category fetching
 */
export type DocumentResult =
  | Omit<Extract<Event.Event, { _tag: "XmlFetched" }>, "at">
  | Omit<Extract<Event.Event, { _tag: "XmlFetchFailed" }>, "at">

/**
 * Limits of one document fetch.
 *
 * @since 0.2.0
 * @category fetching
 */
export interface DocumentFetcherOptions {
  /** Signs the requests (the account's auth token). */
  readonly authToken: string
  /** XML-4: from the request until the last byte of the body (default 5 seconds). */
  readonly timeout?: Duration.DurationInput
  /** XML-19: largest body accepted, in bytes (default 64 KiB). */
  readonly maxBytes?: number
}

/**
 * Fetches call documents; never fails: whatever goes wrong is an `XmlFetchFailed`.
 *
 * @since 0.2.0
 * @category fetching
 */
export class DocumentFetcher extends Context.Tag("@mpc-kit/http/xml/DocumentFetcher")<
  DocumentFetcher,
  {
    /** Fetches one document; its outcome is the event to submit. */
    readonly fetch: (request: DocumentRequest) => Effect.Effect<DocumentResult>
  }
>() {}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Why a fetch failed: `unreadable` when the body came but is no document (XML-3, not XML-4). */
interface Failure {
  readonly unreadable: boolean
  readonly reason: string
}
const unreachable = (reason: string): Failure => ({ unreadable: false, reason })

/**
 * A `DocumentFetcher` over the `HttpClient` in context.
 *
 * @since 0.2.0
 * @category fetching
 */
export const makeDocumentFetcher = (options: DocumentFetcherOptions) =>
  Effect.gen(function* () {
    const timeout = Duration.decode(options.timeout ?? "5 seconds")
    const maxBytes = options.maxBytes ?? 64 * 1024
    // Scoped: whatever happens, the request is aborted when it ends; no tracing headers.
    const client = HttpClient.withScope(
      (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    )

    const fetch = (r: DocumentRequest): Effect.Effect<DocumentResult> => {
      // XML-1: signed as callbacks are (CB-8), with the call's parameters.
      const request = buildRequest(
        options.authToken,
        {
          _tag: "SendCallback",
          kind: "call",
          url: r.url,
          method: r.method,
          mpcUuid: "",
          event: String(r.params.Event ?? r.origin),
          params: r.params
        },
        makeNonce()
      ).pipe(HttpClientRequest.accept("application/xml, text/xml;q=0.9, */*;q=0.1"))
      const base = { callUuid: r.callUuid, origin: r.origin }
      return client.execute(request).pipe(
        Effect.mapError((e) => unreachable(describe(e))),
        Effect.flatMap((response) =>
          response.status >= 200 && response.status < 300
            ? Effect.mapError(readBody(response, maxBytes), unreachable)
            : Effect.fail(unreachable(`HTTP status ${response.status}`))
        ),
        Effect.scoped,
        // XML-4: too slow is unreachable.
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => unreachable(`no complete answer within ${Duration.format(timeout)}`)
        }),
        Effect.flatMap((body) =>
          Effect.try({
            try: () => utf8.decode(body),
            catch: (): Failure => ({ unreadable: true, reason: "the body is not UTF-8" })
          })
        ),
        Effect.flatMap((text) =>
          Either.match(Parser.parseDocument(text), {
            onLeft: (reason): Effect.Effect<Xml.Document.Document, Failure> =>
              Effect.fail({ unreadable: true, reason: `invalid XML: ${reason}` }),
            onRight: Effect.succeed
          })
        ),
        Effect.catchAllDefect((defect) => Effect.fail(unreachable(`unexpected failure: ${String(defect)}`))),
        Effect.match({
          onFailure: (f): DocumentResult => ({ _tag: "XmlFetchFailed", ...base, ...f }),
          onSuccess: (document): DocumentResult => ({ _tag: "XmlFetched", ...base, document })
        }),
        Effect.tap((result) =>
          result._tag === "XmlFetchFailed"
            ? Effect.logWarning(`${r.origin} XML cannot be had: ${result.reason}`).pipe(
                Effect.annotateLogs({ url: r.url, method: r.method, callUuid: r.callUuid })
              )
            : Effect.void
        ),
        Effect.withSpan("DocumentFetcher.fetch", { attributes: { url: r.url, origin: r.origin } })
      )
    }
    return DocumentFetcher.of({ fetch })
  })

/**
 * The `DocumentFetcher`, given an `HttpClient`.
 *
 * @since 0.2.0
 * @category fetching
 */
export const layerDocumentFetcher = (
  options: DocumentFetcherOptions
): Layer.Layer<DocumentFetcher, never, HttpClient.HttpClient> =>
  Layer.effect(DocumentFetcher, makeDocumentFetcher(options))
