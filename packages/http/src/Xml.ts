/**
 * LIFE-3, CONFIRM-1, SOUND-1: the Plivo XML the emulator fetches for wait and hold music, enter and
 * exit sounds and confirm-key prompts. Only `Play`, `Speak` and `Wait` (direct children of
 * `<Response>`) are honoured; every other element is ignored, with its content. A document that
 * cannot be had or read (unreachable, non-2xx, too slow, too big, not XML) is silence, never an
 * error.
 *
 * The parser is a small hand-written tokenizer: no DOCTYPE, no entity declarations, no expansion
 * of anything but the five predefined entities and numeric character references.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import type { AddParticipantRequest, Command } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

// ---------------------------------------------------------------------------------------------
// The verbs
// ---------------------------------------------------------------------------------------------

/** `<Play loop="n">url</Play>`: play an audio file `loop` times (`0`: until stopped). */
export const Play = Schema.TaggedStruct("Play", { url: Schema.String, loop: Schema.NonNegativeInt })
/** `<Speak voice language loop>text</Speak>`: text to speech (`loop` `0`: until stopped). */
export const Speak = Schema.TaggedStruct("Speak", {
  text: Schema.String,
  voice: Schema.String,
  language: Schema.String,
  loop: Schema.NonNegativeInt
})
/** `<Wait length="n"/>`: `length` seconds of silence. */
export const Wait = Schema.TaggedStruct("Wait", { length: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)) })
/** LIFE-3, CONFIRM-1: the only elements honoured in the fetched XML. */
export const Verb = Schema.Union(Play, Speak, Wait)
export type Verb = typeof Verb.Type

/** Plivo's defaults for `Speak`. */
export const defaultVoice = "WOMAN"
export const defaultLanguage = "en-US"

// ---------------------------------------------------------------------------------------------
// The tokenizer
// ---------------------------------------------------------------------------------------------

class XmlError {
  constructor(
    readonly at: number,
    readonly reason: string
  ) {}
}

function fail(at: number, reason: string): never {
  throw new XmlError(at, reason)
}

const where = (xml: string, at: number): string => {
  let line = 1
  let lineStart = 0
  for (let k = 0; k < at && k < xml.length; k++) {
    if (xml.charCodeAt(k) === 10) {
      line++
      lineStart = k + 1
    }
  }
  return `line ${line}, column ${at - lineStart + 1}`
}

// Names: ASCII letters, `_` and `:` first, then also digits, `-` and `.`; every non-ASCII character
// is let through (the honoured names are ASCII anyway).
const NAME = /[A-Za-z_:\u0080-\uFFFF][-A-Za-z0-9_:.\u0080-\uFFFF]*/y
const SPACE = /[ \t\r\n]*/y

const predefined: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }

const isXmlChar = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff)

/** Decodes the five predefined entities and character references; anything else is refused. */
const decode = (raw: string, at: number): string => {
  let amp = raw.indexOf("&")
  if (amp === -1) return raw
  let out = ""
  let from = 0
  while (amp !== -1) {
    out += raw.slice(from, amp)
    const semi = raw.indexOf(";", amp + 1)
    const ref = semi === -1 ? "" : raw.slice(amp + 1, semi)
    if (semi === -1 || ref.length === 0 || ref.length > 12 || /[\s&<]/.test(ref))
      fail(at + amp, "a bare '&' or an unterminated reference (write &amp;)")
    const named = predefined[ref]
    if (named !== undefined) out += named
    else if (/^#[0-9]+$/.test(ref) || /^#x[0-9A-Fa-f]+$/.test(ref)) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      if (!isXmlChar(code)) fail(at + amp, `&${ref}; is not a character XML allows`)
      out += String.fromCodePoint(code)
    } else fail(at + amp, `undefined entity &${ref}; (only the predefined entities are decoded)`)
    from = semi + 1
    amp = raw.indexOf("&", from)
  }
  return out + raw.slice(from)
}

type Attributes = Map<string, string>

/** The element being read when it is a direct child of `<Response>` and honoured. */
interface Capture {
  readonly name: "Play" | "Speak" | "Wait"
  readonly attributes: Attributes
  readonly at: number
  text: string
}

const honoured = (name: string): name is Capture["name"] =>
  name === "Play" || name === "Speak" || name === "Wait"

const count = (capture: Capture, attribute: string, fallback: number, min: number): number => {
  const raw = capture.attributes.get(attribute)
  if (raw === undefined) return fallback
  const value = raw.trim()
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min)
    fail(capture.at, `<${capture.name} ${attribute}="${raw}">: expected an integer from ${min}`)
  return n
}

const toVerb = (capture: Capture): Verb => {
  switch (capture.name) {
    case "Play": {
      const url = capture.text.trim()
      if (url === "") fail(capture.at, "<Play> without a URL")
      return Play.make({ url, loop: count(capture, "loop", 1, 0) })
    }
    case "Speak": {
      const text = capture.text.replace(/\s+/g, " ").trim()
      if (text === "") fail(capture.at, "<Speak> without text")
      return Speak.make({
        text,
        voice: capture.attributes.get("voice")?.trim() || defaultVoice,
        language: capture.attributes.get("language")?.trim() || defaultLanguage,
        loop: count(capture, "loop", 1, 0)
      })
    }
    case "Wait":
      return Wait.make({ length: count(capture, "length", 1, 1) })
  }
}

const run = (xml: string): ReadonlyArray<Verb> => {
  const n = xml.length
  const verbs: Array<Verb> = []
  const open: Array<string> = []
  let capture: Capture | undefined
  let rootDone = false
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0
  const start = i

  const name = (): string => {
    NAME.lastIndex = i
    const m = NAME.exec(xml)
    if (m === null) return fail(i, "expected a name")
    i += m[0].length
    return m[0]
  }
  const space = (): boolean => {
    SPACE.lastIndex = i
    const m = SPACE.exec(xml)!
    i += m[0].length
    return m[0].length > 0
  }
  const text = (raw: string, at: number, isCdata: boolean) => {
    if (open.length === 0) {
      if (isCdata || !/^[ \t\r\n]*$/.test(raw)) fail(at, "text outside the root element")
      return
    }
    const value = isCdata ? raw : decode(raw, at)
    if (capture !== undefined && open.length >= 2) capture.text += value
  }
  const opened = (tag: string, attributes: Attributes, at: number) => {
    if (open.length === 0) {
      if (rootDone) fail(at, "a second root element")
      if (tag !== "Response") fail(at, `the root element is <${tag}>, not <Response>`)
    } else if (open.length === 1 && honoured(tag)) capture = { name: tag, attributes, at, text: "" }
    open.push(tag)
  }
  const closed = () => {
    open.pop()
    if (open.length === 1 && capture !== undefined) {
      verbs.push(toVerb(capture))
      capture = undefined
    }
    if (open.length === 0) rootDone = true
  }

  while (i < n) {
    const lt = xml.indexOf("<", i)
    if (lt !== i) {
      const raw = xml.slice(i, lt === -1 ? n : lt)
      if (raw.includes("]]>")) fail(i + raw.indexOf("]]>"), "']]>' in text")
      text(raw, i, false)
      if (lt === -1) break
      i = lt
    }
    const at = i
    if (xml.startsWith("<?", i)) {
      i += 2
      const target = name()
      const end = xml.indexOf("?>", i)
      if (end === -1) fail(at, "unterminated processing instruction")
      if (target.toLowerCase() === "xml" && at !== start) fail(at, "the XML declaration must come first")
      i = end + 2
    } else if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i + 4)
      if (end === -1) fail(at, "unterminated comment")
      i = end + 3
    } else if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i + 9)
      if (end === -1) fail(at, "unterminated CDATA section")
      text(xml.slice(i + 9, end), at, true)
      i = end + 3
    } else if (xml.startsWith("<!DOCTYPE", i)) {
      fail(at, "DOCTYPE declarations are refused (no entity expansion)")
    } else if (xml.startsWith("<!ENTITY", i)) {
      fail(at, "entity declarations are refused (no entity expansion)")
    } else if (xml.startsWith("<!", i)) {
      fail(at, "unexpected '<!'")
    } else if (xml.startsWith("</", i)) {
      i += 2
      const tag = name()
      space()
      if (xml[i] !== ">") fail(i, `expected '>' to end </${tag}>`)
      i++
      const top = open[open.length - 1]
      if (top === undefined) fail(at, `</${tag}> closes nothing`)
      if (top !== tag) fail(at, `</${tag}> closes <${top}>`)
      closed()
    } else {
      i++
      const tag = name()
      const attributes: Attributes = new Map()
      for (;;) {
        const spaced = space()
        if (xml.startsWith("/>", i) || xml[i] === ">") break
        if (i >= n) fail(at, `unterminated <${tag}>`)
        if (!spaced) fail(i, `expected a space, '>' or '/>' in <${tag}>`)
        const attributeAt = i
        const key = name()
        space()
        if (xml[i] !== "=") fail(i, `expected '=' after ${key} in <${tag}>`)
        i++
        space()
        const quote = xml[i]
        if (quote !== '"' && quote !== "'") fail(i, `expected a quoted value for ${key} in <${tag}>`)
        const end = xml.indexOf(quote!, i + 1)
        if (end === -1) fail(i, `unterminated value of ${key} in <${tag}>`)
        const raw = xml.slice(i + 1, end)
        if (raw.includes("<")) fail(i, `'<' in the value of ${key} in <${tag}>`)
        if (attributes.has(key)) fail(attributeAt, `${key} is repeated in <${tag}>`)
        // Attribute-value normalisation: literal white space becomes a space, references stay.
        attributes.set(key, decode(raw.replace(/[\t\r\n]/g, " "), i + 1))
        i = end + 1
      }
      const selfClosing = xml[i] === "/"
      i += selfClosing ? 2 : 1
      opened(tag, attributes, at)
      if (selfClosing) closed()
    }
  }
  if (open.length > 0) fail(n, `<${open[open.length - 1]}> is not closed`)
  if (!rootDone) fail(n, "no <Response> element")
  return verbs
}

/**
 * LIFE-3, CONFIRM-1: the `Play`, `Speak` and `Wait` children of a `<Response>` document, in order;
 * other elements are ignored. Malformed XML, a DOCTYPE, an entity declaration, an undefined entity
 * or an invalid attribute of an honoured element is a `Left` with the reason and where.
 */
export const parse = (xml: string): Either.Either<ReadonlyArray<Verb>, string> => {
  try {
    return Either.right(run(xml))
  } catch (e) {
    if (e instanceof XmlError) return Either.left(`${e.reason} (${where(xml, e.at)})`)
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// The fetcher
// ---------------------------------------------------------------------------------------------

/** Why a document is fetched (for the logs). */
export type Purpose = Command.XmlPurpose | `${Command.Music}Music`

/** Limits of one fetch. */
export interface FetcherOptions {
  /** From the request until the last byte of the body (default 5 seconds). */
  readonly timeout?: Duration.DurationInput
  /** Largest body accepted, in bytes (default 64 KiB). */
  readonly maxBytes?: number
}

/** LIFE-3: fetches and parses XML; never fails: whatever goes wrong is a `Left` (silence). */
export class XmlFetcher extends Context.Tag("@mpc-kit/http/Xml/XmlFetcher")<
  XmlFetcher,
  {
    readonly fetch: (
      url: string,
      method: AddParticipantRequest.HttpMethod,
      purpose: Purpose
    ) => Effect.Effect<Either.Either<ReadonlyArray<Verb>, string>>
  }
>() {}

const describe = (e: HttpClientError.HttpClientError): string => {
  const cause = e.cause
  const detail =
    cause instanceof Error
      ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ""}`
      : cause === undefined
        ? ""
        : String(cause)
  return detail === "" ? e.message : `${e.message}: ${detail}`
}

const readBody = (
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

/** An `XmlFetcher` over the `HttpClient` in context. */
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

/** The `XmlFetcher`, given an `HttpClient`. */
export const layerFetcher = (
  options: FetcherOptions = {}
): Layer.Layer<XmlFetcher, never, HttpClient.HttpClient> => Layer.effect(XmlFetcher, makeFetcher(options))
