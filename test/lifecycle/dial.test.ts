/**
 * DIAL-1..DIAL-4: dialling out, one leg per destination, `delay_dial`, `ring_timeout` and the ways a
 * leg ends before it is answered.
 */
import { assert, describe, it } from "@effect/vitest"
import { Timers } from "@mpc-kit/domain"
import { added, type Cmd, callbacks, FROM, Harness, observed, ofTag, T0 } from "../support/Harness.js"

const A = "+12025550111"
const B = "+12025550122"
const C = "+12025550133"

/** The call-status callbacks of one call, in order. */
const callEvents = (commands: ReadonlyArray<Cmd>, callUuid: string) =>
  callbacks(commands, "call").filter((c) => c.params.CallUUID === callUuid)

const dialsOf = (commands: ReadonlyArray<Cmd>, callUuid: string) =>
  ofTag(commands, "DialLeg").filter((c) => c.callUuid === callUuid)

describe("DIAL-1 one leg per destination", () => {
  it("DIAL-1 dials every destination with from as caller ID and lists {to, from, call_uuid} in order", () => {
    const h = new Harness()
    const r = h.add("room", {
      role: "Agent",
      from: FROM,
      to: `${A}<sip:alice@example.com`,
      caller_name: "Support Desk",
      sip_headers: "Team=Sales<Team=Support,Tier=2"
    })
    assert.isUndefined(r.refused)
    assert.strictEqual(r.response._tag, "Added")
    assert.strictEqual(r.legs.length, 2)
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    assert.notStrictEqual(a, b)
    assert.deepStrictEqual(added(r.response).legs, [
      { to: A, from: FROM, callUuid: a },
      { to: "sip:alice@example.com", from: FROM, callUuid: b }
    ])
    const mpc = h.mpc("room")
    assert.deepStrictEqual(ofTag(r.commands, "DialLeg"), [
      {
        _tag: "DialLeg",
        callUuid: a,
        mpcUuid: mpc.uuid,
        from: FROM,
        to: { _tag: "PhoneNumber", number: A },
        callerName: "Support Desk",
        sipHeaders: [{ name: "Team", value: "Sales" }]
      },
      {
        _tag: "DialLeg",
        callUuid: b,
        mpcUuid: mpc.uuid,
        from: FROM,
        to: { _tag: "SipUri", user: "alice", host: "example.com" },
        callerName: "Support Desk",
        sipHeaders: [
          { name: "Team", value: "Support" },
          { name: "Tier", value: "2" }
        ]
      }
    ])
    assert.strictEqual(h.call(a).from, FROM)
    assert.strictEqual(h.call(a).to, A)
    assert.strictEqual(h.call(b).to, "sip:alice@example.com")
    assert.strictEqual(h.call(a).state, "dialing")
    assert.strictEqual(h.call(b).state, "dialing")
  })

  it("DIAL-1 the caller name defaults to from and one header set applies to every destination", () => {
    const h = new Harness()
    const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}`, sip_headers: "Queue=7" })
    const dials = ofTag(r.commands, "DialLeg")
    assert.deepStrictEqual(
      dials.map((d) => [d.callUuid, d.from, d.callerName, d.sipHeaders]),
      [
        [r.legs[0]!, FROM, FROM, [{ name: "Queue", value: "7" }]],
        [r.legs[1]!, FROM, FROM, [{ name: "Queue", value: "7" }]]
      ]
    )
  })

  it("DIAL-1 the same events give the same call UUIDs and the same commands", () => {
    const run = () => {
      const h = new Harness()
      const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}<${C}` })
      h.pickUp(r.legs[1]!)
      h.advance(60_000)
      return h.commands()
    }
    const first = run()
    const second = run()
    assert.isAbove(first.length, 10)
    assert.deepStrictEqual(second, first)
  })
})

describe("DIAL-2 delay_dial", () => {
  it("DIAL-2 dials a destination with delay_dial 10 exactly 10 s after its initiation, not before", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: A, delay_dial: 10 })
    const leg = r.legs[0]!
    assert.deepStrictEqual(dialsOf(r.commands, leg), [])
    assert.strictEqual(h.call(leg).state, "scheduled")
    assert.strictEqual(h.call(leg).initiatedAt, T0)
    assert.strictEqual(Timers.get(h.timers, `delay:${leg}`), T0 + 10_000)
    // Initiated at once (CPS-1), dialled later.
    assert.deepStrictEqual(
      callEvents(r.commands, leg).map((c) => c.event),
      ["Initiated"]
    )

    const early = h.advance(9_999)
    assert.deepStrictEqual(
      dialsOf(
        early.flatMap((e) => [...e.result.commands]),
        leg
      ),
      []
    )
    assert.strictEqual(h.call(leg).state, "scheduled")

    const onTime = h.advance(1)
    assert.strictEqual(h.now, T0 + 10_000)
    const dials = dialsOf(
      onTime.flatMap((e) => [...e.result.commands]),
      leg
    )
    assert.strictEqual(dials.length, 1)
    assert.deepStrictEqual(dials[0]!.to, { _tag: "PhoneNumber", number: A })
    assert.strictEqual(h.call(leg).state, "dialing")
    assert.strictEqual(dialsOf(h.commands(), leg).length, 1)
  })

  it("DIAL-2 several delays apply in destination order", () => {
    const h = new Harness({ cps: 3 })
    const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}<${C}`, delay_dial: "0<5<12" })
    const [a, b, c] = [r.legs[0]!, r.legs[1]!, r.legs[2]!]
    assert.deepStrictEqual(
      ofTag(r.commands, "DialLeg").map((d) => d.callUuid),
      [a]
    )
    const dialTimes = new Map<string, number>()
    for (const t of [4_999, 5_000, 11_999, 12_000]) {
      for (const e of h.advanceTo(T0 + t)) {
        for (const d of ofTag(e.result.commands, "DialLeg")) dialTimes.set(d.callUuid, h.now)
      }
    }
    assert.deepStrictEqual(
      [...dialTimes.entries()],
      [
        [b, T0 + 5_000],
        [c, T0 + 12_000]
      ]
    )
  })

  it("DIAL-2 the delay counts from the leg's initiation when the leg waited in the CPS queue", () => {
    const h = new Harness({ cps: 1 })
    const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}`, delay_dial: 10 })
    const b = r.legs[1]!
    assert.strictEqual(h.call(b).state, "queued")
    h.advance(1_000)
    assert.strictEqual(h.call(b).initiatedAt, T0 + 1_000)
    assert.strictEqual(h.call(b).delayAt, T0 + 11_000)
    h.advanceTo(T0 + 10_999)
    assert.strictEqual(dialsOf(h.commands(), b).length, 0)
    h.advanceTo(T0 + 11_000)
    assert.strictEqual(dialsOf(h.commands(), b).length, 1)
  })
})

describe("DIAL-3 ring_timeout", () => {
  it("DIAL-3 hangs an unanswered leg up with Ring Timeout Reached 6010 exactly at ring_timeout", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: A, ring_timeout: 15 })
    const leg = r.legs[0]!
    assert.strictEqual(Timers.get(h.timers, `ring:${leg}`), T0 + 15_000)
    h.advance(3_000)
    h.ring(leg)

    const before = h.advanceTo(T0 + 14_999)
    assert.deepStrictEqual(
      before.flatMap((e) => ofTag(e.result.commands, "HangupCall")),
      []
    )
    assert.strictEqual(h.call(leg).state, "ringing")

    const at = h.advanceTo(T0 + 15_000)
    const commands = at.flatMap((e) => [...e.result.commands])
    assert.deepStrictEqual(ofTag(commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: leg, cause: "Ring Timeout Reached", code: 6010, source: "Plivo" }
    ])
    const call = h.call(leg)
    assert.strictEqual(call.state, "ended")
    assert.strictEqual(call.endedAt, T0 + 15_000)
    assert.deepStrictEqual(call.hangup, { cause: "Ring Timeout Reached", code: 6010, source: "Plivo" })
    const hangup = callEvents(commands, leg)
    assert.deepStrictEqual(
      hangup.map((c) => [c.event, c.params.PlivoHangupCause, c.params.PlivoHangupCauseCode]),
      [["Hangup", "Ring Timeout Reached", "6010"]]
    )
    assert.deepStrictEqual(
      callEvents(h.commands(), leg).map((c) => c.event),
      ["Initiated", "Ringing", "Hangup"]
    )
  })

  it("DIAL-3 a delayed destination rings for ring_timeout − delay_dial", () => {
    const h = new Harness()
    const r = h.add("room", {
      role: "Agent",
      from: FROM,
      to: `${A}<${B}`,
      delay_dial: "0<10",
      ring_timeout: 20
    })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    assert.strictEqual(Timers.get(h.timers, `ring:${a}`), T0 + 20_000)
    assert.strictEqual(Timers.get(h.timers, `ring:${b}`), T0 + 20_000)
    h.ring(a)
    h.advanceTo(T0 + 10_000)
    assert.strictEqual(dialsOf(h.commands(), b).length, 1)
    h.ring(b)
    assert.strictEqual(h.call(b).ringingAt, T0 + 10_000)
    h.advanceTo(T0 + 19_999)
    assert.strictEqual(h.call(b).state, "ringing")
    h.advanceTo(T0 + 20_000)
    assert.strictEqual(h.call(b).state, "ended")
    assert.strictEqual(h.call(b).endedAt! - h.call(b).ringingAt!, 10_000)
    assert.deepStrictEqual(h.call(b).hangup, { cause: "Ring Timeout Reached", code: 6010, source: "Plivo" })
    assert.deepStrictEqual(h.call(a).hangup, { cause: "Ring Timeout Reached", code: 6010, source: "Plivo" })
  })

  it("DIAL-3 the ring timeout of a leg that waited in the CPS queue counts from its initiation", () => {
    const h = new Harness({ cps: 1 })
    const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}`, ring_timeout: 15 })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    h.advance(1_000)
    assert.strictEqual(h.call(b).initiatedAt, T0 + 1_000)
    assert.strictEqual(Timers.get(h.timers, `ring:${b}`), T0 + 16_000)
    h.advanceTo(T0 + 15_000)
    assert.strictEqual(h.call(a).state, "ended")
    assert.strictEqual(h.call(b).state, "dialing")
    h.advanceTo(T0 + 16_000)
    assert.strictEqual(h.call(b).state, "ended")
    assert.strictEqual(h.call(b).hangup?.code, 6010)
  })

  it("DIAL-3 a destination whose delay is not shorter than its ring timeout is never dialled and ends at the ring timeout", () => {
    const h = new Harness({ cps: 3 })
    const r = h.add("room", {
      ...observed,
      role: "Agent",
      from: FROM,
      to: `${A}<${B}<${C}`,
      delay_dial: "0<20<30",
      ring_timeout: 20
    })
    const [a, b, c] = [r.legs[0]!, r.legs[1]!, r.legs[2]!]
    h.ring(a)
    assert.isUndefined(Timers.get(h.timers, `delay:${b}`))
    assert.isUndefined(Timers.get(h.timers, `delay:${c}`))
    assert.strictEqual(h.call(b).state, "scheduled")
    assert.strictEqual(h.call(c).state, "scheduled")
    h.advanceTo(T0 + 19_999)
    assert.strictEqual(h.call(b).state, "scheduled")
    const end = h.advanceTo(T0 + 20_000)
    const commands = end.flatMap((e) => [...e.result.commands])
    for (const leg of [b, c]) {
      assert.strictEqual(h.call(leg).state, "ended")
      assert.strictEqual(h.call(leg).endedAt, T0 + 20_000)
      assert.deepStrictEqual(h.call(leg).hangup, {
        cause: "Ring Timeout Reached",
        code: 6010,
        source: "Plivo"
      })
      assert.deepStrictEqual(
        callEvents(commands, leg).map((x) => [x.event, x.params.PlivoHangupCauseCode]),
        [["Hangup", "6010"]]
      )
    }
    // Only the dialled leg is hung up on the network.
    assert.deepStrictEqual(
      ofTag(commands, "HangupCall").map((x) => x.callUuid),
      [a]
    )
    h.advance(60_000)
    assert.deepStrictEqual(
      ofTag(h.commands(), "DialLeg").map((d) => d.callUuid),
      [a]
    )
  })
})

describe("DIAL-4 busy, rejected, no answer", () => {
  const cases = [
    { name: "busy", cause: "Busy Line", code: 3010 },
    { name: "rejected", cause: "Rejected", code: 3020 },
    { name: "no answer", cause: "No Answer", code: 3000 }
  ] as const

  for (const c of cases) {
    it(`DIAL-4 a ${c.name} leg ends with ${c.cause} ${c.code} and its Hangup call-status callback`, () => {
      const h = new Harness()
      const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}` })
      const [a, b] = [r.legs[0]!, r.legs[1]!]
      h.ring(a)
      h.ring(b)
      h.advance(2_000)
      const result =
        c.name === "busy"
          ? h.busy(a)
          : c.name === "rejected"
            ? h.reject(a)
            : h.send({ _tag: "LegNoAnswer", at: h.now, callUuid: a })
      assert.isUndefined(result.refused)
      // The network ended it: nothing to hang up.
      assert.deepStrictEqual(ofTag(result.commands, "HangupCall"), [])
      const call = h.call(a)
      assert.strictEqual(call.state, "ended")
      assert.strictEqual(call.endedAt, T0 + 2_000)
      assert.deepStrictEqual(call.hangup, { cause: c.cause, code: c.code, source: "Callee" })
      const cbs = callEvents(result.commands, a)
      assert.deepStrictEqual(
        cbs.map((x) => [
          x.event,
          x.params.PlivoHangupCause,
          x.params.PlivoHangupCauseCode,
          x.params.PlivoHangupSource,
          x.url
        ]),
        [["Hangup", c.cause, String(c.code), "Callee", "https://example.com/calls"]]
      )
      assert.deepStrictEqual(
        callEvents(h.commands(), a).map((x) => x.event),
        ["Initiated", "Ringing", "Hangup"]
      )
      // Its ring timer is gone, the other leg still rings.
      assert.isUndefined(Timers.get(h.timers, `ring:${a}`))
      assert.strictEqual(h.call(b).state, "ringing")
      // A second report for the ended leg is refused.
      assert.isDefined(h.busy(a).refused)
    })
  }
})
