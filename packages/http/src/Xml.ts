/**
 * LIFE-3, CONFIRM-1, SOUND-1: the Plivo XML the emulator fetches for wait and hold music, enter and
 * exit sounds and confirm-key prompts. Only `Play`, `Speak` and `Wait` (direct children of
 * `<Response>`) are honoured; every other element is ignored, with its content. A document that
 * cannot be had or read (unreachable, non-2xx, too slow, too big, not XML) is silence, never an
 * error.
 *
 * Parsing is `xml/Parser.ts` (saxes, XML-19, XML-20): no DOCTYPE, no entity declarations, no
 * expansion of anything but the five predefined entities and character references, bounded size,
 * depth and time.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import { type AddParticipantRequest, type Command, Xml } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Parser from "./xml/Parser.js"

// ---------------------------------------------------------------------------------------------
// The verbs
// ---------------------------------------------------------------------------------------------

/**
 * `<Play loop="n">url</Play>`: play an audio file `loop` times (`0`: until stopped).
 *
 * @since 0.1.0
 * @category models
 */
export const Play = Schema.TaggedStruct("Play", { url: Schema.String, loop: Schema.NonNegativeInt })
/**
 * `<Speak voice language loop>text</Speak>`: text to speech (`loop` `0`: until stopped).
 *
 * @since 0.1.0
 * @category models
 */
export const Speak = Schema.TaggedStruct("Speak", {
  text: Schema.String,
  voice: Schema.String,
  language: Schema.String,
  loop: Schema.NonNegativeInt
})
/**
 * `<Wait length="n"/>`: `length` seconds of silence.
 *
 * @since 0.1.0
 * @category models
 */
export const Wait = Schema.TaggedStruct("Wait", { length: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)) })
/**
 * LIFE-3, CONFIRM-1: the only elements honoured in the fetched XML.
 *
 * @since 0.1.0
 * @category models
 */
export const Verb = Schema.Union(Play, Speak, Wait)
/**
 * The type of {@link Verb}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Verb = typeof Verb.Type

/**
 * Plivo's defaults for `Speak`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultVoice = "WOMAN"
/**
 * The language of `<Speak>` when the document gives none.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLanguage = "en-US"

// ---------------------------------------------------------------------------------------------
// From the parsed document to the verbs
// ---------------------------------------------------------------------------------------------

class Unfit {
  constructor(readonly reason: string) {}
}

const count = (e: Xml.Document.Element, attribute: string, fallback: number, min: number): number => {
  const raw = e.attributes[attribute]
  if (raw === undefined) return fallback
  const value = raw.trim()
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) {
    throw new Unfit(`<${e.name} ${attribute}="${raw}">: expected an integer from ${min}`)
  }
  return n
}

const toVerb = (e: Xml.Document.Element): Verb | undefined => {
  switch (e.name) {
    case "Play": {
      const url = Xml.Document.textContent(e).trim()
      if (url === "") throw new Unfit("<Play> without a URL")
      return { _tag: "Play", url, loop: count(e, "loop", 1, 0) }
    }
    case "Speak": {
      const text = Xml.Document.textContent(e).replace(/\s+/g, " ").trim()
      if (text === "") throw new Unfit("<Speak> without text")
      return {
        _tag: "Speak",
        text,
        voice: e.attributes.voice?.trim() || defaultVoice,
        language: e.attributes.language?.trim() || defaultLanguage,
        loop: count(e, "loop", 1, 0)
      }
    }
    case "Wait":
      return { _tag: "Wait", length: count(e, "length", 1, 1) }
    default:
      return undefined
  }
}

/**
 * LIFE-3: the verbs of a parsed document: `Play`, `Speak` and `Wait` children of `<Response>`.
 *
 * @since 0.1.0
 * @category xml
 */
export const verbsOf = (document: Xml.Document.Document): Either.Either<ReadonlyArray<Verb>, string> => {
  const root = document.root
  if (root.name !== "Response") return Either.left(`the root element is <${root.name}>, not <Response>`)
  const verbs: Array<Verb> = []
  try {
    for (const child of root.children) {
      const verb = toVerb(child)
      if (verb !== undefined) verbs.push(verb)
    }
  } catch (e) {
    if (e instanceof Unfit) return Either.left(e.reason)
    throw e
  }
  return Either.right(verbs)
}

/**
 * LIFE-3, CONFIRM-1: the `Play`, `Speak` and `Wait` children of a `<Response>` document, in order;
 * other elements are ignored. Malformed XML, a DOCTYPE, an undefined entity, a document over the
 * parser's limits (XML-19, XML-20) or an invalid attribute of an honoured element is a `Left` with
 * the reason.
 *
 * @since 0.1.0
 * @category xml
 */
export const parse = (
  xml: string,
  limits: Partial<Parser.Limits> = {}
): Either.Either<ReadonlyArray<Verb>, string> => Either.flatMap(Parser.parseDocument(xml, limits), verbsOf)

// ---------------------------------------------------------------------------------------------
// The fetcher
// ---------------------------------------------------------------------------------------------

/**
 * Why a document is fetched (for the logs).
 *
 * @since 0.1.0
 * @category xml
 */
export type Purpose = Command.XmlPurpose | `${Command.Music}Music`

/**
 * Limits of one fetch.
 *
 * @since 0.1.0
 * @category xml
 */
export interface FetcherOptions {
  /** From the request until the last byte of the body (default 5 seconds). */
  readonly timeout?: Duration.DurationInput
  /** Largest body accepted, in bytes (default 64 KiB). */
  readonly maxBytes?: number
}

/**
 * LIFE-3: fetches and parses XML; never fails: whatever goes wrong is a `Left` (silence).
 *
 * @since 0.1.0
 * @category services
 */
export class XmlFetcher extends Context.Tag("@mpc-kit/http/Xml/XmlFetcher")<
  XmlFetcher,
  {
    /** Fetches and parses the document at `url`: its verbs, or why there are none. */
    readonly fetch: (
      url: string,
      method: AddParticipantRequest.HttpMethod,
      purpose: Purpose
    ) => Effect.Effect<Either.Either<ReadonlyArray<Verb>, string>>
  }
>() {}

/**
 * One line for a failed HTTP exchange, with its underlying cause.
 *
 * @since 0.2.0
 * @category fetching
 */
export const describe = (e: HttpClientError.HttpClientError): string => {
  const cause = e.cause
  const detail =
    cause instanceof Error
      ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ""}`
      : cause === undefined
        ? ""
        : String(cause)
  return detail === "" ? e.message : `${e.message}: ${detail}`
}

/**
 * XML-19: reads a response body, failing as soon as it is over `maxBytes`.
 *
 * @since 0.2.0
 * @category fetching
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number
): Effect.Effect<Uint8Array, string> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > maxBytes)
    return Effect.fail(`the body (${declared} bytes) is over the ${maxBytes}-byte limit`)
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.mapError(describe),
    Stream.runForEach((chunk) => {
      size += chunk.length
      if (size > maxBytes) return Effect.fail(`the body is over the ${maxBytes}-byte limit`)
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.map(() => {
      const body = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        body.set(chunk, offset)
        offset += chunk.length
      }
      return body
    })
  )
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * An `XmlFetcher` over the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetcher = (options: FetcherOptions = {}) =>
  Effect.gen(function* () {
    const timeout = Duration.decode(options.timeout ?? "5 seconds")
    const maxBytes = options.maxBytes ?? 64 * 1024
    // Scoped: whatever happens (done, too big, timed out), the request is aborted when it ends.
    const client = HttpClient.withScope(yield* HttpClient.HttpClient)

    const fetch = (url: string, method: AddParticipantRequest.HttpMethod, purpose: Purpose) => {
      const request = (
        method === "GET"
          ? HttpClientRequest.get(url)
          : HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(UrlParams.empty))
      ).pipe(HttpClientRequest.accept("application/xml, text/xml;q=0.9, */*;q=0.1"))
      return client.execute(request).pipe(
        Effect.mapError(describe),
        Effect.flatMap((response) =>
          response.status >= 200 && response.status < 300
            ? readBody(response, maxBytes)
            : Effect.fail(`HTTP status ${response.status}`)
        ),
        Effect.scoped,
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => `no complete answer within ${Duration.format(timeout)}`
        }),
        Effect.flatMap((body) =>
          Effect.try({ try: () => utf8.decode(body), catch: () => "the body is not UTF-8" })
        ),
        Effect.flatMap((xml) => Either.mapLeft(parse(xml), (reason) => `invalid XML: ${reason}`)),
        Effect.catchAllDefect((defect) => Effect.fail(`unexpected failure: ${String(defect)}`)),
        Effect.either,
        Effect.tap((result) =>
          Either.isLeft(result)
            ? Effect.logWarning(`${purpose} XML gives silence: ${result.left}`).pipe(
                Effect.annotateLogs({ url, method, purpose })
              )
            : Effect.void
        ),
        Effect.withSpan("XmlFetcher.fetch", { attributes: { url, method, purpose } })
      )
    }
    return XmlFetcher.of({ fetch })
  })

/**
 * The `XmlFetcher`, given an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetcher = (
  options: FetcherOptions = {}
): Layer.Layer<XmlFetcher, never, HttpClient.HttpClient> => Layer.effect(XmlFetcher, makeFetcher(options))
