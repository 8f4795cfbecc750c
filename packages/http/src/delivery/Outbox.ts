/**
 * What the delivery engine needs of an outbox (DLV-1..DLV-13): the store's outbox (the durable
 * default), or one kept in memory when the emulator runs without a store (`MPC_DATA_DIR=none`),
 * bounded, with the same retries, horizon, dead letters and log lines (DLV-14).
 *
 * @since 0.2.0
 */
import type { Command } from "@mpc-kit/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type DeadLetter, type OutboxItem, originOf, type Page, type Paged, Store } from "../store/Store.js"

/**
 * The outbox operations the delivery engine and the dead-letter list use.
 *
 * @since 0.2.0
 * @category delivery
 */
export type OutboxService = Pick<
  Store,
  "pendingOf" | "ackMany" | "fail" | "deadLetter" | "releaseClaims" | "origins" | "outbox" | "deadLetters"
> & {
  /** DLV-14: the outbox lives in memory: what it holds when the process stops is lost. */
  readonly volatile?: boolean | undefined
}

/**
 * The outbox the delivery engine works on.
 *
 * @since 0.2.0
 * @category delivery
 */
export class Outbox extends Context.Tag("@mpc-kit/http/Outbox")<Outbox, OutboxService>() {
  /** The store's outbox. */
  static readonly fromStore: Layer.Layer<Outbox, never, Store> = Layer.effect(Outbox, Store)
}

/**
 * How a memory outbox is bounded (DLV-14).
 *
 * @since 0.2.0
 * @category delivery
 */
export interface MemoryOutboxOptions {
  /** Callbacks waiting at most (default 50,000); past it a new callback is dead-lettered at once. */
  readonly limit?: number | undefined
  /**
   * Dead letters kept for `/emulator/v1/dead-letters` (default 10,000, the latest; each one was
   * logged at error level when it was given up on).
   */
  readonly deadLetterLimit?: number | undefined
}

/**
 * A memory outbox: the operations of `OutboxService`, and `add`, which writes callbacks (as a
 * commit does in the store) and answers those admitted and those refused for want of room.
 *
 * @since 0.2.0
 * @category delivery
 */
export interface MemoryOutbox extends OutboxService {
  /** Writes callbacks of `account` at `now`: those admitted (in order) and those refused for want of room. */
  readonly add: (
    account: string,
    callbacks: ReadonlyArray<Command.SendCallback>,
    now: number
  ) => { readonly items: ReadonlyArray<OutboxItem>; readonly refused: ReadonlyArray<DeadLetter> }
  /** Callbacks waiting. */
  readonly size: () => number
}

/**
 * The reason a callback is refused when the memory outbox is full.
 *
 * @since 0.2.0
 * @category delivery
 */
export const fullReason = (limit: number) =>
  `outbox full: ${limit} callbacks waiting in memory (run with a store to keep more)`

/**
 * Makes a memory outbox. Callbacks are kept per origin in id order (ids only grow, so a lane's
 * order is its ids' order, DLV-4).
 *
 * @since 0.2.0
 * @category delivery
 */
export const makeMemory = (options: MemoryOutboxOptions = {}): MemoryOutbox => {
  const limit = Math.max(1, Math.floor(options.limit ?? 50_000))
  const deadLimit = Math.max(0, Math.floor(options.deadLetterLimit ?? 10_000))
  const byOrigin = new Map<string, Map<number, OutboxItem>>()
  const originOfId = new Map<number, string>()
  // The latest dead letters (each was logged when it was given up on); trimmed in batches.
  let dead: Array<DeadLetter> = []
  let nextId = 1

  const keepDead = (d: DeadLetter) => {
    dead.push(d)
    if (dead.length > Math.max(1, deadLimit * 2)) dead = dead.slice(dead.length - deadLimit)
  }
  const keptDead = () => (dead.length > deadLimit ? dead.slice(dead.length - deadLimit) : dead)
  const take = (id: number): OutboxItem | undefined => {
    const origin = originOfId.get(id)
    if (origin === undefined) return undefined
    const lane = byOrigin.get(origin)
    const item = lane?.get(id)
    lane?.delete(id)
    if (lane !== undefined && lane.size === 0) byOrigin.delete(origin)
    originOfId.delete(id)
    return item
  }
  const page = <A>(xs: ReadonlyArray<A>, p: Page, total = xs.length): Paged<A> => ({
    total,
    items: xs.slice(p.offset, p.offset + p.limit)
  })

  return {
    volatile: true,
    size: () => originOfId.size,
    add: (account, callbacks, now) => {
      const items: Array<OutboxItem> = []
      const refused: Array<DeadLetter> = []
      for (const callback of callbacks) {
        const id = nextId++
        const origin = originOf(callback.url)
        const base = {
          id,
          account,
          mpcUuid: callback.mpcUuid,
          url: callback.url,
          origin,
          laneSeq: id,
          callback,
          createdAt: now
        }
        if (originOfId.size >= limit) {
          const d: DeadLetter = { ...base, attempts: 0, deadAt: now, reason: fullReason(limit) }
          keepDead(d)
          refused.push(d)
          continue
        }
        const item: OutboxItem = {
          ...base,
          eventSeq: 0,
          attempts: 0,
          nextAttemptAt: now,
          lastError: undefined
        }
        let lane = byOrigin.get(origin)
        if (lane === undefined) {
          lane = new Map()
          byOrigin.set(origin, lane)
        }
        lane.set(id, item)
        originOfId.set(id, origin)
        items.push(item)
      }
      return { items, refused }
    },
    pendingOf: (origin, n) =>
      Effect.sync(() => {
        const out: Array<OutboxItem> = []
        const lane = byOrigin.get(origin)
        if (lane !== undefined)
          for (const item of lane.values()) {
            if (out.length >= n) break
            out.push(item)
          }
        return out
      }),
    ackMany: (ids) =>
      Effect.sync(() => {
        for (const id of ids) take(id)
      }),
    fail: (id, nextAttemptAt, error) =>
      Effect.sync(() => {
        const origin = originOfId.get(id)
        const lane = origin === undefined ? undefined : byOrigin.get(origin)
        const item = lane?.get(id)
        if (lane !== undefined && item !== undefined)
          lane.set(id, { ...item, attempts: item.attempts + 1, nextAttemptAt, lastError: error })
      }),
    deadLetter: (id, reason) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const item = take(id)
        if (item !== undefined)
          keepDead({
            id: item.id,
            account: item.account,
            mpcUuid: item.mpcUuid,
            url: item.url,
            origin: item.origin,
            laneSeq: item.laneSeq,
            callback: item.callback,
            createdAt: item.createdAt,
            attempts: item.attempts + 1,
            deadAt: now,
            reason
          })
      }),
    releaseClaims: Effect.succeed(0),
    origins: Effect.sync(() => [...byOrigin.keys()].sort()),
    outbox: (p) =>
      Effect.sync(() => {
        const all: Array<OutboxItem> = []
        if (p.limit > 0)
          for (const lane of byOrigin.values()) for (const item of lane.values()) all.push(item)
        all.sort((a, b) => a.id - b.id)
        return page(all, p, originOfId.size)
      }),
    deadLetters: (p, account) =>
      Effect.sync(() => {
        const kept = keptDead()
        return page(account === undefined ? kept : kept.filter((d) => d.account === account), p)
      })
  }
}
