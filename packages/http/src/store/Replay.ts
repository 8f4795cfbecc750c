/**
 * Rebuilding an account from its log (STORE-3): the domain's `step` folded over the logged events,
 * and the timers kept the way the engine keeps them. Pure: the same snapshot and events give the
 * same state and timers every time.
 *
 * @since 0.1.0
 */
import { type Command, type Event, State, Step, Timers } from "@mpc-kit/domain"

/**
 * The timers after one step, as the engine keeps them: a fired timer leaves, an accepted step's commands apply.
 *
 * @since 0.2.0
 * @category store
 */
export const timersAfter = (
  timers: Timers.Timers,
  event: Event.Event,
  result: Step.StepResult
): Timers.Timers => {
  const t = event._tag === "TimerFired" ? Timers.remove(timers, event.timerId) : timers
  return result.refused === undefined ? Timers.apply(t, result.commands) : t
}

/**
 * STORE-5: timers as stored in a snapshot (id and absolute due time).
 *
 * @since 0.2.0
 * @category store
 */
export const timersToList = (timers: Timers.Timers): Array<readonly [string, number]> => {
  const out: Array<readonly [string, number]> = []
  let t = timers
  for (let next = Timers.next(t); next !== undefined; next = Timers.next(t)) {
    out.push([next.timerId, next.at])
    t = Timers.remove(t, next.timerId)
  }
  return out
}

/**
 * STORE-5: timers back from a snapshot.
 *
 * @since 0.2.0
 * @category store
 */
export const timersFromList = (list: ReadonlyArray<readonly [string, number]>): Timers.Timers =>
  Timers.apply(
    Timers.empty,
    list.map(([timerId, at]): Command.Command => ({ _tag: "SetTimer", timerId, at }))
  )

/**
 * An account as rebuilt.
 *
 * @since 0.2.0
 * @category store
 */
export interface Rebuilt {
  readonly state: State.State
  readonly timers: Timers.Timers
}

/**
 * STORE-3, STORE-10: folds `step` over `events` from `from`, retiring the MPCs each step ends as the
 * engine does; `onStep` sees every step (the engine rebuilds traces), `onRetire` every MPC retired.
 *
 * @since 0.2.0
 * @category store
 */
export const replay = (
  from: Rebuilt,
  events: Iterable<Event.Event>,
  onStep?: (before: State.State, event: Event.Event, result: Step.StepResult) => void,
  onRetire?: (retired: State.Retired) => void
): Rebuilt => {
  let state = from.state
  let timers = from.timers
  for (const event of events) {
    const result = Step.step(state, event)
    onStep?.(state, event, result)
    timers = timersAfter(timers, event, result)
    const settled = State.retireEndedSince(state, result.state)
    if (onRetire !== undefined) for (const r of settled.retired) onRetire(r)
    state = settled.state
  }
  return { state, timers }
}
