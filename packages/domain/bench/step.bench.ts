/**
 * Events per second through `step` on a realistic contact-centre mix, the cost of the invariant
 * checks on their own, and a baseline measured in the same run: a minimal immutable reducer that
 * looks the MPC up in the same persistent map and writes one field back per event (the least any
 * immutable reducer of this state must do).
 *
 * The mix, per MPC: an inbound customer call transferred in (call_uuid), an agent added by a
 * two-destination parallel dial (the second answers; the first gets LOST RACE), a confirm key for
 * one agent in three, speaking on and off, mute and unmute, a coaching supervisor in one MPC in
 * four, then the customer hangs up and stay_alone ends the MPC. MPCs start 10 ms apart and last
 * about a minute, so about 6,000 are live at once.
 *
 * Run: pnpm bench:step  (options: --mpcs N, default 20000; --rounds N, default 5; --only-step to profile)
 */
import { AddParticipantParams, type Event, Invariants, PMap, State, Step } from "@mpc-kit/domain"
import * as Either from "effect/Either"

const arg = (name: string, fallback: number) => {
  const k = process.argv.indexOf(`--${name}`)
  return k < 0 ? fallback : Number(process.argv[k + 1])
}
const mpcCount = arg("mpcs", 20_000)
const rounds = arg("rounds", 5)
const T0 = 1_700_000_000_000

type Ev = Event.Event
const decode = (wire: Record<string, unknown>) => Either.getOrThrow(AddParticipantParams.decode(wire))
const callbacks = {
  status_callback_url: "https://cc.example.com/mpc/status",
  call_status_callback_url: "https://cc.example.com/mpc/calls",
  status_callback_events: "mpc-state-changes,participant-state-changes,add-participant-api-events"
}
const customerReq = (callUuid: string) =>
  decode({
    role: "Customer",
    call_uuid: callUuid,
    status_callback_url: callbacks.status_callback_url,
    record: true,
    record_min_member_count: 2
  })
const agentReq = (confirm: boolean) =>
  decode({
    role: "Agent",
    from: "+12025550000",
    to: "+14155550101<sip:agent7@cc.example.com",
    ring_timeout: 30,
    ...(confirm ? { confirm_key: "1" } : {}),
    ...callbacks
  })
const supervisorReq = decode({
  role: "Supervisor",
  from: "+12025550000",
  to: "+14155550199",
  coach_mode: true,
  ...callbacks
})

/** Scripted steps of one MPC: [offset ms, what]. */
type Script = ReadonlyArray<readonly [number, string]>
const script = (i: number): Script => {
  const s: Array<readonly [number, string]> = [
    [0, "createCall"],
    [1, "addCustomer"],
    [1000, "addAgent"],
    [1100, "ringAgents"],
    [4000, "answerSecond"]
  ]
  if (i % 3 === 0) s.push([6000, "confirm"])
  s.push(
    [8000, "speakOn"],
    [10000, "speakOff"],
    [12000, "speakOn"],
    [14000, "speakOff"],
    [20000, "mute"],
    [25000, "unmute"]
  )
  if (i % 4 === 0) s.push([30000, "addSupervisor"], [30500, "ringSupervisor"], [32000, "answerSupervisor"])
  s.push([60000, "customerHangsUp"])
  if (i % 4 === 0) s.push([61000, "agentHangsUp"])
  return s
}

/** Records the event trace by running the scripts once (not timed). */
const record = (): Array<Ev> => {
  const queue: Array<{ at: number; mpc: number; k: number }> = []
  const scripts: Array<Script> = []
  for (let i = 0; i < mpcCount; i++) {
    scripts.push(script(i))
    queue.push({ at: T0 + i * 10, mpc: i, k: 0 })
  }
  const ids: Array<Record<string, string>> = Array.from({ length: mpcCount }, () => ({}))
  let state = State.make({ cps: 1000 }, T0)
  const events: Array<Ev> = []
  let api = 0
  const send = (e: Ev) => {
    const r = Step.step(state, e)
    if (r.refused !== undefined) throw new Error(`${e._tag} refused: ${r.refused}`)
    state = r.state
    events.push(e)
    return r
  }
  const body = (r: Step.StepResult) => {
    const respond = r.commands.find((c) => c._tag === "Respond")
    const o = respond?._tag === "Respond" ? respond.outcome : undefined
    return {
      call_uuid: o?._tag === "CallCreated" ? o.callUuid : undefined,
      calls: o?._tag === "Added" ? o.legs.map((l) => ({ call_uuid: l.callUuid })) : undefined
    }
  }
  // A binary heap would be faster; the trace is recorded once, so a sorted insert will do.
  const pending = queue
  pending.sort((a, b) => a.at - b.at || a.mpc - b.mpc)
  const heap: Array<{ at: number; mpc: number; k: number }> = []
  const push = (x: { at: number; mpc: number; k: number }) => {
    heap.push(x)
    let j = heap.length - 1
    while (j > 0) {
      const p = (j - 1) >> 1
      const a = heap[p]!
      if (a.at < x.at || (a.at === x.at && a.mpc <= x.mpc)) break
      heap[j] = a
      j = p
    }
    heap[j] = x
  }
  const pop = () => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      let j = 0
      for (;;) {
        const l = 2 * j + 1
        if (l >= heap.length) break
        const r = l + 1
        const c =
          r < heap.length &&
          (heap[r]!.at < heap[l]!.at || (heap[r]!.at === heap[l]!.at && heap[r]!.mpc < heap[l]!.mpc))
            ? r
            : l
        const b = heap[c]!
        if (last.at < b.at || (last.at === b.at && last.mpc <= b.mpc)) break
        heap[j] = b
        j = c
      }
      heap[j] = last
    }
    return top
  }
  for (const x of pending) push(x)
  while (heap.length > 0) {
    const { at, mpc: i, k } = pop()
    const [offset, what] = scripts[i]![k]!
    const base = T0 + i * 10
    const name = `queue-${i}`
    const my = ids[i]!
    const apiId = `api-${++api}`
    switch (what) {
      case "createCall":
        my.customer = body(
          send({
            _tag: "CreateCall",
            at,
            apiId,
            from: `+1415${String(i).padStart(7, "0")}`,
            to: "+12025550000"
          })
        ).call_uuid!
        break
      case "addCustomer":
        send({
          _tag: "AddParticipant",
          at,
          apiId,
          mpc: { _tag: "ByName", name },
          request: customerReq(my.customer!)
        })
        break
      case "addAgent": {
        const calls = body(
          send({
            _tag: "AddParticipant",
            at,
            apiId,
            mpc: { _tag: "ByName", name },
            request: agentReq(i % 3 === 0)
          })
        ).calls!
        my.agentA = calls[0]!.call_uuid
        my.agentB = calls[1]!.call_uuid
        break
      }
      case "ringAgents":
        send({ _tag: "LegRinging", at, callUuid: my.agentA! })
        send({ _tag: "LegRinging", at, callUuid: my.agentB! })
        break
      case "answerSecond":
        send({ _tag: "LegAnswered", at, callUuid: my.agentB! })
        break
      case "confirm":
        send({ _tag: "DigitsPressed", at, callUuid: my.agentB!, digits: "1" })
        break
      case "speakOn":
      case "speakOff":
        send({ _tag: "SpeakingChanged", at, callUuid: my.customer!, speaking: what === "speakOn" })
        break
      case "mute":
      case "unmute":
        send({
          _tag: "UpdateMember",
          at,
          apiId,
          mpc: { _tag: "ByName", name },
          member: "all",
          mute: what === "mute"
        })
        break
      case "addSupervisor":
        my.supervisor = body(
          send({ _tag: "AddParticipant", at, apiId, mpc: { _tag: "ByName", name }, request: supervisorReq })
        ).calls![0]!.call_uuid
        break
      case "ringSupervisor":
        send({ _tag: "LegRinging", at, callUuid: my.supervisor! })
        break
      case "answerSupervisor":
        send({ _tag: "LegAnswered", at, callUuid: my.supervisor! })
        break
      case "customerHangsUp":
        send({ _tag: "CallHungUp", at, callUuid: my.customer! })
        break
      case "agentHangsUp":
        send({ _tag: "CallHungUp", at, callUuid: my.agentB! })
        break
    }
    if (k + 1 < scripts[i]!.length) push({ at: base + scripts[i]![k + 1]![0], mpc: i, k: k + 1 })
    void offset
  }
  return events
}

const median = (xs: Array<number>) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!

const time = (f: () => void): number => {
  const t = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - t) / 1e9
}

console.log(`node ${process.version}; recording the trace of ${mpcCount.toLocaleString("en-US")} MPCs...`)
const events = record()
const initial = State.make({ cps: 1000 }, T0)
const mix = new Map<string, number>()
for (const e of events) mix.set(e._tag, (mix.get(e._tag) ?? 0) + 1)
console.log(
  `${events.length.toLocaleString("en-US")} events: ${[...mix].map(([k, v]) => `${k} ${v}`).join(", ")}\n`
)

let commands = 0
let peakLive = 0
const replay = () => {
  let s = initial
  commands = 0
  for (let i = 0; i < events.length; i++) {
    const r = Step.step(s, events[i]!)
    s = r.state
    commands += r.commands.length
  }
  return s
}

// Baseline: per event, the least an immutable reducer of this state does: find the MPC in the
// same persistent map and write one field back.
const baseline = () => {
  let mpcs = PMap.empty<{ readonly n: number; readonly at: number }>()
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    const key =
      "callUuid" in e ? e.callUuid : "mpc" in e ? (e.mpc._tag === "ByName" ? e.mpc.name : e.mpc.uuid) : e._tag
    const old = PMap.get(mpcs, key)
    mpcs = PMap.set(mpcs, key, { n: (old?.n ?? 0) + 1, at: e.at })
  }
  return mpcs
}

const withInvariants = () => {
  let s = initial
  let violations = 0
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    const result = Step.step(s, event)
    violations += Invariants.check({ before: s, event, result }).length
    s = result.state
  }
  if (violations > 0) throw new Error(`${violations} invariant violations on the benchmark trace`)
}

// Warm up each once.
const finalState = replay()
PMap.forEach(finalState.mpcs, (m) => {
  if (m.status !== "Ended") peakLive++
})
baseline()

if (process.argv.includes("--only-step")) {
  // For profiling: replay through `step` only.
  const times: Array<number> = []
  for (let r = 0; r < rounds; r++) times.push(time(replay))
  console.log(`step ${Math.round(events.length / median(times)).toLocaleString("en-US")} events/s`)
  process.exit(0)
}

const stepTimes: Array<number> = []
const baseTimes: Array<number> = []
const invTimes: Array<number> = []
for (let r = 0; r < rounds; r++) {
  baseTimes.push(time(baseline))
  stepTimes.push(time(replay))
  invTimes.push(time(withInvariants))
}
const n = events.length
const stepRate = n / median(stepTimes)
const baseRate = n / median(baseTimes)
const invRate = n / median(invTimes)
const invOnly = median(invTimes) - median(stepTimes)
const fmt = (x: number) => Math.round(x).toLocaleString("en-US").padStart(12)
console.log(`median of ${rounds} rounds`)
console.log(`  baseline (lookup + write one field)   ${fmt(baseRate)} events/s`)
console.log(
  `  step                                  ${fmt(stepRate)} events/s   ${(baseRate / stepRate).toFixed(2)}x the baseline's time, ${(commands / n).toFixed(2)} commands per event`
)
console.log(`  step + every invariant                ${fmt(invRate)} events/s`)
console.log(
  `  invariants alone                      ${fmt(n / invOnly)} checks/s    (${((invOnly / median(stepTimes)) * 100).toFixed(0)}% of step's time)`
)
console.log(
  `  MPCs still live at the end            ${peakLive}; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`
)
