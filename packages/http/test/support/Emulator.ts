/**
 * What the emulator's end-to-end tests share: a real emulator on a free loopback port, a real
 * webhook receiver that records every callback, authenticated calls, and the SDK's signature check.
 */
import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import { assert } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as plivo from "plivo"
import * as Server from "../../src/Server.js"

/** The official SDK's V3 signature check. */
export const validateV3 = (plivo as unknown as { validateV3Signature: (...args: Array<unknown>) => boolean })
  .validateV3Signature

/** The main account, and a subaccount of it. */
export const account = { authId: "MA1234567890ABCDEFGH", authToken: "secret-token" }
export const sub = { authId: "SA000000000000000SUB", authToken: "sub-token" }
const basic = (a: { authId: string; authToken: string }) =>
  `Basic ${Buffer.from(`${a.authId}:${a.authToken}`).toString("base64")}`
export const auth = basic(account)
export const subAuth = basic(sub)

/** 2026-01-05 09:00:00 UTC: the virtual clock's start in these tests. */
export const T0 = 1_767_603_600_000

/** Starts a real emulator (with the subaccount) on a free loopback port; returns its base URL. */
export const start = (
  options: {
    clock?: "real" | "virtual"
    proxyCaDir?: string
    seed?: number
    /** Server options beyond these (DLV-14's memory outbox, a rate limit). */
    server?: Partial<Server.Options>
  } = {}
) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      Server.layer({
        host: "127.0.0.1",
        port: 0,
        account,
        subaccounts: [sub],
        clock: options.clock ?? "virtual",
        cps: 10,
        start: T0,
        seed: options.seed ?? 1,
        ...(options.proxyCaDir === undefined ? {} : { proxyCaDir: options.proxyCaDir }),
        ...options.server
      })
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") throw new Error("no TCP address")
    return `http://127.0.0.1:${address.port}`
  })

export type Json = Record<string, unknown>

/** An answer: status, raw text, and the body parsed as JSON (`undefined` when empty or not JSON). */
export interface Reply {
  readonly status: number
  readonly text: string
  readonly body: Json | undefined
}

const parse = (text: string): Json | undefined => {
  try {
    return text === "" ? undefined : (JSON.parse(text) as Json)
  } catch {
    return undefined
  }
}

/** One authenticated request; `body` is JSON-encoded unless it is a string or bytes. */
export const request = async (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<Reply> => {
  const raw = body === undefined || typeof body === "string" || body instanceof Uint8Array
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: auth, ...(raw ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: raw ? (body as string | Uint8Array) : JSON.stringify(body) })
  })
  const text = await r.text()
  return { status: r.status, text, body: parse(text) }
}

/** `request` as an Effect. */
export const call = (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>
) => Effect.promise(() => request(base, method, path, body, headers))

/** The add-participant path of an MPC name. */
export const addPath = (name: string) =>
  `/v1/Account/${account.authId}/MultiPartyCall/name_${name}/Participant/`

/** A callback as the receiver saw it. */
export interface Received {
  readonly path: string
  readonly nonce: string
  readonly signature: string
  readonly params: Record<string, string>
}

/** A running receiver. */
export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  /** What arrived at one path, in arrival order. */
  readonly at: (path: string) => Array<Received>
}

/**
 * A real webhook receiver on loopback that records every request, in arrival order, and answers
 * each path with `statusOf`'s status (default 200; `hold`: never answers).
 */
export const receiverWith = (statusOf: (path: string) => number | "hold") =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(
        () =>
          new Promise<{ url: string; received: Array<Received>; close: () => void }>((resolve) => {
            const received: Array<Received> = []
            const server = createServer((req, res) => {
              let body = ""
              req.on("data", (c) => {
                body += c
              })
              req.on("end", () => {
                received.push({
                  path: req.url ?? "",
                  nonce: String(req.headers["x-plivo-signature-v3-nonce"] ?? ""),
                  signature: String(req.headers["x-plivo-signature-v3"] ?? ""),
                  params: Object.fromEntries(new URLSearchParams(body))
                })
                const status = statusOf(req.url ?? "")
                if (status !== "hold") res.writeHead(status).end()
              })
            })
            server.listen(0, "127.0.0.1", () => {
              const address = server.address()
              const port = typeof address === "object" && address !== null ? address.port : 0
              resolve({
                url: `http://127.0.0.1:${port}`,
                received,
                close: () => {
                  server.closeAllConnections()
                  server.close()
                }
              })
            })
          })
      ),
      (r) => Effect.sync(r.close)
    ),
    (r): Receiver => ({
      url: r.url,
      received: r.received,
      at: (path) => r.received.filter((x) => x.path === path)
    })
  )

/** A real webhook receiver on loopback that records every request and answers 200. */
export const receiver = receiverWith(() => 200)

/** Waits (at most 5 s) for a condition; fails the test with `what` when it never holds. */
export const until = (what: string, f: () => boolean) =>
  Effect.promise(async () => {
    for (let k = 0; k < 500 && !f(); k++) await new Promise((r) => setTimeout(r, 10))
    return f()
  }).pipe(Effect.tap((ok) => assert.isTrue(ok, `timed out waiting for ${what}`)))
