/**
 * Request bodies, read from the socket with the size limit enforced while reading: a body over the
 * limit is refused at the first byte past it and nothing beyond is kept; an aborted request
 * releases its chunks and listeners at once.
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import * as Effect from "effect/Effect"

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
 * Reads a Node request's body, at most `max` bytes. A declared `Content-Length` over the limit is
 * refused before any byte is read. Past the limit, reading stops (the socket is paused; the 413's
 * `Connection: close` ends it). A request that closes before its end resolves `Unreadable` and
 * drops everything it held.
 *
 * @since 0.1.0
 * @category reading
 */
export const readNode = (req: IncomingMessage, max = MaxBodyBytes): Effect.Effect<Read> =>
  Effect.async<Read>((resume) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > max) {
      req.pause()
      resume(Effect.succeed(tooLarge))
      return
    }
    // A request whose client went away before this handler ran emits nothing more: answer now,
    // or the fiber (and all it holds) would wait forever.
    if (req.destroyed || req.readableAborted) {
      resume(Effect.succeed(unreadable))
      return
    }
    if (req.complete && req.readableEnded) {
      resume(Effect.succeed({ _tag: "Text", text: "" }))
      return
    }
    let chunks: Array<Buffer> = []
    let bytes = 0
    const done = (read: Read) => {
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onFail)
      req.off("close", onFail)
      chunks = []
      resume(Effect.succeed(read))
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > max) {
        req.pause()
        done(tooLarge)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      const text =
        chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, bytes).toString("utf8")
      done({ _tag: "Text", text })
    }
    const onFail = () => done(unreadable)
    req.on("data", onData)
    req.once("end", onEnd)
    req.once("error", onFail)
    req.once("close", onFail)
    return Effect.sync(() => {
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onFail)
      req.off("close", onFail)
      chunks = []
    })
  })

/**
 * Reads the body of a request served by the Node server.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (request: HttpServerRequest.HttpServerRequest, max = MaxBodyBytes): Effect.Effect<Read> =>
  readNode(NodeHttpServerRequest.toIncomingMessage(request), max)
