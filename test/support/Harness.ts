/**
 * Drives the pure `step` for tests: keeps the state and the pending timers, fires timers in order
 * when time advances, checks every invariant after every step, and keeps the whole log.
 */
import {
  AddParticipantParams,
  type AddParticipantRequest,
  type Command,
  type Event,
  Invariants,
  type Outcome,
  State,
  Step,
  Timers
} from "@mpc-kit/domain"
import * as Data from "effect/Data"
import * as Either from "effect/Either"

export type Cmd = Command.Command
export type Ev = Event.Event

/** 2023-11-14 22:13:20 UTC: a round epoch second, so timestamps in expectations read easily. */
export const T0 = 1_700_000_000_000

export interface LogEntry {
  readonly event: Ev
  readonly result: Step.StepResult
}

/** A step broke an invariant: the message names the rules and the event. */
export class InvariantBroken extends Data.TaggedError("InvariantBroken")<{ readonly message: string }> {}

/** Decodes wire parameters (throws on a refusal: tests pass valid requests here). */
export const request = (wire: Record<string, unknown>): AddParticipantRequest.AddParticipantRequest => {
  const r = AddParticipantParams.decode(wire)
  if (Either.isLeft(r)) throw new Error(`invalid request in test: ${r.left.error}`)
  return r.right
}

export class Harness {
  state: State.State
  timers: Timers.Timers = Timers.empty
  now: number
  readonly log: Array<LogEntry> = []
  private apiCounter = 0

  constructor(
    config: Partial<State.Config> = {},
    start = T0,
    readonly invariants: ReadonlyArray<Invariants.Invariant> = Invariants.all
  ) {
    this.state = State.make(config, start)
    this.now = start
  }

  /** Applies an event at the harness's current time (unless it has its own) and checks every invariant. */
  send(event: Ev): Step.StepResult {
    const before = this.state
    const result = Step.step(before, event)
    this.log.push({ event, result })
    const violations = Invariants.check({ before, event, result }, this.invariants)
    if (violations.length > 0) {
      throw new InvariantBroken({
        message: `${violations.map((v) => `${v.rule} (${v.description}): ${v.detail}`).join("\n")}\nafter ${JSON.stringify(event)}`
      })
    }
    this.state = result.state
    if (result.refused === undefined) this.timers = Timers.apply(this.timers, result.commands)
    return result
  }

  apiId(): string {
    return `api-${++this.apiCounter}`
  }

  /** POSTs an add-participant request to `name_{mpc}`; returns the response body and all commands. */
  add(mpc: string, wire: Record<string, unknown>) {
    const result = this.send({
      _tag: "AddParticipant",
      at: this.now,
      apiId: this.apiId(),
      mpc: { _tag: "ByName", name: mpc },
      request: request(wire)
    })
    const outcome = response(result.commands)
    return {
      ...result,
      response: outcome,
      legs: legsOf(result.commands),
      requestUuid: outcome._tag === "Added" ? outcome.requestUuid : undefined
    }
  }

  /** Fires every timer due up to `at`, in order, then moves the clock to `at`. */
  advanceTo(at: number): Array<LogEntry> {
    const fired: Array<LogEntry> = []
    for (;;) {
      const due = Timers.popDue(this.timers, at)
      if (due === undefined) break
      const next = due.due
      this.timers = due.rest
      this.now = Math.max(this.now, next.at)
      const result = this.send({ _tag: "TimerFired", at: next.at, timerId: next.timerId })
      fired.push({ event: { _tag: "TimerFired", at: next.at, timerId: next.timerId }, result })
    }
    this.now = Math.max(this.now, at)
    return fired
  }

  advance(ms: number): Array<LogEntry> {
    return this.advanceTo(this.now + ms)
  }

  ring(callUuid: string) {
    return this.send({ _tag: "LegRinging", at: this.now, callUuid })
  }
  answer(callUuid: string) {
    return this.send({ _tag: "LegAnswered", at: this.now, callUuid })
  }
  busy(callUuid: string) {
    return this.send({ _tag: "LegBusy", at: this.now, callUuid })
  }
  reject(callUuid: string) {
    return this.send({ _tag: "LegRejected", at: this.now, callUuid })
  }
  hangup(callUuid: string) {
    return this.send({ _tag: "CallHungUp", at: this.now, callUuid })
  }
  press(callUuid: string, digits: string) {
    return this.send({ _tag: "DigitsPressed", at: this.now, callUuid, digits })
  }
  speak(callUuid: string, speaking: boolean) {
    return this.send({ _tag: "SpeakingChanged", at: this.now, callUuid, speaking })
  }

  /** Rings and answers a leg. */
  pickUp(callUuid: string) {
    this.ring(callUuid)
    return this.answer(callUuid)
  }

  /** A live answered call in no MPC (to transfer with `call_uuid`). */
  createCall(from: string, to: string): string {
    const r = this.send({ _tag: "CreateCall", at: this.now, apiId: this.apiId(), from, to })
    const created = response(r.commands)
    if (created._tag !== "CallCreated") throw new Error(`CreateCall refused: ${JSON.stringify(created)}`)
    return created.callUuid
  }

  /** The live MPC of a name. */
  mpc(name: string): State.Mpc {
    const m = State.liveMpc(this.state, name)
    if (m === undefined) throw new Error(`no live MPC named ${name}`)
    return m
  }

  /** An MPC by UUID, ended ones included. */
  mpcByUuid(uuid: string): State.Mpc {
    const m = State.mpc(this.state, uuid)
    if (m === undefined) throw new Error(`no MPC ${uuid}`)
    return m
  }

  call(uuid: string): State.Call {
    const c = State.call(this.state, uuid)
    if (c === undefined) throw new Error(`no call ${uuid}`)
    return c
  }

  /** Every command emitted so far. */
  commands(): Array<Cmd> {
    return this.log.flatMap((e) => [...e.result.commands])
  }
}

/** The outcome of the `Respond` command among `commands`: the typed reply, or the refusal. */
export const response = (commands: ReadonlyArray<Cmd>): Outcome.Outcome => {
  const r = commands.find((c): c is Extract<Cmd, { _tag: "Respond" }> => c._tag === "Respond")
  if (r === undefined) throw new Error("no response")
  return r.outcome
}

/** The reply of a request that was taken to add a participant (throws on anything else). */
export const added = (outcome: Outcome.Outcome): Extract<Outcome.Outcome, { _tag: "Added" }> => {
  if (outcome._tag !== "Added") throw new Error(`not added: ${JSON.stringify(outcome)}`)
  return outcome
}

/** The call UUIDs of an add-participant response, in destination order. */
export const legsOf = (commands: ReadonlyArray<Cmd>): Array<string> => {
  const r = commands.find((c): c is Extract<Cmd, { _tag: "Respond" }> => c._tag === "Respond")
  return r?.outcome._tag === "Added" ? r.outcome.legs.map((l) => l.callUuid) : []
}

/** The callbacks among `commands`, optionally of one kind. */
export const callbacks = (commands: ReadonlyArray<Cmd>, kind?: "status" | "recording" | "call") =>
  commands.filter(
    (c): c is Extract<Cmd, { _tag: "SendCallback" }> =>
      c._tag === "SendCallback" && (kind === undefined || c.kind === kind)
  )

/** Names of the callbacks among `commands`, in order. */
export const callbackNames = (commands: ReadonlyArray<Cmd>, kind?: "status" | "recording" | "call") =>
  callbacks(commands, kind).map((c) => c.event)

/** The commands of one tag. */
export const ofTag = <T extends Cmd["_tag"]>(commands: ReadonlyArray<Cmd>, tag: T) =>
  commands.filter((c): c is Extract<Cmd, { _tag: T }> => c._tag === tag)

/** A request with every status event group subscribed and every callback URL set. */
export const observed = {
  status_callback_url: "https://example.com/status",
  status_callback_events:
    "mpc-state-changes,participant-state-changes,participant-digit-input-events,participant-speak-events,add-participant-api-events,participant-audio-events",
  call_status_callback_url: "https://example.com/calls",
  recording_callback_url: "https://example.com/recordings"
} as const

/** The caller ID the example tests dial from. */
export const FROM = "+12025550100"

/** An MPC addressed by name, as API events take it. */
export const byName = (name: string) => ({ _tag: "ByName", name }) as const

/** Adds an Agent by dialling `to` (from `FROM`), rings and answers the leg: returns the leg and its member. */
export const join = (h: Harness, name: string, to: string, wire: Record<string, unknown> = {}) => {
  const added = h.add(name, { role: "Agent", from: FROM, to, ...wire })
  if (added.refused !== undefined) throw new Error(`add refused: ${added.refused.message}`)
  const leg = added.legs[0]!
  const mpcUuid = h.mpc(name).uuid
  const answered = h.pickUp(leg)
  const member = h.mpcByUuid(mpcUuid).members.find((m) => m.callUuid === leg)!
  return { added, leg, mpcUuid, answered, member, memberId: member.id }
}

/** Update member (mute, hold, coach mode) by API, for one member. */
export const update = (
  h: Harness,
  name: string,
  memberId: string,
  changes: { mute?: boolean; hold?: boolean; coachMode?: boolean }
) =>
  h.send({
    _tag: "UpdateMember",
    at: h.now,
    apiId: h.apiId(),
    mpc: byName(name),
    member: [memberId],
    ...changes
  })

/** Kick one member by API. */
export const kick = (h: Harness, name: string, memberId: string) =>
  h.send({ _tag: "KickMember", at: h.now, apiId: h.apiId(), mpc: byName(name), member: [memberId] })

/** End the MPC by API. */
export const endMpc = (h: Harness, name: string) =>
  h.send({ _tag: "EndMpc", at: h.now, apiId: h.apiId(), mpc: byName(name) })
