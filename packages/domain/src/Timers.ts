/**
 * The timers a service keeps for the rules engine: `SetTimer` / `CancelTimer` commands in, the
 * next due timer out. Pure and ordered: timers fire by due time, then by id, so a run is the same
 * every time.
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

/** Pending timers: due time by timer id. */
export type Timers = PMap.PMap<number>

/** No timers. */
export const empty: Timers = PMap.empty()

/** Applies the `SetTimer` and `CancelTimer` commands of a step, in order. */
export const apply = (timers: Timers, commands: ReadonlyArray<Command>): Timers => {
  let t = timers
  for (const c of commands) {
    if (c._tag === "SetTimer") t = PMap.set(t, c.timerId, c.at)
    else if (c._tag === "CancelTimer") t = PMap.remove(t, c.timerId)
  }
  return t
}

/** The timer due first (ties broken by id), if any. */
export const next = (timers: Timers): { readonly timerId: string; readonly at: number } | undefined => {
  let best: { timerId: string; at: number } | undefined
  PMap.forEach(timers, (at, timerId) => {
    if (best === undefined || at < best.at || (at === best.at && timerId < best.timerId))
      best = { timerId, at }
  })
  return best
}

/** Forgets a timer that fired. */
export const remove = (timers: Timers, timerId: string): Timers => PMap.remove(timers, timerId)
