/**
 * XFER-1, XFER-2: adding an existing live call with `call_uuid`.
 */
import { assert, describe, it } from "@effect/vitest"
import { added, callbackNames, callbacks, Harness, observed, ofTag, T0 } from "../support/Harness.js"

const CALLER = "+12025550100"
const CALLED = "+12025550199"
const UNKNOWN = "01234567-89ab-4cde-8f01-23456789abcd"

describe("XFER-1 a live call is moved into the MPC", () => {
  it("XFER-1 joins at once and the response holds the call's own to, from and call_uuid", () => {
    const h = new Harness()
    h.advance(2_000)
    const uuid = h.createCall(CALLER, CALLED)
    assert.strictEqual(h.call(uuid).state, "answered")
    const r = h.add("room", { ...observed, role: "Customer", call_uuid: uuid })
    assert.isUndefined(r.refused)
    assert.strictEqual(r.response._tag, "Added")
    assert.deepStrictEqual(added(r.response).legs, [{ to: CALLED, from: CALLER, callUuid: uuid }])
    assert.strictEqual(added(r.response).queued, false)
    assert.isString(r.requestUuid)
    const mpc = h.mpc("room")
    assert.deepStrictEqual(ofTag(r.commands, "DialLeg"), [])
    assert.deepStrictEqual(ofTag(r.commands, "Bridge"), [
      { _tag: "Bridge", callUuid: uuid, mpcUuid: mpc.uuid, memberId: mpc.members[0]!.id }
    ])
    assert.deepStrictEqual(
      mpc.members.map((m) => [m.callUuid, m.role, m.direction, m.from, m.to, m.joinedAt]),
      [[uuid, "Customer", "inbound", CALLER, CALLED, T0 + 2_000]]
    )
    assert.deepStrictEqual(mpc.requests, [])
    assert.strictEqual(h.call(uuid).state, "in-mpc")
    const completed = callbacks(r.commands, "status").filter(
      (c) => c.event === "AddParticipantByAPIActionCompleted"
    )
    assert.deepStrictEqual(
      completed.map((c) => [c.params.RequestUUID, c.params.RequestStatus, c.params.ParticipantCallUUID]),
      [[r.requestUuid, "success", uuid]]
    )
  })

  it("XFER-1 an unknown call is a 404 and changes nothing", () => {
    const h = new Harness()
    const before = h.state
    const r = h.add("room", { role: "Agent", call_uuid: UNKNOWN })
    assert.isDefined(r.refused)
    assert.strictEqual(r.response._tag, "NotFound")
    assert.isString(r.refused?.message)
    assert.deepStrictEqual(
      r.commands.map((c) => c._tag),
      ["Respond"]
    )
    assert.strictEqual(h.state, before)
    assert.throws(() => h.mpc("room"))
  })

  it("XFER-1 an ended call is a 404", () => {
    const h = new Harness()
    const uuid = h.createCall(CALLER, CALLED)
    assert.isUndefined(h.hangup(uuid).refused)
    const before = h.state
    const r = h.add("room", { role: "Agent", call_uuid: uuid })
    assert.isDefined(r.refused)
    assert.strictEqual(r.response._tag, "NotFound")
    assert.strictEqual(h.state, before)
  })

  it("XFER-1 a call that left its MPC by hanging up is a 404", () => {
    const h = new Harness()
    const uuid = h.createCall(CALLER, CALLED)
    h.add("room", { role: "Agent", call_uuid: uuid })
    h.hangup(uuid)
    const r = h.add("other", { role: "Agent", call_uuid: uuid })
    assert.isDefined(r.refused)
    assert.strictEqual(r.response._tag, "NotFound")
  })

  it("XFER-1 a call already in an MPC is refused", () => {
    const h = new Harness()
    const uuid = h.createCall(CALLER, CALLED)
    h.add("room", { role: "Agent", call_uuid: uuid })
    const before = h.state
    for (const target of ["room", "other"]) {
      const r = h.add(target, { role: "Customer", call_uuid: uuid })
      assert.isDefined(r.refused)
      assert.strictEqual(r.response._tag, "NotAllowed")
      assert.strictEqual(h.state, before)
    }
    assert.deepStrictEqual(
      h.mpc("room").members.map((m) => m.callUuid),
      [uuid]
    )
    assert.throws(() => h.mpc("other"))
  })

  it("XFER-1 a leg still being dialled for a request cannot be transferred", () => {
    const h = new Harness()
    const dialled = h.add("room", { role: "Agent", from: CALLER, to: CALLED })
    const r = h.add("other", { role: "Agent", call_uuid: dialled.legs[0]! })
    assert.isDefined(r.refused)
    assert.strictEqual(r.response._tag, "NotAllowed")
    assert.strictEqual(h.call(dialled.legs[0]!).state, "dialing")
  })
})

describe("XFER-2 no call status callbacks for a transferred call", () => {
  it("XFER-2 sends no call-kind callback for the transferred call, even when it hangs up", () => {
    const h = new Harness()
    const uuid = h.createCall(CALLER, CALLED)
    const r = h.add("room", { ...observed, role: "Agent", call_uuid: uuid })
    assert.deepStrictEqual(callbacks(r.commands, "call"), [])
    // The status stream is live, so the absence above is meaningful.
    assert.deepStrictEqual(callbackNames(r.commands, "status"), [
      "MPCInitialized",
      "AddParticipantByAPIActionInitiated",
      "ParticipantJoin",
      "MPCStart",
      "AddParticipantByAPIActionCompleted"
    ])
    h.advance(20_000)
    const gone = h.hangup(uuid)
    assert.isUndefined(gone.refused)
    assert.include(callbackNames(gone.commands, "status"), "ParticipantExit")
    assert.deepStrictEqual(callbacks(gone.commands, "call"), [])
    assert.deepStrictEqual(callbacks(h.commands(), "call"), [])
    assert.deepStrictEqual(h.call(uuid).hangup, { cause: "Normal Hangup", code: 4000, source: "Callee" })
  })

  it("XFER-2 a dialled leg in the same MPC still gets its call callbacks", () => {
    const h = new Harness()
    const uuid = h.createCall(CALLER, CALLED)
    h.add("room", { ...observed, role: "Agent", call_uuid: uuid })
    const dialled = h.add("room", { ...observed, role: "Customer", from: CALLER, to: "+12025550177" })
    h.pickUp(dialled.legs[0]!)
    assert.deepStrictEqual(
      callbacks(h.commands(), "call").map((c) => [c.params.CallUUID, c.event]),
      [
        [dialled.legs[0]!, "Initiated"],
        [dialled.legs[0]!, "Ringing"],
        [dialled.legs[0]!, "Answered"]
      ]
    )
  })
})
