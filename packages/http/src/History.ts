/**
 * STORE-6, STORE-10: the MPCs that left the live state. An engine retires an MPC in the step that
 * ends it (`State.retireEndedSince`), with its trace; reads of ended MPCs (get, list, participants,
 * trace) come from here. Two kinds:
 *
 * - on a durable store, the history table (written by the journal in the transaction of the event
 *   that ended the MPC, read with the list filters as indexed SQL);
 * - in memory (no store), the latest `limit` retired MPCs; older ones are forgotten, so memory stays
 *   bounded over any run.
 *
 * @since 0.2.0
 */
import type { State, Trace } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * An MPC that left the live state, as kept for reads.
 *
 * @since 0.2.0
 * @category history
 */
export interface RetiredMpc {
  readonly account: string
  readonly mpc: State.Mpc
  readonly trace: ReadonlyArray<Trace.TraceEntry>
}

/**
 * A bound on a time of the MPC (`creation_time__gt` and the like), in epoch milliseconds.
 *
 * @since 0.2.0
 * @category history
 */
export interface Bound {
  readonly field: "creation" | "end"
  readonly op: "gt" | "gte" | "lt" | "lte"
  readonly at: number
}

/**
 * SDK-28: the list endpoints' filters, every one optional, combined with AND.
 *
 * @since 0.2.0
 * @category history
 */
export interface Filter {
  readonly friendlyName?: string | undefined
  /** Lower case: `initialized`, `active` or `ended`. */
  readonly status?: string | undefined
  readonly terminationCauseCode?: number | undefined
  readonly bounds?: ReadonlyArray<Bound> | undefined
}

const compare = (op: Bound["op"], value: number, bound: number) =>
  op === "gt" ? value > bound : op === "gte" ? value >= bound : op === "lt" ? value < bound : value <= bound

/**
 * SDK-28: whether an MPC passes every filter (an end-time bound excludes MPCs not ended).
 *
 * @since 0.2.0
 * @category history
 */
export const matches = (f: Filter, m: State.Mpc): boolean => {
  if (f.friendlyName !== undefined && m.name !== f.friendlyName) return false
  if (f.status !== undefined && m.status.toLowerCase() !== f.status) return false
  if (
    f.terminationCauseCode !== undefined &&
    (m.status !== "Ended" || m.termination?.code !== f.terminationCauseCode)
  )
    return false
  for (const b of f.bounds ?? []) {
    const value = b.field === "creation" ? m.createdAt : m.endedAt
    if (value === undefined || !compare(b.op, value, b.at)) return false
  }
  return true
}

/**
 * The order of the MPC lists: newest creation first, then by UUID.
 *
 * @since 0.2.0
 * @category history
 */
export const order = (a: State.Mpc, b: State.Mpc): number =>
  b.createdAt - a.createdAt || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0)

/**
 * STORE-10: where the history's window starts for the page at `offset` when `live` live MPCs are
 * merged in: a retired row at merged position p is at history position p - k, k in 0..live.
 *
 * @since 0.2.0
 * @category history
 */
export const windowStart = (offset: number, live: number): number => Math.max(0, offset - live)

/**
 * STORE-10: the page `offset` to `offset + limit` of live MPCs (`live`, sorted by `order`) merged
 * with retired ones, given the history's rows from `windowStart(offset, live.length)` to
 * `offset + limit` (`window`, sorted). Exact for any split between the two.
 *
 * @since 0.2.0
 * @category history
 */
export const mergePage = <A extends { readonly mpc: State.Mpc }>(
  live: ReadonlyArray<A>,
  window: ReadonlyArray<A>,
  offset: number,
  limit: number
): Array<A> => {
  const start = windowStart(offset, live.length)
  const ranked: Array<readonly [number, A]> = []
  window.forEach((e, j) => {
    let before = 0
    for (const l of live) if (order(l.mpc, e.mpc) < 0) before++
    ranked.push([start + j + before, e])
  })
  live.forEach((l, k) => {
    // Exact when l follows the window's first row; before it, start + k < offset (k < live.length)
    // puts it before the page, where it is.
    let before = 0
    for (const e of window) if (order(e.mpc, l.mpc) < 0) before++
    ranked.push([start + before + k, l])
  })
  return ranked
    .filter(([rank]) => rank >= offset && rank < offset + limit)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x)
}

/**
 * One window of a list: the rows `offset` to `offset + limit` in list order, and how many match.
 *
 * @since 0.2.0
 * @category history
 */
export interface Window {
  readonly total: number
  readonly items: ReadonlyArray<RetiredMpc>
}

/**
 * The history as the engines and the list endpoints use it.
 *
 * @since 0.2.0
 * @category history
 */
export interface HistoryService {
  /**
   * Keeps a retired MPC, for a history in memory. `undefined` for the store's history: there the
   * journal writes the MPC in the commit of the event that ended it.
   */
  readonly keep: ((entry: RetiredMpc) => void) | undefined
  /** A retired MPC by UUID. */
  readonly get: (account: string, uuid: string) => Effect.Effect<RetiredMpc | undefined>
  /** The latest retired MPC of a friendly name. */
  readonly latestByName: (account: string, name: string) => Effect.Effect<RetiredMpc | undefined>
  /** The retired MPCs of these accounts passing `filter`, in list order, one window. */
  readonly list: (
    accounts: ReadonlyArray<string>,
    filter: Filter,
    window: { readonly offset: number; readonly limit: number }
  ) => Effect.Effect<Window>
}

/**
 * The history the engines of one emulator share.
 *
 * @since 0.2.0
 * @category services
 */
export class History extends Context.Tag("@mpc-kit/http/History")<History, HistoryService>() {}

/**
 * STORE-10: how many retired MPCs a history in memory keeps by default.
 *
 * @since 0.2.0
 * @category history
 */
export const defaultMemoryLimit = 10_000

/**
 * STORE-10: a history in memory keeping the latest `limit` retired MPCs (the oldest are forgotten
 * first).
 *
 * @since 0.2.0
 * @category constructors
 */
export const memory = (limit: number = defaultMemoryLimit): HistoryService => {
  const max = Math.max(0, Math.floor(limit))
  // Insertion order is retirement order: the first key is the oldest.
  const kept = new Map<string, RetiredMpc>()
  const key = (account: string, uuid: string) => `${account}\u0000${uuid}`
  return {
    keep: (entry) => {
      if (max === 0) return
      kept.set(key(entry.account, entry.mpc.uuid), entry)
      while (kept.size > max) {
        const oldest = kept.keys().next()
        if (oldest.done === true) break
        kept.delete(oldest.value)
      }
    },
    get: (account, uuid) => Effect.sync(() => kept.get(key(account, uuid))),
    latestByName: (account, name) =>
      Effect.sync(() => {
        let latest: RetiredMpc | undefined
        for (const e of kept.values())
          if (
            e.account === account &&
            e.mpc.name === name &&
            (latest === undefined || order(e.mpc, latest.mpc) < 0)
          )
            latest = e
        return latest
      }),
    list: (accounts, filter, window) =>
      Effect.sync(() => {
        const all: Array<RetiredMpc> = []
        for (const e of kept.values()) if (accounts.includes(e.account) && matches(filter, e.mpc)) all.push(e)
        all.sort((a, b) => order(a.mpc, b.mpc))
        return { total: all.length, items: all.slice(window.offset, window.offset + window.limit) }
      })
  }
}
