/**
 * The emulator's engine: one account's state behind a lock, the domain's `step` for every event,
 * and the interpretation of its commands. Timers run on the real clock or on a virtual one that
 * stands still until `advance`. The network's immediate reactions happen in the same turn (a dialled
 * leg rings at once). Callbacks and XML fetches are handed to the outputs. Work on the account is
 * serialised, so concurrent requests for one new MPC name create exactly one MPC (ADDR-3).
 *
 * @since 0.1.0
 */

import type { Trace } from "@mpc-kit/domain"
import { type Command, type Event, PMap, State, Step, Timers } from "@mpc-kit/domain"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { absurd, identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as History from "./History.js"
import { Journal } from "./store/Journal.js"
import type { DocumentRequest, DocumentResult } from "./xml/Fetcher.js"

type Ev = Event.Event
/**
 * An event as a caller gives it: the engine stamps the time.
 *
 * @since 0.1.0
 * @category engine
 */
export type Input = Ev extends infer E ? (E extends { readonly at: number } ? Omit<E, "at"> : never) : never

/**
 * Where the engine's side effects go (the callback sender, the XML fetcher).
 *
 * @since 0.1.0
 * @category engine
 */
export interface Outputs {
  /** Hands a callback over to be sent (it must not block the engine). */
  readonly callback: (callback: Command.SendCallback) => Effect.Effect<void>
  /** Fetches a call's XML document and feeds what it holds back to the engine. */
  readonly fetchXml: (command: Extract<Command.Command, { _tag: "FetchXml" }>) => Effect.Effect<void>
  /**
   * XML-1, XML-9, XML-15: fetches a call's document and says how it went (the engine feeds the
   * result back to the rules); `undefined`: nothing comes back (outputs that fetch nothing).
   *
   * @since 0.2.0
   */
  readonly fetchDocument?: (request: DocumentRequest) => Effect.Effect<DocumentResult | undefined>
}
/**
 * The service that carries the engine's effects out: it sends the callbacks and fetches the XML documents the rules ask for.
 *
 * @since 0.1.0
 * @category services
 */
export class EngineOutputs extends Context.Tag("@mpc-kit/http/EngineOutputs")<EngineOutputs, Outputs>() {
  /** Outputs that do nothing (tests of the rules over HTTP that do not look at callbacks). */
  static readonly none = Layer.succeed(EngineOutputs, {
    callback: () => Effect.void,
    fetchXml: () => Effect.void
  })
}

/**
 * The engine's settings.
 *
 * @since 0.1.0
 * @category engine
 */
export interface EngineConfig {
  readonly authId: string
  readonly cps: number
  /** `real`: timers fire on the wall clock; `virtual`: time stands still until `advance`. */
  readonly clock: "real" | "virtual"
  /** Seeds ids; defaults to a value from the start time. */
  readonly seed?: number
  /** Epoch ms the virtual clock starts at (default: now, to the second). */
  readonly start?: number
}

/**
 * The engine.
 *
 * @since 0.1.0
 * @category engine
 */
export interface Engine {
  readonly config: EngineConfig
  /** Applies an API or network event now; returns what `step` returned. */
  readonly submit: (input: Input) => Effect.Effect<Step.StepResult>
  /** The current state. */
  readonly state: Effect.Effect<State.State>
  /** Now, on the engine's clock (epoch ms). */
  readonly now: Effect.Effect<number>
  /** Virtual clock: fires every timer due within `ms`, in order, then moves time on by `ms`. */
  readonly advance: (ms: number) => Effect.Effect<void, ClockNotVirtual>
  /** The ordered events and commands of one MPC (live or retired). */
  readonly trace: (mpcUuid: string) => Effect.Effect<ReadonlyArray<Trace.TraceEntry> | undefined>
  /**
   * STORE-10: the MPC a key names, live or retired: by name the live one, else the latest ended
   * one; by UUID any. Waits for the commits before it, as `state` does.
   *
   * @since 0.2.0
   */
  readonly mpc: (ref: Event.MpcRef) => Effect.Effect<State.Mpc | undefined>
  /**
   * STORE-10: where this engine's retired MPCs are kept.
   *
   * @since 0.2.0
   */
  readonly history: History.HistoryService
}
/**
 * The emulator's engine as a service: it feeds events to `step` under a lock per account and hands the commands to its outputs.
 *
 * @since 0.1.0
 * @category services
 */
export const Engine = Context.GenericTag<Engine>("@mpc-kit/http/Engine")

/**
 * `advance` on a real clock.
 *
 * @since 0.1.0
 * @category engine
 */
export class ClockNotVirtual {
  readonly _tag = "ClockNotVirtual"
  readonly message = "the clock is real: set MPC_CLOCK=virtual to advance it"
}

/** One turn on the account; with a journal, the turn's steps are sealed into the next commit at its end. */
const turn = <A>(lock: Effect.Semaphore, f: Effect.Effect<A>, seal: Effect.Effect<void> = Effect.void) =>
  lock.withPermits(1)(Effect.zipLeft(f, seal))

/**
 * Makes the engine (scoped: its timer fiber lives as long as the scope).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: EngineConfig) =>
  Effect.gen(function* () {
    const outputs = yield* EngineOutputs
    const wall = yield* Clock.currentTimeMillis
    const start = config.start ?? Math.floor(wall / 1000) * 1000
    const seed = config.seed ?? wall % 2_147_483_647
    const traces = new Map<string, Array<Trace.TraceEntry>>()
    const record = (uuids: ReadonlyArray<string>, entry: Trace.TraceEntry) => {
      for (const uuid of uuids) {
        const list = traces.get(uuid)
        if (list === undefined) traces.set(uuid, [entry])
        else list.push(entry)
      }
    }
    /**
     * The trace entries of one step: the event on every MPC it touched, each command on its MPC.
     * Answers the MPCs the step touched.
     */
    const traceStep = (before: State.State, event: Ev, result: Step.StepResult): ReadonlyArray<string> => {
      const touched: Array<string> = []
      PMap.diff(before.mpcs, result.state.mpcs, (uuid) => touched.push(uuid))
      record(
        touched,
        result.refused === undefined
          ? { t: event.at, kind: "event", event }
          : { t: event.at, kind: "event", event, refused: result.refused.message }
      )
      for (const c of result.commands)
        if ("mpcUuid" in c && c.mpcUuid !== "")
          record([c.mpcUuid], { t: event.at, kind: "command", command: c })
      return touched
    }
    // STORE-1..5: with a journal, the state comes back from the store and every step goes to it.
    const journal = Option.getOrUndefined(yield* Effect.serviceOption(Journal))
    // STORE-10: ended MPCs leave the state (and their traces this map) for the history.
    const history = Option.getOrElse(yield* Effect.serviceOption(History.History), () => History.memory())
    const retire = (r: State.Retired): void => {
      const uuid = r.mpc.uuid
      const entry: History.RetiredMpc = { account: config.authId, mpc: r.mpc, trace: traces.get(uuid) ?? [] }
      traces.delete(uuid)
      if (journal !== undefined) journal.retire(entry)
      else history.keep?.(entry)
    }
    const initial = State.make({ authId: config.authId, cps: config.cps, seed }, start)
    const rebuilt =
      journal === undefined
        ? { state: initial, timers: Timers.empty }
        : yield* Effect.orDie(journal.recover(initial, traceStep, (r) => traces.delete(r.mpc.uuid)))
    const seal = journal === undefined ? Effect.void : journal.seal
    const durable = journal === undefined ? Effect.void : journal.durable
    // The account's state and timers: read and written only inside the lock (or read whole).
    let state = rebuilt.state
    let timers: Timers.Timers = rebuilt.timers
    let wakePending = false
    // When the real-clock fiber wakes up by itself (-Infinity while it is not asleep).
    let sleepingUntil = Number.NEGATIVE_INFINITY
    const virtualNow = yield* Ref.make(journal === undefined ? start : rebuilt.state.now)
    const lock = yield* Effect.makeSemaphore(1)
    /** Completed whenever the timers change, so the real-clock fiber re-arms. */
    const wake = yield* Ref.make(yield* Deferred.make<void>())

    // The real clock is Effect's Clock: tests drive it with TestClock instead of waiting.
    const clockNow: Effect.Effect<number> =
      config.clock === "virtual" ? Ref.get(virtualNow) : Clock.currentTimeMillis

    const scope = yield* Effect.scope
    /**
     * XML-1: a call's document is fetched off the engine's turn (a slow answer URL never holds the
     * account up), then its outcome is a new event.
     */
    const runDocument = (request: DocumentRequest): Effect.Effect<void> => {
      const fetch = outputs.fetchDocument
      if (fetch === undefined) return Effect.void
      const { _tag: _, ...fields } = request as DocumentRequest & { readonly _tag?: string }
      return Effect.asVoid(
        Effect.forkIn(
          Effect.flatMap(fetch(fields), (result) => (result === undefined ? Effect.void : submit(result))),
          scope
        )
      )
    }

    /**
     * One step inside the lock: apply, record, interpret; the network's immediate reactions follow.
     * Done synchronously (the state and timers are plain values of this engine); what must reach
     * the outputs (callbacks, XML fetches, the timer fiber's wake-up) is collected into `effects`,
     * run in order before the lock is released, so callbacks keep their step order (CB-2).
     */
    const applySync = (event: Ev, effects: Array<Effect.Effect<void>>): Step.StepResult => {
      const before = state
      const result = Step.step(before, event)
      const touched = traceStep(before, event, result)
      // STORE-10: an MPC this step ended leaves the live state now, with its trace (the MPCs the
      // trace found touched are the only candidates: no second walk of the state).
      const settled = State.retireEndedAmong(result.state, touched)
      state = settled.state
      journal?.record(event, result, state)
      for (const r of settled.retired) retire(r)
      const follow: Array<Ev> = []
      let timersChanged = false
      for (const c of result.commands) {
        switch (c._tag) {
          case "SetTimer":
          case "CancelTimer":
            timersChanged = true
            break
          case "SendCallback":
            effects.push(outputs.callback(c))
            break
          case "FetchXml":
            // EXIT-1, XML-15: the on-exit document runs the call; sounds and prompts are played.
            if (
              c.purpose === "OnExitAction" &&
              c.callUuid !== undefined &&
              outputs.fetchDocument !== undefined
            )
              effects.push(
                runDocument({
                  callUuid: c.callUuid,
                  url: c.url,
                  method: c.method,
                  origin: "Action",
                  params: { CallUUID: c.callUuid, Event: "OnExitAction", CallStatus: "in-progress" }
                })
              )
            else effects.push(outputs.fetchXml(c))
            break
          case "FetchCallXml":
            effects.push(runDocument(c))
            break
          case "DialLeg":
            // EMULATOR.md: a dialled leg is ringing as soon as it is dialled.
            follow.push({ _tag: "LegRinging", at: event.at, callUuid: c.callUuid })
            break
          // Media and API outputs: the emulator has no media plane; responses go back to the caller.
          case "HangupCall":
          case "Bridge":
          case "Unbridge":
          case "PlaySound":
          case "StartMusic":
          case "StopMusic":
          case "RecordStart":
          case "RecordPause":
          case "RecordResume":
          case "RecordStop":
          case "StartAudio":
          case "StopAudio":
          case "RelayDigits":
          case "Respond":
            break
          default:
            // A new command variant fails the build here until the emulator interprets it.
            return absurd(c)
        }
      }
      if (timersChanged && result.refused === undefined) {
        timers = Timers.apply(timers, result.commands)
        // The real-clock fiber is woken only when a timer falls due before it would wake anyway
        // (a cancelled timer costs it one wake-up at most, at the time it was due).
        const first = Timers.next(timers)
        if (!wakePending && first !== undefined && first.at < sleepingUntil) {
          wakePending = true
          effects.push(wakeTimerFiber)
        }
      }
      for (const e of follow) applySync(e, effects)
      return result
    }

    /** Tells the real-clock fiber that the timers changed, so it re-arms. */
    const wakeTimerFiber: Effect.Effect<void> = Effect.suspend(() => {
      wakePending = false
      return Effect.flatMap(Deferred.make<void>(), (next) =>
        Effect.flatMap(Ref.getAndSet(wake, next), (signal) => Deferred.succeed(signal, undefined))
      )
    })

    /** Runs a step's effects in order, then answers `a`. */
    const withEffects = <A>(a: A, effects: ReadonlyArray<Effect.Effect<void>>): Effect.Effect<A> =>
      effects.length === 0
        ? Effect.succeed(a)
        : Effect.as(Effect.forEach(effects, identity, { discard: true }), a)

    const apply = (event: Ev): Effect.Effect<Step.StepResult> =>
      Effect.suspend(() => {
        const effects: Array<Effect.Effect<void>> = []
        return withEffects(applySync(event, effects), effects)
      })

    const submit = (input: Input): Effect.Effect<Step.StepResult> =>
      turn(
        lock,
        Effect.flatMap(clockNow, (now) =>
          // Never before the state's time: a wall clock that steps back must not refuse events.
          apply({ ...input, at: Math.max(now, state.now) } as Ev)
        ),
        seal
        // STORE-1: the answer waits until the event is in the log.
      ).pipe(Effect.zipLeft(durable))

    /** Fires every timer due at or before `until`, in order (inside the lock). */
    const fireDue = (until: number): Effect.Effect<void> =>
      Effect.gen(function* () {
        for (;;) {
          const due = Timers.popDue(timers, until)
          if (due === undefined) return
          const next = due.due
          timers = due.rest
          if (config.clock === "virtual") yield* Ref.set(virtualNow, next.at)
          yield* apply({ _tag: "TimerFired", at: Math.max(next.at, state.now), timerId: next.timerId })
        }
      })

    const advance = (ms: number): Effect.Effect<void, ClockNotVirtual> =>
      config.clock !== "virtual"
        ? Effect.fail(new ClockNotVirtual())
        : turn(
            lock,
            Effect.gen(function* () {
              const target = (yield* Ref.get(virtualNow)) + Math.max(0, ms)
              yield* fireDue(target)
              yield* Ref.set(virtualNow, target)
              // STORE-12: the advance itself is an event, so a restart finds the clock where it was.
              if (target > state.now) yield* apply({ _tag: "TimePassed", at: target })
            }),
            seal
          ).pipe(Effect.zipLeft(durable))

    if (config.clock === "real") {
      // Sleeps until the next timer is due (or the timers change), then fires what is due.
      const loop = Effect.gen(function* () {
        for (;;) {
          sleepingUntil = Number.NEGATIVE_INFINITY
          const signal = yield* Ref.get(wake)
          const next = Timers.next(timers)
          const now = yield* Clock.currentTimeMillis
          const wait = next === undefined ? 60_000 : Math.max(0, next.at - now)
          sleepingUntil = now + wait
          yield* Effect.raceFirst(Effect.sleep(wait), Deferred.await(signal))
          yield* turn(lock, Effect.flatMap(Clock.currentTimeMillis, fireDue), seal)
        }
      })
      const fiber = yield* Effect.forkDaemon(loop)
      yield* Effect.addFinalizer(() => Fiber.interrupt(fiber))
    }

    return Engine.of({
      config,
      submit,
      // A read waits for the commits before it: it never shows what a crash could still lose.
      state: Effect.zipRight(
        durable,
        Effect.sync(() => state)
      ),
      now: clockNow,
      advance,
      trace: (uuid) =>
        Effect.zipRight(
          durable,
          Effect.suspend(() => {
            const live = traces.get(uuid)
            if (live !== undefined) return Effect.succeed(live)
            return Effect.map(history.get(config.authId, uuid), (e) => e?.trace)
          })
        ),
      mpc: (ref) =>
        Effect.zipRight(
          durable,
          Effect.suspend(() => {
            if (ref._tag === "ByUuid") {
              const live = State.mpc(state, ref.uuid)
              return live !== undefined
                ? Effect.succeed(live)
                : Effect.map(history.get(config.authId, ref.uuid), (e) => e?.mpc)
            }
            const live = State.liveMpc(state, ref.name)
            if (live !== undefined) return Effect.succeed(live)
            return Effect.map(history.latestByName(config.authId, ref.name), (e) => e?.mpc)
          })
        ),
      history
    })
  })

/**
 * The engine as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: EngineConfig) => Layer.scoped(Engine, make(config))
