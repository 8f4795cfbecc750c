/**
 * LIFE-1..LIFE-11: the MPC lifecycle and its membership, as example runs of the rules engine.
 */
import { assert, describe, it } from "@effect/vitest"
import { Hearing } from "@mpc-kit/domain"
import {
  type Cmd,
  callbackNames,
  callbacks,
  FROM,
  Harness,
  join,
  kick,
  observed,
  ofTag,
  T0,
  update
} from "../support/Harness.js"

/** An account with room for several legs per second, so CPS-1 never delays these examples. */
const setup = () => new Harness({ cps: 10 })

/** What the commands do, in order, without timers and responses. */
const trace = (commands: ReadonlyArray<Cmd>): Array<string> =>
  commands.flatMap((c): Array<string> => {
    switch (c._tag) {
      case "SetTimer":
      case "CancelTimer":
      case "Respond":
        return []
      case "SendCallback":
        return [`${c.kind}:${c.event}`]
      case "StartMusic":
        return [`StartMusic:${c.music}`]
      case "HangupCall":
        return [`HangupCall:${c.code}`]
      case "PlaySound":
        return [`PlaySound:${c.audio._tag}`]
      case "FetchXml":
        return [`FetchXml:${c.purpose}`]
      default:
        return [c._tag]
    }
  })

/** The MPC-state callbacks (`MPCInitialized`, `MPCStart`, `MPCEnd`) sent so far for one MPC. */
const mpcEvents = (h: Harness, mpcUuid: string) =>
  callbacks(h.commands(), "status").filter((c) => c.mpcUuid === mpcUuid && c.event.startsWith("MPC"))

const termination = (h: Harness, mpcUuid: string) => {
  const end = mpcEvents(h, mpcUuid).find((c) => c.event === "MPCEnd")
  return end === undefined
    ? undefined
    : { cause: end.params.MPCTerminationCause, code: end.params.MPCTerminationCauseCode }
}

describe("LIFE-1 status", () => {
  it("LIFE-1 goes Initialized → Active → Ended with MPCInitialized, MPCStart, MPCEnd, in that order", () => {
    const h = setup()
    const added = h.add("life1", { role: "Agent", from: FROM, to: "+14155551001", ...observed })
    const mpcUuid = h.mpc("life1").uuid
    assert.strictEqual(h.mpcByUuid(mpcUuid).status, "Initialized")
    assert.deepStrictEqual(
      mpcEvents(h, mpcUuid).map((c) => c.event),
      ["MPCInitialized"]
    )
    h.advance(2_000)
    h.pickUp(added.legs[0]!)
    assert.strictEqual(h.mpcByUuid(mpcUuid).status, "Active")
    assert.strictEqual(h.mpcByUuid(mpcUuid).startedAt, T0 + 2_000)
    h.advance(30_000)
    h.hangup(added.legs[0]!)
    const ended = h.mpcByUuid(mpcUuid)
    assert.strictEqual(ended.status, "Ended")
    assert.strictEqual(ended.endedAt, T0 + 32_000)
    assert.deepStrictEqual(
      mpcEvents(h, mpcUuid).map((c) => [c.event, c.params.EventTimestamp]),
      [
        ["MPCInitialized", "2023-11-14 22:13:20+00:00"],
        ["MPCStart", "2023-11-14 22:13:22+00:00"],
        ["MPCEnd", "2023-11-14 22:13:52+00:00"]
      ]
    )
  })

  it("LIFE-1 never goes back: an ended MPC refuses API calls and its name makes a new MPC", () => {
    const h = setup()
    const first = join(h, "life1b", "+14155551001", observed)
    h.advance(5_000)
    h.hangup(first.leg)
    assert.strictEqual(h.mpcByUuid(first.mpcUuid).status, "Ended")

    const end = h.send({
      _tag: "EndMpc",
      at: h.now,
      apiId: h.apiId(),
      mpc: { _tag: "ByUuid", uuid: first.mpcUuid }
    })
    assert.deepStrictEqual(end.refused, {
      _tag: "NotFound",
      rule: "ADDR-1",
      fields: ["mpc"],
      message: `no ongoing multiparty call with uuid ${first.mpcUuid}`
    })
    assert.strictEqual(ofTag(end.commands, "Respond")[0]!.outcome, end.refused)
    const upd = h.send({
      _tag: "UpdateMember",
      at: h.now,
      apiId: h.apiId(),
      mpc: { _tag: "ByUuid", uuid: first.mpcUuid },
      member: "all",
      mute: true
    })
    assert.strictEqual(ofTag(upd.commands, "Respond")[0]!.outcome._tag, "NotFound")
    // A late network event for its (ended) call changes nothing either.
    assert.isDefined(h.hangup(first.leg).refused)

    const second = join(h, "life1b", "+14155551002", observed)
    assert.notStrictEqual(second.mpcUuid, first.mpcUuid)
    assert.strictEqual(h.mpcByUuid(first.mpcUuid).status, "Ended")
    assert.strictEqual(h.mpcByUuid(second.mpcUuid).status, "Active")
    assert.deepStrictEqual(
      mpcEvents(h, first.mpcUuid).map((c) => c.event),
      ["MPCInitialized", "MPCStart", "MPCEnd"]
    )
    assert.deepStrictEqual(
      mpcEvents(h, second.mpcUuid).map((c) => c.event),
      ["MPCInitialized", "MPCStart"]
    )
  })
})

describe("LIFE-2 start and wait music", () => {
  it("LIFE-2 a member with start_mpc_on_enter false waits with the wait music until a starter joins", () => {
    const h = setup()
    const wait = { url: "https://music.example.com/wait.xml", method: "GET" } as const
    const a = join(h, "life2", "+14155551001", {
      ...observed,
      start_mpc_on_enter: false,
      wait_music_url: wait.url
    })
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Initialized")
    assert.deepStrictEqual(trace(a.answered.commands), [
      "call:Answered",
      "Bridge",
      "status:ParticipantJoin",
      "PlaySound:Beep",
      "StartMusic:Wait",
      "status:ParticipantAudioPlayed",
      "status:AddParticipantByAPIActionCompleted"
    ])
    assert.deepStrictEqual(ofTag(a.answered.commands, "StartMusic"), [
      {
        _tag: "StartMusic",
        mpcUuid: a.mpcUuid,
        memberId: a.memberId,
        callUuid: a.leg,
        music: "Wait",
        source: wait
      }
    ])
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).members[0]!.music, "Wait")

    // A second waiting member: still no start, both hear the wait music.
    h.advance(10_000)
    const b = join(h, "life2", "+14155551002", { start_mpc_on_enter: false })
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Initialized")
    assert.deepStrictEqual(trace(b.answered.commands), [
      "Bridge",
      "status:ParticipantJoin",
      "PlaySound:Beep",
      "StartMusic:Wait",
      "status:ParticipantAudioPlayed",
      "status:AddParticipantByAPIActionCompleted"
    ])
    assert.notInclude(callbackNames(h.commands(), "status"), "MPCStart")

    // The starter joins: MPCStart, and the waiting members' music stops.
    h.advance(10_000)
    const c = join(h, "life2", "+14155551003")
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).startedAt, T0 + 20_000)
    assert.deepStrictEqual(trace(c.answered.commands), [
      "Bridge",
      "status:ParticipantJoin",
      "PlaySound:Beep",
      "status:MPCStart",
      "StopMusic",
      "status:ParticipantAudioStopped",
      "StopMusic",
      "status:ParticipantAudioStopped",
      "status:AddParticipantByAPIActionCompleted"
    ])
    assert.deepStrictEqual(ofTag(c.answered.commands, "StopMusic"), [
      { _tag: "StopMusic", mpcUuid: a.mpcUuid, memberId: a.memberId, callUuid: a.leg },
      { _tag: "StopMusic", mpcUuid: a.mpcUuid, memberId: b.memberId, callUuid: b.leg }
    ])
    assert.deepStrictEqual(
      h.mpcByUuid(a.mpcUuid).members.map((m) => m.music),
      [undefined, undefined, undefined]
    )
  })

  it("LIFE-2 without wait_music_url the wait music has no source (Plivo's default music)", () => {
    const h = setup()
    const a = join(h, "life2b", "+14155551001", { start_mpc_on_enter: false })
    assert.deepStrictEqual(ofTag(a.answered.commands, "StartMusic"), [
      { _tag: "StartMusic", mpcUuid: a.mpcUuid, memberId: a.memberId, callUuid: a.leg, music: "Wait" }
    ])
  })

  it("LIFE-2 a member with start_mpc_on_enter true starts the MPC at once and hears no music", () => {
    const h = setup()
    const a = join(h, "life2c", "+14155551001", observed)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    assert.deepStrictEqual(ofTag(a.answered.commands, "StartMusic"), [])
    assert.deepStrictEqual(callbackNames(a.answered.commands, "status"), [
      "ParticipantJoin",
      "MPCStart",
      "AddParticipantByAPIActionCompleted"
    ])
    // A later member that would not start it joins an active MPC: no wait music for it.
    const b = join(h, "life2c", "+14155551002", { start_mpc_on_enter: false })
    assert.deepStrictEqual(ofTag(b.answered.commands, "StartMusic"), [])
    assert.strictEqual(b.member.music, undefined)
  })
})

describe("LIFE-3 music URLs are passed on", () => {
  it("LIFE-3 wait and hold music URLs go out as the music source with their methods, never fetched by the domain", () => {
    const h = setup()
    const wait = { url: "https://music.example.com/wait", method: "POST" } as const
    const agentHold = { url: "https://music.example.com/agent-hold", method: "GET" } as const
    const customerHold = { url: "https://music.example.com/customer-hold", method: "POST" } as const
    const a = join(h, "life3", "+14155551001", {
      start_mpc_on_enter: false,
      wait_music_url: wait.url,
      wait_music_method: "post",
      agent_hold_music_url: agentHold.url,
      customer_hold_music_url: customerHold.url,
      customer_hold_music_method: "POST"
    })
    const b = join(h, "life3", "+14155551002", { role: "Customer", hold: true })
    update(h, "life3", a.memberId, { hold: true })
    const music = ofTag(h.commands(), "StartMusic").map((c) => [c.memberId, c.music, c.source])
    assert.deepStrictEqual(music, [
      [a.memberId, "Wait", wait],
      [b.memberId, "CustomerHold", customerHold],
      [a.memberId, "AgentHold", agentHold]
    ])
    // The domain only passes the URLs on: nothing fetches them, nothing can fail over them.
    const musicUrls: ReadonlyArray<string> = [wait.url, agentHold.url, customerHold.url]
    assert.deepStrictEqual(
      ofTag(h.commands(), "FetchXml").filter((c) => musicUrls.includes(c.url)),
      []
    )
    assert.deepStrictEqual(
      h.log.filter((e) => e.result.refused !== undefined),
      []
    )
    assert.strictEqual(h.mpc("life3").status, "Active")
  })
})

describe("LIFE-4 max_participants", () => {
  it("LIFE-4 a request when the MPC is full is refused (NotAllowed) and changes nothing", () => {
    const h = setup()
    const a = join(h, "life4", "+14155551001", { ...observed, max_participants: 2 })
    join(h, "life4", "+14155551002")
    const before = h.state
    const result = h.add("life4", { role: "Customer", from: FROM, to: "+14155551003" })
    const apiId = ofTag(result.commands, "Respond")[0]!.apiId
    const error = "multiparty call life4 is full: it has its max_participants of 2"
    const refused = { _tag: "NotAllowed", rule: "LIFE-4", fields: ["mpc"], message: error } as const
    assert.deepStrictEqual(result.refused, refused)
    assert.deepStrictEqual(result.commands, [{ _tag: "Respond", apiId, outcome: refused }])
    assert.deepStrictEqual(result.legs, [])
    assert.strictEqual(h.state, before)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).members.length, 2)
  })

  it("LIFE-4 a winner that answers after the MPC filled meanwhile is hung up and does not join", () => {
    const h = setup()
    const a = join(h, "life4b", "+14155551001", { ...observed, max_participants: 2 })
    const b = h.add("life4b", { role: "Customer", from: FROM, to: "+14155551002" })
    const c = h.add("life4b", {
      role: "Customer",
      from: FROM,
      to: "+14155551003",
      call_status_callback_url: observed.call_status_callback_url
    })
    h.ring(b.legs[0]!)
    h.ring(c.legs[0]!)
    h.advance(3_000)
    h.answer(b.legs[0]!)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).members.length, 2)
    h.advance(1_000)
    const late = h.answer(c.legs[0]!)
    assert.strictEqual(late.refused, undefined)
    assert.deepStrictEqual(ofTag(late.commands, "HangupCall"), [
      {
        _tag: "HangupCall",
        callUuid: c.legs[0]!,
        cause: "Max Participants Reached",
        code: 9100,
        source: "Plivo"
      }
    ])
    assert.deepStrictEqual(ofTag(late.commands, "Bridge"), [])
    assert.deepStrictEqual(
      callbacks(late.commands, "call").map((x) => [
        x.event,
        x.params.PlivoHangupCause,
        x.params.PlivoHangupCauseCode
      ]),
      [
        ["Answered", null, null],
        ["Hangup", "Max Participants Reached", "9100"]
      ]
    )
    assert.deepStrictEqual(
      callbacks(late.commands, "status").map((x) => [x.event, x.params.RequestUUID, x.params.RequestStatus]),
      [["AddParticipantByAPIActionCompleted", c.requestUuid, "failure"]]
    )
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.deepStrictEqual(
      mpc.members.map((m) => m.callUuid),
      [a.leg, b.legs[0]!]
    )
    assert.strictEqual(h.call(c.legs[0]!).state, "ended")
  })
})

describe("LIFE-5 max_duration", () => {
  it("LIFE-5 the MPC ends with Max Duration Reached 2000 exactly max_duration after its creation", () => {
    const h = setup()
    const a = join(h, "life5", "+14155551001", { ...observed, max_duration: 300 })
    h.advance(5_000)
    const b = join(h, "life5", "+14155551002", { max_duration: 900 })
    h.advanceTo(T0 + 299_999)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    const fired = h.advanceTo(T0 + 300_000)
    assert.deepStrictEqual(
      fired.map((f) => f.event),
      [{ _tag: "TimerFired", at: T0 + 300_000, timerId: `maxdur:${a.mpcUuid}` }]
    )
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.strictEqual(mpc.status, "Ended")
    assert.strictEqual(mpc.endedAt, T0 + 300_000)
    assert.deepStrictEqual(mpc.termination, { cause: "Max Duration Reached", code: 2000 })
    const commands = fired[0]!.result.commands
    assert.deepStrictEqual(ofTag(commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" },
      { _tag: "HangupCall", callUuid: b.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" }
    ])
    const end = callbacks(commands, "status").find((c) => c.event === "MPCEnd")!
    assert.strictEqual(end.params.MPCTerminationCause, "Max Duration Reached")
    assert.strictEqual(end.params.MPCTerminationCauseCode, "2000")
    assert.strictEqual(end.params.MPCDuration, "300")
    assert.strictEqual(end.params.MPCEndTime, "2023-11-14 22:18:20+00:00")
    assert.deepStrictEqual(
      callbacks(commands, "status")
        .filter((c) => c.event === "ParticipantExit")
        .map((c) => [c.params.ParticipantCallUUID, c.params.ParticipantExitCause]),
      [
        [a.leg, "Multiparty Call Ended"],
        [b.leg, "Multiparty Call Ended"]
      ]
    )
  })
  it("LIFE-5 legs still ringing for the MPC are hung up when max_duration elapses", () => {
    const h = setup()
    const a = join(h, "life5b", "+14155551001", { ...observed, max_duration: 300 })
    h.advanceTo(T0 + 290_000)
    const pending = h.add("life5b", { role: "Customer", from: FROM, to: "+14155551002" })
    h.ring(pending.legs[0]!)
    const fired = h.advanceTo(T0 + 300_000)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
    assert.deepStrictEqual(ofTag(fired[0]!.result.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" },
      {
        _tag: "HangupCall",
        callUuid: pending.legs[0]!,
        cause: "Multiparty Call Ended",
        code: 4020,
        source: "Plivo"
      }
    ])
    assert.deepStrictEqual(
      callbacks(fired[0]!.result.commands, "status")
        .filter((c) => c.event === "AddParticipantByAPIActionCompleted")
        .map((c) => [c.params.RequestUUID, c.params.RequestStatus]),
      [[pending.requestUuid, "failure"]]
    )
  })
})

describe("LIFE-6 end_mpc_on_exit", () => {
  it("LIFE-6 the exit of a member with end_mpc_on_exit ends the MPC; the others' calls end with 4020", () => {
    const h = setup()
    const a = join(h, "life6", "+14155551001", { ...observed, end_mpc_on_exit: true })
    const b = join(h, "life6", "+14155551002", { role: "Customer" })
    const c = join(h, "life6", "+14155551003", { role: "Customer" })
    h.advance(60_000)
    const gone = h.hangup(a.leg)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
    // [decision] the page names no cause: End MPC On Exit, 1020.
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "End MPC On Exit", code: "1020" })
    assert.deepStrictEqual(ofTag(gone.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: b.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" },
      { _tag: "HangupCall", callUuid: c.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" }
    ])
    assert.deepStrictEqual(
      callbacks(gone.commands, "status")
        .filter((x) => x.event === "ParticipantExit")
        .map((x) => [x.params.MemberID, x.params.ParticipantExitCause]),
      [
        [a.memberId, "Normal Hangup"],
        [b.memberId, "Multiparty Call Ended"],
        [c.memberId, "Multiparty Call Ended"]
      ]
    )
  })

  it("LIFE-6 a kicked member with end_mpc_on_exit ends the MPC too; without it the MPC goes on", () => {
    const h = setup()
    const a = join(h, "life6b", "+14155551001", observed)
    const b = join(h, "life6b", "+14155551002", { end_mpc_on_exit: false })
    const c = join(h, "life6b", "+14155551003", { end_mpc_on_exit: true })
    kick(h, "life6b", b.memberId)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    const kicked = kick(h, "life6b", c.memberId)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "End MPC On Exit", code: "1020" })
    assert.deepStrictEqual(ofTag(kicked.commands, "HangupCall"), [
      {
        _tag: "HangupCall",
        callUuid: c.leg,
        cause: "Kicked Out Of Multiparty Call",
        code: 4030,
        source: "API Request"
      },
      { _tag: "HangupCall", callUuid: a.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" }
    ])
  })
})

describe("LIFE-7 last member exits", () => {
  it("LIFE-7 the last member's exit ends the MPC with No Active Participants 1000 and hangs up legs still ringing", () => {
    const h = setup()
    const a = join(h, "life7", "+14155551001", observed)
    const pending = h.add("life7", {
      role: "Customer",
      from: FROM,
      to: "+14155551002",
      call_status_callback_url: observed.call_status_callback_url
    })
    h.ring(pending.legs[0]!)
    h.advance(10_000)
    const gone = h.hangup(a.leg)
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.strictEqual(mpc.status, "Ended")
    assert.deepStrictEqual(mpc.termination, { cause: "No Active Participants", code: 1000 })
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "No Active Participants", code: "1000" })
    assert.deepStrictEqual(ofTag(gone.commands, "HangupCall"), [
      {
        _tag: "HangupCall",
        callUuid: pending.legs[0]!,
        cause: "Multiparty Call Ended",
        code: 4020,
        source: "Plivo"
      }
    ])
    assert.strictEqual(h.call(pending.legs[0]!).state, "ended")
    assert.deepStrictEqual(trace(gone.commands), [
      "status:ParticipantExit",
      "call:Hangup",
      "HangupCall:4020",
      "call:Hangup",
      "status:AddParticipantByAPIActionCompleted",
      "status:MPCEnd"
    ])
    // The ring timeout of the hung-up leg is gone: nothing fires later.
    assert.deepStrictEqual(h.advance(60_000), [])
  })

  it("LIFE-7 members who may stay alone: the MPC ends only when the very last one leaves", () => {
    const h = setup()
    const a = join(h, "life7b", "+14155551001", { ...observed, stay_alone: true })
    const b = join(h, "life7b", "+14155551002", { stay_alone: true })
    h.hangup(b.leg)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    h.hangup(a.leg)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "No Active Participants", code: "1000" })
  })
})

describe("LIFE-8 stay_alone", () => {
  it("LIFE-8 an exit leaving one member whose stay_alone is false removes it and ends the MPC with 1010", () => {
    const h = setup()
    const a = join(h, "life8", "+14155551001", observed)
    const b = join(h, "life8", "+14155551002")
    h.advance(20_000)
    const gone = h.hangup(b.leg)
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.strictEqual(mpc.status, "Ended")
    assert.deepStrictEqual(mpc.members, [])
    assert.deepStrictEqual(mpc.termination, { cause: "Stay Alone Not Permitted", code: 1010 })
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "Stay Alone Not Permitted", code: "1010" })
    assert.deepStrictEqual(ofTag(gone.commands, "HangupCall"), [
      { _tag: "HangupCall", callUuid: a.leg, cause: "Multiparty Call Ended", code: 4020, source: "Plivo" }
    ])
    assert.deepStrictEqual(
      callbacks(gone.commands, "status")
        .filter((x) => x.event === "ParticipantExit")
        .map((x) => x.params.MemberID),
      [b.memberId, a.memberId]
    )
  })

  it("LIFE-8 with stay_alone true the remaining member stays and the MPC goes on", () => {
    const h = setup()
    const a = join(h, "life8b", "+14155551001", { ...observed, stay_alone: true })
    const b = join(h, "life8b", "+14155551002")
    const gone = h.hangup(b.leg)
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.strictEqual(mpc.status, "Active")
    assert.deepStrictEqual(
      mpc.members.map((m) => m.id),
      [a.memberId]
    )
    assert.deepStrictEqual(ofTag(gone.commands, "HangupCall"), [])
    assert.notInclude(callbackNames(gone.commands, "status"), "MPCEnd")
  })

  it("LIFE-8 it is the stay_alone of the member left, not of the one leaving, that counts", () => {
    const h = setup()
    const a = join(h, "life8c", "+14155551001", observed)
    const b = join(h, "life8c", "+14155551002", { stay_alone: true })
    h.hangup(b.leg)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
    assert.deepStrictEqual(termination(h, a.mpcUuid), { cause: "Stay Alone Not Permitted", code: "1010" })
  })

  it("LIFE-8 an exit leaving two members does not end the MPC", () => {
    const h = setup()
    const a = join(h, "life8d", "+14155551001", observed)
    join(h, "life8d", "+14155551002")
    const c = join(h, "life8d", "+14155551003")
    h.hangup(c.leg)
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Active")
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).members.length, 2)
  })

  it("LIFE-8 a first member waiting alone for others is not affected", () => {
    const h = setup()
    const a = join(h, "life8e", "+14155551001", observed)
    const pending = h.add("life8e", { role: "Customer", from: FROM, to: "+14155551002" })
    h.ring(pending.legs[0]!)
    h.advance(10_000)
    // The other leg fails: the first member is still alone, and stays.
    h.busy(pending.legs[0]!)
    h.advance(600_000)
    const mpc = h.mpcByUuid(a.mpcUuid)
    assert.strictEqual(mpc.status, "Active")
    assert.deepStrictEqual(
      mpc.members.map((m) => [m.id, m.stayAlone]),
      [[a.memberId, false]]
    )
    assert.notInclude(callbackNames(h.commands(), "status"), "MPCEnd")
  })
})

describe("LIFE-9 mute and hold", () => {
  it("LIFE-9 mute sets the member's initial state: muted, not held, no music", () => {
    const h = setup()
    const a = join(h, "life9", "+14155551001", { ...observed, mute: true })
    assert.strictEqual(a.member.mute, true)
    assert.strictEqual(a.member.hold, false)
    assert.strictEqual(a.member.music, undefined)
    assert.deepStrictEqual(ofTag(a.answered.commands, "StartMusic"), [])
    const b = join(h, "life9", "+14155551002")
    assert.strictEqual(b.member.mute, false)
    assert.deepStrictEqual(Hearing.audible(h.mpc("life9")), { [a.memberId]: [b.memberId], [b.memberId]: [] })
  })

  it("LIFE-9 a held Agent hears the agent hold music, a held Customer the customer hold music", () => {
    const h = setup()
    const agentHold = { url: "https://music.example.com/agent", method: "GET" } as const
    const customerHold = { url: "https://music.example.com/customer", method: "GET" } as const
    const a = join(h, "life9b", "+14155551001", {
      ...observed,
      hold: true,
      agent_hold_music_url: agentHold.url,
      customer_hold_music_url: customerHold.url
    })
    assert.strictEqual(a.member.hold, true)
    assert.strictEqual(a.member.music, "AgentHold")
    assert.deepStrictEqual(ofTag(a.answered.commands, "StartMusic"), [
      {
        _tag: "StartMusic",
        mpcUuid: a.mpcUuid,
        memberId: a.memberId,
        callUuid: a.leg,
        music: "AgentHold",
        source: agentHold
      }
    ])
    const c = join(h, "life9b", "+14155551002", { role: "Customer", hold: true })
    assert.strictEqual(c.member.music, "CustomerHold")
    assert.deepStrictEqual(ofTag(c.answered.commands, "StartMusic"), [
      {
        _tag: "StartMusic",
        mpcUuid: a.mpcUuid,
        memberId: c.memberId,
        callUuid: c.leg,
        music: "CustomerHold",
        source: customerHold
      }
    ])
    assert.deepStrictEqual(
      callbackNames(c.answered.commands, "status").filter((e) => e.startsWith("ParticipantAudio")),
      ["ParticipantAudioPlayed"]
    )
  })

  it("LIFE-9 update member hold and unhold send ParticipantHold / ParticipantUnhold and start / stop the music", () => {
    const h = setup()
    const a = join(h, "life9c", "+14155551001", observed)
    const c = join(h, "life9c", "+14155551002", { role: "Customer" })
    const held = update(h, "life9c", c.memberId, { hold: true })
    assert.deepStrictEqual(trace(held.commands), [
      "status:ParticipantHold",
      "StartMusic:CustomerHold",
      "status:ParticipantAudioPlayed"
    ])
    assert.deepStrictEqual(ofTag(held.commands, "StartMusic"), [
      { _tag: "StartMusic", mpcUuid: a.mpcUuid, memberId: c.memberId, callUuid: c.leg, music: "CustomerHold" }
    ])
    assert.deepStrictEqual(ofTag(held.commands, "Respond")[0]!.outcome, {
      _tag: "MembersUpdated",
      memberIds: [c.memberId],
      hold: true
    })
    const hold = callbacks(held.commands, "status")[0]!
    assert.strictEqual(hold.params.MemberID, c.memberId)
    assert.strictEqual(h.mpc("life9c").members[1]!.hold, true)

    // Holding again changes nothing and says nothing.
    assert.deepStrictEqual(trace(update(h, "life9c", c.memberId, { hold: true }).commands), [])

    const unheld = update(h, "life9c", c.memberId, { hold: false })
    assert.deepStrictEqual(trace(unheld.commands), [
      "status:ParticipantUnhold",
      "StopMusic",
      "status:ParticipantAudioStopped"
    ])
    assert.deepStrictEqual(ofTag(unheld.commands, "StopMusic"), [
      { _tag: "StopMusic", mpcUuid: a.mpcUuid, memberId: c.memberId, callUuid: c.leg }
    ])
    const after = h.mpc("life9c").members[1]!
    assert.strictEqual(after.hold, false)
    assert.strictEqual(after.music, undefined)

    const muted = update(h, "life9c", a.memberId, { mute: true })
    assert.deepStrictEqual(trace(muted.commands), ["status:ParticipantMute"])
    const unmuted = update(h, "life9c", a.memberId, { mute: false })
    assert.deepStrictEqual(trace(unmuted.commands), ["status:ParticipantUnmute"])
  })
  it("LIFE-9 a member held while the MPC waits keeps its hold music at MPCStart; unheld before it, it gets the wait music", () => {
    const h = setup()
    const a = join(h, "life9d", "+14155551001", { ...observed, start_mpc_on_enter: false, hold: true })
    assert.strictEqual(a.member.music, "AgentHold")
    const b = join(h, "life9d", "+14155551002", { role: "Customer", start_mpc_on_enter: false, hold: true })
    assert.strictEqual(b.member.music, "CustomerHold")
    const unheld = update(h, "life9d", b.memberId, { hold: false })
    assert.deepStrictEqual(trace(unheld.commands), [
      "status:ParticipantUnhold",
      "StopMusic",
      "status:ParticipantAudioStopped",
      "StartMusic:Wait",
      "status:ParticipantAudioPlayed"
    ])
    const c = join(h, "life9d", "+14155551003")
    // At MPCStart only the waiting member's music stops; the held one keeps its hold music.
    assert.deepStrictEqual(ofTag(c.answered.commands, "StopMusic"), [
      { _tag: "StopMusic", mpcUuid: a.mpcUuid, memberId: b.memberId, callUuid: b.leg }
    ])
    assert.deepStrictEqual(
      h.mpc("life9d").members.map((m) => m.music),
      ["AgentHold", undefined, undefined]
    )
  })
})

describe("LIFE-10 coach mode", () => {
  it("LIFE-10 a Supervisor in coach mode is heard by Agents, never by Customers", () => {
    const h = setup()
    const agent = join(h, "life10", "+14155551001", observed)
    const customer = join(h, "life10", "+14155551002", { role: "Customer" })
    const sup = join(h, "life10", "+14155551003", { role: "Supervisor" })
    assert.strictEqual(sup.member.coachMode, true)
    const mpc = h.mpc("life10")
    const [a, c, s] = [mpc.members[0]!, mpc.members[1]!, mpc.members[2]!]
    assert.strictEqual(Hearing.hears(mpc, a, s), true)
    assert.strictEqual(Hearing.hears(mpc, c, s), false)
    // The supervisor hears everyone and everyone else hears each other.
    assert.deepStrictEqual(Hearing.audible(mpc), {
      [agent.memberId]: [customer.memberId, sup.memberId],
      [customer.memberId]: [agent.memberId],
      [sup.memberId]: [agent.memberId, customer.memberId]
    })
  })

  it("LIFE-10 a Supervisor in coach mode is heard by Agents only: not by another Supervisor", () => {
    const h = setup()
    const agent = join(h, "life10s", "+14155551001", observed)
    const customer = join(h, "life10s", "+14155551002", { role: "Customer" })
    const coach = join(h, "life10s", "+14155551003", { role: "Supervisor" })
    const other = join(h, "life10s", "+14155551004", { role: "Supervisor", coach_mode: false })
    const mpc = h.mpc("life10s")
    const find = (id: string) => mpc.members.find((m) => m.id === id)!
    assert.strictEqual(Hearing.hears(mpc, find(agent.memberId), find(coach.memberId)), true)
    assert.strictEqual(Hearing.hears(mpc, find(customer.memberId), find(coach.memberId)), false)
    assert.strictEqual(Hearing.hears(mpc, find(other.memberId), find(coach.memberId)), false)
    assert.deepStrictEqual(Hearing.audible(mpc)[other.memberId], [agent.memberId, customer.memberId])
  })

  it("LIFE-10 a Supervisor with coach_mode false, or taken out of coach mode, is heard by Customers", () => {
    const h = setup()
    const agent = join(h, "life10b", "+14155551001", observed)
    const customer = join(h, "life10b", "+14155551002", { role: "Customer" })
    const sup = join(h, "life10b", "+14155551003", { role: "Supervisor", coach_mode: false })
    assert.strictEqual(sup.member.coachMode, false)
    assert.deepStrictEqual(Hearing.audible(h.mpc("life10b"))[customer.memberId], [
      agent.memberId,
      sup.memberId
    ])

    const on = update(h, "life10b", sup.memberId, { coachMode: true })
    assert.deepStrictEqual(callbackNames(on.commands, "status"), ["ParticipantCoachModeStart"])
    assert.strictEqual(callbacks(on.commands, "status")[0]!.params.ParticipantCoachMode, "true")
    assert.deepStrictEqual(Hearing.audible(h.mpc("life10b"))[customer.memberId], [agent.memberId])

    const off = update(h, "life10b", sup.memberId, { coachMode: false })
    assert.deepStrictEqual(callbackNames(off.commands, "status"), ["ParticipantCoachModeStop"])
    assert.strictEqual(callbacks(off.commands, "status")[0]!.params.ParticipantCoachMode, "false")
    assert.deepStrictEqual(Hearing.audible(h.mpc("life10b"))[customer.memberId], [
      agent.memberId,
      sup.memberId
    ])
  })

  it("LIFE-10 coach_mode has no effect on Agents and Customers: coachMode is false and an update sends no callback", () => {
    const h = setup()
    const agent = join(h, "life10c", "+14155551001", { ...observed, coach_mode: true })
    const customer = join(h, "life10c", "+14155551002", { role: "Customer", coach_mode: true })
    assert.strictEqual(agent.member.coachMode, false)
    assert.strictEqual(customer.member.coachMode, false)
    const joins = callbacks(h.commands(), "status").filter((c) => c.event === "ParticipantJoin")
    assert.deepStrictEqual(
      joins.map((c) => c.params.ParticipantCoachMode),
      ["false", "false"]
    )
    for (const m of [agent, customer]) {
      const r = update(h, "life10c", m.memberId, { coachMode: true })
      assert.strictEqual(r.refused, undefined)
      assert.deepStrictEqual(callbacks(r.commands), [])
      assert.strictEqual(ofTag(r.commands, "Respond")[0]!.outcome._tag, "MembersUpdated")
    }
    assert.deepStrictEqual(
      h.mpc("life10c").members.map((m) => m.coachMode),
      [false, false]
    )
    // Customers and agents hear each other whatever coach_mode says.
    assert.deepStrictEqual(Hearing.audible(h.mpc("life10c")), {
      [agent.memberId]: [customer.memberId],
      [customer.memberId]: [agent.memberId]
    })
  })
})

describe("LIFE-11 who hears whom", () => {
  it("LIFE-11 a muted member is heard by nobody but hears everybody", () => {
    const h = setup()
    const a = join(h, "life11", "+14155551001", observed)
    const b = join(h, "life11", "+14155551002", { role: "Customer", mute: true })
    const c = join(h, "life11", "+14155551003", { role: "Customer" })
    assert.deepStrictEqual(Hearing.audible(h.mpc("life11")), {
      [a.memberId]: [c.memberId],
      [b.memberId]: [a.memberId, c.memberId],
      [c.memberId]: [a.memberId]
    })
  })

  it("LIFE-11 a held member is heard by nobody and hears nobody", () => {
    const h = setup()
    const a = join(h, "life11b", "+14155551001", observed)
    const b = join(h, "life11b", "+14155551002", { role: "Customer" })
    const c = join(h, "life11b", "+14155551003", { role: "Customer" })
    update(h, "life11b", b.memberId, { hold: true })
    const mpc = h.mpc("life11b")
    assert.deepStrictEqual(Hearing.audible(mpc), {
      [a.memberId]: [c.memberId],
      [b.memberId]: [],
      [c.memberId]: [a.memberId]
    })
    const [ma, mb] = [mpc.members[0]!, mpc.members[1]!]
    assert.strictEqual(Hearing.hears(mpc, mb, ma), false)
    assert.strictEqual(Hearing.hears(mpc, ma, mb), false)
  })

  it("LIFE-11 before MPCStart nobody hears anybody", () => {
    const h = setup()
    const a = join(h, "life11c", "+14155551001", { ...observed, start_mpc_on_enter: false })
    const b = join(h, "life11c", "+14155551002", { role: "Customer", start_mpc_on_enter: false })
    const mpc = h.mpc("life11c")
    assert.strictEqual(mpc.status, "Initialized")
    assert.deepStrictEqual(Hearing.audible(mpc), { [a.memberId]: [], [b.memberId]: [] })
    join(h, "life11c", "+14155551003", { role: "Customer", mute: true })
    const started = h.mpc("life11c")
    assert.strictEqual(started.status, "Active")
    assert.deepStrictEqual(Hearing.audible(started)[a.memberId], [b.memberId])
  })

  it("LIFE-11 a member hears nobody in its own voice", () => {
    const h = setup()
    const a = join(h, "life11d", "+14155551001", observed)
    const mpc = h.mpc("life11d")
    assert.strictEqual(Hearing.hears(mpc, mpc.members[0]!, mpc.members[0]!), false)
    assert.deepStrictEqual(Hearing.audible(mpc), { [a.memberId]: [] })
  })
})
