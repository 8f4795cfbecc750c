/**
 * SOUND-1, SOUND-2: enter and exit sounds; DTMF-1: relayed digits; EXIT-1: the on-exit action.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  byName,
  type Cmd,
  callbackNames,
  callbacks,
  endMpc,
  Harness,
  join,
  kick,
  observed,
  ofTag
} from "../support/Harness.js"

const setup = () => new Harness({ cps: 10 })

/** Enter and exit sounds among the commands: beeps played and sound XML fetched. */
const sounds = (commands: ReadonlyArray<Cmd>) =>
  commands.filter(
    (c): c is Extract<Cmd, { _tag: "PlaySound" | "FetchXml" }> =>
      c._tag === "PlaySound" ||
      (c._tag === "FetchXml" && (c.purpose === "EnterSound" || c.purpose === "ExitSound"))
  )

describe("SOUND-1 enter and exit sounds", () => {
  it("SOUND-1 the default enter_sound is one beep on the bridge when the member enters", () => {
    const h = setup()
    const a = join(h, "snd1", "+14155551001", observed)
    assert.deepStrictEqual(sounds(a.answered.commands), [
      { _tag: "PlaySound", mpcUuid: a.mpcUuid, memberId: a.memberId, audio: { _tag: "Beep", count: 1 } }
    ])
    const b = join(h, "snd1", "+14155551002", { enter_sound: "beep:2" })
    assert.deepStrictEqual(sounds(b.answered.commands), [
      { _tag: "PlaySound", mpcUuid: a.mpcUuid, memberId: b.memberId, audio: { _tag: "Beep", count: 2 } }
    ])
  })

  it("SOUND-1 enter_sound none plays nothing", () => {
    const h = setup()
    const a = join(h, "snd1b", "+14155551001", { ...observed, enter_sound: "none" })
    assert.deepStrictEqual(sounds(a.answered.commands), [])
  })

  it("SOUND-1 an enter_sound URL is fetched as XML with its method, for the entering member", () => {
    const h = setup()
    const a = join(h, "snd1c", "+14155551001", {
      ...observed,
      enter_sound: "https://sounds.example.com/enter.xml",
      enter_sound_method: "POST"
    })
    assert.deepStrictEqual(sounds(a.answered.commands), [
      {
        _tag: "FetchXml",
        url: "https://sounds.example.com/enter.xml",
        method: "POST",
        purpose: "EnterSound",
        mpcUuid: a.mpcUuid,
        memberId: a.memberId
      }
    ])
    const b = join(h, "snd1c", "+14155551002", { enter_sound: "https://sounds.example.com/enter2.xml" })
    assert.deepStrictEqual(
      sounds(b.answered.commands).map((c) => (c._tag === "FetchXml" ? [c.url, c.method] : c._tag)),
      [["https://sounds.example.com/enter2.xml", "GET"]]
    )
  })

  it("SOUND-1 exit_sound (default two beeps) plays for the members who stay, even when the call hung up", () => {
    const h = setup()
    const a = join(h, "snd1d", "+14155551001", observed)
    const b = join(h, "snd1d", "+14155551002")
    const c = join(h, "snd1d", "+14155551003", { exit_sound: "https://sounds.example.com/bye.xml" })
    const d = join(h, "snd1d", "+14155551004", { exit_sound: "none" })
    const hungUp = h.hangup(b.leg)
    assert.deepStrictEqual(sounds(hungUp.commands), [
      { _tag: "PlaySound", mpcUuid: a.mpcUuid, memberId: b.memberId, audio: { _tag: "Beep", count: 2 } }
    ])
    const kicked = kick(h, "snd1d", c.memberId)
    assert.deepStrictEqual(sounds(kicked.commands), [
      {
        _tag: "FetchXml",
        url: "https://sounds.example.com/bye.xml",
        method: "GET",
        purpose: "ExitSound",
        mpcUuid: a.mpcUuid,
        memberId: c.memberId
      }
    ])
    // ExitSound after the member's ParticipantExit.
    assert.deepStrictEqual(
      kicked.commands.filter((x) => x._tag === "SendCallback" || x._tag === "FetchXml").map((x) => x._tag),
      ["SendCallback", "FetchXml"]
    )
    h.advance(1_000)
    const silent = h.hangup(d.leg)
    assert.deepStrictEqual(sounds(silent.commands), [])
  })

  it("SOUND-1 no exit sound when nobody stays to hear it", () => {
    const h = setup()
    const a = join(h, "snd1e", "+14155551001", { ...observed, stay_alone: true })
    const b = join(h, "snd1e", "+14155551002", { stay_alone: true })
    assert.deepStrictEqual(sounds(h.hangup(b.leg).commands).length, 1)
    // The last member leaves: nobody stays.
    assert.deepStrictEqual(sounds(h.hangup(a.leg).commands), [])
    // The MPC ended around its members: none of them stays either.
    const c = join(h, "snd1e2", "+14155551003", observed)
    join(h, "snd1e2", "+14155551004")
    assert.deepStrictEqual(sounds(endMpc(h, "snd1e2").commands), [])
    assert.strictEqual(h.mpcByUuid(c.mpcUuid).status, "Ended")
  })
  it("SOUND-1 no exit sound when the exit itself ends the MPC (end_mpc_on_exit, stay_alone): nobody stays", () => {
    const h = setup()
    join(h, "snd1f", "+14155551001", observed)
    const ender = join(h, "snd1f", "+14155551002", { end_mpc_on_exit: true })
    join(h, "snd1f", "+14155551003")
    const ended = h.hangup(ender.leg)
    assert.strictEqual(h.mpcByUuid(ender.mpcUuid).status, "Ended")
    assert.deepStrictEqual(sounds(ended.commands), [])

    join(h, "snd1g", "+14155551004", observed)
    const b = join(h, "snd1g", "+14155551005")
    const alone = h.hangup(b.leg)
    assert.strictEqual(h.mpcByUuid(b.mpcUuid).termination?.code, 1010)
    assert.deepStrictEqual(sounds(alone.commands), [])
  })
})

describe("SOUND-2 no sounds for a coaching supervisor", () => {
  it("SOUND-2 a Supervisor in coach mode gets neither enter nor exit sound", () => {
    const h = setup()
    join(h, "snd2", "+14155551001", observed)
    join(h, "snd2", "+14155551002", { role: "Customer" })
    const s = join(h, "snd2", "+14155551003", {
      role: "Supervisor",
      enter_sound: "beep:2",
      exit_sound: "https://sounds.example.com/bye.xml"
    })
    assert.strictEqual(s.member.coachMode, true)
    assert.deepStrictEqual(sounds(s.answered.commands), [])
    const gone = h.hangup(s.leg)
    assert.deepStrictEqual(callbackNames(gone.commands, "status"), ["ParticipantExit"])
    assert.deepStrictEqual(sounds(gone.commands), [])
  })

  it("SOUND-2 a Supervisor with coach_mode false gets both sounds", () => {
    const h = setup()
    const a = join(h, "snd2b", "+14155551001", observed)
    join(h, "snd2b", "+14155551002", { role: "Customer" })
    const s = join(h, "snd2b", "+14155551003", { role: "Supervisor", coach_mode: false })
    assert.deepStrictEqual(sounds(s.answered.commands), [
      { _tag: "PlaySound", mpcUuid: a.mpcUuid, memberId: s.memberId, audio: { _tag: "Beep", count: 1 } }
    ])
    const gone = h.hangup(s.leg)
    assert.deepStrictEqual(sounds(gone.commands), [
      { _tag: "PlaySound", mpcUuid: a.mpcUuid, memberId: s.memberId, audio: { _tag: "Beep", count: 2 } }
    ])
  })

  it("SOUND-2 it is the coach mode at the time of the exit that counts", () => {
    const h = setup()
    join(h, "snd2c", "+14155551001", observed)
    join(h, "snd2c", "+14155551002", { role: "Customer" })
    const coach = join(h, "snd2c", "+14155551003", { role: "Supervisor" })
    const open = join(h, "snd2c", "+14155551004", { role: "Supervisor", coach_mode: false })
    const upd = (memberId: string, coachMode: boolean) =>
      h.send({
        _tag: "UpdateMember",
        at: h.now,
        apiId: h.apiId(),
        mpc: byName("snd2c"),
        member: [memberId],
        coachMode
      })
    upd(coach.memberId, false)
    upd(open.memberId, true)
    assert.deepStrictEqual(
      sounds(h.hangup(coach.leg).commands).map((c) => c.memberId),
      [coach.memberId]
    )
    assert.deepStrictEqual(sounds(h.hangup(open.leg).commands), [])
  })
})

describe("DTMF-1 relayed digits", () => {
  it("DTMF-1 with relay_dtmf_inputs the digits go to the other members' calls, and raise ParticipantDigitInput", () => {
    const h = setup()
    const a = join(h, "dtmf1", "+14155551001", { ...observed, relay_dtmf_inputs: true })
    const b = join(h, "dtmf1", "+14155551002", { role: "Customer" })
    const c = join(h, "dtmf1", "+14155551003", { role: "Customer" })
    const pressed = h.press(a.leg, "12#")
    assert.deepStrictEqual(ofTag(pressed.commands, "RelayDigits"), [
      {
        _tag: "RelayDigits",
        mpcUuid: a.mpcUuid,
        fromMemberId: a.memberId,
        digits: "12#",
        toCallUuids: [b.leg, c.leg]
      }
    ])
    const input = callbacks(pressed.commands, "status")
    assert.deepStrictEqual(
      input.map((x) => [x.event, x.params.DigitInput, x.params.MemberID, x.params.ParticipantCallUUID]),
      [["ParticipantDigitInput", "12#", a.memberId, a.leg]]
    )
  })

  it("DTMF-1 without relay_dtmf_inputs nothing is relayed, and the callback is still sent when subscribed", () => {
    const h = setup()
    join(h, "dtmf1b", "+14155551001", { ...observed, relay_dtmf_inputs: true })
    const b = join(h, "dtmf1b", "+14155551002", { role: "Customer" })
    const pressed = h.press(b.leg, "5")
    assert.deepStrictEqual(ofTag(pressed.commands, "RelayDigits"), [])
    assert.deepStrictEqual(
      callbacks(pressed.commands, "status").map((x) => [x.event, x.params.DigitInput, x.params.MemberID]),
      [["ParticipantDigitInput", "5", b.memberId]]
    )
  })

  it("DTMF-1 without participant-digit-input-events no ParticipantDigitInput is sent (digits are still relayed)", () => {
    const h = setup()
    const a = join(h, "dtmf1c", "+14155551001", {
      status_callback_url: observed.status_callback_url,
      relay_dtmf_inputs: true
    })
    const b = join(h, "dtmf1c", "+14155551002", { role: "Customer" })
    const pressed = h.press(a.leg, "*9")
    assert.deepStrictEqual(callbacks(pressed.commands), [])
    assert.deepStrictEqual(
      ofTag(pressed.commands, "RelayDigits").map((x) => x.toCallUuids),
      [[b.leg]]
    )
  })
})

describe("EXIT-1 on_exit_action_url", () => {
  it("EXIT-1 a kicked member with on_exit_action_url leaves the MPC alive: Unbridge and the on-exit XML, no hangup", () => {
    const h = setup()
    const a = join(h, "exit1", "+14155551001", observed)
    const b = join(h, "exit1", "+14155551002", {
      role: "Customer",
      on_exit_action_url: "https://app.example.com/after-mpc"
    })
    join(h, "exit1", "+14155551003", { role: "Customer" })
    const kicked = kick(h, "exit1", b.memberId)
    assert.deepStrictEqual(ofTag(kicked.commands, "HangupCall"), [])
    assert.deepStrictEqual(ofTag(kicked.commands, "Unbridge"), [
      { _tag: "Unbridge", callUuid: b.leg, mpcUuid: a.mpcUuid, memberId: b.memberId }
    ])
    assert.deepStrictEqual(
      ofTag(kicked.commands, "FetchXml").filter((c) => c.purpose === "OnExitAction"),
      [
        {
          _tag: "FetchXml",
          url: "https://app.example.com/after-mpc",
          method: "POST",
          purpose: "OnExitAction",
          mpcUuid: a.mpcUuid,
          callUuid: b.leg
        }
      ]
    )
    const exit = callbacks(kicked.commands, "status").find((c) => c.event === "ParticipantExit")!
    assert.strictEqual(exit.params.ParticipantExitCause, "Kicked Out Of Multiparty Call")
    assert.strictEqual(h.mpc("exit1").members.length, 2)
  })

  it("EXIT-1 when the MPC is ended by API, members with on_exit_action_url get their XML, the others are hung up", () => {
    const h = setup()
    const a = join(h, "exit1b", "+14155551001", {
      ...observed,
      on_exit_action_url: "https://app.example.com/agent-next",
      on_exit_action_method: "GET"
    })
    const b = join(h, "exit1b", "+14155551002", { role: "Customer" })
    const ended = endMpc(h, "exit1b")
    assert.deepStrictEqual(ofTag(ended.commands, "Unbridge"), [
      { _tag: "Unbridge", callUuid: a.leg, mpcUuid: a.mpcUuid, memberId: a.memberId }
    ])
    assert.deepStrictEqual(ofTag(ended.commands, "FetchXml"), [
      {
        _tag: "FetchXml",
        url: "https://app.example.com/agent-next",
        method: "GET",
        purpose: "OnExitAction",
        mpcUuid: a.mpcUuid,
        callUuid: a.leg
      }
    ])
    assert.deepStrictEqual(ofTag(ended.commands, "HangupCall"), [
      {
        _tag: "HangupCall",
        callUuid: b.leg,
        cause: "Multiparty Call Ended",
        code: 4020,
        source: "API Request"
      }
    ])
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
  })

  it("EXIT-1 not requested when the member's call hung up", () => {
    const h = setup()
    const a = join(h, "exit1c", "+14155551001", observed)
    const b = join(h, "exit1c", "+14155551002", {
      role: "Customer",
      on_exit_action_url: "https://app.example.com/after-mpc"
    })
    join(h, "exit1c", "+14155551003", { role: "Customer" })
    const gone = h.hangup(b.leg)
    assert.deepStrictEqual(
      ofTag(gone.commands, "FetchXml").filter((c) => c.purpose === "OnExitAction"),
      []
    )
    assert.deepStrictEqual(ofTag(gone.commands, "Unbridge"), [])
    assert.deepStrictEqual(ofTag(gone.commands, "HangupCall"), [])
    assert.deepStrictEqual(
      callbacks(gone.commands, "status")
        .filter((c) => c.event === "ParticipantExit")
        .map((c) => c.params.ParticipantExitCause),
      ["Normal Hangup"]
    )
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
  })
})
