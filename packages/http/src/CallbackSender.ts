/**
 * Delivers the engine's `SendCallback` commands over real HTTP, as Plivo does (EMULATOR.md,
 * Callbacks): form-encoded POST or query-string GET, signed (CB-8), retried with exponential
 * backoff until the receiver answers 2xx, and in `SequenceNumber` order per MPC and URL (CB-2).
 *
 * - `send` only enqueues: it never blocks the engine and never fails.
 * - Callbacks with the same key (`mpcUuid` + `url`) form a lane, delivered one at a time in
 *   enqueue order; the next one leaves only when the previous one got its 2xx. Lanes run in
 *   parallel, at most `maxConcurrency` requests in flight across all of them. A permit is held
 *   per attempt, so a lane waiting out its backoff does not hold others up.
 * - An attempt fails on a transport error, on a non-2xx status, or when it (request and response
 *   body) takes longer than `attemptTimeout`. Failed attempts are logged (`Effect.logWarning`) and
 *   retried forever while the process runs: nothing is dropped. Every attempt carries a fresh nonce.
 * - Shutdown: closing the layer's scope interrupts the lanes (an attempt in flight is aborted).
 *   Callbacks still pending then are lost, which happens only when the process exits; call
 *   `flush` first to drain them.
 *
 * The emulator itself no longer sends through it: since 0.2.0 its callbacks go through the
 * delivery engine (`delivery/Delivery.ts`), on the store's outbox or, without a store, on a bounded
 * memory outbox (DLV-14), with a retry horizon and final statuses. This sender stays for services
 * that embed the engine and want a plain retry-until-2xx sender (`Server.liveOutputs`).
 *
 * @since 0.1.0
 */

import { randomInt } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { Command } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { signV3 } from "./Signature.js"

type SendCallback = Command.SendCallback

/**
 * How the sender is set up. Only `authToken` is required.
 *
 * @since 0.1.0
 * @category callbacks
 */
export interface CallbackSenderOptions {
  /** The account's auth token: the key of `X-Plivo-Signature-V3` (CB-8). */
  readonly authToken: Redacted.Redacted<string> | string
  /** Requests in flight at most, over all lanes (default 16). */
  readonly maxConcurrency?: number | undefined
  /** Time allowed to one attempt, request and response body (default 5 seconds). */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Delay before the first retry (default 100 ms). */
  readonly initialDelay?: Duration.DurationInput | undefined
  /** Growth of the delay from one retry to the next (default 2). */
  readonly factor?: number | undefined
  /** Longest delay between two attempts (default 10 seconds). */
  readonly maxDelay?: Duration.DurationInput | undefined
}

/**
 * The options the `Default` layer reads.
 *
 * @since 0.1.0
 * @category services
 */
export class CallbackSenderConfig extends Context.Tag("@mpc-kit/http/CallbackSenderConfig")<
  CallbackSenderConfig,
  CallbackSenderOptions
>() {}

/**
 * The counters of a sender, since it started.
 *
 * @since 0.1.0
 * @category callbacks
 */
export interface CallbackSenderStats {
  /** Callbacks handed to `send`. */
  readonly enqueued: number
  /** Callbacks answered with a 2xx. */
  readonly delivered: number
  /** HTTP attempts started, failed ones included. */
  readonly attempts: number
  /** `enqueued - delivered`: queued or being retried. */
  readonly pending: number
}

/**
 * Why one delivery attempt failed (logged, then retried).
 *
 * @since 0.1.0
 * @category errors
 */
export class CallbackDeliveryError extends Schema.TaggedError<CallbackDeliveryError>()(
  "CallbackDeliveryError",
  {
    url: Schema.String,
    method: Schema.Literal("GET", "POST"),
    event: Schema.String,
    mpcUuid: Schema.String,
    attempt: Schema.Int,
    reason: Schema.Literal("Transport", "Status", "Timeout", "Defect"),
    status: Schema.optionalWith(Schema.Int, { exact: true }),
    detail: Schema.String
  }
) {
  override get message(): string {
    return `callback ${this.event} (${this.method} ${this.url}) attempt ${this.attempt} failed: ${this.reason}${
      this.status === undefined ? "" : ` ${this.status}`
    }: ${this.detail}`
  }
}

/**
 * The `User-Agent` of every callback.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent = "mpc-kit"

/**
 * A fresh 20-digit nonce for `X-Plivo-Signature-V3-Nonce`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeNonce = (): string =>
  `${randomInt(0, 1e10)}`.padStart(10, "0") + `${randomInt(0, 1e10)}`.padStart(10, "0")

/**
 * The parameters as they go on the wire: the page's `null` is an empty string.
 *
 * @since 0.1.0
 * @category callbacks
 */
export const wireParams = (params: SendCallback["params"]): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) out[k] = v ?? ""
  return out
}

/**
 * A GET callback's URL: the URL's own query kept, the parameters appended (before any fragment).
 *
 * @since 0.1.0
 * @category callbacks
 */
export const getUrl = (url: string, params: Readonly<Record<string, string>>): string => {
  const query = new URLSearchParams(Object.entries(params)).toString()
  if (query === "") return url
  const hash = url.indexOf("#")
  const base = hash === -1 ? url : url.slice(0, hash)
  const fragment = hash === -1 ? "" : url.slice(hash)
  const sep = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&"
  return `${base}${sep}${query}${fragment}`
}

/**
 * The request for one attempt: the URL and parameters as sent, signed with `nonce` (CB-8).
 *
 * @since 0.1.0
 * @category callbacks
 */
export const buildRequest = (
  authToken: string,
  callback: SendCallback,
  nonce: string
): HttpClientRequest.HttpClientRequest => {
  const params = wireParams(callback.params)
  const sign = (url: string, signed: Readonly<Record<string, string>>) => ({
    "User-Agent": userAgent,
    "X-Plivo-Signature-V3": signV3(authToken, callback.method, url, signed, nonce),
    "X-Plivo-Signature-V3-Nonce": nonce
  })
  if (callback.method === "GET") {
    const url = getUrl(callback.url, params)
    return HttpClientRequest.get(url, { headers: sign(url, {}) })
  }
  return HttpClientRequest.post(callback.url, { headers: sign(callback.url, params) }).pipe(
    HttpClientRequest.bodyUrlParams(UrlParams.fromInput(params))
  )
}

interface Entry {
  readonly callback: SendCallback
  /** Created by `flush` when it waits for this entry. */
  done: Deferred.Deferred<void> | undefined
}

const make = Effect.gen(function* () {
  const options = yield* CallbackSenderConfig
  // DLV-11: no tracing headers (b3, traceparent) on callbacks: receivers see what Plivo sends.
  const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
  const authToken =
    typeof options.authToken === "string" ? options.authToken : Redacted.value(options.authToken)
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 16)
  const attemptTimeout = Duration.decode(options.attemptTimeout ?? Duration.seconds(5))
  const maxDelay = Duration.decode(options.maxDelay ?? Duration.seconds(10))
  const backoff = Schedule.exponential(
    options.initialDelay ?? Duration.millis(100),
    options.factor ?? 2
  ).pipe(Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)))

  const permits = yield* Effect.makeSemaphore(maxConcurrency)
  const workers = yield* FiberSet.make<void>()
  // Lanes run on the runtime the layer was built with (its clock, logger, HttpClient), not on the
  // fiber that called `send` (which may be the engine's, under its lock or a virtual clock).
  const runFork = yield* FiberSet.runtime(workers)()
  /** One lane per `mpcUuid + url`; its head is the callback being delivered. */
  const lanes = new Map<string, Array<Entry>>()
  let enqueued = 0
  let delivered = 0
  let attempts = 0

  const attemptOnce = (
    callback: SendCallback,
    attempt: number
  ): Effect.Effect<void, CallbackDeliveryError> => {
    const fail = (reason: CallbackDeliveryError["reason"], detail: string, status?: number) =>
      new CallbackDeliveryError({
        url: callback.url,
        method: callback.method,
        event: callback.event,
        mpcUuid: callback.mpcUuid,
        attempt,
        reason,
        detail,
        ...(status === undefined ? {} : { status })
      })
    return Effect.gen(function* () {
      attempts++
      const response = yield* client.execute(buildRequest(authToken, callback, makeNonce()))
      // Read the body so the connection can be reused; a receiver stuck in it times the attempt out.
      yield* response.arrayBuffer
      if (response.status < 200 || response.status >= 300)
        return yield* fail("Status", "the receiver did not answer 2xx", response.status)
    }).pipe(
      Effect.catchTags({
        RequestError: (e: HttpClientError.RequestError) => fail("Transport", e.message),
        ResponseError: (e: HttpClientError.ResponseError) => fail("Transport", e.message)
      }),
      Effect.timeoutFail({
        duration: attemptTimeout,
        onTimeout: () => fail("Timeout", `no complete answer within ${Duration.format(attemptTimeout)}`)
      }),
      Effect.catchAllDefect((defect) => Effect.fail(fail("Defect", String(defect)))),
      permits.withPermits(1),
      Effect.tapError((e) =>
        Effect.logWarning(e.message).pipe(
          Effect.annotateLogs({
            url: callback.url,
            event: callback.event,
            mpcUuid: callback.mpcUuid,
            attempt,
            reason: e.reason
          })
        )
      )
    )
  }

  /** Delivers one callback, retrying with backoff until a 2xx: never fails. */
  const deliver = (callback: SendCallback): Effect.Effect<void> => {
    let attempt = 0
    return Effect.suspend(() => attemptOnce(callback, ++attempt)).pipe(
      Effect.retry(backoff),
      // The schedule recurs forever: this can only be reached if it did not.
      Effect.orDie
    )
  }

  const drain = (key: string, lane: Array<Entry>): Effect.Effect<void> =>
    Effect.gen(function* () {
      while (true) {
        const entry = lane[0]!
        yield* deliver(entry.callback)
        // No yield from here to the end of the turn: `send` sees the lane either open or gone.
        lane.shift()
        delivered++
        if (entry.done !== undefined) Deferred.unsafeDone(entry.done, Exit.void)
        if (lane.length === 0) {
          lanes.delete(key)
          return
        }
      }
    })

  /** Enqueues a callback on its lane (MPC and URL) and returns at once; never fails. */
  const send = (callback: SendCallback): Effect.Effect<void> =>
    Effect.sync(() => {
      enqueued++
      const key = `${callback.mpcUuid}\u0000${callback.url}`
      const entry: Entry = { callback, done: undefined }
      const lane = lanes.get(key)
      if (lane !== undefined) {
        lane.push(entry)
        return
      }
      const fresh = [entry]
      lanes.set(key, fresh)
      runFork(Effect.interruptible(drain(key, fresh)))
    })

  // The tail of every lane now: once each is delivered, so is everything enqueued before.
  const flush: Effect.Effect<void> = Effect.suspend(() => {
    const waits: Array<Deferred.Deferred<void>> = []
    for (const lane of lanes.values()) {
      const tail = lane[lane.length - 1]!
      tail.done ??= Deferred.unsafeMake<void>(FiberId.none)
      waits.push(tail.done)
    }
    return Effect.forEach(waits, Deferred.await, { discard: true })
  })

  const stats: Effect.Effect<CallbackSenderStats> = Effect.sync(() => ({
    enqueued,
    delivered,
    attempts,
    pending: enqueued - delivered
  }))

  return { send, flush, stats } as const
})

/**
 * The callback sender. `CallbackSender.layer(options)` needs an `HttpClient`;
 * `CallbackSender.Live(options)` brings Node's (undici); `CallbackSender.Default` reads the
 * options from `CallbackSenderConfig`.
 *
 * @since 0.1.0
 * @category services
 */
export class CallbackSender extends Effect.Service<CallbackSender>()("@mpc-kit/http/CallbackSender", {
  scoped: make,
  accessors: true
}) {
  /** The sender with these options, over the `HttpClient` provided. */
  static readonly layer = (
    options: CallbackSenderOptions
  ): Layer.Layer<CallbackSender, never, HttpClient.HttpClient> =>
    CallbackSender.Default.pipe(Layer.provide(Layer.succeed(CallbackSenderConfig, options)))

  /** The sender with these options over Node's undici client. */
  static readonly Live = (options: CallbackSenderOptions): Layer.Layer<CallbackSender> =>
    CallbackSender.layer(options).pipe(Layer.provide(NodeHttpClient.layerUndici))
}
