/**
 * CB-1..CB-7: which callbacks are sent, in which order, with which fields and values.
 */
import { assert, describe, it } from "@effect/vitest"
import { callbackNames, callbacks, FROM, Harness, join, observed, T0, update } from "../support/Harness.js"

const setup = () => new Harness({ cps: 10 })

/** The fields CB-4 keeps null until MPCEnd. */
const endFields = [
  "MPCBilledAmount",
  "MPCBilledDuration",
  "MPCDuration",
  "MPCEndTime",
  "MPCTerminationCause",
  "MPCTerminationCauseCode"
] as const

/** The MPC part of every status callback (the page's field names). */
const mpcKeys = [
  "EventName",
  "EventTimestamp",
  ...endFields,
  "MPCCreationTime",
  "MPCName",
  "MPCStartTime",
  "MPCUUID",
  "SequenceNumber"
].sort()

/** The participant part (the page's field names). */
const memberKeys = [
  "MemberAddress",
  "MemberID",
  "ParticipantCallDirection",
  "ParticipantCallFrom",
  "ParticipantCallTo",
  "ParticipantCallUUID",
  "ParticipantCoachMode",
  "ParticipantExitCause",
  "ParticipantExitTime",
  "ParticipantJoinTime",
  "ParticipantRole",
  "STIRVerification"
]

/**
 * One run touching every status event group: a waiting member (wait music), a starter, speech,
 * digits, hold and unhold, then the first member hangs up and the other may not stay alone.
 */
const busyRun = (h: Harness, name: string, wire: Record<string, unknown>) => {
  const a = join(h, name, "+14155551001", { ...wire, start_mpc_on_enter: false, relay_dtmf_inputs: true })
  h.advance(1_000)
  const b = join(h, name, "+14155551002", { role: "Customer" })
  h.advance(1_000)
  h.speak(a.leg, true)
  h.advance(1_000)
  h.speak(a.leg, false)
  h.press(a.leg, "7")
  update(h, name, b.memberId, { hold: true })
  update(h, name, b.memberId, { hold: false })
  h.advance(1_000)
  h.hangup(a.leg)
  return { a, b }
}

describe("CB-1 subscribed groups only", () => {
  it("CB-1 with the default events only MPC and participant state changes are sent", () => {
    const h = setup()
    const { a } = busyRun(h, "cb1", { status_callback_url: observed.status_callback_url })
    assert.deepStrictEqual(callbackNames(h.commands(), "status"), [
      "MPCInitialized",
      "ParticipantJoin",
      "ParticipantJoin",
      "MPCStart",
      "ParticipantHold",
      "ParticipantUnhold",
      "ParticipantExit",
      "ParticipantExit",
      "MPCEnd"
    ])
    for (const c of callbacks(h.commands(), "status")) {
      assert.strictEqual(c.url, observed.status_callback_url)
      assert.strictEqual(c.method, "POST")
      assert.strictEqual(c.mpcUuid, a.mpcUuid)
    }
  })

  it("CB-1 with every group subscribed the API, speak, digit and audio events are sent too", () => {
    const h = setup()
    busyRun(h, "cb1b", observed)
    assert.deepStrictEqual(callbackNames(h.commands(), "status"), [
      "MPCInitialized",
      "AddParticipantByAPIActionInitiated",
      "ParticipantJoin",
      "ParticipantAudioPlayed",
      "AddParticipantByAPIActionCompleted",
      "AddParticipantByAPIActionInitiated",
      "ParticipantJoin",
      "MPCStart",
      "ParticipantAudioStopped",
      "AddParticipantByAPIActionCompleted",
      "ParticipantSpeakStart",
      "ParticipantSpeakStop",
      "ParticipantDigitInput",
      "ParticipantHold",
      "ParticipantAudioPlayed",
      "ParticipantUnhold",
      "ParticipantAudioStopped",
      "ParticipantExit",
      "ParticipantExit",
      "MPCEnd"
    ])
  })

  it("CB-1 one group alone: only its events, here speak events", () => {
    const h = setup()
    busyRun(h, "cb1c", {
      status_callback_url: observed.status_callback_url,
      status_callback_events: " Participant-Speak-Events "
    })
    assert.deepStrictEqual(callbackNames(h.commands(), "status"), [
      "ParticipantSpeakStart",
      "ParticipantSpeakStop"
    ])
  })

  it("CB-1 status callbacks go by status_callback_method", () => {
    const h = setup()
    busyRun(h, "cb1d", { ...observed, status_callback_method: "GET" })
    const sent = callbacks(h.commands(), "status")
    assert.strictEqual(sent.length, 20)
    assert.deepStrictEqual(
      [...new Set(sent.map((c) => `${c.method} ${c.url}`))],
      [`GET ${observed.status_callback_url}`]
    )
  })

  it("CB-1 without status_callback_url no status callback is sent", () => {
    const h = setup()
    busyRun(h, "cb1e", {
      status_callback_events: observed.status_callback_events,
      recording_callback_url: observed.recording_callback_url
    })
    assert.deepStrictEqual(callbacks(h.commands()), [])
  })
})

describe("CB-2 SequenceNumber", () => {
  it("CB-2 SequenceNumber is 1, 2, 3… in one MPC's status stream; another MPC has its own from 1", () => {
    const h = setup()
    const first = join(h, "cb2", "+14155551001", observed)
    const other = join(h, "cb2-other", "+14155551002", observed)
    join(h, "cb2", "+14155551003", { role: "Customer" })
    h.speak(first.leg, true)
    h.speak(other.leg, true)
    h.hangup(first.leg)
    const seq = (mpcUuid: string) =>
      callbacks(h.commands(), "status")
        .filter((c) => c.mpcUuid === mpcUuid)
        .map((c) => c.params.SequenceNumber)
    const one = seq(first.mpcUuid)
    assert.strictEqual(one.length, 12)
    assert.deepStrictEqual(
      one,
      one.map((_, i) => String(i + 1))
    )
    assert.deepStrictEqual(seq(other.mpcUuid), ["1", "2", "3", "4", "5", "6"])

    // The name again, once its MPC has ended: a new MPC, a new stream from 1.
    const again = join(h, "cb2", "+14155551004", observed)
    assert.notStrictEqual(again.mpcUuid, first.mpcUuid)
    assert.deepStrictEqual(seq(again.mpcUuid), ["1", "2", "3", "4", "5"])
  })
})

describe("CB-3 timestamps", () => {
  it("CB-3 at T0 MPCInitialized's EventTimestamp is 2023-11-14 22:13:20+00:00", () => {
    const h = setup()
    h.add("cb3", { role: "Agent", from: FROM, to: "+14155551001", ...observed })
    const init = callbacks(h.commands(), "status")[0]!
    assert.strictEqual(init.event, "MPCInitialized")
    assert.strictEqual(init.params.EventTimestamp, "2023-11-14 22:13:20+00:00")
    assert.strictEqual(init.params.MPCCreationTime, "2023-11-14 22:13:20+00:00")
    assert.strictEqual(callbacks(h.commands(), "call")[0]!.params.InitiationTime, "2023-11-14 22:13:20+00:00")
  })

  it("CB-3 timestamps are to the second, UTC, across a day, a month and a leap day", () => {
    const start = Date.UTC(2024, 1, 29, 23, 59, 59, 999)
    const h = new Harness({ cps: 10 }, start)
    const added = h.add("cb3b", { role: "Agent", from: FROM, to: "+14155551001", ...observed })
    h.advance(1)
    h.pickUp(added.legs[0]!)
    const sent = callbacks(h.commands(), "status")
    assert.deepStrictEqual(
      sent.map((c) => [c.event, c.params.EventTimestamp]),
      [
        ["MPCInitialized", "2024-02-29 23:59:59+00:00"],
        ["AddParticipantByAPIActionInitiated", "2024-02-29 23:59:59+00:00"],
        ["ParticipantJoin", "2024-03-01 00:00:00+00:00"],
        ["MPCStart", "2024-03-01 00:00:00+00:00"],
        ["AddParticipantByAPIActionCompleted", "2024-03-01 00:00:00+00:00"]
      ]
    )
    assert.strictEqual(sent[3]!.params.MPCStartTime, "2024-03-01 00:00:00+00:00")
    assert.strictEqual(sent[3]!.params.MPCCreationTime, "2024-02-29 23:59:59+00:00")
  })
})

describe("CB-4 end-of-MPC fields", () => {
  it("CB-4 billing, duration, end time and termination are null before MPCEnd and set in MPCEnd", () => {
    const h = setup()
    const { a } = busyRun(h, "cb4", observed)
    const sent = callbacks(h.commands(), "status")
    assert.strictEqual(sent.at(-1)!.event, "MPCEnd")
    for (const c of sent.slice(0, -1)) {
      assert.deepStrictEqual(
        endFields.map((f) => c.params[f]),
        [null, null, null, null, null, null],
        c.event
      )
    }
    // Created at T0, ended 4 s later.
    assert.deepStrictEqual(
      endFields.map((f) => sent.at(-1)!.params[f]),
      ["0.00300", "60", "4", "2023-11-14 22:13:24+00:00", "Stay Alone Not Permitted", "1010"]
    )
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).status, "Ended")
  })

  it("CB-4 billing rounds the MPC duration up to whole minutes", () => {
    const h = setup()
    const a = join(h, "cb4b", "+14155551001", observed)
    h.advance(95_000)
    h.hangup(a.leg)
    const end = callbacks(h.commands(), "status").find((c) => c.event === "MPCEnd")!
    assert.deepStrictEqual(
      endFields.map((f) => end.params[f]),
      ["0.00600", "120", "95", "2023-11-14 22:14:55+00:00", "No Active Participants", "1000"]
    )
  })
})

describe("CB-5 call status callbacks", () => {
  const callKeys = [
    "AnswerTime",
    "BilledDuration",
    "CallUUID",
    "Duration",
    "EventName",
    "From",
    "HangupTime",
    "InitiationTime",
    "MPCUUID",
    "PlivoHangupCause",
    "PlivoHangupCauseCode",
    "PlivoHangupSource",
    "Rate",
    "RingTime",
    "To",
    "TotalAmount"
  ]

  it("CB-5 a dialled leg gets Initiated, Ringing, Answered and Hangup with the page's fields", () => {
    const h = setup()
    const added = h.add("cb5", {
      role: "Agent",
      from: FROM,
      to: "+14155551001",
      status_callback_url: observed.status_callback_url,
      call_status_callback_url: observed.call_status_callback_url
    })
    const leg = added.legs[0]!
    const mpcUuid = h.mpc("cb5").uuid
    h.advance(2_000)
    h.ring(leg)
    h.advance(5_000)
    h.answer(leg)
    h.advance(125_000)
    h.hangup(leg)
    const sent = callbacks(h.commands(), "call")
    assert.deepStrictEqual(
      sent.map((c) => [c.event, c.url, c.method, c.mpcUuid]),
      [
        ["Initiated", observed.call_status_callback_url, "POST", mpcUuid],
        ["Ringing", observed.call_status_callback_url, "POST", mpcUuid],
        ["Answered", observed.call_status_callback_url, "POST", mpcUuid],
        ["Hangup", observed.call_status_callback_url, "POST", mpcUuid]
      ]
    )
    for (const c of sent) assert.deepStrictEqual(Object.keys(c.params).sort(), callKeys)
    const common = {
      CallUUID: leg,
      From: FROM,
      InitiationTime: "2023-11-14 22:13:20+00:00",
      MPCUUID: mpcUuid,
      Rate: "0.00500",
      To: "+14155551001"
    }
    const live = {
      BilledDuration: null,
      Duration: null,
      HangupTime: null,
      PlivoHangupCause: null,
      PlivoHangupCauseCode: null,
      PlivoHangupSource: null,
      TotalAmount: null
    }
    assert.deepStrictEqual(sent[0]!.params, {
      ...common,
      ...live,
      EventName: "Initiated",
      AnswerTime: null,
      RingTime: null
    })
    assert.deepStrictEqual(sent[1]!.params, {
      ...common,
      ...live,
      EventName: "Ringing",
      AnswerTime: null,
      RingTime: null
    })
    assert.deepStrictEqual(sent[2]!.params, {
      ...common,
      ...live,
      EventName: "Answered",
      AnswerTime: "2023-11-14 22:13:27+00:00",
      RingTime: "5"
    })
    assert.deepStrictEqual(sent[3]!.params, {
      ...common,
      EventName: "Hangup",
      AnswerTime: "2023-11-14 22:13:27+00:00",
      RingTime: "5",
      BilledDuration: "180",
      Duration: "125",
      HangupTime: "2023-11-14 22:15:32+00:00",
      PlivoHangupCause: "Normal Hangup",
      PlivoHangupCauseCode: "4000",
      PlivoHangupSource: "Callee",
      TotalAmount: "0.01500"
    })
  })

  it("CB-5 by call_status_callback_method; a leg that is never answered gets Hangup with its cause", () => {
    const h = setup()
    join(h, "cb5b", "+14155551001", observed)
    h.advance(10_000)
    const added = h.add("cb5b", {
      role: "Customer",
      from: FROM,
      to: "+14155551002",
      call_status_callback_url: observed.call_status_callback_url,
      call_status_callback_method: "GET"
    })
    const leg = added.legs[0]!
    h.advance(3_000)
    h.ring(leg)
    h.advance(4_000)
    h.busy(leg)
    const sent = callbacks(h.commands(), "call").filter((c) => c.params.CallUUID === leg)
    assert.deepStrictEqual(
      sent.map((c) => [c.event, c.method]),
      [
        ["Initiated", "GET"],
        ["Ringing", "GET"],
        ["Hangup", "GET"]
      ]
    )
    assert.deepStrictEqual(sent[2]!.params, {
      AnswerTime: null,
      BilledDuration: "0",
      CallUUID: leg,
      Duration: "0",
      EventName: "Hangup",
      From: FROM,
      HangupTime: "2023-11-14 22:13:37+00:00",
      InitiationTime: "2023-11-14 22:13:30+00:00",
      MPCUUID: h.mpc("cb5b").uuid,
      PlivoHangupCause: "Busy Line",
      PlivoHangupCauseCode: "3010",
      PlivoHangupSource: "Callee",
      Rate: "0.00500",
      RingTime: null,
      To: "+14155551002",
      TotalAmount: "0.00000"
    })
  })

  it("CB-5 no call status callbacks without call_status_callback_url", () => {
    const h = setup()
    const a = join(h, "cb5c", "+14155551001", { status_callback_url: observed.status_callback_url })
    h.hangup(a.leg)
    assert.deepStrictEqual(callbacks(h.commands(), "call"), [])
  })
})

describe("CB-6 add-participant API events", () => {
  it("CB-6 each request gets AddParticipantByAPIActionInitiated and AddParticipantByAPIActionCompleted", () => {
    const h = setup()
    const a = join(h, "cb6", "+14155551001", observed)
    const b = h.add("cb6", { role: "Customer", from: FROM, to: "+14155551002" })
    h.busy(b.legs[0]!)
    const api = callbacks(h.commands(), "status").filter((c) =>
      c.event.startsWith("AddParticipantByAPIAction")
    )
    assert.deepStrictEqual(
      api.map((c) => [c.event, c.params.RequestUUID, c.params.RequestStatus]),
      [
        ["AddParticipantByAPIActionInitiated", a.added.requestUuid, undefined],
        ["AddParticipantByAPIActionCompleted", a.added.requestUuid, "success"],
        ["AddParticipantByAPIActionInitiated", b.requestUuid, undefined],
        ["AddParticipantByAPIActionCompleted", b.requestUuid, "failure"]
      ]
    )
    // Initiated carries the MPC part and the request; a success also names the member who joined.
    assert.deepStrictEqual(Object.keys(api[0]!.params).sort(), [...mpcKeys, "RequestUUID"].sort())
    assert.deepStrictEqual(
      Object.keys(api[1]!.params).sort(),
      [...mpcKeys, ...memberKeys, "RequestStatus", "RequestUUID"].sort()
    )
    assert.strictEqual(api[1]!.params.MemberID, a.memberId)
    assert.strictEqual(api[1]!.params.ParticipantCallUUID, a.leg)
    assert.deepStrictEqual(
      Object.keys(api[3]!.params).sort(),
      [...mpcKeys, "RequestStatus", "RequestUUID"].sort()
    )
  })

  it("CB-6 not sent without add-participant-api-events", () => {
    const h = setup()
    join(h, "cb6b", "+14155551001", {
      status_callback_url: observed.status_callback_url,
      status_callback_events: "mpc-state-changes,participant-state-changes,participant-audio-events"
    })
    assert.deepStrictEqual(
      callbackNames(h.commands(), "status").filter((e) => e.startsWith("AddParticipant")),
      []
    )
  })
})

describe("CB-7 audio events", () => {
  it("CB-7 ParticipantAudioPlayed and ParticipantAudioStopped follow the member's music", () => {
    const h = setup()
    const a = join(h, "cb7", "+14155551001", { ...observed, start_mpc_on_enter: false, stay_alone: true })
    const b = join(h, "cb7", "+14155551002", { role: "Customer", start_mpc_on_enter: false, hold: true })
    // A waiting member leaves: its music stops before its exit.
    const gone = h.hangup(b.leg)
    assert.deepStrictEqual(
      callbacks(gone.commands, "status").map((c) => [c.event, c.params.MemberID]),
      [
        ["ParticipantAudioStopped", b.memberId],
        ["ParticipantExit", b.memberId]
      ]
    )
    const c = join(h, "cb7", "+14155551003")
    const audio = callbacks(h.commands(), "status").filter((x) => x.event.startsWith("ParticipantAudio"))
    assert.deepStrictEqual(
      audio.map((x) => [x.event, x.params.MemberID]),
      [
        ["ParticipantAudioPlayed", a.memberId],
        ["ParticipantAudioPlayed", b.memberId],
        ["ParticipantAudioStopped", b.memberId],
        ["ParticipantAudioStopped", a.memberId]
      ]
    )
    assert.deepStrictEqual(Object.keys(audio[0]!.params).sort(), [...mpcKeys, ...memberKeys].sort())
    assert.deepStrictEqual(callbackNames(c.answered.commands, "status"), [
      "ParticipantJoin",
      "MPCStart",
      "ParticipantAudioStopped",
      "AddParticipantByAPIActionCompleted"
    ])
  })

  it("CB-7 not sent without participant-audio-events", () => {
    const h = setup()
    join(h, "cb7b", "+14155551001", {
      status_callback_url: observed.status_callback_url,
      start_mpc_on_enter: false,
      hold: true
    })
    assert.strictEqual(h.mpc("cb7b").members[0]!.music, "AgentHold")
    assert.deepStrictEqual(callbackNames(h.commands(), "status"), ["MPCInitialized", "ParticipantJoin"])
  })
})

describe("CB-1 the page's fields", () => {
  it("CB-1 ParticipantJoin and MPCEnd carry exactly the page's fields and values", () => {
    const h = setup()
    const first = h.add("support", { role: "Agent", from: FROM, to: "+14155551001", ...observed })
    const mpcUuid = h.mpc("support").uuid
    h.advance(2_000)
    h.ring(first.legs[0]!)
    h.advance(3_000)
    h.answer(first.legs[0]!)
    h.advance(15_000)
    const second = h.add("support", { role: "customer", from: FROM, to: "sip:alice@phone.example.com" })
    const leg = second.legs[0]!
    h.advance(2_000)
    h.ring(leg)
    h.advance(8_000)
    const answered = h.answer(leg)
    const member = h.mpc("support").members[1]!
    const join = callbacks(answered.commands, "status").find((c) => c.event === "ParticipantJoin")!
    assert.deepStrictEqual(join, {
      _tag: "SendCallback",
      kind: "status",
      url: observed.status_callback_url,
      method: "POST",
      mpcUuid,
      event: "ParticipantJoin",
      params: {
        EventName: "ParticipantJoin",
        EventTimestamp: "2023-11-14 22:13:50+00:00",
        MPCBilledAmount: null,
        MPCBilledDuration: null,
        MPCCreationTime: "2023-11-14 22:13:20+00:00",
        MPCDuration: null,
        MPCEndTime: null,
        MPCName: "support",
        MPCStartTime: "2023-11-14 22:13:25+00:00",
        MPCTerminationCause: null,
        MPCTerminationCauseCode: null,
        MPCUUID: mpcUuid,
        SequenceNumber: "7",
        MemberAddress: "alice",
        MemberID: member.id,
        ParticipantCallDirection: "outbound",
        ParticipantCallFrom: FROM,
        ParticipantCallTo: "sip:alice@phone.example.com",
        ParticipantCallUUID: leg,
        ParticipantCoachMode: "false",
        ParticipantExitCause: null,
        ParticipantExitTime: null,
        ParticipantJoinTime: "2023-11-14 22:13:50+00:00",
        ParticipantRole: "Customer",
        STIRVerification: "Not Applicable"
      }
    })

    h.advance(65_000)
    const ended = h.hangup(first.legs[0]!)
    const end = callbacks(ended.commands, "status").find((c) => c.event === "MPCEnd")!
    assert.deepStrictEqual(end, {
      _tag: "SendCallback",
      kind: "status",
      url: observed.status_callback_url,
      method: "POST",
      mpcUuid,
      event: "MPCEnd",
      params: {
        EventName: "MPCEnd",
        EventTimestamp: "2023-11-14 22:14:55+00:00",
        MPCBilledAmount: "0.00600",
        MPCBilledDuration: "120",
        MPCCreationTime: "2023-11-14 22:13:20+00:00",
        MPCDuration: "95",
        MPCEndTime: "2023-11-14 22:14:55+00:00",
        MPCName: "support",
        MPCStartTime: "2023-11-14 22:13:25+00:00",
        MPCTerminationCause: "Stay Alone Not Permitted",
        MPCTerminationCauseCode: "1010",
        MPCUUID: mpcUuid,
        SequenceNumber: "11"
      }
    })
    assert.deepStrictEqual(
      callbacks(ended.commands, "status").map((c) => [c.event, c.params.ParticipantExitTime]),
      [
        ["ParticipantExit", "2023-11-14 22:14:55+00:00"],
        ["ParticipantExit", "2023-11-14 22:14:55+00:00"],
        ["MPCEnd", undefined]
      ]
    )
  })
})

describe("CB-1 one start", () => {
  it("CB-1 a callback stream starts with MPCInitialized at the MPC's creation", () => {
    const h = setup()
    h.add("cb1f", { role: "Agent", from: FROM, to: "+14155551001", ...observed })
    const sent = callbacks(h.commands(), "status")
    assert.deepStrictEqual(
      sent.map((c) => [c.event, c.params.SequenceNumber, c.params.MPCStartTime]),
      [
        ["MPCInitialized", "1", null],
        ["AddParticipantByAPIActionInitiated", "2", null]
      ]
    )
    assert.strictEqual(sent[0]!.params.EventTimestamp, "2023-11-14 22:13:20+00:00")
    assert.strictEqual(h.now, T0)
  })
})
