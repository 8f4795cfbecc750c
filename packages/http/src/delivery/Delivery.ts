/**
 * The callback delivery engine around the store's outbox (spec/STORE.md, DLV-1..DLV-12).
 *
 * - One lane per receiver origin (DLV-5), created when the origin first has callbacks: its own
 *   workers (its concurrency) and its own attempt timeout. Workers claim due lane heads of their
 *   origin only, so a hanging origin ties up nothing but its own workers.
 * - Within an origin, callbacks of one (MPC, URL) go one at a time in lane order (DLV-4): the store
 *   hands out a callback only when it heads its lane.
 * - After an attempt (see `Policy.decide`): acknowledged → removed; retryable → rescheduled with
 *   capped backoff (DLV-6) until the retry horizon (DLV-7); final status or past the horizon →
 *   dead-lettered. Only the attempt count and a one-line summary survive an attempt (DLV-10).
 * - One log line per state change of a callback: its first failure (warning), its delivery after
 *   failures (info), its dead-lettering (error); a first-time delivery logs at debug level.
 * - `notify(origins)` wakes (or creates) the lanes of origins that got new callbacks; a lane with
 *   nothing due sleeps until its next due time or its next wake-up.
 * - Start: claims left by a previous process are released and every origin in the outbox gets a
 *   lane (DLV-2). Stop (closing the layer's scope): no new claims, attempts in flight get
 *   `drainTimeout` to finish, the rest are interrupted and stay in the outbox; the log says how
 *   many callbacks remain (DLV-12).
 *
 * Single process: one delivery engine per store.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { type OutboxItem, Store } from "../store/Store.js"
import { attempt, request, untraced } from "./Attempt.js"
import { decide, type RetryPolicy } from "./Policy.js"

/**
 * One origin's lane settings (DLV-5).
 *
 * @since 0.1.0
 * @category delivery
 */
export interface LaneOptions {
  /** Attempts in flight at most on this origin (default 4). */
  readonly concurrency?: number | undefined
  /** Time allowed to one attempt (default 5 s). */
  readonly attemptTimeout?: Duration.DurationInput | undefined
}

/**
 * How the engine is set up. Only `authToken` is required.
 *
 * @since 0.1.0
 * @category delivery
 */
export interface DeliveryOptions extends LaneOptions {
  /** The key of the signatures (CB-8). */
  readonly authToken: Redacted.Redacted<string> | string
  /** ADDR-5: the key of each other account's callbacks, by auth id (the outbox row's account). */
  readonly tokens?: Readonly<Record<string, string>> | undefined
  /** Settings of particular origins (`scheme://host:port` as `URL.origin` writes it). */
  readonly lanes?: Readonly<Record<string, LaneOptions>> | undefined
  /** DLV-6: first retry delay (default 1 s), growth (2), cap (60 s). */
  readonly initialDelay?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  /** DLV-7: retry horizon, counted from when the callback was written (default 24 h). */
  readonly horizon?: Duration.DurationInput | undefined
  /** DLV-9: bytes of a response body read at most (default 64 KiB). */
  readonly bodyLimit?: number | undefined
  /** DLV-12: time given to attempts in flight on shutdown (default 5 s). */
  readonly drainTimeout?: Duration.DurationInput | undefined
}

/**
 * The options the `Default` layer reads.
 *
 * @since 0.1.0
 * @category services
 */
export class DeliveryConfig extends Context.Tag("@mpc-kit/http/DeliveryConfig")<
  DeliveryConfig,
  DeliveryOptions
>() {}

/**
 * A change of a callback's state (what the log says, for observers and tests).
 *
 * @since 0.1.0
 * @category delivery
 */
export type Change =
  | { readonly _tag: "Delivered"; readonly item: OutboxItem; readonly status: number }
  | { readonly _tag: "Retrying"; readonly item: OutboxItem; readonly at: number; readonly reason: string }
  | { readonly _tag: "DeadLettered"; readonly item: OutboxItem; readonly reason: string }

/**
 * Counters since start.
 *
 * @since 0.1.0
 * @category delivery
 */
export interface DeliveryStats {
  readonly attempts: number
  readonly delivered: number
  readonly retried: number
  readonly deadLettered: number
}

interface Lane {
  readonly origin: string
  readonly concurrency: number
  readonly timeout: Duration.Duration
  wake: Deferred.Deferred<void>
  readonly workers: Array<Fiber.RuntimeFiber<void>>
}

/** `concurrency` split into claim batches of at most 8 (their sum is `concurrency`). */
const batches = (concurrency: number): Array<number> => {
  const workers = Math.ceil(concurrency / 8)
  return Array.from(
    { length: workers },
    (_, i) => Math.floor(concurrency / workers) + (i < concurrency % workers ? 1 : 0)
  )
}

/** When nothing is due and nothing wakes a lane, it looks again after this long. */
const idlePoll = Duration.minutes(1)

const make = Effect.gen(function* () {
  const options = yield* DeliveryConfig
  const store = yield* Store
  const client = untraced(yield* HttpClient.HttpClient)
  const scope = yield* Effect.scope
  // Workers live in a child scope closed after the drain below (finalizers run last-added first).
  const workerScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
  const authToken =
    typeof options.authToken === "string" ? options.authToken : Redacted.value(options.authToken)
  const policy: RetryPolicy = {
    initialDelay: Duration.toMillis(options.initialDelay ?? Duration.seconds(1)),
    factor: options.factor ?? 2,
    maxDelay: Duration.toMillis(options.maxDelay ?? Duration.seconds(60)),
    horizon: Duration.toMillis(options.horizon ?? Duration.hours(24))
  }
  const bodyLimit = Math.max(0, options.bodyLimit ?? 64 * 1024)
  const drainTimeout = Duration.decode(options.drainTimeout ?? Duration.seconds(5))
  const changes = yield* PubSub.unbounded<Change>()
  const lanes = new Map<string, Lane>()
  let closing = false
  const stats = { attempts: 0, delivered: 0, retried: 0, deadLettered: 0 }

  const wakeLane = (lane: Lane) => {
    const d = lane.wake
    lane.wake = Deferred.unsafeMake<void>(FiberId.none)
    Deferred.unsafeDone(d, Effect.void)
  }

  const annotate = (item: OutboxItem) =>
    Effect.annotateLogs({
      outboxId: item.id,
      mpcUuid: item.mpcUuid,
      url: item.url,
      event: item.callback.event,
      attempts: item.attempts + 1
    })

  /** One attempt and what follows from it. */
  const deliverOne = (lane: Lane, item: OutboxItem): Effect.Effect<void, unknown> =>
    Effect.gen(function* () {
      if (item.origin.startsWith("invalid:")) {
        // Not a URL anything can be sent to: no attempt will ever succeed (DLV-8).
        yield* store.deadLetter(item.id, "Invalid URL")
        stats.deadLettered++
        yield* Effect.logError("callback dead-lettered: Invalid URL").pipe(annotate(item))
        yield* PubSub.publish(changes, { _tag: "DeadLettered", item, reason: "Invalid URL" })
        return
      }
      stats.attempts++
      const key = options.tokens?.[item.account] ?? authToken
      const outcome = yield* attempt(client, request(key, item.callback, String(item.id)), {
        timeout: lane.timeout,
        bodyLimit
      })
      const now = yield* Clock.currentTimeMillis
      const decision = decide(policy, outcome, item.attempts, item.createdAt, now)
      switch (decision._tag) {
        case "Ack": {
          yield* store.ack(item.id)
          stats.delivered++
          const status = outcome._tag === "Acknowledged" ? outcome.status : 200
          yield* (
            item.attempts === 0
              ? Effect.logDebug("callback delivered")
              : Effect.logInfo(`callback delivered after ${item.attempts + 1} attempts`)
          ).pipe(annotate(item))
          yield* PubSub.publish(changes, { _tag: "Delivered", item, status })
          return
        }
        case "Retry": {
          yield* store.fail(item.id, decision.at, decision.reason)
          stats.retried++
          if (item.attempts === 0)
            yield* Effect.logWarning(`callback failing, retrying until delivered: ${decision.reason}`).pipe(
              annotate(item)
            )
          yield* PubSub.publish(changes, { _tag: "Retrying", item, at: decision.at, reason: decision.reason })
          return
        }
        case "DeadLetter": {
          yield* store.deadLetter(item.id, decision.reason)
          stats.deadLettered++
          yield* Effect.logError(`callback dead-lettered: ${decision.reason}`).pipe(annotate(item))
          yield* PubSub.publish(changes, { _tag: "DeadLettered", item, reason: decision.reason })
          return
        }
      }
    })

  /** Claims are made one at a time per lane, so two workers never take the same callback. */
  const worker = (lane: Lane, claimLock: Effect.Semaphore, batch: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      while (!closing) {
        // Taken before looking, so a wake-up that comes while we look is not missed.
        const wake = lane.wake
        const now = yield* Clock.currentTimeMillis
        // Heads of distinct (MPC, URL) lanes (DLV-4), several per claim: one store round trip per batch.
        const items = yield* claimLock.withPermits(1)(store.claim(lane.origin, now, batch))
        if (items.length > 0) {
          yield* Effect.forEach(items, (item) => deliverOne(lane, item), {
            concurrency: "unbounded",
            discard: true
          })
          // The lane's next callback may now be due for another worker.
          wakeLane(lane)
          continue
        }
        if (closing) return
        const due = yield* store.nextDue(lane.origin)
        const wait = Option.match(due, {
          onNone: () => idlePoll,
          onSome: (at) => Duration.millis(Math.max(0, at - now))
        })
        yield* Effect.raceFirst(Deferred.await(wake), Effect.sleep(wait))
      }
    }).pipe(
      Effect.catchAllCause((cause) =>
        // A store failure: say so, pause, go on (the outbox still holds everything).
        Effect.logError("callback delivery: store failure, retrying in 1 s", cause).pipe(
          Effect.zipRight(Effect.sleep(Duration.seconds(1))),
          Effect.zipRight(Effect.suspend(() => (closing ? Effect.void : worker(lane, claimLock, batch))))
        )
      )
    )

  const ensureLane = (origin: string): Effect.Effect<Lane> =>
    Effect.suspend(() => {
      const existing = lanes.get(origin)
      if (existing !== undefined) return Effect.succeed(existing)
      const own = options.lanes?.[origin]
      const lane: Lane = {
        origin,
        concurrency: Math.max(1, own?.concurrency ?? options.concurrency ?? 4),
        timeout: Duration.decode(own?.attemptTimeout ?? options.attemptTimeout ?? Duration.seconds(5)),
        wake: Deferred.unsafeMake<void>(FiberId.none),
        workers: []
      }
      lanes.set(origin, lane)
      const claimLock = Effect.unsafeMakeSemaphore(1)
      return Effect.forEach(
        // DLV-5: at most `concurrency` attempts in flight: workers of up to 8 claims each.
        batches(lane.concurrency).map((batch) => worker(lane, claimLock, batch)),
        (w) => Effect.forkIn(w, workerScope).pipe(Effect.map((f) => lane.workers.push(f))),
        { discard: true }
      ).pipe(Effect.as(lane))
    })

  /** Wakes the lanes of these origins (creating them as needed): they have new callbacks. */
  const notify = (origins: Iterable<string>): Effect.Effect<void> =>
    Effect.forEach(new Set(origins), (origin) => Effect.map(ensureLane(origin), wakeLane), { discard: true })

  // DLV-2: start from whatever the outbox holds.
  const released = yield* store.releaseClaims.pipe(Effect.orDie)
  if (released > 0)
    yield* Effect.logInfo(`callback delivery: ${released} interrupted attempts will be retried`)
  yield* notify(yield* store.origins.pipe(Effect.orDie))

  // DLV-12: bounded drain on shutdown.
  yield* Scope.addFinalizer(
    scope,
    Effect.gen(function* () {
      closing = true
      for (const lane of lanes.values()) wakeLane(lane)
      const fibers = [...lanes.values()].flatMap((l) => l.workers)
      const drained = yield* Fiber.joinAll(fibers).pipe(Effect.timeout(drainTimeout), Effect.isSuccess)
      if (!drained) yield* Fiber.interruptAll(fibers)
      yield* store.releaseClaims.pipe(Effect.ignore)
      const remaining = yield* store.outbox({ limit: 0, offset: 0 }).pipe(
        Effect.map((p) => p.total),
        Effect.orElseSucceed(() => -1)
      )
      yield* Effect.logInfo(
        `callback delivery stopped${drained ? "" : ` (attempts cut after ${Duration.format(drainTimeout)})`}: ${remaining} callbacks remain in the outbox`
      ).pipe(Effect.annotateLogs({ remaining }))
    })
  )

  return {
    notify,
    /** State changes of callbacks, as they are logged. */
    changes: changes as PubSub.PubSub<Change>,
    stats: Effect.sync((): DeliveryStats => ({ ...stats }))
  } as const
})

/**
 * The delivery engine. `Delivery.layer(options)` needs the `Store` and an `HttpClient`;
 * `Delivery.Live(options)` brings Node's (undici).
 *
 * @since 0.1.0
 * @category services
 */
export class Delivery extends Effect.Service<Delivery>()("@mpc-kit/http/Delivery", {
  scoped: make
}) {
  /** The delivery engine with these options; needs the `Store` and an `HttpClient`. */
  static readonly layer = (
    options: DeliveryOptions
  ): Layer.Layer<Delivery, never, Store | HttpClient.HttpClient> =>
    Delivery.Default.pipe(Layer.provide(Layer.succeed(DeliveryConfig, options)))

  /** The delivery engine with these options and Node's HTTP client (undici); needs the `Store`. */
  static readonly Live = (options: DeliveryOptions): Layer.Layer<Delivery, never, Store> =>
    Delivery.layer(options).pipe(Layer.provide(NodeHttpClient.layerUndici))
}
