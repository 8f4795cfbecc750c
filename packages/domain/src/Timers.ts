/**
 * The timer agenda a driver of the rules engine keeps: `SetTimer` / `CancelTimer` commands in, the
 * next due timer out. Pure and persistent (every operation returns a new agenda and leaves the old
 * one valid): a leftist min-heap keyed by (due time, insertion order), with a map from timer id to
 * its live entry for cancellation by id. Timers due at the same instant fire in the order they were
 * set, so a run is the same every time. `next` is O(1); `set`, `cancel` and `pop` O(log n)
 * (cancelled entries are dropped when they reach the top, and the heap is rebuilt when they
 * outnumber the live ones).
 *
 * @example
 * let timers = Timers.empty
 * timers = Timers.apply(timers, result.commands)
 * const next = Timers.next(timers) // { timerId: "ring:…", at: 1700000045000 } or undefined
 *
 * @since 0.1.0
 */
import type { Command } from "./Command.js"
import * as PMap from "./PMap.js"

interface Node {
  readonly at: number
  readonly seq: number
  readonly timerId: string
  readonly rank: number
  readonly left: Node | undefined
  readonly right: Node | undefined
}

interface Entry {
  readonly at: number
  readonly seq: number
}

/**
 * Pending timers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timers {
  readonly heap: Node | undefined
  /** The live entry of each pending timer id. */
  readonly live: PMap.PMap<Entry>
  /** Heap nodes, live or cancelled. */
  readonly nodes: number
  /** The next insertion number. */
  readonly seq: number
}

/**
 * A timer that is due.
 *
 * @since 0.2.0
 * @category models
 */
export interface Due {
  readonly timerId: string
  readonly at: number
}

/**
 * No timers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Timers = { heap: undefined, live: PMap.empty(), nodes: 0, seq: 0 }

const rank = (n: Node | undefined): number => (n === undefined ? 0 : n.rank)

const before = (a: Node, b: Node): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)

const node = (top: Node, a: Node | undefined, b: Node | undefined): Node => {
  const [left, right] = rank(a) >= rank(b) ? [a, b] : [b, a]
  return { at: top.at, seq: top.seq, timerId: top.timerId, rank: rank(right) + 1, left, right }
}

const merge = (a: Node | undefined, b: Node | undefined): Node | undefined => {
  if (a === undefined) return b
  if (b === undefined) return a
  return before(a, b) ? node(a, a.left, merge(a.right, b)) : node(b, b.left, merge(b.right, a))
}

const isLive = (live: PMap.PMap<Entry>, n: Node): boolean => PMap.get(live, n.timerId)?.seq === n.seq

/** Drops cancelled entries from the top, and rebuilds when cancelled ones outnumber live ones. */
const normalize = (t: Timers): Timers => {
  let heap = t.heap
  let nodes = t.nodes
  while (heap !== undefined && !isLive(t.live, heap)) {
    heap = merge(heap.left, heap.right)
    nodes--
  }
  const size = PMap.size(t.live)
  if (nodes > 2 * size + 32) {
    heap = undefined
    PMap.forEach(t.live, (e, timerId) => {
      heap = merge(heap, { at: e.at, seq: e.seq, timerId, rank: 1, left: undefined, right: undefined })
    })
    nodes = size
  }
  return heap === t.heap && nodes === t.nodes ? t : { heap, live: t.live, nodes, seq: t.seq }
}

/**
 * Sets a timer; setting an id again moves it (it then fires after timers already set for that time).
 *
 * @since 0.2.0
 * @category combinators
 */
export const set = (t: Timers, timerId: string, at: number): Timers => {
  const seq = t.seq
  const n: Node = { at, seq, timerId, rank: 1, left: undefined, right: undefined }
  return normalize({
    heap: merge(t.heap, n),
    live: PMap.set(t.live, timerId, { at, seq }),
    nodes: t.nodes + 1,
    seq: seq + 1
  })
}

/**
 * Forgets a timer (nothing when it is not pending).
 *
 * @since 0.2.0
 * @category combinators
 */
export const cancel = (t: Timers, timerId: string): Timers =>
  PMap.has(t.live, timerId)
    ? normalize({ heap: t.heap, live: PMap.remove(t.live, timerId), nodes: t.nodes, seq: t.seq })
    : t

/**
 * Applies the `SetTimer` and `CancelTimer` commands of a step, in order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const apply = (timers: Timers, commands: ReadonlyArray<Command>): Timers => {
  let t = timers
  for (const c of commands) {
    if (c._tag === "SetTimer") t = set(t, c.timerId, c.at)
    else if (c._tag === "CancelTimer") t = cancel(t, c.timerId)
  }
  return t
}

/**
 * The timer due first (ties in the order they were set), if any. O(1).
 *
 * @since 0.1.0
 * @category getters
 */
export const next = (timers: Timers): Due | undefined =>
  timers.heap === undefined ? undefined : { timerId: timers.heap.timerId, at: timers.heap.at }

/**
 * The timer due first, if due at or before `until`, with the agenda without it.
 *
 * @since 0.2.0
 * @category combinators
 */
export const popDue = (
  timers: Timers,
  until: number
): { readonly due: Due; readonly rest: Timers } | undefined => {
  const top = timers.heap
  if (top === undefined || top.at > until) return undefined
  const rest = normalize({
    heap: merge(top.left, top.right),
    live: PMap.remove(timers.live, top.timerId),
    nodes: timers.nodes - 1,
    seq: timers.seq
  })
  return { due: { timerId: top.timerId, at: top.at }, rest }
}

/**
 * Forgets a timer that fired (the same as `cancel`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove = (timers: Timers, timerId: string): Timers => cancel(timers, timerId)

/**
 * How many timers are pending.
 *
 * @since 0.2.0
 * @category getters
 */
export const size = (timers: Timers): number => PMap.size(timers.live)

/**
 * The pending timers in the order they will fire.
 *
 * @since 0.2.0
 * @category getters
 */
export const toArray = (timers: Timers): Array<Due> => {
  const out: Array<Due> = []
  let t = timers
  for (;;) {
    const p = popDue(t, Number.POSITIVE_INFINITY)
    if (p === undefined) return out
    out.push(p.due)
    t = p.rest
  }
}

/**
 * When a pending timer is due, if it is pending.
 *
 * @since 0.2.0
 * @category getters
 */
export const get = (timers: Timers, timerId: string): number | undefined => PMap.get(timers.live, timerId)?.at
