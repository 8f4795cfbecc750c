/**
 * Random scenarios for the property suites: abstract actions (add requests across several MPCs,
 * callee reactions, digits, speaking, time passing, management operations) interleaved at random.
 * An action names its target by position ("the 3rd ringing leg"), so it means something in any
 * state and fast-check can shrink a failing scenario to a minimal one. `play` turns actions into
 * concrete events against the harness.
 */
import { type Invariants, PMap, type State, Timers } from "@mpc-kit/domain"
import * as fc from "effect/FastCheck"
import { type Ev, Harness, InvariantBroken, request, T0 } from "./Harness.js"

const names = ["alpha", "beta", "gamma"] as const
const groups = [
  "mpc-state-changes",
  "participant-state-changes",
  "participant-digit-input-events",
  "participant-speak-events",
  "add-participant-api-events",
  "participant-audio-events"
] as const

export type Action =
  | { readonly kind: "add"; readonly mpc: number; readonly params: Record<string, unknown> }
  | { readonly kind: "transfer"; readonly mpc: number; readonly role: string; readonly stayAlone: boolean }
  | {
      readonly kind: "network"
      readonly what: "ring" | "answer" | "busy" | "reject" | "noanswer" | "hangup"
      readonly pick: number
    }
  | { readonly kind: "digits"; readonly pick: number; readonly right: boolean }
  | { readonly kind: "speak"; readonly pick: number }
  | { readonly kind: "advance"; readonly ms: number }
  | {
      readonly kind: "api"
      readonly op:
        | "mute"
        | "unmute"
        | "hold"
        | "unhold"
        | "coach"
        | "uncoach"
        | "kick"
        | "end"
        | "recStart"
        | "recStop"
        | "recPause"
        | "recResume"
        | "recFail"
      readonly mpc: number
      readonly pick: number
    }
  | { readonly kind: "early"; readonly pick: number }
  | { readonly kind: "stray"; readonly what: "answer" | "hangup" | "timer" | "past" }

const bool = fc.boolean()

/** Add-participant parameters small enough to make races, CPS waits and timeouts likely. */
const addParams: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    role: fc.constantFrom("Agent", "Agent", "Customer", "Supervisor"),
    count: fc.integer({ min: 1, max: 3 }),
    confirm: fc.option(fc.constantFrom("1", "5", "#"), { nil: undefined, freq: 3 }),
    delays: fc.array(fc.constantFrom(0, 0, 2, 5, 20), { minLength: 3, maxLength: 3 }),
    ringTimeout: fc.constantFrom(15, 20, 30),
    record: bool,
    minCount: fc.constantFrom(1, 2),
    track: fc.boolean(),
    stayAlone: bool,
    endOnExit: fc.constantFrom(false, false, false, true),
    startOnEnter: fc.constantFrom(true, true, false),
    coachMode: bool,
    mute: fc.constantFrom(false, false, true),
    hold: fc.constantFrom(false, false, true),
    maxParticipants: fc.constantFrom(2, 3, 10),
    maxDuration: fc.constantFrom(300, 600, 14_400),
    events: fc.subarray([...groups], { minLength: 1 }),
    statusUrl: fc.constantFrom(true, true, false),
    callStatus: bool,
    recordingUrl: bool,
    enterSound: fc.constantFrom("beep:1", "none", "https://example.com/in.xml"),
    exitSound: fc.constantFrom("beep:2", "none", "https://example.com/out.xml"),
    onExit: fc.constantFrom(false, false, true),
    relay: bool,
    waitMusic: bool
  })
  .map((p) => {
    const count = p.role === "Agent" ? p.count : 1
    const to = Array.from({ length: count }, (_, k) => `+1202555${String(1000 + k)}`).join("<")
    const wire: Record<string, unknown> = {
      role: p.role,
      from: "+12025550000",
      to,
      ring_timeout: p.ringTimeout,
      delay_dial: p.delays.slice(0, count).join("<"),
      record: p.record,
      record_min_member_count: p.minCount,
      record_participant_track: p.track,
      stay_alone: p.stayAlone,
      end_mpc_on_exit: p.endOnExit,
      start_mpc_on_enter: p.startOnEnter,
      coach_mode: p.coachMode,
      mute: p.mute,
      hold: p.hold,
      max_participants: p.maxParticipants,
      max_duration: p.maxDuration,
      status_callback_events: p.events.join(","),
      enter_sound: p.enterSound,
      exit_sound: p.exitSound,
      relay_dtmf_inputs: p.relay
    }
    if (p.confirm !== undefined) wire.confirm_key = p.confirm
    if (p.statusUrl) wire.status_callback_url = "https://example.com/status"
    if (p.callStatus) wire.call_status_callback_url = "https://example.com/calls"
    if (p.recordingUrl) wire.recording_callback_url = "https://example.com/recordings"
    if (p.onExit) wire.on_exit_action_url = "https://example.com/exit"
    if (p.waitMusic) wire.wait_music_url = "https://example.com/wait.xml"
    return wire
  })

const pick = fc.nat({ max: 50 })

/** One abstract action. */
export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("add" as const), mpc: fc.nat({ max: 2 }), params: addParams })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      mpc: fc.nat({ max: 2 }),
      role: fc.constantFrom("Agent", "Customer", "Supervisor"),
      stayAlone: bool
    })
  },
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant("network" as const),
      what: fc.constantFrom<"ring" | "answer" | "busy" | "reject" | "noanswer" | "hangup">(
        "ring",
        "answer",
        "answer",
        "answer",
        "busy",
        "reject",
        "noanswer",
        "hangup"
      ),
      pick
    })
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("digits" as const), pick, right: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("speak" as const), pick }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.constantFrom(1, 250, 1000, 1000, 2000, 5000, 5000, 15_000, 30_000, 400_000)
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("api" as const),
      op: fc.constantFrom<Extract<Action, { kind: "api" }>["op"]>(
        "mute",
        "unmute",
        "hold",
        "unhold",
        "coach",
        "uncoach",
        "kick",
        "end",
        "recStart",
        "recStop",
        "recPause",
        "recResume",
        "recFail"
      ),
      mpc: fc.nat({ max: 2 }),
      pick
    })
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("early" as const), pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("stray" as const),
      what: fc.constantFrom<"answer" | "hangup" | "timer" | "past">("answer", "hangup", "timer", "past")
    })
  }
)

/** A scenario: up to `maxLength` actions, and the account's CPS limit. */
export const scenario = (maxLength = 60) =>
  fc.record({
    cps: fc.constantFrom(1, 2, 5),
    actions: fc.array(action, { minLength: 1, maxLength, size: "max" })
  })

const nth = <A>(xs: ReadonlyArray<A>, k: number): A | undefined =>
  xs.length === 0 ? undefined : xs[k % xs.length]

/** The account's MPCs, in UUID order. */
const sortedMpcs = (h: Harness): Array<[string, State.Mpc]> =>
  [...PMap.entries(h.state.mpcs)].sort((a, b) => (a[0] < b[0] ? -1 : 1))

/** Calls of the account in a stable order, optionally only those in given states. */
const callsIn = (h: Harness, states?: ReadonlyArray<string>) => {
  const out: Array<{ uuid: string; state: string; mpc: string }> = []
  for (const [, mpc] of sortedMpcs(h)) {
    for (const c of mpc.calls) {
      if (states === undefined || states.includes(c.state))
        out.push({ uuid: c.uuid, state: c.state, mpc: mpc.uuid })
    }
  }
  return out
}

/** Turns one action into an event for the harness's current state, or `undefined` when it means nothing there. */
export const toEvent = (h: Harness, a: Action): Ev | "advance" | undefined => {
  const at = h.now
  switch (a.kind) {
    case "add":
      return {
        _tag: "AddParticipant",
        at,
        apiId: h.apiId(),
        mpc: { _tag: "ByName", name: names[a.mpc]! },
        request: request(a.params)
      }
    case "transfer": {
      const callUuid = h.createCall("+14155550100", "+12025550000")
      return {
        _tag: "AddParticipant",
        at,
        apiId: h.apiId(),
        mpc: { _tag: "ByName", name: names[a.mpc]! },
        request: request({
          role: a.role,
          call_uuid: callUuid,
          stay_alone: a.stayAlone,
          status_callback_url: "https://example.com/status"
        })
      }
    }
    case "network": {
      const wanted =
        a.what === "ring"
          ? ["dialing"]
          : a.what === "answer"
            ? ["dialing", "ringing"]
            : a.what === "hangup"
              ? ["ringing", "confirming", "in-mpc"]
              : ["dialing", "ringing"]
      const target = nth(callsIn(h, wanted), a.pick) ?? nth(callsIn(h), a.pick)
      if (target === undefined) return undefined
      const tag = {
        ring: "LegRinging",
        answer: "LegAnswered",
        busy: "LegBusy",
        reject: "LegRejected",
        noanswer: "LegNoAnswer",
        hangup: "CallHungUp"
      } as const
      return { _tag: tag[a.what], at, callUuid: target.uuid }
    }
    case "digits": {
      const target = nth(callsIn(h, ["confirming", "in-mpc"]), a.pick)
      if (target === undefined) return undefined
      const mpc = h.mpcByUuid(target.mpc)
      const call = mpc.calls.find((c) => c.uuid === target.uuid)!
      const req = mpc.requests.find((r) => r.uuid === call.requestUuid)
      const key = req?.request.target._tag === "DialOut" ? req.request.target.confirmKey : undefined
      return {
        _tag: "DigitsPressed",
        at,
        callUuid: target.uuid,
        digits: a.right && key !== undefined ? key : "0" === key ? "9" : "0"
      }
    }
    case "speak": {
      const target = nth(callsIn(h, ["in-mpc"]), a.pick)
      if (target === undefined) return undefined
      const mpc = h.mpcByUuid(target.mpc)
      const m = mpc.members.find((x) => x.callUuid === target.uuid)!
      return { _tag: "SpeakingChanged", at, callUuid: target.uuid, speaking: !m.speaking }
    }
    case "advance":
      return "advance"
    case "api": {
      const ref = { _tag: "ByName" as const, name: names[a.mpc]! }
      const apiId = h.apiId()
      const live = sortedMpcs(h).find(([, m]) => m.name === names[a.mpc] && m.status !== "Ended")?.[1]
      const member = live === undefined ? undefined : nth(live.members, a.pick)
      const selector = member === undefined || a.pick % 5 === 0 ? ("all" as const) : ([member.id] as const)
      switch (a.op) {
        case "mute":
        case "unmute":
          return { _tag: "UpdateMember", at, apiId, mpc: ref, member: selector, mute: a.op === "mute" }
        case "hold":
        case "unhold":
          return { _tag: "UpdateMember", at, apiId, mpc: ref, member: selector, hold: a.op === "hold" }
        case "coach":
        case "uncoach":
          return { _tag: "UpdateMember", at, apiId, mpc: ref, member: selector, coachMode: a.op === "coach" }
        case "kick":
          return { _tag: "KickMember", at, apiId, mpc: ref, member: selector }
        case "end":
          return { _tag: "EndMpc", at, apiId, mpc: ref }
        case "recStart":
          return { _tag: "StartRecording", at, apiId, mpc: ref }
        case "recStop":
          return { _tag: "StopRecording", at, apiId, mpc: ref }
        case "recPause":
          return { _tag: "PauseRecording", at, apiId, mpc: ref }
        case "recResume":
          return { _tag: "ResumeRecording", at, apiId, mpc: ref }
        case "recFail":
          return live === undefined ? undefined : { _tag: "RecordingFailed", at, mpcUuid: live.uuid }
      }
      return undefined
    }
    case "early": {
      const pending = Timers.toArray(h.timers)
        .map((d): [string, number] => [d.timerId, d.at])
        .sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))
      const t = nth(pending, a.pick)
      if (t === undefined || t[1] <= at) return undefined
      return { _tag: "TimerFired", at, timerId: t[0] }
    }
    case "stray":
      switch (a.what) {
        case "answer":
          return { _tag: "LegAnswered", at, callUuid: "00000000-0000-4000-8000-000000000000" }
        case "hangup":
          return { _tag: "CallHungUp", at, callUuid: "not-a-call" }
        case "timer":
          return { _tag: "TimerFired", at, timerId: "ring:nobody" }
        case "past":
          return { _tag: "LegRinging", at: at - 1, callUuid: "whatever" }
      }
  }
}

/** The advance an `advance` action asks for. */
const advanceOf = (a: Action): number => (a.kind === "advance" ? a.ms : 0)

/**
 * Plays a scenario, checking `invariants` after every step. Throws with the rule broken and the
 * exact event sequence that led there.
 */
export const play = (
  s: { readonly cps: number; readonly actions: ReadonlyArray<Action> },
  invariants: ReadonlyArray<Invariants.Invariant>
): Harness => {
  const h = new Harness({ cps: s.cps, seed: 7 }, T0, invariants)
  try {
    for (const a of s.actions) {
      const e = toEvent(h, a)
      if (e === undefined) continue
      if (e === "advance") h.advance(advanceOf(a))
      else h.send(e)
    }
  } catch (error) {
    if (error instanceof InvariantBroken) {
      const events = h.log.map((l, k) => `  ${k + 1}. ${JSON.stringify(l.event)}`).join("\n")
      throw new InvariantBroken({ message: `${error.message}\n\nevents (${h.log.length}):\n${events}` })
    }
    throw error
  }
  return h
}
