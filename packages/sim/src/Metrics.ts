/**
 * What a run measured: counts of events and commands as they happen, and the distributions that the
 * final state holds (time to answer, CPS queue wait, legs by hangup cause).
 *
 * @since 0.1.0
 */
import { type Command, type Event, PMap, type State, type Step } from "@mpc-kit/domain"

/**
 * A distribution of durations, in seconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export interface Summary {
  readonly count: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

/**
 * The figures of a run.
 *
 * @since 0.1.0
 * @category metrics
 */
export interface Metrics {
  readonly events: number
  readonly refused: number
  readonly commands: number
  readonly virtualSeconds: number
  readonly mpcs: number
  readonly mpcsEnded: number
  readonly joins: number
  readonly legs: number
  /** Legs by how they ended (`PlivoHangupCause`), `In MPC` and `Handed Off` for those that did not hang up. */
  readonly legsByCause: Readonly<Record<string, number>>
  /** From a leg's initiation to its answer. */
  readonly timeToAnswer: Summary
  /** From a leg's creation to its initiation (CPS-1). */
  readonly cpsQueueWait: Summary
  readonly recordingsStarted: number
  readonly callbacksByEvent: Readonly<Record<string, number>>
  readonly mpcTerminations: Readonly<Record<string, number>>
}

/**
 * Counters updated while a run goes.
 *
 * @since 0.1.0
 * @category metrics
 */
export interface Counters {
  /** Counts one event taken by `step` (and whether it was refused). */
  readonly event: (e: Event.Event, r: Step.StepResult) => void
  /** Counts one command `step` gave. */
  readonly command: (c: Command.Command) => void
  /** The counts so far. */
  readonly snapshot: () => {
    events: number
    refused: number
    commands: number
    joins: number
    recordingsStarted: number
    callbacks: Record<string, number>
  }
}

/**
 * Fresh counters of a run: events, refusals, commands, and callbacks by kind.
 *
 * @since 0.1.0
 * @category metrics
 */
export const counters = (): Counters => {
  let events = 0
  let refused = 0
  let commands = 0
  let joins = 0
  let recordingsStarted = 0
  const callbacks: Record<string, number> = {}
  return {
    event: (_, r) => {
      events++
      if (r.refused !== undefined) refused++
    },
    command: (c) => {
      commands++
      if (c._tag === "Bridge") joins++
      else if (c._tag === "RecordStart" && c.memberId === undefined) recordingsStarted++
      else if (c._tag === "SendCallback") callbacks[c.event] = (callbacks[c.event] ?? 0) + 1
    },
    snapshot: () => ({ events, refused, commands, joins, recordingsStarted, callbacks })
  }
}

/**
 * Count, mean and percentiles (nearest rank) of durations in seconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const summarize = (xs: Array<number>): Summary => {
  if (xs.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }
  const sorted = xs.slice().sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
  const round = (x: number) => Math.round(x * 1000) / 1000
  return {
    count: sorted.length,
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]!)
  }
}

const sortKeys = (r: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))

/**
 * The metrics of a finished run.
 *
 * @since 0.1.0
 * @category metrics
 */
export const finish = (c: Counters, state: State.State, start?: number): Metrics => {
  const s = c.snapshot()
  const byCause: Record<string, number> = {}
  const terminations: Record<string, number> = {}
  const answer: Array<number> = []
  const wait: Array<number> = []
  let legs = 0
  let mpcs = 0
  let ended = 0
  let first = Number.POSITIVE_INFINITY
  PMap.forEach(state.mpcs, (mpc) => {
    mpcs++
    first = Math.min(first, mpc.createdAt)
    if (mpc.status === "Ended") {
      ended++
      const t = mpc.termination?.cause ?? "Unknown"
      terminations[t] = (terminations[t] ?? 0) + 1
    }
    for (const call of mpc.calls) {
      if (call.requestUuid === undefined || call.direction !== "outbound") continue
      legs++
      const cause =
        call.hangup?.cause ??
        (call.handedOff === true ? "Handed Off" : call.state === "in-mpc" ? "In MPC" : `(${call.state})`)
      byCause[cause] = (byCause[cause] ?? 0) + 1
      if (call.answeredAt !== undefined && call.initiatedAt !== undefined)
        answer.push((call.answeredAt - call.initiatedAt) / 1000)
      if (call.initiatedAt !== undefined) wait.push((call.initiatedAt - call.createdAt) / 1000)
    }
  })
  return {
    events: s.events,
    refused: s.refused,
    commands: s.commands,
    virtualSeconds: Math.round((state.now - (start ?? (Number.isFinite(first) ? first : state.now))) / 1000),
    mpcs,
    mpcsEnded: ended,
    joins: s.joins,
    legs,
    legsByCause: sortKeys(byCause),
    timeToAnswer: summarize(answer),
    cpsQueueWait: summarize(wait),
    recordingsStarted: s.recordingsStarted,
    callbacksByEvent: sortKeys(s.callbacks),
    mpcTerminations: sortKeys(terminations)
  }
}
