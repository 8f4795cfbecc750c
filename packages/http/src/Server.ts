/**
 * The emulator's server: the HttpApi handlers over the engine, Basic auth (API-3), Plivo's
 * `{api_id, error}` for every refusal (API-2), OpenAPI at `/openapi.json` and Swagger UI at `/docs`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { createServer } from "node:http"
import {
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  HttpServer,
  type HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { AddParticipantParams, type Event, MpcName, PMap, type State } from "@mpc-kit/domain"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { MpcApi } from "./Api.js"
import { CallbackSender } from "./CallbackSender.js"
import * as Engine from "./Engine.js"
import * as ConnectProxy from "./Proxy.js"
import * as Xml from "./Xml.js"

/** The account the emulator serves. */
export interface Account {
  readonly authId: string
  readonly authToken: string
}

/** The largest request body taken (a larger one is a 413). */
export const MaxBodyBytes = 256 * 1024

const json = (body: unknown, status: number) => HttpServerResponse.unsafeJson(body, { status })
const plivoError = (apiId: string, status: number, error: string) => json({ api_id: apiId, error }, status)

/** API-3: HTTP Basic auth with the account's id and token, for the account the path names. */
const authorized = (
  request: HttpServerRequest.HttpServerRequest,
  account: Account,
  pathAuthId?: string
): boolean => {
  const header = request.headers.authorization ?? ""
  if (!header.startsWith("Basic ")) return false
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return false
  const id = decoded.slice(0, colon)
  const token = decoded.slice(colon + 1)
  if (id !== account.authId || token !== account.authToken) return false
  return pathAuthId === undefined || pathAuthId === account.authId
}

const readBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(Effect.either(request.text), (r) => (Either.isRight(r) ? r.right : undefined))

/** Runs a handler with a fresh api_id and the auth check; any defect becomes a Plivo-style 500. */
const guarded = (
  account: Account,
  request: HttpServerRequest.HttpServerRequest,
  pathAuthId: string | undefined,
  f: (apiId: string) => Effect.Effect<HttpServerResponse.HttpServerResponse>
) => {
  const apiId = randomUUID()
  if (!authorized(request, account, pathAuthId))
    return Effect.succeed(plivoError(apiId, 401, "authentication failed"))
  return f(apiId).pipe(
    Effect.catchAllDefect((d) => Effect.succeed(plivoError(apiId, 500, `internal error: ${String(d)}`)))
  )
}

/** The answer to an API event: the domain's `Respond` command. */
const respondOf = (apiId: string, result: { commands: ReadonlyArray<{ _tag: string }> }) => {
  const r = result.commands.find((c) => c._tag === "Respond") as
    | { status: number; body: Record<string, unknown> }
    | undefined
  if (r === undefined) return plivoError(apiId, 500, "no response")
  return r.status === 204 ? HttpServerResponse.empty({ status: 204 }) : json(r.body, r.status)
}

const addParticipant = (
  engine: Engine.Engine,
  account: Account,
  request: HttpServerRequest.HttpServerRequest,
  authId: string,
  mpc: Event.MpcRef
) =>
  guarded(account, request, authId, (apiId) =>
    Effect.gen(function* () {
      if (mpc._tag === "ByName") {
        const name = MpcName.decode(mpc.name)
        if (Either.isLeft(name)) return plivoError(apiId, 400, name.left.error)
      }
      const text = yield* readBody(request)
      if (text === undefined) return plivoError(apiId, 400, "body: could not be read")
      if (Buffer.byteLength(text) > MaxBodyBytes)
        return plivoError(apiId, 413, `body: larger than ${MaxBodyBytes} bytes`)
      const type = (request.headers["content-type"] ?? "").toLowerCase()
      const decoded = type.includes("application/json")
        ? AddParticipantParams.decodeJson(text)
        : type.includes("application/x-www-form-urlencoded")
          ? AddParticipantParams.decodeForm(text)
          : undefined
      if (decoded === undefined) {
        return plivoError(
          apiId,
          400,
          "body: expected Content-Type application/json or application/x-www-form-urlencoded"
        )
      }
      if (Either.isLeft(decoded)) return plivoError(apiId, 400, decoded.left.error)
      const result = yield* engine.submit({ _tag: "AddParticipant", apiId, mpc, request: decoded.right })
      return respondOf(apiId, result)
    })
  )

/** EMULATOR.md's view of a call. */
const callView = (mpcUuid: string | null, c: State.Call) => ({
  call_uuid: c.uuid,
  from: c.from,
  to: c.to,
  state: c.state === "dialing" ? "ringing" : c.state,
  mpc_uuid: mpcUuid,
  member_id: c.memberId ?? null,
  ...(c.hangup === undefined ? {} : { hangup_cause: c.hangup.cause, hangup_cause_code: c.hangup.code })
})

const plivoHandlers = (account: Account) =>
  HttpApiBuilder.group(MpcApi, "plivo", (handlers) =>
    Effect.gen(function* () {
      const engine = yield* Engine.Engine
      return handlers
        .handleRaw("addParticipantByName", ({ path, request }) =>
          addParticipant(engine, account, request, path.authId, { _tag: "ByName", name: path.mpcName })
        )
        .handleRaw("addParticipantByUuid", ({ path, request }) =>
          addParticipant(engine, account, request, path.authId, { _tag: "ByUuid", uuid: path.mpcUuid })
        )
    })
  )

const emulatorHandlers = (account: Account) =>
  HttpApiBuilder.group(MpcApi, "emulator", (handlers) =>
    Effect.gen(function* () {
      const engine = yield* Engine.Engine
      /** A network event: 204 when taken, 409 with the reason when it does not fit the call. */
      const network = (request: HttpServerRequest.HttpServerRequest, input: Engine.Input) =>
        guarded(account, request, undefined, (apiId) =>
          Effect.map(engine.submit(input), (r) =>
            r.refused === undefined
              ? HttpServerResponse.empty({ status: 204 })
              : plivoError(apiId, r.refused.startsWith("no call") ? 404 : 409, r.refused)
          )
        )
      const bodyJson = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.map(readBody(request), (text): unknown => {
          try {
            return text === undefined ? undefined : JSON.parse(text)
          } catch {
            return undefined
          }
        })
      return handlers
        .handleRaw("createCall", ({ request }) =>
          guarded(account, request, undefined, (apiId) =>
            Effect.gen(function* () {
              const body = (yield* bodyJson(request)) as { from?: unknown; to?: unknown } | undefined
              if (typeof body?.from !== "string" || typeof body.to !== "string") {
                return plivoError(apiId, 400, "expected a JSON body {from, to} of strings")
              }
              const result = yield* engine.submit({ _tag: "CreateCall", apiId, from: body.from, to: body.to })
              return respondOf(apiId, result)
            })
          )
        )
        .handleRaw("listCalls", ({ request }) =>
          guarded(account, request, undefined, () =>
            Effect.map(engine.state, (state) => {
              const calls: Array<ReturnType<typeof callView>> = []
              PMap.forEach(state.calls, (c) => calls.push(callView(null, c)))
              PMap.forEach(state.mpcs, (m) => {
                for (const c of m.calls) calls.push(callView(m.uuid, c))
              })
              calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
              return json({ calls }, 200)
            })
          )
        )
        .handleRaw("answer", ({ path, request }) =>
          network(request, { _tag: "LegAnswered", callUuid: path.callUuid })
        )
        .handleRaw("busy", ({ path, request }) =>
          network(request, { _tag: "LegBusy", callUuid: path.callUuid })
        )
        .handleRaw("reject", ({ path, request }) =>
          network(request, { _tag: "LegRejected", callUuid: path.callUuid })
        )
        .handleRaw("hangup", ({ path, request }) =>
          network(request, { _tag: "CallHungUp", callUuid: path.callUuid })
        )
        .handleRaw("digits", ({ path, request }) =>
          Effect.flatMap(bodyJson(request), (body) => {
            const digits = (body as { digits?: unknown } | undefined)?.digits
            return typeof digits === "string" && /^[0-9#*]+$/.test(digits)
              ? network(request, { _tag: "DigitsPressed", callUuid: path.callUuid, digits })
              : Effect.succeed(plivoError(randomUUID(), 400, "expected a JSON body {digits} of 0-9, # and *"))
          })
        )
        .handleRaw("speak", ({ path, request }) =>
          Effect.flatMap(bodyJson(request), (body) => {
            const speaking = (body as { speaking?: unknown } | undefined)?.speaking
            return typeof speaking === "boolean"
              ? network(request, { _tag: "SpeakingChanged", callUuid: path.callUuid, speaking })
              : Effect.succeed(
                  plivoError(randomUUID(), 400, "expected a JSON body {speaking} of true or false")
                )
          })
        )
        .handleRaw("clock", ({ request }) =>
          guarded(account, request, undefined, () =>
            Effect.map(engine.now, (now) =>
              json({ now: new Date(now).toISOString(), mode: engine.config.clock }, 200)
            )
          )
        )
        .handleRaw("advance", ({ request }) =>
          guarded(account, request, undefined, (apiId) =>
            Effect.gen(function* () {
              const seconds = ((yield* bodyJson(request)) as { seconds?: unknown } | undefined)?.seconds
              if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
                return plivoError(apiId, 400, "expected a JSON body {seconds} of a non-negative number")
              }
              const outcome = yield* Effect.either(engine.advance(Math.round(seconds * 1000)))
              return Either.isLeft(outcome)
                ? plivoError(apiId, 409, outcome.left.message)
                : HttpServerResponse.empty({ status: 204 })
            })
          )
        )
        .handleRaw("trace", ({ path, request }) =>
          guarded(account, request, undefined, (apiId) =>
            Effect.map(engine.trace(path.mpcUuid), (trace) =>
              trace === undefined
                ? plivoError(apiId, 404, `no multiparty call ${path.mpcUuid}`)
                : json(trace, 200)
            )
          )
        )
    })
  )

/** True when a response already carries Plivo's error body. */
const isPlivoBody = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" && new TextDecoder().decode(response.body.body).includes('"api_id"')

/** Plivo's wording for the statuses the router and decoders produce. */
const errorFor = (status: number) =>
  status === 404
    ? "not found"
    : status === 405
      ? "method not allowed"
      : status === 413
        ? "request too large"
        : "invalid request"

/**
 * API-2: everything the router or a decoder refuses (unknown route, wrong method, bad path) is
 * answered in Plivo's form, never with Effect's default bodies or a bare status. Applied inside the
 * API (not around the server), where the router's failures still are values.
 */
const plivoErrors = HttpApiBuilder.middleware(MpcApi, (app) =>
  Effect.gen(function* () {
    const outcome = yield* Effect.exit(app)
    if (outcome._tag === "Failure") {
      const failure = Cause.squash(outcome.cause)
      const tag =
        typeof failure === "object" && failure !== null && "_tag" in failure ? String(failure._tag) : ""
      const status =
        tag === "RouteNotFound" ? 404 : tag === "HttpApiDecodeError" || tag === "RequestError" ? 400 : 500
      return plivoError(randomUUID(), status, status === 500 ? "internal error" : errorFor(status))
    }
    const response = outcome.value
    if (response.status >= 400 && !isPlivoBody(response))
      return plivoError(randomUUID(), response.status, errorFor(response.status))
    return response
  })
)

/** The emulator's routes, docs included, over an engine. */
export const routes = (account: Account) =>
  Layer.mergeAll(
    HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }),
    HttpApiSwagger.layer({ path: "/docs" })
  ).pipe(
    Layer.provideMerge(HttpApiBuilder.api(MpcApi)),
    Layer.provide(plivoErrors),
    Layer.provide(plivoHandlers(account)),
    Layer.provide(emulatorHandlers(account))
  )

/** Serves the routes on an HttpServer, logging one line per request. */
export const serve = (account: Account) =>
  HttpApiBuilder.serve(HttpMiddleware.logger).pipe(Layer.provide(routes(account)))

/** Prints EMULATOR.md's start line once the server accepts connections. */
export const announce = Layer.effectDiscard(
  HttpServer.addressWith((address) =>
    Console.log(
      `mpc-kit emulator listening on ${address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : address.path}`
    )
  )
)

/** What the emulator needs to run. */
export interface Options {
  readonly host: string
  readonly port: number
  readonly account: Account
  readonly clock: "real" | "virtual"
  readonly cps: number
  /** Where callbacks and XML fetches go (default: really sent, see `liveOutputs`). */
  readonly outputs?: Layer.Layer<Engine.EngineOutputs>
  /**
   * Answer `CONNECT api.plivo.com:443` with a certificate from a local CA kept in this folder, so
   * the official SDKs (whose base URL is fixed) reach the emulator through their `proxy` option.
   */
  readonly proxyCaDir?: string
  /** Fixes the engine's start time and id seed (tests). */
  readonly start?: number
  readonly seed?: number
}

/**
 * The real outputs: callbacks sent (CB-*: signed, retried, in order per MPC and URL) and XML fetched
 * (LIFE-3: Play, Speak and Wait only; anything unreachable or invalid is silence). Fetches run off
 * the engine's turn, so a slow URL never holds the account up.
 */
export const liveOutputs = (account: Account) =>
  Layer.effect(
    Engine.EngineOutputs,
    Effect.gen(function* () {
      const sender = yield* CallbackSender
      const xml = yield* Xml.XmlFetcher
      return {
        callback: sender.send,
        fetchXml: (c) => Effect.asVoid(Effect.forkDaemon(xml.fetch(c.url, c.method, c.purpose)))
      } satisfies Engine.Outputs
    })
  ).pipe(
    Layer.provide(CallbackSender.Live({ authToken: account.authToken })),
    Layer.provide(Xml.layerFetcher().pipe(Layer.provide(NodeHttpClient.layerUndici)))
  )

/** The emulator: engine, routes and a Node HTTP server, announcing its address. */
export const layer = (options: Options) =>
  Layer.mergeAll(serve(options.account), announce).pipe(
    Layer.provide(
      Engine.layer({
        authId: options.account.authId,
        cps: options.cps,
        clock: options.clock,
        ...(options.start === undefined ? {} : { start: options.start }),
        ...(options.seed === undefined ? {} : { seed: options.seed })
      })
    ),
    Layer.provide(options.outputs ?? liveOutputs(options.account)),
    Layer.provideMerge(
      NodeHttpServer.layer(() => withProxy(options), { port: options.port, host: options.host })
    )
  )

/** A Node HTTP server, with the CONNECT proxy attached when asked for. */
const withProxy = (options: Options) => {
  const server = createServer()
  if (options.proxyCaDir !== undefined) {
    const certificates = ConnectProxy.makeCertificates(options.proxyCaDir)
    ConnectProxy.attachConnectProxy(server, { key: certificates.keyPem, cert: certificates.certPem })
  }
  return server
}
