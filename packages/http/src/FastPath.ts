/**
 * The hot routes, served straight from Node's request event in front of the HttpApi app: add
 * participant by name (`POST .../MultiPartyCall/name_{name}/Participant/`, documented by
 * `/openapi.json` as `addParticipantByName`) and the network's leg events (`POST
 * /emulator/v1/calls/{callUuid}/answer|busy|reject|hangup`). They are the same endpoints doing the
 * same steps with the same code: `Authorization`'s check (Guard: constant-time token, path account,
 * rate limit) before any byte of the body, `BodyLimit`'s reader and parsing (Body: 413 while
 * streaming), the path's and the payload's schemas (Api.AddParticipantPayload, the domain's), the
 * handler (MpcHandlers.addParticipant, then Outcome's table; a leg event is submitted and answered
 * 204 or with the domain's refusal), the endpoint's success schema, Plivo's errors (Errors.plain)
 * and the request log's line (RequestLog). What they skip is the platform's per-request machinery
 * (router, middleware chain, a fiber per stage, the response's generic body): see the README's
 * decisions for the measurements. Anything not recognised goes to the HttpApi app.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { UrlParams } from "@effect/platform"
import { MpcName } from "@mpc-kit/domain"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as ParseResult from "effect/ParseResult"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import {
  AddParticipantPayload,
  AddParticipantResponse,
  BadRequest,
  isPlivoFailure,
  PayloadTooLarge,
  type PlivoFailure
} from "./Api.js"
import * as Body from "./Body.js"
import { decodeMessage, plain } from "./Errors.js"
import * as Guard from "./Guard.js"
import { addParticipant } from "./MpcHandlers.js"
import * as Outcome from "./Outcome.js"
import * as RequestLog from "./RequestLog.js"
import type { Tenant, Tenants } from "./Tenants.js"

/** The add-by-name path: auth id and name as raw segments; a trailing slash and a query allowed. */
const route = /^\/v1\/Account\/([^/?#]+)\/MultiPartyCall\/name_([^/?#]+)\/Participant\/?(?:\?.*)?$/

/** The network's leg events (`answer`, `busy`, `reject`, `hangup`): the call's UUID as a raw segment. */
const legRoute = /^\/emulator\/v1\/calls\/([^/?#]+)\/(answer|busy|reject|hangup)\/?(?:\?.*)?$/

const legEvent = {
  answer: "LegAnswered",
  busy: "LegBusy",
  reject: "LegRejected",
  hangup: "CallHungUp"
} as const

// The same decoding HttpApi runs (its default options).
const decodePayload = Schema.decodeUnknownEither(AddParticipantPayload)
const decodeName = Schema.decodeUnknownEither(MpcName.MpcName)
const encodeResponse = Schema.encodeSync(AddParticipantResponse)

const basic = (header: string | undefined): { username: string; password: string } => {
  // HttpApiSecurity.basic's reading: anything else is an empty id and token.
  const decoded = Buffer.from((header ?? "").slice(6), "base64").toString("utf8")
  const parts = decoded.split(":")
  return parts.length === 2 ? { username: parts[0]!, password: parts[1]! } : { username: "", password: "" }
}

const decodeSegment = (s: string): string | undefined => {
  try {
    const d = decodeURIComponent(s)
    // An over-long segment: the router's own handling (and Errors.ts) answers.
    return d.length > 1024 ? undefined : d
  } catch {
    return undefined
  }
}

/** How a route answers: a body (JSON) or none, or Plivo's error. */
interface Reply {
  readonly write: (status: number, body: string | undefined, headers?: Record<string, string>) => void
  readonly refuse: (failure: PlivoFailure) => void
}

/** A route's work once the caller is known and the body is read: the body as a record of parameters. */
type Serve = (apiId: string, tenant: Tenant, record: unknown, reply: Reply) => void

/**
 * The fast path's request handler: `true` when it took the request, `false` to pass it on.
 *
 * @since 0.1.0
 * @category handlers
 */
export const make = (
  tenants: Context.Tag.Service<Tenants>,
  runtime: Runtime.Runtime<never>,
  log: boolean
) => {
  const check = Guard.make(tenants)
  const runCallback = Runtime.runCallback(runtime)
  // The rate limit's clock is the runtime's (Guard reads it the same way).
  const now =
    tenants.rateLimit === undefined ? () => 0 : () => Runtime.runSync(runtime)(Clock.currentTimeMillis)

  /**
   * Runs a handler at once (the fiber starts in this call): a turn whose lock is free runs through
   * to the commit it waits for; `answer` is called when the fiber completes.
   */
  const runNow = <A>(
    effect: Effect.Effect<A, PlivoFailure>,
    answer: (exit: Exit.Exit<A, PlivoFailure>) => void
  ) => {
    runCallback(effect, { onExit: answer })
  }

  /** The failure of a handler as Plivo's error, or a 500. */
  const failed = (apiId: string, reply: Reply, cause: Cause.Cause<PlivoFailure>) => {
    const failure = Cause.squash(cause)
    if (isPlivoFailure(failure)) return reply.refuse(failure)
    reply.write(500, JSON.stringify({ api_id: apiId, error: "internal error" }))
  }

  /** `Authorization`, then `BodyLimit` and the body's parsing, then the route's own work. */
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    pathAuthId: string | undefined,
    then: Serve
  ) => {
    const started = performance.now()
    const write: Reply["write"] = (status, body, headers) => {
      if (log) RequestLog.enqueue(RequestLog.line("POST", url, status, started))
      if (res.destroyed) return
      if (body === undefined) {
        res.writeHead(status, headers)
        res.end()
        return
      }
      res.writeHead(status, {
        ...headers,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body))
      })
      res.end(body)
    }
    const refuse = (failure: PlivoFailure) => {
      const p = plain(failure)
      write(p.status, JSON.stringify({ api_id: p.apiId, error: p.error }), p.headers)
    }
    const reply: Reply = { write, refuse }
    try {
      // Authorization: from the headers alone, before any byte of the body.
      const apiId = randomUUID()
      const tenant = check(apiId, basic(req.headers.authorization), pathAuthId, now())
      if (!("engine" in tenant)) return refuse(tenant)
      // BodyLimit.
      const kind = Body.kindOf(req.headers["content-type"])
      if (kind === undefined) return refuse(new BadRequest({ api_id: apiId, error: Body.wrongType }))
      Body.readInto(req, Body.MaxBodyBytes, (read) => {
        try {
          if (read._tag === "TooLarge") return refuse(new PayloadTooLarge({ api_id: apiId, error: "" }))
          if (read._tag === "Unreadable")
            return refuse(new BadRequest({ api_id: apiId, error: "body: could not be read" }))
          let record: unknown
          if (kind === "form")
            record = UrlParams.toRecord(UrlParams.fromInput(new URLSearchParams(read.text)))
          else {
            const parsed = Body.parseJson(read.text)
            if ("error" in parsed) return refuse(new BadRequest({ api_id: apiId, error: parsed.error }))
            record = parsed.value
          }
          then(apiId, tenant, record, reply)
        } catch (e) {
          write(500, JSON.stringify({ api_id: apiId, error: `internal error: ${String(e)}` }))
        }
      })
    } catch (e) {
      write(500, JSON.stringify({ api_id: randomUUID(), error: `internal error: ${String(e)}` }))
    }
  }

  /** Add participant by name: the path's name, then the payload, as HttpApi decodes them. */
  const add =
    (rawName: string): Serve =>
    (apiId, tenant, record, reply) => {
      const name = decodeName(rawName)
      if (Either.isLeft(name))
        return reply.refuse(
          new BadRequest({ api_id: apiId, error: decodeMessage(issuesOf(name.left, "mpcName")) })
        )
      const payload = decodePayload(record)
      if (Either.isLeft(payload))
        return reply.refuse(new BadRequest({ api_id: apiId, error: decodeMessage(issuesOf(payload.left)) }))
      runNow(
        addParticipant(apiId, tenant.engine, { _tag: "ByName", name: name.right }, payload.right),
        (exit) =>
          Exit.isSuccess(exit)
            ? reply.write(201, JSON.stringify(encodeResponse(exit.value)))
            : failed(apiId, reply, exit.cause)
      )
    }

  /** A leg event of the network (NetworkHandlers' `answer`, `busy`, `reject`, `hangup`): 204 or the refusal. */
  const leg =
    (callUuid: string, action: keyof typeof legEvent): Serve =>
    (apiId, tenant, _record, reply) =>
      runNow(
        Effect.flatMap(tenant.engine.submit({ _tag: legEvent[action], callUuid }), (r) =>
          Outcome.taken(apiId, r)
        ),
        (exit) => (Exit.isSuccess(exit) ? reply.write(204, undefined) : failed(apiId, reply, exit.cause))
      )

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "POST") return false
    const url = req.url ?? ""
    const m = route.exec(url)
    if (m !== null) {
      const authId = decodeSegment(m[1]!)
      const rawName = decodeSegment(m[2]!)
      if (authId === undefined || rawName === undefined) return false
      serve(req, res, url, authId, add(rawName))
      return true
    }
    const l = legRoute.exec(url)
    if (l !== null) {
      const callUuid = decodeSegment(l[1]!)
      if (callUuid === undefined) return false
      serve(req, res, url, undefined, leg(callUuid, l[2] as keyof typeof legEvent))
      return true
    }
    return false
  }
}

/** A parse error's issues as HttpApi reports them (the path's parameter named by `root`). */
const issuesOf = (error: ParseResult.ParseError, root?: string) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((i) =>
    root === undefined ? i : { ...i, path: [root, ...i.path] }
  )

/**
 * Installs a fast path in front of a Node server's `request` listeners: the platform's listener,
 * registered later, is wrapped so that it sees only what the fast path passes on.
 *
 * @since 0.1.0
 * @category install
 */
export const install = (server: Server, fast: Slot) => {
  const on = server.on.bind(server)
  const off = server.off.bind(server)
  const wrapped = new WeakMap<(...args: Array<unknown>) => void, (...args: Array<unknown>) => void>()
  // Every listener is wrapped; the fast path sees each request once, at the first of them.
  const decided = new WeakMap<IncomingMessage, boolean>()
  const taken = (req: IncomingMessage, res: ServerResponse) => {
    let t = decided.get(req)
    if (t === undefined) {
      t = fast.handle?.(req, res) === true
      decided.set(req, t)
    }
    return t
  }
  server.on = ((event: string, listener: (...args: Array<unknown>) => void) => {
    if (event !== "request") return on(event, listener)
    const wrapper = (req: IncomingMessage, res: ServerResponse) => {
      if (!taken(req, res)) listener(req, res)
    }
    wrapped.set(listener, wrapper as (...args: Array<unknown>) => void)
    return on(event, wrapper)
  }) as typeof server.on
  server.off = ((event: string, listener: (...args: Array<unknown>) => void) =>
    off(event, wrapped.get(listener) ?? listener)) as typeof server.off
}

/**
 * Where the fast path's handler goes once the accounts' engines exist.
 *
 * @since 0.1.0
 * @category install
 */
export interface Slot {
  /** The handler, set once the layer has built it. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean
}
