/**
 * CONFIRM-1..CONFIRM-4: with `confirm_key`, the answering callee must press the key within 30 s.
 */
import { assert, describe, it } from "@effect/vitest"
import { Timers } from "@mpc-kit/domain"
import { type Cmd, callbacks, FROM, Harness, observed, ofTag, T0 } from "../support/Harness.js"

const A = "+12025550111"
const B = "+12025550122"

const confirmFailed = { cause: "Confirm Key Challenge Failed", code: 9110, source: "Plivo" } as const

const callEvents = (commands: ReadonlyArray<Cmd>, callUuid: string) =>
  callbacks(commands, "call").filter((c) => c.params.CallUUID === callUuid)

const flat = (entries: ReadonlyArray<{ readonly result: { readonly commands: ReadonlyArray<Cmd> } }>) =>
  entries.flatMap((e) => [...e.result.commands])

describe("CONFIRM-1 not bridged until the key is pressed", () => {
  it("CONFIRM-1 the answering callee hears the default prompt and joins only when it presses the key", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: A, confirm_key: "5" })
    const leg = r.legs[0]!
    const mpcUuid = h.mpc("room").uuid
    h.ring(leg)
    h.advance(3_000)
    const answered = h.answer(leg)
    assert.isUndefined(answered.refused)
    assert.deepStrictEqual(ofTag(answered.commands, "Bridge"), [])
    assert.deepStrictEqual(ofTag(answered.commands, "PlaySound"), [
      {
        _tag: "PlaySound",
        mpcUuid,
        callUuid: leg,
        audio: { _tag: "Speak", text: "Please enter 5 to accept the call." }
      }
    ])
    assert.deepStrictEqual(ofTag(answered.commands, "FetchXml"), [])
    assert.strictEqual(h.call(leg).state, "confirming")
    assert.deepStrictEqual(h.mpc("room").members, [])
    assert.deepStrictEqual(
      callEvents(answered.commands, leg).map((c) => c.event),
      ["Answered"]
    )

    h.advance(4_000)
    const pressed = h.press(leg, "5")
    assert.isUndefined(pressed.refused)
    const mpc = h.mpc("room")
    assert.deepStrictEqual(ofTag(pressed.commands, "Bridge"), [
      { _tag: "Bridge", callUuid: leg, mpcUuid, memberId: mpc.members[0]!.id }
    ])
    assert.strictEqual(h.call(leg).state, "in-mpc")
    assert.strictEqual(mpc.members[0]!.joinedAt, T0 + 7_000)
    assert.isUndefined(Timers.get(h.timers, `confirm:${leg}`))
  })

  it("CONFIRM-1 with confirm_key_sound_url the callee hears that XML instead", () => {
    const h = new Harness()
    const r = h.add("room", {
      role: "Agent",
      from: FROM,
      to: A,
      confirm_key: "#",
      confirm_key_sound_url: "https://example.com/confirm.xml"
    })
    const leg = r.legs[0]!
    const answered = h.pickUp(leg)
    assert.deepStrictEqual(ofTag(answered.commands, "FetchXml"), [
      {
        _tag: "FetchXml",
        url: "https://example.com/confirm.xml",
        method: "GET",
        purpose: "ConfirmKeySound",
        mpcUuid: h.mpc("room").uuid,
        callUuid: leg
      }
    ])
    assert.deepStrictEqual(ofTag(answered.commands, "PlaySound"), [])
    assert.strictEqual(h.call(leg).state, "confirming")
    h.press(leg, "#")
    assert.strictEqual(h.call(leg).state, "in-mpc")
  })

  it("CONFIRM-1 the prompt names the configured key and the sound method is honoured", () => {
    const h = new Harness()
    const spoken = h.pickUp(h.add("room", { role: "Agent", from: FROM, to: A, confirm_key: "*" }).legs[0]!)
    assert.deepStrictEqual(
      ofTag(spoken.commands, "PlaySound").map((p) => p.audio),
      [{ _tag: "Speak", text: "Please enter * to accept the call." }]
    )
    const fetched = h.pickUp(
      h.add("room2", {
        role: "Agent",
        from: FROM,
        to: B,
        confirm_key: "1",
        confirm_key_sound_url: "https://example.com/c.xml",
        confirm_key_sound_method: "POST"
      }).legs[0]!
    )
    assert.deepStrictEqual(
      ofTag(fetched.commands, "FetchXml").map((f) => [f.url, f.method, f.purpose]),
      [["https://example.com/c.xml", "POST", "ConfirmKeySound"]]
    )
  })
})

describe("CONFIRM-2 30 seconds to press the key", () => {
  it("CONFIRM-2 hangs up with 9110 exactly 30 s after answering and not one millisecond before", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: A, confirm_key: "5" })
    const leg = r.legs[0]!
    h.ring(leg)
    h.advanceTo(T0 + 2_000)
    const answered = h.answer(leg)
    assert.deepStrictEqual(
      ofTag(answered.commands, "SetTimer").filter((t) => t.timerId === `confirm:${leg}`),
      [{ _tag: "SetTimer", timerId: `confirm:${leg}`, at: T0 + 32_000 }]
    )
    assert.strictEqual(h.call(leg).confirmAt, T0 + 32_000)

    const early = h.advanceTo(T0 + 31_999)
    assert.deepStrictEqual(ofTag(flat(early), "HangupCall"), [])
    assert.strictEqual(h.call(leg).state, "confirming")

    // The confirm timer fired by hand before it is due is refused and changes nothing.
    const before = h.state
    const timersBefore = h.timers
    const forced = h.send({ _tag: "TimerFired", at: h.now, timerId: `confirm:${leg}` })
    assert.isDefined(forced.refused)
    assert.strictEqual(forced.refused?._tag, "TooEarly")
    assert.include(forced.refused!.message, String(T0 + 32_000))
    assert.deepStrictEqual(forced.commands, [])
    assert.strictEqual(h.state, before)
    assert.strictEqual(h.timers, timersBefore)
    assert.strictEqual(h.call(leg).state, "confirming")

    const due = h.advanceTo(T0 + 32_000)
    const commands = flat(due)
    assert.deepStrictEqual(ofTag(commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: leg, ...confirmFailed }
    ])
    assert.strictEqual(h.call(leg).state, "ended")
    assert.strictEqual(h.call(leg).endedAt, T0 + 32_000)
    assert.deepStrictEqual(h.call(leg).hangup, confirmFailed)
    assert.deepStrictEqual(
      callEvents(commands, leg).map((c) => [
        c.event,
        c.params.PlivoHangupCause,
        c.params.PlivoHangupCauseCode
      ]),
      [["Hangup", "Confirm Key Challenge Failed", "9110"]]
    )
    // Nobody joined: the request failed (RACE-4).
    assert.deepStrictEqual(
      callbacks(commands, "status")
        .filter((c) => c.event === "AddParticipantByAPIActionCompleted")
        .map((c) => c.params.RequestStatus),
      ["failure"]
    )
    assert.deepStrictEqual(ofTag(h.commands(), "Bridge"), [])
  })

  it("CONFIRM-2 the 30 s are not cut short by the ring timeout, which stops at the answer", () => {
    const h = new Harness()
    const leg = h.add("room", { role: "Agent", from: FROM, to: A, confirm_key: "5", ring_timeout: 15 })
      .legs[0]!
    h.ring(leg)
    h.advanceTo(T0 + 10_000)
    h.answer(leg)
    assert.isUndefined(Timers.get(h.timers, `ring:${leg}`))
    h.advanceTo(T0 + 39_999)
    assert.strictEqual(h.call(leg).state, "confirming")
    h.advanceTo(T0 + 40_000)
    assert.deepStrictEqual(h.call(leg).hangup, confirmFailed)
  })

  it("CONFIRM-2 a confirm timer fired after the key was pressed is refused", () => {
    const h = new Harness()
    const leg = h.add("room", { role: "Agent", from: FROM, to: A, confirm_key: "5" }).legs[0]!
    h.pickUp(leg)
    h.press(leg, "5")
    h.advance(30_000)
    const before = h.state
    const late = h.send({ _tag: "TimerFired", at: h.now, timerId: `confirm:${leg}` })
    assert.isDefined(late.refused)
    assert.strictEqual(h.state, before)
    assert.strictEqual(h.call(leg).state, "in-mpc")
  })
})

describe("CONFIRM-3 wrong keys are ignored", () => {
  it("CONFIRM-3 wrong keys change nothing and the 30 s keep running", () => {
    const h = new Harness()
    const leg = h.add("room", { ...observed, role: "Agent", from: FROM, to: A, confirm_key: "5" }).legs[0]!
    h.pickUp(leg)
    const timer = Timers.get(h.timers, `confirm:${leg}`)
    assert.strictEqual(timer, T0 + 30_000)
    for (const [at, digits] of [
      [5_000, "1"],
      [10_000, "#"],
      [20_000, "*"],
      [29_000, "9"]
    ] as const) {
      h.advanceTo(T0 + at)
      const wrong = h.press(leg, digits)
      assert.isUndefined(wrong.refused)
      assert.deepStrictEqual(wrong.commands, [])
      assert.strictEqual(h.call(leg).state, "confirming")
      assert.strictEqual(h.call(leg).confirmAt, T0 + 30_000)
      assert.strictEqual(Timers.get(h.timers, `confirm:${leg}`), T0 + 30_000)
    }
    h.advanceTo(T0 + 29_999)
    assert.strictEqual(h.call(leg).state, "confirming")
    h.advanceTo(T0 + 30_000)
    assert.deepStrictEqual(h.call(leg).hangup, confirmFailed)
    assert.deepStrictEqual(ofTag(h.commands(), "Bridge"), [])
  })

  it("CONFIRM-3 the right key after wrong ones still confirms within the 30 s", () => {
    const h = new Harness()
    const leg = h.add("room", { role: "Agent", from: FROM, to: A, confirm_key: "0" }).legs[0]!
    h.pickUp(leg)
    h.advance(10_000)
    h.press(leg, "7")
    h.advanceTo(T0 + 29_999)
    const pressed = h.press(leg, "0")
    assert.strictEqual(ofTag(pressed.commands, "Bridge").length, 1)
    assert.strictEqual(h.call(leg).state, "in-mpc")
    h.advance(60_000)
    assert.strictEqual(h.call(leg).state, "in-mpc")
    assert.isUndefined(h.call(leg).hangup)
  })
})

describe("CONFIRM-4 an unconfirmed answer has not won", () => {
  it("CONFIRM-4 the other legs keep ringing and another leg that confirms first wins", () => {
    const h = new Harness()
    const r = h.add("room", { ...observed, role: "Agent", from: FROM, to: `${A}<${B}`, confirm_key: "5" })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    h.ring(a)
    h.ring(b)
    h.advanceTo(T0 + 2_000)
    const first = h.answer(a)
    assert.deepStrictEqual(ofTag(first.commands, "HangupCall"), [])
    assert.strictEqual(h.call(a).state, "confirming")
    assert.strictEqual(h.call(b).state, "ringing")
    assert.strictEqual(Timers.get(h.timers, `ring:${b}`), T0 + 45_000)
    assert.strictEqual(h.mpc("room").requests.length, 1)

    h.advanceTo(T0 + 5_000)
    h.answer(b)
    assert.strictEqual(h.call(b).state, "confirming")
    assert.strictEqual(h.call(a).state, "confirming")

    h.advanceTo(T0 + 6_000)
    const won = h.press(b, "5")
    assert.deepStrictEqual(ofTag(won.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a, cause: "Lost Race", code: 9000, source: "Plivo" }
    ])
    assert.deepStrictEqual(
      h.mpc("room").members.map((m) => m.callUuid),
      [b]
    )
    assert.strictEqual(h.call(a).state, "ended")
    assert.isUndefined(Timers.get(h.timers, `confirm:${a}`))
    assert.isUndefined(Timers.get(h.timers, `confirm:${b}`))
    // The loser's key comes too late.
    assert.isDefined(h.press(a, "5").refused)
    assert.strictEqual(h.mpc("room").members.length, 1)
  })

  it("CONFIRM-4 a confirming leg that fails its challenge leaves the race to the legs still ringing", () => {
    const h = new Harness()
    const r = h.add("room", {
      role: "Agent",
      from: FROM,
      to: `${A}<${B}`,
      confirm_key: "5",
      ring_timeout: 60
    })
    const [a, b] = [r.legs[0]!, r.legs[1]!]
    h.ring(a)
    h.ring(b)
    h.answer(a)
    h.advanceTo(T0 + 30_000)
    assert.deepStrictEqual(h.call(a).hangup, confirmFailed)
    assert.strictEqual(h.call(b).state, "ringing")
    h.advanceTo(T0 + 40_000)
    h.answer(b)
    h.press(b, "5")
    assert.deepStrictEqual(
      h.mpc("room").members.map((m) => m.callUuid),
      [b]
    )
  })
})
