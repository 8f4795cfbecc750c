/**
 * An account's journal: the engine's steps made durable with group commit (STORE-1, STORE-2,
 * DLV-1), periodic snapshots (STORE-4) and recovery from snapshot + log (STORE-3, STORE-5).
 *
 * - Inside the engine's turn, `record` notes each step (the event, and the callbacks it produced);
 *   `seal` closes the turn, so a turn's events (a request and the network's immediate reactions)
 *   always commit together.
 * - One committer fiber per account appends the sealed turns. It starts at the end of the event
 *   loop's turn, and everything sealed while a commit is in flight goes into the next transaction:
 *   requests read together share one commit (on the soak, 2.2x the MPCs per second of a commit
 *   started at once).
 * - `durable` waits until every turn sealed so far is committed: a request's answer waits for it, so
 *   a 2xx is only ever sent for an event in the log (STORE-1).
 * - After a commit, the delivery engine is told which origins have new callbacks; every
 *   `snapshotEvery` events the state as of the batch's last event is written as a snapshot.
 * - A failed commit leaves the live state ahead of the log: the journal then refuses every later
 *   commit (the requests fail, none gets a 2xx) and says to restart, which rebuilds from the log.
 *
 * @since 0.1.0
 */
import { type Command, type Event, PMap, type State, type Step, Timers } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type { RetiredMpc } from "../History.js"
import { type Rebuilt, replay, timersAfter, timersFromList, timersToList } from "./Replay.js"
import { type OutboxItem, Store, type StoreError } from "./Store.js"

/**
 * One account's journal, as the engine uses it.
 *
 * @since 0.2.0
 * @category store
 */
export interface JournalService {
  /** Rebuilds the account from its latest snapshot and the events after it (the first start records `initial`). */
  readonly recover: (
    initial: State.State,
    onStep?: (before: State.State, event: Event.Event, result: Step.StepResult) => void,
    onRetire?: (retired: State.Retired) => void
  ) => Effect.Effect<Rebuilt, StoreError>
  /**
   * Notes one step of the current turn (called inside the engine's turn); `state` is the state after
   * it, with the MPCs it ended retired (STORE-10).
   */
  readonly record: (event: Event.Event, result: Step.StepResult, state: State.State) => void
  /** STORE-10: an MPC the current turn retired: it goes to the history in the turn's commit. */
  readonly retire: (entry: RetiredMpc) => void
  /** Closes the current turn: its steps go into the next commit. */
  readonly seal: Effect.Effect<void>
  /** STORE-1: waits until every sealed turn is committed (dies if the store failed). */
  readonly durable: Effect.Effect<void>
}

/**
 * The journal of the engine being built (absent: the engine keeps its state in memory only).
 *
 * @since 0.2.0
 * @category store
 */
export class Journal extends Context.Tag("@mpc-kit/http/Journal")<Journal, JournalService>() {}

/**
 * How a journal is set up.
 *
 * @since 0.2.0
 * @category store
 */
export interface JournalOptions {
  readonly account: string
  /** Write a snapshot once this many events were appended since the last one (default 1000). */
  readonly snapshotEvery?: number | undefined
  /**
   * STORE-4: and not before this many events per live MPC or call (default 10; 0: `snapshotEvery` alone).
   *
   * @since 0.2.0
   */
  readonly snapshotPerLive?: number | undefined
  /** Given, after a commit, the callbacks it wrote to the outbox (the delivery engine's `enqueue`). */
  readonly enqueue?: ((items: ReadonlyArray<OutboxItem>) => Effect.Effect<void>) | undefined
  /**
   * Fault injection for the crash tests: called before each commit (`before`, with the commit's
   * number) and after it (`after`), before any answer waiting on it is released.
   */
  readonly fault?: ((where: "before" | "after", commit: number) => void) | undefined
}

interface Batch {
  readonly events: Array<Event.Event>
  readonly callbacks: Array<Command.SendCallback>
  readonly retired: Array<RetiredMpc>
  state: State.State
  timers: Timers.Timers
  readonly done: Deferred.Deferred<void>
}

const newBatch = (state: State.State, timers: Timers.Timers): Batch => ({
  events: [],
  callbacks: [],
  retired: [],
  state,
  timers,
  done: Deferred.unsafeMake<void>(FiberId.none)
})

/**
 * Makes an account's journal (scoped: its committer lives as long as the scope; closing flushes).
 *
 * @since 0.2.0
 * @category store
 */
export const make = (options: JournalOptions) =>
  Effect.gen(function* () {
    const store = yield* Store
    const account = options.account
    const every = Math.max(1, options.snapshotEvery ?? 1000)
    const perLive = Math.max(0, options.snapshotPerLive ?? 10)
    // The shadow of the engine's state and timers after the last recorded step.
    let shadow: Rebuilt | undefined
    let turn: Batch | undefined
    let open: Batch | undefined
    let inflight: Batch | undefined
    let failure: string | undefined
    let lastSnapshot = 0
    // STORE-2, STORE-11: the sequence number of the next event (this journal is the account's only writer).
    let nextSeq: number | undefined
    let commits = 0
    let kick = Deferred.unsafeMake<void>(FiberId.none)
    // The committer starts at the end of the event loop's turn: every turn sealed meanwhile (the
    // requests read in one turn of the loop) goes into the same commit.
    let wakeScheduled = false
    const wakeCommitter = () => {
      if (wakeScheduled) return
      wakeScheduled = true
      setImmediate(() => {
        wakeScheduled = false
        Deferred.unsafeDone(kick, Exit.void)
      })
    }

    const recover: JournalService["recover"] = (initial, onStep, onRetire) =>
      Effect.gen(function* () {
        const snapshot = yield* store.latestSnapshot(account)
        let base: Rebuilt
        let from = 0
        if (Option.isSome(snapshot)) {
          base = { state: snapshot.value.state, timers: timersFromList(snapshot.value.timers) }
          from = snapshot.value.seq
        } else {
          // The first start: the initial state (its id seed, its start time) is the log's origin.
          base = { state: initial, timers: Timers.empty }
          yield* store.writeSnapshot(account, 0, initial, [])
        }
        const logged = yield* store.eventsAfter(account, from)
        const rebuilt = replay(
          base,
          logged.map((e) => e.event),
          onStep,
          onRetire
        )
        const last = logged.at(-1)?.seq ?? from
        nextSeq = last + 1
        // STORE-4: the next start reads this snapshot and nothing before it.
        if (last > from)
          yield* store.writeSnapshot(account, last, rebuilt.state, timersToList(rebuilt.timers))
        lastSnapshot = last
        shadow = rebuilt
        return rebuilt
      })

    const record: JournalService["record"] = (event, result, state) => {
      const before = shadow ?? { state, timers: Timers.empty }
      const timers = timersAfter(before.timers, event, result)
      shadow = { state, timers }
      // A refused step leaves the state as it was; only a timer's firing changes something (it is gone).
      if (result.refused !== undefined && event._tag !== "TimerFired") return
      if (turn === undefined) turn = newBatch(state, timers)
      turn.events.push(event)
      turn.state = state
      turn.timers = timers
      if (result.refused === undefined)
        for (const c of result.commands) if (c._tag === "SendCallback") turn.callbacks.push(c)
    }

    const retire: JournalService["retire"] = (entry) => {
      // Always after the `record` of the step that ended the MPC, so the turn is open.
      const now = shadow
      if (turn === undefined && now !== undefined) turn = newBatch(now.state, now.timers)
      turn?.retired.push(entry)
    }

    const seal: Effect.Effect<void> = Effect.sync(() => {
      const t = turn
      if (t === undefined) return
      turn = undefined
      if (open === undefined) open = t
      else {
        for (const e of t.events) open.events.push(e)
        for (const c of t.callbacks) open.callbacks.push(c)
        for (const r of t.retired) open.retired.push(r)
        open.state = t.state
        open.timers = t.timers
        // The turn's own deferred is never awaited: `durable` looks at `open`.
      }
      wakeCommitter()
    })

    const durable: Effect.Effect<void> = Effect.suspend(() => {
      const b = open ?? inflight
      return b === undefined ? Effect.void : Deferred.await(b.done)
    })

    const commit = (b: Batch): Effect.Effect<void> =>
      Effect.gen(function* () {
        if (failure !== undefined) {
          yield* Deferred.die(b.done, new Error(failure))
          return
        }
        options.fault?.("before", ++commits)
        const appended = yield* Effect.either(
          store.appendEvents(account, b.events, b.callbacks, { retired: b.retired, first: nextSeq })
        )
        if (appended._tag === "Left") {
          failure = `the store failed (${appended.left.message}): the live state is ahead of the log; restart the emulator to rebuild it`
          yield* Effect.logError(`journal of ${account}: ${failure}`)
          yield* Deferred.die(b.done, new Error(failure))
          return
        }
        if (nextSeq !== undefined) nextSeq += b.events.length
        options.fault?.("after", commits)
        yield* Deferred.succeed(b.done, undefined)
        if (appended.right.items.length > 0 && options.enqueue !== undefined)
          yield* options.enqueue(appended.right.items)
        const seq = appended.right.seq
        // STORE-4: a snapshot costs in proportion to the live state; taken at least every `every`
        // events, or every 10 events per live MPC when that is more, its cost per event stays flat.
        if (
          seq - lastSnapshot >=
          Math.max(every, perLive * (PMap.size(b.state.mpcs) + PMap.size(b.state.calls)))
        ) {
          lastSnapshot = seq
          yield* store
            .writeSnapshot(account, seq, b.state, timersToList(b.timers))
            .pipe(
              Effect.catchAll((e) =>
                Effect.logWarning(`journal of ${account}: snapshot failed: ${e.message}`)
              )
            )
        }
      })

    const committer = Effect.gen(function* () {
      for (;;) {
        if (open === undefined) {
          yield* Deferred.await(kick)
          kick = Deferred.unsafeMake<void>(FiberId.none)
          continue
        }
        const b = open
        open = undefined
        inflight = b
        yield* commit(b)
        inflight = undefined
      }
    })
    const fiber = yield* Effect.forkDaemon(committer)
    // Closing: what was sealed is committed first (no request waits on it then, but the log keeps it).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        for (let i = 0; i < 100 && (open !== undefined || inflight !== undefined); i++) {
          const b = open ?? inflight
          if (b !== undefined) yield* Effect.exit(Deferred.await(b.done))
        }
        yield* Fiber.interrupt(fiber)
      })
    )
    return Journal.of({ recover, record, retire, seal, durable })
  })
