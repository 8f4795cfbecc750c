/**
 * A discrete-event simulation of one account on virtual time: the domain's `step` is the only
 * source of rules; this module plays the telephone network (callees answer, refuse, press digits,
 * speak and hang up as their scripts say), the clock (timers fire exactly when due) and the user
 * (the scenario's timed API actions). Same scenario and seed: the same trace, byte for byte.
 *
 * @since 0.1.0
 */
import {
  AddParticipantParams,
  AddParticipantRequest,
  type Command,
  type Event,
  Invariants,
  PMap,
  State,
  Step,
  Timers
} from "@mpc-kit/domain"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { absurd } from "effect/Function"
import { Heap } from "./Heap.js"
import * as Metrics from "./Metrics.js"
import * as Random from "./Random.js"
import type { Action, Callee, MemberRef, Outcome, Scenario } from "./Scenario.js"
import { defaultStart } from "./Scenario.js"
import type { TraceEntry } from "./Trace.js"

type Ev = Event.Event
type Cmd = Command.Command

/** A step broke an invariant the run was asked to check: the message names the rules and the event. */
export class InvariantBroken extends Data.TaggedError("InvariantBroken")<{ readonly message: string }> {}

/** What the agenda holds besides timers (those are in the domain's `Timers` agenda). */
type Item =
  | { readonly _tag: "Action"; readonly action: Action; readonly index: number }
  | { readonly _tag: "Network"; readonly event: Ev; readonly line: Line }

/**
 * The network's side of one live call: its script, its address, whether it sits in an MPC (its
 * address is then busy). Reactions pending for a call hold its line; ending the call marks the line
 * ended and forgets it, so its pending reactions are dropped and nothing grows with history.
 */
interface Line {
  ended: boolean
  callee: Callee | undefined
  address: string | undefined
  engaged: boolean
}

/** How to run. */
export interface RunOptions {
  /** Seeds every random draw (callee outcomes, delays, the contact-centre load). */
  readonly seed: number
  /** Keep the trace in memory (default true; turn off for load studies). */
  readonly trace?: boolean
  /** Called with every trace entry as it happens (streaming to a file, say). */
  readonly onEntry?: (entry: TraceEntry) => void
  /** Called now and then with the share of the agenda done (0 to 1). */
  readonly onProgress?: (done: number) => void
  /** Invariants to check after every step; a violation stops the run with an error naming the rule. */
  readonly invariants?: ReadonlyArray<Invariants.Invariant>
}

/** What a run gives back. */
export interface RunResult {
  readonly scenario: Scenario
  readonly seed: number
  /** Epoch ms of the start. */
  readonly start: number
  /** Epoch ms of the last event. */
  readonly end: number
  readonly state: State.State
  readonly trace: ReadonlyArray<TraceEntry>
  readonly metrics: Metrics.Metrics
}

const UUID_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
/** The contact centre's supervisor and how one behaves unless the scenario says otherwise. */
const SUPERVISOR = "sip:supervisor@cc.example.com"
const defaultSupervisor: Callee = { outcome: "answer", after: 2, hangupAfter: { uniform: [30, 90] } }

/**
 * Checks a scenario before running it: every `add` action's parameters must decode (with `@label`
 * call references standing for a call UUID). The error names the action and the parameter.
 */
export const validate = (scenario: Scenario): Either.Either<Scenario, string> => {
  const errors: Array<string> = []
  const labels = new Set<string>()
  ;(scenario.actions ?? []).forEach((a, k) => {
    if (a.do === "call") labels.add(a.id)
    if (a.do !== "add") return
    const params = { ...a.params }
    const ref = params.call_uuid
    if (typeof ref === "string" && ref.startsWith("@")) {
      if (!labels.has(ref.slice(1)))
        errors.push(`actions.${k}.params.call_uuid: no earlier call action has id ${ref.slice(1)}`)
      params.call_uuid = UUID_PLACEHOLDER
    }
    const decoded = AddParticipantParams.decode(params)
    if (Either.isLeft(decoded))
      errors.push(...decoded.left.issues.map((i) => `actions.${k}.params.${i.parameter}: ${i.message}`))
  })
  return errors.length === 0 ? Either.right(scenario) : Either.left(errors.join("\n"))
}

/**
 * Decodes add-participant parameters, remembering the decoded request of each template (the
 * parameters but `to` and `call_uuid`): a load of thousands of requests that differ only in their
 * destinations decodes each template once. The result equals `AddParticipantParams.decode`'s (a
 * property test checks it); anything unusual falls back to it.
 */
export const makeDecoder = () => {
  const templates = new Map<string, AddParticipantRequest.AddParticipantRequest>()
  return (
    params: Record<string, unknown>
  ): Either.Either<AddParticipantRequest.AddParticipantRequest, string> => {
    const { to, call_uuid, ...rest } = params
    const full = () => Either.mapLeft(AddParticipantParams.decode(params), (e) => e.error)
    if (typeof to !== "string" && to !== undefined) return full()
    if (typeof call_uuid !== "string" && call_uuid !== undefined) return full()
    const parts = to === undefined ? [] : to.split("<")
    const key = `${JSON.stringify(rest)}|${to === undefined ? "-" : parts.length}|${call_uuid === undefined ? "-" : "uuid"}`
    const template = templates.get(key)
    if (template === undefined) {
      const decoded = full()
      if (Either.isRight(decoded) && templates.size < 10_000) templates.set(key, decoded.right)
      return decoded
    }
    const target = template.target
    if (target._tag === "Transfer") {
      if (typeof call_uuid !== "string" || !AddParticipantRequest.CallUuidPattern.test(call_uuid))
        return full()
      return Either.right({ ...template, target: { _tag: "Transfer", callUuid: call_uuid } })
    }
    const addresses = parts.map(AddParticipantParams.parseAddress)
    if (addresses.some((a) => a === undefined)) return full()
    const destinations = target.destinations.map((d, k) => ({
      ...d,
      address: addresses[k]!
    })) as unknown as typeof target.destinations
    return Either.right({ ...template, target: { ...target, destinations } })
  }
}

/** The contact-centre load as timed actions and callers (drawn from `rng`). */
export const expandContactCentre = (scenario: Scenario, rng: Random.Random): Array<Action> => {
  const cc = scenario.contactCentre
  if (cc === undefined) return []
  const out: Array<Action> = []
  const centre = "+18005550100"
  let t = 0
  for (let i = 0; i < cc.customers; i++) {
    t += Random.sample(rng, { exponential: 1 / cc.arrivalsPerSecond })
    const at = Math.round(t * 1000) / 1000
    const label = `customer-${i}`
    const mpc = `cc-${i}`
    const talk = Random.sample(rng, cc.talkTime)
    out.push({
      at,
      do: "call",
      id: label,
      from: `+1415${String(i).padStart(7, "0")}`,
      to: centre,
      caller: { hangupAfter: talk }
    })
    out.push({
      at,
      do: "add",
      mpc,
      params: { ...cc.customerParams, role: "Customer", call_uuid: `@${label}` }
    })
    // Distinct agents drawn without copying the pool (the pool is large, the draw is small).
    const chosen: Array<string> = []
    const want = Math.min(cc.agentsPerCustomer, cc.agents.length)
    while (chosen.length < want) {
      const agent = cc.agents[Math.floor(rng.next() * cc.agents.length)]!
      if (!chosen.includes(agent)) chosen.push(agent)
    }
    out.push({
      at: at + 0.5,
      do: "add",
      mpc,
      params: { ...cc.agentParams, role: "Agent", from: centre, to: chosen.join("<") }
    })
    if (rng.next() < cc.supervisorShare) {
      out.push({
        at: at + Math.min(10, talk / 2),
        do: "add",
        mpc,
        params: { role: "Supervisor", from: centre, to: SUPERVISOR, coach_mode: true }
      })
    }
  }
  return out
}

/** Runs a scenario to its end (or its `until`). Deterministic in the scenario and the seed. */
export const run = (scenario: Scenario, options: RunOptions): RunResult => {
  const start = Date.parse(scenario.start ?? defaultStart)
  const until = scenario.until === undefined ? Number.POSITIVE_INFINITY : start + scenario.until * 1000
  const keepTrace = options.trace ?? true
  const trace: Array<TraceEntry> = []
  const invariants = options.invariants ?? []
  // Independent streams: the load does not shift when callee behaviour draws change.
  const loadRng = Random.make(options.seed ^ 0x5eed)
  const netRng = Random.make(options.seed)

  let state = State.make(
    {
      cps: scenario.account?.cps ?? 2,
      seed: options.seed,
      ...(scenario.account?.authId === undefined ? {} : { authId: scenario.account.authId })
    },
    start
  )
  const agenda = new Heap<Item>()
  const counters = Metrics.counters()
  /** The engine's timers, and the agenda's insertion number of each, so ties keep the order things were scheduled in. */
  let timers = Timers.empty
  const timerSeq = new Map<string, number>()
  const labels = new Map<string, string>()
  /** Live calls' lines. */
  const lines = new Map<string, Line>()
  /** Addresses in an MPC right now: dialling them again finds them busy. */
  const engaged = new Map<string, number>()
  let apiCounter = 0
  const decode = makeDecoder()
  const tracing = keepTrace || options.onEntry !== undefined

  const actions = [...(scenario.actions ?? []), ...expandContactCentre(scenario, loadRng)]
  actions.forEach((action, index) => {
    agenda.push(start + action.at * 1000, { _tag: "Action", action, index })
  })
  const total = agenda.size

  const record = (entry: TraceEntry) => {
    if (keepTrace) trace.push(entry)
    options.onEntry?.(entry)
  }

  const lineOf = (callUuid: string): Line => {
    let line = lines.get(callUuid)
    if (line === undefined) {
      line = { ended: false, callee: undefined, address: undefined, engaged: false }
      lines.set(callUuid, line)
    }
    return line
  }
  const network = (at: number, event: Ev & { readonly callUuid: string }) => {
    agenda.push(at, { _tag: "Network", event, line: lineOf(event.callUuid) })
  }
  /** The call ended (or left for XML): drop its pending reactions, free its address. */
  const end = (callUuid: string) => {
    const line = lines.get(callUuid)
    if (line === undefined) return
    line.ended = true
    lines.delete(callUuid)
    if (line.engaged && line.address !== undefined) {
      const n = (engaged.get(line.address) ?? 1) - 1
      if (n <= 0) engaged.delete(line.address)
      else engaged.set(line.address, n)
    }
  }

  const cc = scenario.contactCentre
  const agents = new Set(cc?.agents ?? [])
  const calleeFor = (address: string): Callee => {
    const own = scenario.callees?.[address]
    if (own !== undefined) return own
    if (cc !== undefined && agents.has(address)) return cc.agent
    if (cc !== undefined && address === SUPERVISOR) return cc.supervisor ?? defaultSupervisor
    return scenario.defaultCallee ?? { outcome: "answer", after: 3 }
  }

  /** DIAL-*: what the network does with a dialled leg. */
  const dialled = (now: number, callUuid: string, address: string) => {
    const callee = calleeFor(address)
    const line = lineOf(callUuid)
    line.callee = callee
    line.address = address
    network(now, { _tag: "LegRinging", at: now, callUuid })
    const outcome: Outcome = engaged.has(address)
      ? "busy"
      : typeof callee.outcome === "string"
        ? callee.outcome
        : callee.outcome === undefined
          ? "answer"
          : Random.pick(netRng, callee.outcome)
    const at = now + Math.round(Random.sample(netRng, callee.after ?? 3) * 1000)
    switch (outcome) {
      case "answer":
        return network(at, { _tag: "LegAnswered", at, callUuid })
      case "busy":
        return network(at, { _tag: "LegBusy", at, callUuid })
      case "reject":
        return network(at, { _tag: "LegRejected", at, callUuid })
      case "no-answer":
        return network(at, { _tag: "LegNoAnswer", at, callUuid })
      case "silent":
        return
    }
  }

  /** CONFIRM-*: the callee hears the prompt and presses what its script says. */
  const prompted = (now: number, callUuid: string) => {
    const script = lines.get(callUuid)?.callee
    if (script?.digits === undefined) return
    const call = State.call(state, callUuid)
    const mpc = call === undefined ? undefined : State.mpc(state, PMap.get(state.callIndex, callUuid) ?? "")
    const request = mpc?.requests.find((r) => r.uuid === call?.requestUuid)?.request
    const key = request?.target._tag === "DialOut" ? (request.target.confirmKey ?? "") : ""
    for (const d of script.digits) {
      const at = now + Math.round(Random.sample(netRng, d.after) * 1000)
      const digits = d.keys === "confirm" ? key : d.keys
      if (digits !== "") network(at, { _tag: "DigitsPressed", at, callUuid, digits })
    }
  }

  /** A call joined: it speaks and hangs up as its script says. */
  const joined = (now: number, callUuid: string) => {
    const line = lineOf(callUuid)
    if (line.address !== undefined && !line.engaged) {
      line.engaged = true
      engaged.set(line.address, (engaged.get(line.address) ?? 0) + 1)
    }
    const script = line.callee
    if (script === undefined) return
    for (const s of script.speak ?? []) {
      const on = now + Math.round(Random.sample(netRng, s.after) * 1000)
      const off = on + Math.round(Random.sample(netRng, s.for) * 1000)
      network(on, { _tag: "SpeakingChanged", at: on, callUuid, speaking: true })
      network(off, { _tag: "SpeakingChanged", at: off, callUuid, speaking: false })
    }
    if (script.hangupAfter !== undefined) {
      const at = now + Math.round(Random.sample(netRng, script.hangupAfter) * 1000)
      network(at, { _tag: "CallHungUp", at, callUuid })
    }
  }

  const interpret = (now: number, c: Cmd) => {
    switch (c._tag) {
      case "SetTimer":
        timers = Timers.set(timers, c.timerId, c.at)
        timerSeq.set(c.timerId, agenda.reserve())
        return
      case "CancelTimer":
        timers = Timers.cancel(timers, c.timerId)
        timerSeq.delete(c.timerId)
        return
      case "DialLeg":
        dialled(now, c.callUuid, c.to._tag === "PhoneNumber" ? c.to.number : `sip:${c.to.user}@${c.to.host}`)
        return
      case "HangupCall":
        end(c.callUuid)
        return
      case "Bridge":
        joined(now, c.callUuid)
        return
      case "Unbridge":
        end(c.callUuid)
        return
      case "PlaySound":
        if (c.callUuid !== undefined && c.audio._tag === "Speak") prompted(now, c.callUuid)
        return
      case "FetchXml":
        if (c.purpose === "ConfirmKeySound" && c.callUuid !== undefined) prompted(now, c.callUuid)
        return
      // The simulated network has nothing to do for these.
      case "StartMusic":
      case "StopMusic":
      case "RecordStart":
      case "RecordPause":
      case "RecordResume":
      case "RecordStop":
      case "RelayDigits":
      case "SendCallback":
      case "Respond":
        return
      default:
        // A new command variant fails the build here until the simulator interprets it.
        return absurd(c)
    }
  }

  const apply = (now: number, event: Ev): Step.StepResult => {
    const before = state
    const result = Step.step(before, event)
    counters.event(event, result)
    if (tracing) {
      record(
        result.refused === undefined
          ? { t: now, kind: "event", event }
          : { t: now, kind: "event", event, refused: result.refused.message }
      )
    }
    if (invariants.length > 0) {
      const broken = Invariants.check({ before, event, result }, invariants)
      if (broken.length > 0) {
        throw new InvariantBroken({
          message: `${broken.map((b) => `${b.rule}: ${b.detail}`).join("; ")} after ${JSON.stringify(event)}`
        })
      }
    }
    state = result.state
    for (const c of result.commands) {
      counters.command(c)
      if (tracing) record({ t: now, kind: "command", command: c })
      interpret(now, c)
    }
    // The network's side of an ended call: reactions still pending for it are dropped.
    if (result.refused === undefined) {
      switch (event._tag) {
        case "LegBusy":
        case "LegRejected":
        case "LegNoAnswer":
        case "CallHungUp":
          end(event.callUuid)
      }
    }
    return result
  }

  const resolveMembers = (mpc: string, ref: MemberRef): Event.MemberSelector | undefined => {
    if (ref === "all") return "all"
    if (typeof ref === "string") {
      const role = ref.slice("role:".length)
      const live = State.liveMpc(state, mpc)
      const ids =
        live?.members.filter((m) => m.role.toLowerCase() === role.toLowerCase()).map((m) => m.id) ?? []
      return ids.length === 0 ? undefined : (ids as unknown as readonly [string, ...Array<string>])
    }
    return ref.length === 0 ? undefined : (ref as unknown as readonly [string, ...Array<string>])
  }

  const act = (now: number, action: Action) => {
    const apiId = `sim-${++apiCounter}`
    const mpcRef = (name: string): Event.MpcRef => ({ _tag: "ByName", name })
    switch (action.do) {
      case "add": {
        const params = { ...action.params }
        const ref = params.call_uuid
        if (typeof ref === "string" && ref.startsWith("@"))
          params.call_uuid = labels.get(ref.slice(1)) ?? UUID_PLACEHOLDER
        const decoded = decode(params)
        if (Either.isLeft(decoded)) throw new Error(`invalid add action: ${decoded.left}`)
        apply(now, {
          _tag: "AddParticipant",
          at: now,
          apiId,
          mpc: mpcRef(action.mpc),
          request: decoded.right
        })
        return
      }
      case "call": {
        const r = apply(now, { _tag: "CreateCall", at: now, apiId, from: action.from, to: action.to })
        const respond = r.commands.find((c) => c._tag === "Respond")
        const uuid =
          respond?._tag === "Respond" && respond.outcome._tag === "CallCreated"
            ? respond.outcome.callUuid
            : undefined
        if (uuid !== undefined) {
          labels.set(action.id, uuid)
          if (action.caller !== undefined) lineOf(uuid).callee = action.caller
        }
        return
      }
      case "update": {
        const member = resolveMembers(action.mpc, action.member)
        if (member === undefined) return
        apply(now, {
          _tag: "UpdateMember",
          at: now,
          apiId,
          mpc: mpcRef(action.mpc),
          member,
          ...(action.mute === undefined ? {} : { mute: action.mute }),
          ...(action.hold === undefined ? {} : { hold: action.hold }),
          ...(action.coach_mode === undefined ? {} : { coachMode: action.coach_mode })
        })
        return
      }
      case "kick": {
        const member = resolveMembers(action.mpc, action.member)
        if (member !== undefined)
          apply(now, { _tag: "KickMember", at: now, apiId, mpc: mpcRef(action.mpc), member })
        return
      }
      case "end":
        apply(now, { _tag: "EndMpc", at: now, apiId, mpc: mpcRef(action.mpc) })
        return
      case "record": {
        const tag = {
          start: "StartRecording",
          stop: "StopRecording",
          pause: "PauseRecording",
          resume: "ResumeRecording"
        } as const
        apply(now, { _tag: tag[action.op], at: now, apiId, mpc: mpcRef(action.mpc) })
        return
      }
      case "hangup": {
        const uuid = labels.get(action.call)
        if (uuid !== undefined) {
          apply(now, { _tag: "CallHungUp", at: now, callUuid: uuid })
        }
        return
      }
    }
  }

  let processed = 0
  for (;;) {
    const top = agenda.peek()
    const timer = Timers.next(timers)
    if (
      timer !== undefined &&
      (top === undefined ||
        timer.at < top.at ||
        (timer.at === top.at && (timerSeq.get(timer.timerId) ?? 0) < top.seq))
    ) {
      if (timer.at > until) break
      timers = Timers.cancel(timers, timer.timerId)
      timerSeq.delete(timer.timerId)
      apply(timer.at, { _tag: "TimerFired", at: timer.at, timerId: timer.timerId })
      continue
    }
    const next = agenda.pop()
    if (next === undefined || next.at > until) break
    const now = next.at
    const item = next.item
    switch (item._tag) {
      case "Action":
        processed++
        act(now, item.action)
        if (options.onProgress !== undefined && processed % 1000 === 0) options.onProgress(processed / total)
        break
      case "Network":
        if (item.line.ended) break
        apply(now, item.event)
        break
    }
  }
  options.onProgress?.(1)
  return {
    scenario,
    seed: options.seed,
    start,
    end: state.now,
    state,
    trace,
    metrics: Metrics.finish(counters, state)
  }
}
