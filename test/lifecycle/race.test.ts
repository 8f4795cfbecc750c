/**
 * RACE-1..RACE-4: the first destination to answer joins, the others lose the race.
 */
import { assert, describe, it } from "@effect/vitest"
import { Timers } from "@mpc-kit/domain"
import { type Cmd, callbackNames, callbacks, FROM, Harness, observed, ofTag, T0 } from "../support/Harness.js"

const A = "+12025550111"
const B = "+12025550122"
const C = "+12025550133"

const lostRace = { cause: "Lost Race", code: 9000, source: "Plivo" } as const

const callEvents = (commands: ReadonlyArray<Cmd>, callUuid: string) =>
  callbacks(commands, "call").filter((c) => c.params.CallUUID === callUuid)

const statusEvent = (commands: ReadonlyArray<Cmd>, event: string) =>
  callbacks(commands, "status").filter((c) => c.event === event)

describe("RACE-1 the first to answer joins", () => {
  it("RACE-1 the first leg to answer joins and the second answer of the decided race is refused", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}` })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    h.ring(a)
    h.ring(b)
    h.advance(4_000)
    const won = h.answer(a)
    assert.isUndefined(won.refused)
    const mpc = h.mpc("room")
    assert.deepStrictEqual(ofTag(won.commands, "Bridge"), [
      { _tag: "Bridge", callUuid: a, mpcUuid: mpc.uuid, memberId: mpc.members[0]!.id }
    ])
    assert.deepStrictEqual(
      mpc.members.map((m) => [m.callUuid, m.to, m.role, m.joinedAt]),
      [[a, A, "Agent", T0 + 4_000]]
    )
    assert.strictEqual(h.call(a).state, "in-mpc")
    assert.strictEqual(h.call(a).memberId, mpc.members[0]!.id)
    const completed = statusEvent(won.commands, "AddParticipantByAPIActionCompleted")
    assert.deepStrictEqual(
      completed.map((c) => [c.params.RequestUUID, c.params.RequestStatus, c.params.ParticipantCallUUID]),
      [[r.requestUuid, "success", a]]
    )

    const before = h.state
    const late = h.answer(b)
    assert.isDefined(late.refused)
    assert.deepStrictEqual(late.commands, [])
    assert.strictEqual(h.state, before)
    assert.strictEqual(h.mpc("room").members.length, 1)
    assert.strictEqual(h.call(b).state, "ended")
    assert.deepStrictEqual(ofTag(h.commands(), "Bridge").length, 1)
    assert.deepStrictEqual(
      callbackNames(h.commands(), "status").filter((e) => e === "ParticipantJoin"),
      ["ParticipantJoin"]
    )
  })

  it("RACE-1 each request adds at most one participant, whichever of its legs answers", () => {
    const h = new Harness({ cps: 10 })
    const first = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}` })
    const second = h.add("room", { role: "Agent", from: FROM, to: `${C}<+12025550144` })
    h.pickUp(second.legs[1]!)
    h.pickUp(first.legs[0]!)
    const mpc = h.mpc("room")
    assert.deepStrictEqual(
      mpc.members.map((m) => [m.callUuid, m.requestUuid]),
      [
        [second.legs[1]!, second.requestUuid],
        [first.legs[0]!, first.requestUuid]
      ]
    )
    assert.deepStrictEqual(mpc.requests, [])
    for (const loser of [first.legs[1]!, second.legs[0]!]) {
      assert.isDefined(h.answer(loser).refused)
    }
    assert.strictEqual(h.mpc("room").members.length, 2)
  })
  it("RACE-1 whatever order three legs answer in, exactly the first one joins", () => {
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0]
    ] as const
    for (const order of orders) {
      const h = new Harness({ cps: 3 })
      const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}<${C}` })
      for (const leg of r.legs) h.ring(leg)
      const results = order.map((k) => h.answer(r.legs[k]!))
      assert.deepStrictEqual(
        results.map((x) => x.refused === undefined),
        [true, false, false],
        `order ${order.join(",")}`
      )
      assert.deepStrictEqual(
        h.mpc("room").members.map((m) => m.callUuid),
        [r.legs[order[0]]!]
      )
      assert.deepStrictEqual(
        r.legs.map((l) => h.call(l).hangup?.code),
        r.legs.map((_, k) => (k === order[0] ? undefined : 9000))
      )
    }
  })
})

describe("RACE-2 the losers are hung up", () => {
  it("RACE-2 hangs the losers up with Lost Race 9000 when the second destination answers first", () => {
    const h = new Harness({ cps: 3 })
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}<${C}` })
    const [a, b, c] = [r.legs[0]!, r.legs[1]!, r.legs[2]!]
    h.ring(a)
    h.ring(b)
    h.ring(c)
    h.advance(7_000)
    const won = h.answer(b)
    assert.deepStrictEqual(ofTag(won.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a, ...lostRace },
      { _tag: "HangupCall", callUuid: c, ...lostRace }
    ])
    for (const loser of [a, c]) {
      assert.deepStrictEqual(h.call(loser).hangup, lostRace)
      assert.strictEqual(h.call(loser).state, "ended")
      assert.strictEqual(h.call(loser).endedAt, T0 + 7_000)
      assert.deepStrictEqual(
        callEvents(won.commands, loser).map((x) => [
          x.event,
          x.params.PlivoHangupCause,
          x.params.PlivoHangupCauseCode,
          x.params.PlivoHangupSource
        ]),
        [["Hangup", "Lost Race", "9000", "Plivo"]]
      )
      // Their ring timers are cancelled.
      assert.isUndefined(Timers.get(h.timers, `ring:${loser}`))
      assert.deepStrictEqual(
        callEvents(h.commands(), loser).map((x) => x.event),
        ["Initiated", "Ringing", "Hangup"]
      )
    }
    assert.strictEqual(h.call(b).state, "in-mpc")
    assert.isUndefined(h.call(b).hangup)
    assert.deepStrictEqual(
      callEvents(won.commands, b).map((x) => x.event),
      ["Answered"]
    )
    // The losers are hung up before the winner is bridged.
    const tags = won.commands.map((x) => x._tag)
    assert.isBelow(tags.lastIndexOf("HangupCall"), tags.indexOf("Bridge"))
    // Nothing more happens to them later.
    const later = h.advance(60_000).flatMap((e) => [...e.result.commands])
    assert.deepStrictEqual(ofTag(later, "HangupCall"), [])
  })

  it("RACE-2 a leg that was still dialling (not yet ringing) loses the race too", () => {
    const h = new Harness()
    const r = h.add("room", { role: "Agent", from: FROM, to: `${A}<${B}` })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    h.ring(b)
    const won = h.answer(b)
    assert.deepStrictEqual(ofTag(won.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a, ...lostRace }
    ])
    assert.isDefined(h.ring(a).refused)
  })
})

describe("RACE-3 a delayed destination is never dialled once the race is decided", () => {
  it("RACE-3 never dials a destination whose delay had not elapsed when the race was decided", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}`, delay_dial: "0<10" })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    assert.strictEqual(Timers.get(h.timers, `delay:${b}`), T0 + 10_000)
    h.ring(a)
    h.advanceTo(T0 + 9_999)
    const won = h.answer(a)
    assert.deepStrictEqual(
      ofTag(won.commands, "CancelTimer").filter((x) => x.timerId === `delay:${b}`),
      [{ _tag: "CancelTimer", timerId: `delay:${b}` }]
    )
    assert.isUndefined(Timers.get(h.timers, `delay:${b}`))
    assert.isUndefined(Timers.get(h.timers, `ring:${b}`))
    assert.strictEqual(h.call(b).state, "ended")
    assert.deepStrictEqual(h.call(b).hangup, lostRace)
    // It never reached the network: nothing to hang up there.
    assert.deepStrictEqual(
      ofTag(won.commands, "HangupCall").map((x) => x.callUuid),
      []
    )
    assert.deepStrictEqual(
      callEvents(won.commands, b).map((x) => [x.event, x.params.PlivoHangupCauseCode]),
      [["Hangup", "9000"]]
    )

    h.advanceTo(T0 + 10_000)
    h.advance(120_000)
    assert.deepStrictEqual(
      ofTag(h.commands(), "DialLeg").map((x) => x.callUuid),
      [a]
    )
    // A delay timer fired by hand is refused: nothing is pending.
    assert.isDefined(h.send({ _tag: "TimerFired", at: h.now, timerId: `delay:${b}` }).refused)
  })
})

describe("RACE-4 every leg ended without a winner", () => {
  it("RACE-4 nobody joins, the request completes with failure and the empty MPC ends with No Active Participants 1000", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}` })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    const mpcUuid = h.mpc("room").uuid
    h.ring(a)
    h.ring(b)
    h.advance(3_000)
    const first = h.busy(a)
    assert.deepStrictEqual(statusEvent(first.commands, "AddParticipantByAPIActionCompleted"), [])
    assert.strictEqual(h.mpc("room").status, "Initialized")
    h.advance(2_000)
    const last = h.reject(b)
    assert.deepStrictEqual(
      statusEvent(last.commands, "AddParticipantByAPIActionCompleted").map((c) => [
        c.params.RequestUUID,
        c.params.RequestStatus,
        c.params.MemberID
      ]),
      [[r.requestUuid, "failure", undefined]]
    )
    assert.deepStrictEqual(callbackNames(last.commands, "status"), [
      "AddParticipantByAPIActionCompleted",
      "MPCEnd"
    ])
    const end = statusEvent(last.commands, "MPCEnd")[0]!
    assert.strictEqual(end.params.MPCTerminationCause, "No Active Participants")
    assert.strictEqual(end.params.MPCTerminationCauseCode, "1000")
    const mpc = h.mpcByUuid(mpcUuid)
    assert.strictEqual(mpc.status, "Ended")
    assert.strictEqual(mpc.endedAt, T0 + 5_000)
    assert.deepStrictEqual(mpc.termination, { cause: "No Active Participants", code: 1000 })
    assert.deepStrictEqual(mpc.members, [])
    assert.deepStrictEqual(mpc.requests, [])
    assert.deepStrictEqual(
      callbackNames(h.commands(), "status").filter((e) => e === "ParticipantJoin"),
      []
    )
    assert.isUndefined(Timers.get(h.timers, `maxdur:${mpcUuid}`))
  })

  it("RACE-4 a request whose legs all time out fails at the last ring timeout", () => {
    const h = new Harness()
    const r = h.add("room", {
      ...observed,
      role: "Agent",
      from: FROM,
      to: `${A}<${B}`,
      ring_timeout: "15<20"
    })
    const fired = h.advanceTo(T0 + 20_000)
    const commands = fired.flatMap((e) => [...e.result.commands])
    assert.deepStrictEqual(
      ofTag(commands, "HangupCall").map((x) => [x.callUuid, x.code]),
      [
        [r.legs[0]!, 6010],
        [r.legs[1]!, 6010]
      ]
    )
    const completed = fired.filter(
      (e) => statusEvent(e.result.commands, "AddParticipantByAPIActionCompleted").length > 0
    )
    assert.strictEqual(completed.length, 1)
    assert.strictEqual(completed[0]!.event.at, T0 + 20_000)
    assert.strictEqual(
      statusEvent(commands, "AddParticipantByAPIActionCompleted")[0]!.params.RequestStatus,
      "failure"
    )
  })

  it("RACE-4 [decision] the MPC ends only once no member and no open request is left", () => {
    const h = new Harness({ cps: 10 })
    const first = h.add("room", { ...observed, role: "Agent", from: FROM, to: A })
    const second = h.add("room", { ...observed, role: "Agent", from: FROM, to: B })
    const mpcUuid = h.mpc("room").uuid
    const one = h.busy(first.legs[0]!)
    assert.deepStrictEqual(callbackNames(one.commands, "status"), ["AddParticipantByAPIActionCompleted"])
    assert.strictEqual(h.mpc("room").status, "Initialized")
    assert.deepStrictEqual(
      h.mpc("room").requests.map((q) => q.uuid),
      [second.requestUuid]
    )
    h.advance(1_000)
    const two = h.busy(second.legs[0]!)
    assert.deepStrictEqual(callbackNames(two.commands, "status"), [
      "AddParticipantByAPIActionCompleted",
      "MPCEnd"
    ])
    assert.deepStrictEqual(h.mpcByUuid(mpcUuid).termination, { cause: "No Active Participants", code: 1000 })
    assert.strictEqual(h.mpcByUuid(mpcUuid).endedAt, T0 + 1_000)
    // The name is free again: a new request makes a new MPC (ADDR-2).
    h.add("room", { role: "Agent", from: FROM, to: C })
    assert.notStrictEqual(h.mpc("room").uuid, mpcUuid)
  })

  it("RACE-4 a failed request leaves an MPC that has a member alive", () => {
    const h = new Harness()
    const first = h.add("room", { ...observed, role: "Agent", from: FROM, to: A })
    h.pickUp(first.legs[0]!)
    const second = h.add("room", { ...observed, role: "Customer", from: FROM, to: B })
    const leg = second.legs[0]!
    h.ring(leg)
    const failed = h.send({ _tag: "LegNoAnswer", at: h.now, callUuid: leg })
    assert.deepStrictEqual(
      statusEvent(failed.commands, "AddParticipantByAPIActionCompleted").map((c) => [
        c.params.RequestUUID,
        c.params.RequestStatus
      ]),
      [[second.requestUuid, "failure"]]
    )
    assert.deepStrictEqual(statusEvent(failed.commands, "MPCEnd"), [])
    const mpc = h.mpc("room")
    assert.strictEqual(mpc.status, "Active")
    assert.deepStrictEqual(
      mpc.members.map((m) => m.callUuid),
      [first.legs[0]!]
    )
  })
})
