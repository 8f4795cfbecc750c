/**
 * The callback delivery engine around the store's outbox (spec/STORE.md, DLV-1..DLV-13).
 *
 * - One lane per receiver origin (DLV-5), made when the origin has callbacks and dropped when it has
 *   none left: its own concurrency and its own attempt timeout, so a hanging origin ties up nothing
 *   but its own attempts.
 * - The outbox is the truth; a lane holds in memory at most `buffer` of its origin's callbacks,
 *   queued per (MPC, URL) in lane order (DLV-4: one at a time per queue). New callbacks come from
 *   the journal right after their commit; when a lane is full, callbacks stay in the store and are
 *   loaded, oldest first, as the lane drains (DLV-13). So a receiver that is down costs disk, not
 *   memory, and the store is not read per attempt.
 * - After an attempt (see `Policy.decide`): acknowledged → removed from the outbox (the deletes of
 *   acknowledgements that arrive together share one statement, and the queue's next callback
 *   leaves only once its predecessor's delete is committed, so a crash re-sends at most the
 *   callback that was in flight, DLV-2, DLV-4); retryable → rescheduled with capped
 *   backoff (DLV-6) until the retry horizon (DLV-7); final status or past the horizon →
 *   dead-lettered. Only the attempt count and a one-line summary survive an attempt (DLV-10).
 * - One log line per state change of a callback: its first failure (warning), its delivery after
 *   failures (info), its dead-lettering (error); a first-time delivery logs at debug level.
 * - Start: every origin in the outbox gets a lane that loads its callbacks (DLV-2). Stop (closing
 *   the layer's scope): no new attempts, attempts in flight get `drainTimeout` to finish, the rest
 *   are interrupted and stay in the outbox; the log says how many callbacks remain (DLV-12).
 *
 * Single process: one delivery engine per store.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type { DeadLetter, OutboxItem, Store, StoreError } from "../store/Store.js"
import { makeAgents, request, send } from "./Attempt.js"
import { Outbox } from "./Outbox.js"
import { decide, type Outcome, type RetryPolicy } from "./Policy.js"

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
  /**
   * DLV-13: callbacks a lane holds in memory at most (default 2,000); the rest wait in the store.
   *
   * @since 0.2.0
   */
  readonly buffer?: number | undefined
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
  readonly timeoutMs: number
  /** Callbacks in memory by (account, MPC, URL), each queue in lane order. */
  readonly queues: Map<string, Array<OutboxItem>>
  /** Queues whose head may be attempted now, oldest first. */
  readonly ready: Array<string>
  /** Outbox ids in memory, and acknowledged ones not yet deleted from the store. */
  readonly known: Set<number>
  inflight: number
  /** The store may hold callbacks of this origin that are not in memory. */
  spilled: boolean
  loading: boolean
  /** A callback was left in the store while a load was running: load again after it. */
  missed: boolean
}

const queueKey = (item: OutboxItem) => `${item.account}\u0000${item.mpcUuid}\u0000${item.url}`

const make = Effect.gen(function* () {
  const options = yield* DeliveryConfig
  const store = yield* Outbox
  const agents = makeAgents()
  const scope = yield* Effect.scope
  // Store work, logs and timers run as fibers of this child scope, closed after the drain below
  // (finalizers run last-added first); attempts themselves are plain callbacks (`send`).
  const workerScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
  const fibers = yield* FiberSet.make<void, never>().pipe(Scope.extend(workerScope))
  const run = yield* FiberSet.runtime(fibers)<never>()
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
  const buffer = Math.max(1, Math.floor(options.buffer ?? 2_000))
  const changes = yield* PubSub.unbounded<Change>()
  const debug = LogLevel.lessThanEqual(yield* FiberRef.get(FiberRef.currentMinimumLogLevel), LogLevel.Debug)
  const lanes = new Map<string, Lane>()
  let closing = false
  const stats = { attempts: 0, delivered: 0, retried: 0, deadLettered: 0 }
  // Attempts on the wire, by outbox id: how to cancel each (DLV-12).
  const inflight = new Map<number, () => void>()
  // Completed when the last attempt in flight ends after `closing` was set.
  const idle = Deferred.unsafeMake<void>(FiberId.none)
  // DLV-1: acknowledged callbacks waiting for their delete; their queues wait with them (DLV-4).
  let acked: Array<readonly [Lane, OutboxItem, number]> = []
  let ackKick = Deferred.unsafeMake<void>(FiberId.none)
  // The deletes wait for the end of the event loop's turn, so every acknowledgement read in one
  // turn shares one statement (and one commit).
  let ackTurn = false
  const kickAcks = () => {
    if (ackTurn) return
    ackTurn = true
    setImmediate(() => {
      ackTurn = false
      Deferred.unsafeDone(ackKick, Exit.void)
    })
  }

  const annotate = (item: OutboxItem) =>
    Effect.annotateLogs({
      outboxId: item.id,
      mpcUuid: item.mpcUuid,
      url: item.url,
      event: item.callback.event,
      attempts: item.attempts + 1
    })

  const laneOf = (origin: string): Lane => {
    const existing = lanes.get(origin)
    if (existing !== undefined) return existing
    const own = options.lanes?.[origin]
    const lane: Lane = {
      origin,
      concurrency: Math.max(1, own?.concurrency ?? options.concurrency ?? 4),
      timeoutMs: Duration.toMillis(
        Duration.decode(own?.attemptTimeout ?? options.attemptTimeout ?? Duration.seconds(5))
      ),
      queues: new Map(),
      ready: [],
      known: new Set(),
      inflight: 0,
      spilled: false,
      loading: false,
      missed: false
    }
    lanes.set(origin, lane)
    return lane
  }

  /** A lane with nothing in memory, in flight or in the store is forgotten (origins come and go). */
  const release = (lane: Lane) => {
    if (lane.known.size === 0 && lane.inflight === 0 && !lane.spilled && !lane.loading)
      lanes.delete(lane.origin)
  }

  /** Puts a callback in its queue (in lane order); false when the lane is full. */
  const admit = (lane: Lane, item: OutboxItem): boolean => {
    if (lane.known.has(item.id)) return true
    if (lane.known.size >= buffer) return false
    lane.known.add(item.id)
    const key = queueKey(item)
    const queue = lane.queues.get(key)
    if (queue === undefined) {
      lane.queues.set(key, [item])
      lane.ready.push(key)
      return true
    }
    // Usually the newest; a commit that finished late (another account's, on PostgreSQL) goes in order.
    let at = queue.length
    while (at > 1 && queue[at - 1]!.laneSeq > item.laneSeq) at--
    queue.splice(at, 0, item)
    return true
  }

  /** The head of a queue is done (delivered or dead-lettered): the next one may go. */
  const finish = (lane: Lane, item: OutboxItem) => {
    const key = queueKey(item)
    const queue = lane.queues.get(key)
    if (queue?.[0]?.id === item.id) queue.shift()
    if (queue !== undefined && queue.length > 0) lane.ready.push(key)
    else lane.queues.delete(key)
  }

  const storeFailure = (e: StoreError) =>
    Effect.logError(`callback delivery: store failure, retrying in 1 s: ${e.message}`)

  /** DLV-13: loads the oldest callbacks of the origin that are not in memory. */
  const load = (lane: Lane): void => {
    if (lane.loading || !lane.spilled || closing || lane.known.size > buffer / 2) return
    lane.loading = true
    lane.missed = false
    // The oldest `buffer` rows: those already known come back too and are skipped by `admit`.
    const limit = buffer
    const loadOnce: Effect.Effect<void> = store.pendingOf(lane.origin, limit).pipe(
      Effect.flatMap((rows) =>
        Effect.sync(() => {
          lane.loading = false
          let full = false
          for (const row of rows) if (!admit(lane, row)) full = true
          // Everything the store holds is known now, unless something was left out meanwhile.
          if (!full && rows.length < limit && !lane.missed) lane.spilled = false
          release(lane)
          pump(lane)
        })
      ),
      Effect.catchAll((e) =>
        storeFailure(e).pipe(
          Effect.zipRight(Effect.sleep(Duration.seconds(1))),
          Effect.zipRight(
            Effect.sync(() => {
              lane.loading = false
              load(lane)
            })
          )
        )
      )
    )
    run(loadOnce)
  }

  /** Starts attempts while the lane has room and ready heads. */
  const pump = (lane: Lane): void => {
    let started = false
    while (!closing && lane.inflight < lane.concurrency && lane.ready.length > 0) {
      const key = lane.ready.shift()!
      const head = lane.queues.get(key)?.[0]
      if (head === undefined) continue
      lane.inflight++
      started = true
      start(lane, head)
    }
    if (!started && lane.spilled) load(lane)
  }

  /** An attempt ended (or never started): the lane has a free slot again. */
  const freed = (lane: Lane) => {
    lane.inflight--
    if (closing && inflight.size === 0) Deferred.unsafeDone(idle, Exit.void)
  }

  /** One attempt of a queue's head. */
  const start = (lane: Lane, item: OutboxItem): void => {
    if (item.origin.startsWith("invalid:")) {
      // Not a URL anything can be sent to: no attempt will ever succeed (DLV-8).
      freed(lane)
      deadLetter(lane, item, "Invalid URL")
      return
    }
    stats.attempts++
    const key = options.tokens?.[item.account] ?? authToken
    let answered = false
    const cancel = send(
      agents,
      request(key, item.callback, String(item.id)),
      { timeoutMs: lane.timeoutMs, bodyLimit },
      (outcome) => {
        answered = true
        inflight.delete(item.id)
        settle(lane, item, outcome)
      }
    )
    // `send` answers at once for a URL it cannot send to: then there is nothing to cancel.
    if (!answered) inflight.set(item.id, cancel)
  }

  /** What follows an attempt (see `Policy.decide`). */
  const settle = (lane: Lane, item: OutboxItem, outcome: Outcome): void => {
    if (outcome._tag === "Acknowledged") {
      acked.push([lane, item, outcome.status])
      kickAcks()
      stats.delivered++
      freed(lane)
      if (!closing) pump(lane)
      return
    }
    // A failure: rare, so the store, the clock and the log are Effect's.
    run(
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const decision = decide(policy, outcome, item.attempts, item.createdAt, now)
        if (decision._tag === "Retry") return retry(lane, item, decision.at, decision.reason)
        return Effect.sync(() => {
          freed(lane)
          deadLetter(lane, item, decision._tag === "DeadLetter" ? decision.reason : "")
        })
      })
    )
  }

  /** DLV-6: the head keeps its queue and is ready again at its due time. */
  const retry = (lane: Lane, item: OutboxItem, at: number, reason: string): Effect.Effect<void> =>
    store.fail(item.id, at, reason).pipe(
      Effect.map(() => at),
      Effect.catchAll((e) =>
        // The outbox still holds it: try this callback again in a second.
        storeFailure(e).pipe(Effect.zipRight(Effect.map(Clock.currentTimeMillis, (now) => now + 1_000)))
      ),
      Effect.flatMap((due) =>
        Effect.gen(function* () {
          stats.retried++
          const key = queueKey(item)
          const queue = lane.queues.get(key)
          if (queue?.[0]?.id === item.id)
            queue[0] = { ...item, attempts: item.attempts + 1, nextAttemptAt: due, lastError: reason }
          if (item.attempts === 0)
            yield* Effect.logWarning(`callback failing, retrying until delivered: ${reason}`).pipe(
              annotate(item)
            )
          yield* PubSub.publish(changes, { _tag: "Retrying", item, at: due, reason })
          freed(lane)
          pump(lane)
          const now = yield* Clock.currentTimeMillis
          yield* Effect.sleep(Duration.millis(Math.max(0, due - now)))
          if (lane.queues.get(key) !== undefined) lane.ready.push(key)
          pump(lane)
        })
      )
    )

  /** DLV-7, DLV-8: the callback is given up on and listed; its queue goes on (its slot is already free). */
  const deadLetter = (lane: Lane, item: OutboxItem, reason: string): void => {
    run(
      store.deadLetter(item.id, reason).pipe(
        Effect.zipRight(
          Effect.gen(function* () {
            lane.known.delete(item.id)
            stats.deadLettered++
            yield* Effect.logError(`callback dead-lettered: ${reason}`).pipe(annotate(item))
            yield* PubSub.publish(changes, { _tag: "DeadLettered", item, reason })
            finish(lane, item)
            pump(lane)
            release(lane)
          })
        ),
        Effect.catchAll((e) =>
          storeFailure(e).pipe(
            Effect.zipRight(Effect.sleep(Duration.seconds(1))),
            Effect.zipRight(Effect.sync(() => deadLetter(lane, item, reason)))
          )
        )
      )
    )
  }

  /** DLV-1: deletes the acknowledged callbacks, then lets their queues go on. */
  const flushAcks: Effect.Effect<void> = Effect.suspend(() => {
    if (acked.length === 0) return Effect.void
    const batch = acked
    acked = []
    return store.ackMany(batch.map(([, item]) => item.id)).pipe(
      Effect.zipRight(
        Effect.gen(function* () {
          const touched = new Set<Lane>()
          for (const [lane, item] of batch) {
            lane.known.delete(item.id)
            finish(lane, item)
            touched.add(lane)
          }
          for (const lane of touched) {
            pump(lane)
            release(lane)
          }
          // DLV-10: a first-time delivery is not a state change worth a line (debug level only).
          for (const [, item] of batch)
            if (item.attempts > 0)
              yield* Effect.logInfo(`callback delivered after ${item.attempts + 1} attempts`).pipe(
                annotate(item)
              )
            else if (debug) yield* Effect.logDebug("callback delivered").pipe(annotate(item))
          yield* PubSub.publishAll(
            changes,
            batch.map(([, item, status]): Change => ({ _tag: "Delivered", item, status }))
          )
        })
      ),
      Effect.catchAll((e) =>
        Effect.sync(() => {
          // Kept for the next round; their queues wait, so nothing after them is sent meanwhile.
          acked = batch.concat(acked)
        }).pipe(
          Effect.zipRight(
            Effect.logError(`callback delivery: store failure on acknowledgement: ${e.message}`)
          ),
          Effect.zipRight(Effect.sleep(Duration.seconds(1)))
        )
      )
    )
  })
  // Acknowledgements that arrive while a delete is being written share the next one.
  yield* Effect.forkIn(
    Effect.forever(
      Effect.suspend(() =>
        acked.length > 0
          ? flushAcks
          : Effect.zipRight(
              Deferred.await(ackKick),
              Effect.sync(() => {
                ackKick = Deferred.unsafeMake<void>(FiberId.none)
              })
            )
      )
    ),
    workerScope
  )

  /** Queues callbacks just committed (the journal calls this after each commit). */
  const enqueue = (items: ReadonlyArray<OutboxItem>): Effect.Effect<void> =>
    Effect.sync(() => {
      const touched = new Set<Lane>()
      for (const item of items) {
        const lane = laneOf(item.origin)
        touched.add(lane)
        if (lane.spilled && lane.loading) lane.missed = true
        if (lane.spilled || !admit(lane, item)) lane.spilled = true
      }
      for (const lane of touched) pump(lane)
    })

  /** Tells the lanes of these origins that the store has callbacks for them (loaded from there). */
  const notify = (origins: Iterable<string>): Effect.Effect<void> =>
    Effect.sync(() => {
      for (const origin of new Set(origins)) {
        const lane = laneOf(origin)
        lane.spilled = true
        if (lane.loading) lane.missed = true
        load(lane)
      }
    })

  // DLV-2: start from whatever the outbox holds (claims of an older version go back to pending).
  yield* store.releaseClaims.pipe(Effect.orDie)
  yield* notify(yield* store.origins.pipe(Effect.orDie))

  // DLV-12: bounded drain on shutdown.
  yield* Scope.addFinalizer(
    scope,
    Effect.gen(function* () {
      closing = true
      if (inflight.size === 0) Deferred.unsafeDone(idle, Exit.void)
      const drained = yield* Deferred.await(idle).pipe(Effect.timeout(drainTimeout), Effect.isSuccess)
      if (!drained) {
        for (const cancel of inflight.values()) cancel()
        inflight.clear()
      }
      yield* flushAcks
      agents.close()
      const remaining = yield* store.outbox({ limit: 0, offset: 0 }).pipe(
        Effect.map((p) => p.total),
        Effect.orElseSucceed(() => -1)
      )
      const cut = drained ? "" : ` (attempts cut after ${Duration.format(drainTimeout)})`
      yield* (
        store.volatile === true
          ? Effect.logInfo(
              `callback delivery stopped${cut}: ${remaining} callbacks not delivered (no store: they are lost)`
            )
          : Effect.logInfo(`callback delivery stopped${cut}: ${remaining} callbacks remain in the outbox`)
      ).pipe(Effect.annotateLogs({ remaining }))
    })
  )

  /** DLV-14: callbacks given up on before any attempt (a memory outbox with no room): logged and told. */
  const refused = (letters: ReadonlyArray<DeadLetter>): Effect.Effect<void> =>
    Effect.forEach(
      letters,
      (d) => {
        const item: OutboxItem = { ...d, eventSeq: 0, nextAttemptAt: d.deadAt, lastError: undefined }
        stats.deadLettered++
        return Effect.logError(`callback dead-lettered: ${d.reason}`).pipe(
          annotate(item),
          Effect.zipRight(PubSub.publish(changes, { _tag: "DeadLettered", item, reason: d.reason }))
        )
      },
      { discard: true }
    )

  return {
    enqueue,
    notify,
    refused,
    /** State changes of callbacks, as they are logged. */
    changes: changes as PubSub.PubSub<Change>,
    stats: Effect.sync((): DeliveryStats => ({ ...stats })),
    /**
     * Callbacks held in memory over every lane (DLV-13: bounded by `buffer` per lane).
     *
     * @since 0.2.0
     */
    buffered: Effect.sync(() => {
      let n = 0
      for (const lane of lanes.values()) n += lane.known.size
      return { lanes: lanes.size, callbacks: n }
    })
  } as const
})

/**
 * The delivery engine. `Delivery.layer(options)` needs the `Store`; it sends with Node's HTTP
 * client (`Delivery.Live` is the same layer, kept for 0.1 callers).
 *
 * @since 0.1.0
 * @category services
 */
export class Delivery extends Effect.Service<Delivery>()("@mpc-kit/http/Delivery", {
  scoped: make
}) {
  /** The delivery engine with these options; needs the `Store`. */
  static readonly layer = (options: DeliveryOptions): Layer.Layer<Delivery, never, Store> =>
    Delivery.layerOutbox(options).pipe(Layer.provide(Outbox.fromStore))

  /**
   * The delivery engine with these options on any outbox (DLV-14: `Outbox.makeMemory` without a store).
   *
   * @since 0.2.0
   */
  static readonly layerOutbox = (options: DeliveryOptions): Layer.Layer<Delivery, never, Outbox> =>
    Delivery.Default.pipe(Layer.provide(Layer.succeed(DeliveryConfig, options)))

  /** The same as `layer` (since 0.2.0 the engine brings its own HTTP client). */
  static readonly Live = (options: DeliveryOptions): Layer.Layer<Delivery, never, Store> =>
    Delivery.layer(options)
}
