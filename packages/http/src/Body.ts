/**
 * Request bodies, read from the socket with the size limit enforced while reading: a body over the
 * limit is refused at the first byte past it and nothing beyond is kept; an aborted request
 * releases its chunks and listeners at once.
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import { HttpMethod, HttpServerRequest, UrlParams } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { BadRequest, BodyLimit, Caller, PayloadTooLarge } from "./Api.js"

/**
 * The largest request body taken (a larger one is a 413).
 *
 * @since 0.1.0
 * @category limits
 */
export const MaxBodyBytes = 256 * 1024

/**
 * What reading a body gave.
 *
 * @since 0.1.0
 * @category models
 */
export type Read =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Unreadable" }

const tooLarge: Read = { _tag: "TooLarge" }
const unreadable: Read = { _tag: "Unreadable" }

/**
 * Reads a Node request's body, at most `max` bytes, and calls `done` once. A declared
 * `Content-Length` over the limit is refused before any byte is read. Past the limit, reading stops
 * (the socket is paused; the 413's `Connection: close` ends it). A request that closes before its
 * end gives `Unreadable` and drops everything it held. Returns a function that stops reading.
 *
 * @since 0.1.0
 * @category reading
 */
export const readInto = (req: IncomingMessage, max: number, done: (read: Read) => void): (() => void) => {
  const declared = Number(req.headers["content-length"])
  if (Number.isFinite(declared) && declared > max) {
    req.pause()
    done(tooLarge)
    return () => {}
  }
  // A request whose client went away before this handler ran emits nothing more: answer now,
  // or the caller (and all it holds) would wait forever.
  if (req.destroyed || req.readableAborted) {
    done(unreadable)
    return () => {}
  }
  if (req.complete && req.readableEnded) {
    done({ _tag: "Text", text: "" })
    return () => {}
  }
  let chunks: Array<Buffer> = []
  let bytes = 0
  const stop = () => {
    req.off("data", onData)
    req.off("end", onEnd)
    req.off("error", onFail)
    req.off("close", onFail)
    chunks = []
  }
  const finish = (read: Read) => {
    stop()
    done(read)
  }
  const onData = (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > max) {
      req.pause()
      finish(tooLarge)
      return
    }
    chunks.push(chunk)
  }
  const onEnd = () => {
    const text =
      chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, bytes).toString("utf8")
    finish({ _tag: "Text", text })
  }
  const onFail = () => finish(unreadable)
  req.on("data", onData)
  req.once("end", onEnd)
  req.once("error", onFail)
  req.once("close", onFail)
  return stop
}

/**
 * `readInto` as an effect; interrupting it stops reading.
 *
 * @since 0.1.0
 * @category reading
 */
export const readNode = (req: IncomingMessage, max = MaxBodyBytes): Effect.Effect<Read> =>
  Effect.async<Read>((resume) => {
    const stop = readInto(req, max, (read) => resume(Effect.succeed(read)))
    return Effect.sync(stop)
  })

/**
 * Reads the body of a request served by the Node server.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (request: HttpServerRequest.HttpServerRequest, max = MaxBodyBytes): Effect.Effect<Read> =>
  readNode(NodeHttpServerRequest.toIncomingMessage(request), max)

/**
 * How a body of this Content-Type is read: as JSON (also when no type is given, as HttpApi does),
 * as a form, or not at all.
 *
 * @since 0.1.0
 * @category reading
 */
export const kindOf = (contentType: string | undefined): "json" | "form" | undefined => {
  const type = (contentType ?? "").toLowerCase()
  return type === "" || type.includes("application/json")
    ? "json"
    : type.includes("application/x-www-form-urlencoded")
      ? "form"
      : undefined
}

/**
 * The refusal of any other Content-Type.
 *
 * @since 0.1.0
 * @category reading
 */
export const wrongType = "body: expected Content-Type application/json or application/x-www-form-urlencoded"

/**
 * The request with its body already read: the platform's `text`, `json` and `urlParamsBody` answer
 * from it (the payload's decoding reads them), everything else is the request's own.
 *
 * @since 0.1.0
 * @category reading
 */
export const withBody = (
  request: HttpServerRequest.HttpServerRequest,
  text: string,
  json: unknown
): HttpServerRequest.HttpServerRequest =>
  Object.create(request, {
    text: { value: Effect.succeed(text) },
    json: { value: Effect.succeed(json) },
    urlParamsBody: { value: Effect.sync(() => UrlParams.fromInput(new URLSearchParams(text))) }
  }) as HttpServerRequest.HttpServerRequest

/**
 * The JSON value of a body (an empty body is an empty object), or why it is not one.
 *
 * @since 0.1.0
 * @category reading
 */
export const parseJson = (text: string): { readonly value: unknown } | { readonly error: string } => {
  if (text.trim() === "") return { value: {} }
  try {
    return { value: JSON.parse(text) }
  } catch (e) {
    return { error: `body: expected a JSON object of parameters: ${(e as Error).message}` }
  }
}

/**
 * The `BodyLimit` middleware: after `Authorization`, a request that carries a body has it read
 * under the limit (413 at the limit, nothing kept past it, `Connection: close`), parsed as JSON or
 * a form by its Content-Type (no Content-Type is JSON), and handed on to the payload's decoding.
 *
 * @since 0.1.0
 * @category middleware
 */
export const layer = Layer.succeed(
  BodyLimit,
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!HttpMethod.hasBody(request.method)) return request
    const caller = yield* Effect.serviceOption(Caller)
    const apiId = caller._tag === "Some" ? caller.value.apiId : ""
    const kind = kindOf(request.headers["content-type"])
    if (kind === undefined)
      return yield* Effect.fail(
        new BadRequest({
          api_id: apiId,
          error: wrongType
        })
      )
    const read = yield* readNode(NodeHttpServerRequest.toIncomingMessage(request))
    if (read._tag === "TooLarge")
      return yield* Effect.fail(
        new PayloadTooLarge({ api_id: apiId, error: `body: larger than ${MaxBodyBytes} bytes` })
      )
    if (read._tag === "Unreadable")
      return yield* Effect.fail(new BadRequest({ api_id: apiId, error: "body: could not be read" }))
    if (kind === "form") return withBody(request, read.text, undefined)
    const parsed = parseJson(read.text)
    if ("error" in parsed) return yield* Effect.fail(new BadRequest({ api_id: apiId, error: parsed.error }))
    return withBody(request, read.text, parsed.value)
  })
)
