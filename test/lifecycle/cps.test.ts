/**
 * CPS-1, CPS-2: outbound legs are queued and initiated at the account's calls-per-second limit.
 */
import { assert, describe, it } from "@effect/vitest"
import { PMap, Timers } from "@mpc-kit/domain"
import { added, type Cmd, callbacks, FROM, Harness, observed, ofTag, T0 } from "../support/Harness.js"

const numbers = (n: number, base = 200) =>
  Array.from({ length: n }, (_, i) => `+1202555${String(base + i).padStart(4, "0")}`)

/** The DialLeg commands of every step so far, with the time of the step that emitted them. */
const dialTimes = (h: Harness): Array<[string, number]> => {
  const out: Array<[string, number]> = []
  for (const e of h.log)
    for (const d of ofTag(e.result.commands, "DialLeg")) out.push([d.callUuid, e.event.at])
  return out
}

const initiatedEvents = (commands: ReadonlyArray<Cmd>) =>
  callbacks(commands, "call")
    .filter((c) => c.event === "Initiated")
    .map((c) => c.params.CallUUID)

/** CPS-1 [decision]: at most `n` initiations in any one-second window. */
const assertWindow = (times: ReadonlyArray<number>, n: number) => {
  const sorted = [...times].sort((x, y) => x - y)
  for (let i = 0; i + n < sorted.length; i++) {
    assert.isAtLeast(
      sorted[i + n]! - sorted[i]!,
      1_000,
      `more than ${n} initiations within 1 s: ${sorted.join(", ")}`
    )
  }
}

describe("CPS-1 the calls-per-second queue", () => {
  it("CPS-1 with cps 2, five destinations start 2 at T0, 2 a second later and the last after 2 s, in order", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: numbers(5).join("<") })
    const legs = r.legs
    assert.strictEqual(legs.length, 5)
    assert.deepStrictEqual(
      ofTag(r.commands, "DialLeg").map((d) => d.callUuid),
      legs.slice(0, 2)
    )
    assert.deepStrictEqual(initiatedEvents(r.commands), legs.slice(0, 2))
    assert.deepStrictEqual(
      legs.map((l) => h.call(l).state),
      ["dialing", "dialing", "queued", "queued", "queued"]
    )
    assert.strictEqual(Timers.get(h.timers, "cps"), T0 + 1_000)

    h.advance(999)
    assert.strictEqual(dialTimes(h).length, 2)
    h.advance(1)
    h.advance(1_000)
    h.advance(5_000)
    assert.deepStrictEqual(dialTimes(h), [
      [legs[0]!, T0],
      [legs[1]!, T0],
      [legs[2]!, T0 + 1_000],
      [legs[3]!, T0 + 1_000],
      [legs[4]!, T0 + 2_000]
    ])
    assert.deepStrictEqual(
      legs.map((l) => h.call(l).initiatedAt),
      [T0, T0, T0 + 1_000, T0 + 1_000, T0 + 2_000]
    )
    assert.deepStrictEqual(initiatedEvents(h.commands()), legs)
    // Nothing waits any more: the cps timer is gone.
    assert.isUndefined(Timers.get(h.timers, "cps"))
    assert.isUndefined(h.state.cps.timerAt)
  })

  it("CPS-1 legs of several requests wait in arrival order across MPCs", () => {
    const h = new Harness({ cps: 1 })
    const x = h.add("room-x", { role: "Agent", from: FROM, to: numbers(2, 300).join("<") })
    const y = h.add("room-y", { role: "Customer", from: FROM, to: "+12025550400" })
    const z = h.add("room-x", { role: "Customer", from: FROM, to: "+12025550500" })
    h.advance(10_000)
    assert.deepStrictEqual(dialTimes(h), [
      [x.legs[0]!, T0],
      [x.legs[1]!, T0 + 1_000],
      [y.legs[0]!, T0 + 2_000],
      [z.legs[0]!, T0 + 3_000]
    ])
  })

  it("CPS-1 never more than N initiations in any one-second window, with staggered arrivals", () => {
    const h = new Harness({ cps: 2 })
    const a = h.add("room", { role: "Agent", from: FROM, to: "+12025550601" })
    h.advanceTo(T0 + 600)
    const b = h.add("room", { role: "Agent", from: FROM, to: numbers(2, 610).join("<") })
    assert.deepStrictEqual(
      ofTag(b.commands, "DialLeg").map((d) => d.callUuid),
      [b.legs[0]!]
    )
    assert.strictEqual(Timers.get(h.timers, "cps"), T0 + 1_000)
    h.advanceTo(T0 + 1_200)
    const c = h.add("room", { role: "Agent", from: FROM, to: "+12025550620" })
    assert.strictEqual(h.call(c.legs[0]!).state, "queued")
    assert.strictEqual(Timers.get(h.timers, "cps"), T0 + 1_600)
    h.advance(5_000)
    assert.deepStrictEqual(dialTimes(h), [
      [a.legs[0]!, T0],
      [b.legs[0]!, T0 + 600],
      [b.legs[1]!, T0 + 1_000],
      [c.legs[0]!, T0 + 1_600]
    ])
    assertWindow(
      dialTimes(h).map(([, t]) => t),
      2
    )
  })

  it("CPS-1 queued legs are never dropped: twenty destinations all start, two per second", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { role: "Agent", from: FROM, to: numbers(20).join("<"), ring_timeout: 120 })
    h.advance(9_999)
    assert.strictEqual(dialTimes(h).length, 20)
    const times = dialTimes(h)
    assert.deepStrictEqual(
      times.map(([uuid]) => uuid),
      r.legs
    )
    assert.deepStrictEqual(
      times.map(([, t]) => t - T0),
      [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9].map((s) => s * 1_000)
    )
    assertWindow(
      times.map(([, t]) => t),
      2
    )
    assert.strictEqual(PMap.size(h.state.cps.queue), 0)
  })

  it("CPS-1 a queued leg that loses the race leaves the queue and is never initiated", () => {
    const h = new Harness({ cps: 1 })
    const x = h.add("room", { ...observed, role: "Agent", from: FROM, to: numbers(3, 700).join("<") })
    const y = h.add("other", { role: "Agent", from: FROM, to: "+12025550800" })
    const [x1, x2, x3] = [x.legs[0]!, x.legs[1]!, x.legs[2]!]
    assert.deepStrictEqual([h.call(x2).state, h.call(x3).state], ["queued", "queued"])
    assert.strictEqual(PMap.size(h.state.cps.queue), 3)
    h.ring(x1)
    h.advanceTo(T0 + 500)
    const won = h.answer(x1)
    for (const loser of [x2, x3]) {
      assert.strictEqual(h.call(loser).state, "ended")
      assert.deepStrictEqual(h.call(loser).hangup, { cause: "Lost Race", code: 9000, source: "Plivo" })
      assert.isUndefined(h.call(loser).initiatedAt)
      assert.isUndefined(h.call(loser).queueSeq)
    }
    // Not on the network: nothing to hang up there.
    assert.deepStrictEqual(ofTag(won.commands, "HangupCall"), [])
    assert.strictEqual(PMap.size(h.state.cps.queue), 1)

    h.advance(10_000)
    // The next queued leg takes the very next slot.
    assert.deepStrictEqual(dialTimes(h), [
      [x1, T0],
      [y.legs[0]!, T0 + 1_000]
    ])
    assert.deepStrictEqual(initiatedEvents(h.commands()), [x1])
    assert.strictEqual(PMap.size(h.state.cps.queue), 0)
  })

  it("CPS-1 a delayed leg's initiation uses a slot even though it is dialled later", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { role: "Agent", from: FROM, to: numbers(3, 900).join("<"), delay_dial: "5<0<0" })
    assert.deepStrictEqual(
      r.legs.map((l) => h.call(l).state),
      ["scheduled", "dialing", "queued"]
    )
    h.advance(10_000)
    assert.deepStrictEqual(dialTimes(h), [
      [r.legs[1]!, T0],
      [r.legs[2]!, T0 + 1_000],
      [r.legs[0]!, T0 + 5_000]
    ])
  })
})

describe("CPS-2 the response message", () => {
  it("CPS-2 says initiated when every leg starts at once", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { role: "Agent", from: FROM, to: numbers(2).join("<") })
    assert.strictEqual(added(r.response).queued, false)
    assert.strictEqual(r.response._tag, "Added")
  })

  it("CPS-2 says queued when some of the request's legs wait", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { role: "Agent", from: FROM, to: numbers(3).join("<") })
    assert.strictEqual(added(r.response).queued, true)
    assert.strictEqual(r.response._tag, "Added")
    assert.deepStrictEqual(
      added(r.response).legs.map((c) => c.callUuid),
      r.legs
    )
  })

  it("CPS-2 says queued for a one-leg request behind a full window, and initiated once the window frees", () => {
    const h = new Harness({ cps: 2 })
    h.add("room", { role: "Agent", from: FROM, to: numbers(2).join("<") })
    const behind = h.add("room", { role: "Customer", from: FROM, to: "+12025551000" })
    assert.strictEqual(added(behind.response).queued, true)
    h.advance(1_000)
    const later = h.add("room", { role: "Customer", from: FROM, to: "+12025551001" })
    assert.strictEqual(added(later.response).queued, false)
  })

  it("CPS-2 a delay_dial alone is not the CPS queue: the message is initiated", () => {
    const h = new Harness({ cps: 2 })
    const r = h.add("room", { role: "Agent", from: FROM, to: "+12025551100", delay_dial: 30 })
    assert.strictEqual(added(r.response).queued, false)
    assert.strictEqual(h.call(r.legs[0]!).state, "scheduled")
  })

  it("CPS-1 only the last second's initiations are kept: a generous cps does not make the state grow with history", () => {
    const h = new Harness({ cps: 1_000 })
    h.add("early", { ...observed, role: "Agent", from: FROM, to: numbers(5).join("<") })
    assert.strictEqual(h.state.cps.recent.length, 5)
    h.advance(2_000)
    h.add("later", { ...observed, role: "Agent", from: FROM, to: numbers(3, 300).join("<") })
    // The five of two seconds ago no longer count, and are gone.
    assert.deepStrictEqual(h.state.cps.recent, [T0 + 2_000, T0 + 2_000, T0 + 2_000])
  })
})
