/**
 * The emulator's server: the routes of `Api.ts` served by their handlers (MpcHandlers,
 * NetworkHandlers) over the accounts' engines (Tenants), Plivo's errors for everything the router
 * refuses (Errors), one log line per request (RequestLog), OpenAPI at `/openapi.json` and Swagger
 * UI at `/docs`.
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware, HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import { MpcApi } from "./Api.js"
import * as Body from "./Body.js"
import { CallbackSender } from "./CallbackSender.js"
import * as Durable from "./Durable.js"
import * as MemoryDelivery from "./delivery/Memory.js"
import * as Engine from "./Engine.js"
import { plivoErrors } from "./Errors.js"
import * as FastPath from "./FastPath.js"
import * as Guard from "./Guard.js"
import * as History from "./History.js"
import { mediaHandlers } from "./MediaHandlers.js"
import { mpcHandlers, plivoHandlers } from "./MpcHandlers.js"
import { networkHandlers } from "./NetworkHandlers.js"
import * as Outputs from "./Outputs.js"
import * as ConnectProxy from "./Proxy.js"
import * as RequestLog from "./RequestLog.js"
import { type Account, type RateLimit, type Tenant, Tenants } from "./Tenants.js"

export type { Account, Accounts, RateLimit, Tenant } from "./Tenants.js"
export { Tenants } from "./Tenants.js"

/**
 * The largest request body taken (a larger one is a 413).
 *
 * @since 0.1.0
 * @category limits
 */
export const MaxBodyBytes = Body.MaxBodyBytes

/**
 * The emulator's routes, docs included, over the accounts' engines (`Tenants`).
 *
 * @since 0.1.0
 * @category layers
 */
export const routes = Layer.mergeAll(
  HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }),
  HttpApiSwagger.layer({ path: "/docs" })
).pipe(
  Layer.provideMerge(HttpApiBuilder.api(MpcApi)),
  Layer.provide(plivoErrors),
  Layer.provide(plivoHandlers),
  Layer.provide(mpcHandlers),
  Layer.provide(networkHandlers),
  Layer.provide(mediaHandlers),
  Layer.provide(Layer.merge(Guard.layer, Body.layer))
)

/**
 * Serves the routes on an HttpServer, one log line per request (RequestLog). The platform's
 * per-request tracing span is off: the emulator exports no traces, and the span cost a share of
 * every request.
 *
 * @since 0.1.0
 * @category layers
 */
export const serve = HttpApiBuilder.serve(RequestLog.middleware).pipe(
  Layer.provide(routes),
  // The router takes parameters longer than its default 100 characters, so the handlers (not the
  // router's 404) answer a too-long MPC name with a 400 naming it.
  Layer.provide(HttpRouter.setRouterConfig({ maxParamLength: 1024 })),
  HttpMiddleware.withTracerDisabledWhen(() => true)
)

/**
 * Prints EMULATOR.md's start line once the server accepts connections.
 *
 * @since 0.1.0
 * @category layers
 */
export const announce = Layer.effectDiscard(
  HttpServer.addressWith((address) =>
    Console.log(
      `mpc-kit emulator listening on ${address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : address.path}`
    )
  )
)

/**
 * What the emulator needs to run.
 *
 * @since 0.1.0
 * @category server
 */
export interface Options {
  readonly host: string
  readonly port: number
  /** No start line on the console (an emulator embedded in a program or a test; since 0.2.0). */
  readonly quiet?: boolean
  /** The main account (API-3). */
  readonly account: Account
  /** ADDR-5: its subaccounts, each with its own MPC names, engine and callback signing token. */
  readonly subaccounts?: ReadonlyArray<Account>
  readonly clock: "real" | "virtual"
  readonly cps: number
  /**
   * Where an account's callbacks and XML fetches go (default: really sent, by the delivery engine on
   * the store's outbox, or on a memory outbox without a store; `liveOutputs` is the older sender).
   */
  readonly outputs?: (account: Account) => Layer.Layer<Engine.EngineOutputs>
  /**
   * Answer `CONNECT api.plivo.com:443` with a certificate from a local CA kept in this folder, so
   * the official SDKs (whose base URL is fixed) reach the emulator through their `proxy` option.
   */
  readonly proxyCaDir?: string
  /** A per-account request rate over which requests get a 429 (default: none). */
  readonly rateLimit?: RateLimit
  /** Fixes the engine's start time and id seed (tests). */
  readonly start?: number
  readonly seed?: number
  /**
   * STORE-*: journal every account to this store and deliver callbacks from its outbox (DLV-*);
   * without it the state lives in memory and callbacks go through `CallbackSender`.
   */
  readonly durable?: Durable.DurableOptions
  /**
   * STORE-10: without a store, how many ended MPCs stay readable (default
   * `History.defaultMemoryLimit`); with one, the store keeps them all.
   *
   * @since 0.2.0
   */
  readonly historyLimit?: number
  /**
   * DLV-14: without a store, the memory outbox's bounds and the delivery engine's settings.
   *
   * @since 0.2.0
   */
  readonly memoryDelivery?: MemoryDelivery.MemoryDeliveryOptions
}

/**
 * Outputs over `CallbackSender` (CB-*: signed, retried until 2xx, in order per MPC and URL) and XML
 * fetched (LIFE-3: Play, Speak and Wait only; anything unreachable or invalid is silence). Fetches
 * run off the engine's turn, so a slow URL never holds the account up. The server's own default is
 * the delivery engine (on the store's outbox, or a memory one without a store, DLV-14); these
 * outputs are for `Options.outputs`.
 *
 * @since 0.1.0
 * @category server
 */
export const liveOutputs = (account: Account) =>
  Layer.effect(
    Engine.EngineOutputs,
    Effect.gen(function* () {
      const sender = yield* CallbackSender
      return { callback: sender.send, ...(yield* Outputs.fetching) } satisfies Engine.Outputs
    })
  ).pipe(
    Layer.provide(CallbackSender.Live({ authToken: account.authToken })),
    Layer.provide(Outputs.fetchers(account))
  )

/** FNV-1a of an auth id: a subaccount's seed offset. */
const hashId = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * One engine per account, each with its own outputs (callbacks are signed with that account's token).
 *
 * @since 0.1.0
 * @category server
 */
export const tenants = (options: Options) =>
  Layer.scoped(
    Tenants,
    Effect.gen(function* () {
      const byId = new Map<string, Tenant>()
      const base = options.seed ?? (yield* Clock.currentTimeMillis) % 2_147_483_647
      const accounts = [options.account, ...(options.subaccounts ?? [])]
      const durable =
        options.durable === undefined ? undefined : yield* Durable.make(options.durable, accounts)
      // DLV-14: without a store (and without outputs of the caller's), callbacks go to a memory outbox.
      const memory =
        durable === undefined && options.outputs === undefined
          ? yield* MemoryDelivery.make(options.memoryDelivery ?? {}, accounts)
          : undefined
      // STORE-10: one history for every account (the list of the main account spans its subaccounts').
      const history = Context.make(
        History.History,
        durable === undefined ? History.memory(options.historyLimit) : durable.history
      )
      for (const account of accounts) {
        // Each account's ids come from its own seed, so no two accounts ever hand out the same UUID.
        const seed = account === options.account ? base : (base ^ hashId(account.authId)) | 0
        // Built in this scope (not per effect): the account's callback sender lives as long as the server.
        const outputs = yield* Layer.build((options.outputs ?? memory?.outputs ?? Durable.outputs)(account))
        const journal = durable === undefined ? Context.empty() : yield* durable.journal(account)
        const engine = yield* Effect.provide(
          Engine.make({
            authId: account.authId,
            cps: options.cps,
            clock: options.clock,
            seed,
            ...(options.start === undefined ? {} : { start: options.start })
          }),
          Context.merge(Context.merge(outputs, journal), history)
        )
        byId.set(account.authId, {
          account,
          engine,
          store: durable?.store,
          outbox: durable?.store ?? memory?.outbox
        })
      }
      return { main: options.account, byId, rateLimit: options.rateLimit }
    })
  )

/**
 * The fast path for add participant (FastPath.ts), built over the accounts' engines with this
 * layer's runtime (its clock) and request log setting.
 */
const fastPath = (slot: FastPath.Slot) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const all = yield* Tenants
      const runtime = yield* Effect.runtime<never>()
      const log = RequestLog.isOn(yield* FiberRef.get(FiberRef.currentMinimumLogLevel))
      slot.handle = FastPath.make(all, runtime, log)
    })
  )

/**
 * The emulator: engines, routes and a Node HTTP server, announcing its address.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options) => {
  const slot: FastPath.Slot = {}
  return Layer.mergeAll(serve, options.quiet === true ? Layer.empty : announce, fastPath(slot)).pipe(
    Layer.provide(tenants(options)),
    Layer.provideMerge(
      NodeHttpServer.layer(() => withProxy(options, slot), { port: options.port, host: options.host })
    )
  )
}

/** A Node HTTP server, with the CONNECT proxy attached when asked for. */
const withProxy = (options: Options, slot: FastPath.Slot) => {
  const server = createServer()
  FastPath.install(server, slot)
  // Registered before the platform's own listener: a response to a request whose client already
  // went away is dropped at once. Node never calls `end`'s callback on a destroyed response, so the
  // platform's writer would wait forever, holding the request's fiber and everything it references.
  server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
    const end = response.end
    response.end = function (this: ServerResponse, ...args: Array<unknown>) {
      if (response.destroyed) {
        const callback = args.find((a) => typeof a === "function") as (() => void) | undefined
        if (callback !== undefined) process.nextTick(callback)
        return this
      }
      return (end as (...a: Array<unknown>) => ServerResponse).apply(this, args)
    } as typeof response.end
  })
  if (options.proxyCaDir !== undefined) {
    const certificates = ConnectProxy.makeCertificates(options.proxyCaDir)
    ConnectProxy.attachConnectProxy(server, { key: certificates.keyPem, cert: certificates.certPem })
  }
  return server
}
