/**
 * REC-1..REC-4: when the MPC recording starts, that it starts once, participant tracks, and the
 * recording callbacks.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  byName,
  callbackNames,
  callbacks,
  FROM,
  Harness,
  join,
  observed,
  ofTag,
  T0
} from "../support/Harness.js"

const AUTH = "MAXXXXXXXXXXXXXXXXXX"

const setup = () => new Harness({ cps: 10 })

const recordingApi = (
  h: Harness,
  tag: "StartRecording" | "StopRecording" | "PauseRecording" | "ResumeRecording",
  name: string
) => h.send({ _tag: tag, at: h.now, apiId: h.apiId(), mpc: byName(name) })

/** The MPC-wide `RecordStart` commands (not participant tracks). */
const mpcRecordStarts = (h: Harness) =>
  ofTag(h.commands(), "RecordStart").filter((c) => c.memberId === undefined)

describe("REC-1 when recording starts", () => {
  it("REC-1 record_min_member_count 1: recording starts on the join of the member with record true", () => {
    const h = setup()
    const a = join(h, "rec1", "+14155551001", { ...observed, record: true })
    const recording = h.mpc("rec1").recording
    assert.strictEqual(recording.status, "Recording")
    assert.strictEqual(recording.startedAt, T0)
    assert.deepStrictEqual(ofTag(a.answered.commands, "RecordStart"), [
      { _tag: "RecordStart", mpcUuid: a.mpcUuid, recordingUuid: recording.uuid!, fileFormat: "mp3" }
    ])
    assert.deepStrictEqual(callbackNames(a.answered.commands, "recording"), ["MPCRecordingInitiated"])
  })

  it("REC-1 record_min_member_count 1: a member with record false does not start it; the first with record true does", () => {
    const h = setup()
    const a = join(h, "rec1b", "+14155551001", observed)
    assert.strictEqual(h.mpc("rec1b").recording.status, "NotStarted")
    assert.deepStrictEqual(ofTag(a.answered.commands, "RecordStart"), [])
    h.advance(7_000)
    const b = join(h, "rec1b", "+14155551002", { record: true })
    assert.strictEqual(h.mpc("rec1b").recording.status, "Recording")
    assert.strictEqual(h.mpc("rec1b").recording.startedAt, T0 + 7_000)
    assert.strictEqual(ofTag(b.answered.commands, "RecordStart").length, 1)
  })

  it("REC-1 record_min_member_count 2: recording at the second member", () => {
    const h = setup()
    const a = join(h, "rec1c", "+14155551001", {
      ...observed,
      record: true,
      record_min_member_count: 2,
      record_file_format: "wav"
    })
    assert.strictEqual(h.mpc("rec1c").recording.status, "NotStarted")
    assert.deepStrictEqual(ofTag(a.answered.commands, "RecordStart"), [])
    assert.deepStrictEqual(callbacks(a.answered.commands, "recording"), [])
    h.advance(12_000)
    const b = join(h, "rec1c", "+14155551002", { role: "Customer" })
    const recording = h.mpc("rec1c").recording
    assert.strictEqual(recording.status, "Recording")
    assert.strictEqual(recording.startedAt, T0 + 12_000)
    assert.deepStrictEqual(ofTag(b.answered.commands, "RecordStart"), [
      { _tag: "RecordStart", mpcUuid: a.mpcUuid, recordingUuid: recording.uuid!, fileFormat: "wav" }
    ])
    assert.deepStrictEqual(callbackNames(b.answered.commands, "recording"), ["MPCRecordingInitiated"])
  })

  it("REC-1 record_min_member_count 2 and nobody with record true: no recording", () => {
    const h = setup()
    join(h, "rec1d", "+14155551001", { ...observed, record_min_member_count: 2 })
    join(h, "rec1d", "+14155551002")
    join(h, "rec1d", "+14155551003")
    assert.strictEqual(h.mpc("rec1d").recording.status, "NotStarted")
    assert.deepStrictEqual(mpcRecordStarts(h), [])
  })
})

describe("REC-2 never stopped by a join, never started twice", () => {
  it("REC-2 a member joining with record false does not stop the recording", () => {
    const h = setup()
    join(h, "rec2", "+14155551001", { ...observed, record: true })
    const b = join(h, "rec2", "+14155551002", { record: false })
    assert.strictEqual(h.mpc("rec2").recording.status, "Recording")
    assert.deepStrictEqual(ofTag(b.answered.commands, "RecordStop"), [])
    assert.deepStrictEqual(ofTag(b.answered.commands, "RecordPause"), [])
    assert.deepStrictEqual(callbacks(b.answered.commands, "recording"), [])
  })

  it("REC-2 a StartRecording API call after it started is refused (NotAllowed) and changes nothing", () => {
    const h = setup()
    join(h, "rec2b", "+14155551001", { ...observed, record: true })
    const before = h.state
    const r = recordingApi(h, "StartRecording", "rec2b")
    const apiId = ofTag(r.commands, "Respond")[0]!.apiId
    const error = "multiparty call rec2b has already been recorded"
    const refused = { _tag: "NotAllowed", rule: "REC-2", fields: ["mpc"], message: error } as const
    assert.deepStrictEqual(r.refused, refused)
    assert.deepStrictEqual(r.commands, [{ _tag: "Respond", apiId, outcome: refused }])
    assert.strictEqual(h.state, before)
  })

  it("REC-2 it never starts a second time: not for a later record member, not after it was stopped", () => {
    const h = setup()
    const a = join(h, "rec2c", "+14155551001", { ...observed, record: true, stay_alone: true })
    join(h, "rec2c", "+14155551002", { record: true, stay_alone: true })
    h.hangup(a.leg)
    join(h, "rec2c", "+14155551003", { record: true })
    assert.strictEqual(mpcRecordStarts(h).length, 1)
    const stop = recordingApi(h, "StopRecording", "rec2c")
    assert.strictEqual(ofTag(stop.commands, "Respond")[0]!.outcome._tag, "RecordingChanged")
    assert.strictEqual(h.mpc("rec2c").recording.status, "Completed")
    join(h, "rec2c", "+14155551004", { record: true })
    assert.strictEqual(mpcRecordStarts(h).length, 1)
    const again = recordingApi(h, "StartRecording", "rec2c")
    assert.strictEqual(ofTag(again.commands, "Respond")[0]!.outcome._tag, "NotAllowed")
    assert.strictEqual(h.mpc("rec2c").recording.status, "Completed")
  })
})

describe("REC-3 participant tracks", () => {
  it("REC-3 record_participant_track starts the member's own recording on join and stops it on exit", () => {
    const h = setup()
    const a = join(h, "rec3", "+14155551001", { ...observed, record_file_format: "wav" })
    const b = join(h, "rec3", "+14155551002", { role: "Customer", record_participant_track: true })
    const track = h.mpc("rec3").members[1]!.trackRecordingUuid
    assert.isDefined(track)
    assert.deepStrictEqual(ofTag(b.answered.commands, "RecordStart"), [
      {
        _tag: "RecordStart",
        mpcUuid: a.mpcUuid,
        recordingUuid: track!,
        memberId: b.memberId,
        fileFormat: "wav"
      }
    ])
    // The track is not the MPC recording: that one has not started.
    assert.strictEqual(h.mpc("rec3").recording.status, "NotStarted")
    assert.strictEqual(h.mpc("rec3").members[0]!.trackRecordingUuid, undefined)
    assert.deepStrictEqual(ofTag(a.answered.commands, "RecordStart"), [])

    join(h, "rec3", "+14155551003")
    const gone = h.hangup(b.leg)
    assert.deepStrictEqual(ofTag(gone.commands, "RecordStop"), [
      { _tag: "RecordStop", mpcUuid: a.mpcUuid, recordingUuid: track! }
    ])
  })

  it("REC-3 a participant track stops when the MPC ends around the member", () => {
    const h = setup()
    const a = join(h, "rec3b", "+14155551001", { ...observed, record_participant_track: true })
    const track = a.member.trackRecordingUuid!
    const end = h.send({ _tag: "EndMpc", at: h.now, apiId: h.apiId(), mpc: byName("rec3b") })
    assert.deepStrictEqual(ofTag(end.commands, "RecordStop"), [
      { _tag: "RecordStop", mpcUuid: a.mpcUuid, recordingUuid: track }
    ])
  })
})

describe("REC-4 recording callbacks", () => {
  it("REC-4 Initiated, Paused, Resumed, Completed go to recording_callback_url with SequenceNumber 1, 2, 3, 4", () => {
    const h = setup()
    const added = h.add("rec4", {
      role: "Agent",
      from: FROM,
      to: "+14155551001",
      ...observed,
      recording_callback_method: "GET",
      record: true
    })
    const mpcUuid = h.mpc("rec4").uuid
    h.advance(5_000)
    h.pickUp(added.legs[0]!)
    const recordingUuid = h.mpc("rec4").recording.uuid!
    h.advance(10_000)
    const paused = recordingApi(h, "PauseRecording", "rec4")
    assert.deepStrictEqual(ofTag(paused.commands, "Respond")[0]!.outcome, {
      _tag: "RecordingChanged",
      recordingUuid,
      status: "Paused"
    })
    assert.deepStrictEqual(ofTag(paused.commands, "RecordPause"), [
      { _tag: "RecordPause", mpcUuid, recordingUuid }
    ])
    h.advance(30_000)
    const resumed = recordingApi(h, "ResumeRecording", "rec4")
    assert.deepStrictEqual(ofTag(resumed.commands, "RecordResume"), [
      { _tag: "RecordResume", mpcUuid, recordingUuid }
    ])
    h.advance(20_000)
    // REC-4: the recording completes when the MPC ends (here its last member leaves).
    const ended = h.hangup(added.legs[0]!)
    assert.deepStrictEqual(ofTag(ended.commands, "RecordStop"), [
      { _tag: "RecordStop", mpcUuid, recordingUuid }
    ])
    assert.strictEqual(h.mpcByUuid(mpcUuid).recording.status, "Completed")

    const sent = callbacks(h.commands(), "recording")
    assert.deepStrictEqual(
      sent.map((c) => [c.event, c.url, c.method, c.mpcUuid, c.params.SequenceNumber]),
      [
        ["MPCRecordingInitiated", observed.recording_callback_url, "GET", mpcUuid, "1"],
        ["MPCRecordingPaused", observed.recording_callback_url, "GET", mpcUuid, "2"],
        ["MPCRecordingResumed", observed.recording_callback_url, "GET", mpcUuid, "3"],
        ["MPCRecordingCompleted", observed.recording_callback_url, "GET", mpcUuid, "4"]
      ]
    )
    const base = {
      MPCName: "rec4",
      MPCUUID: mpcUuid,
      RecordingFormat: "mp3",
      RecordingResourceURL: `https://api.plivo.com/v1/Account/${AUTH}/Recording/${recordingUuid}/`,
      RecordingStartTime: "2023-11-14 22:13:25+00:00",
      RecordingURL: `https://media.plivo.com/v1/Account/${AUTH}/Recording/${recordingUuid}.mp3`,
      RecordingUUID: recordingUuid
    }
    assert.deepStrictEqual(sent[0]!.params, {
      ...base,
      EventName: "MPCRecordingInitiated",
      EventTimestamp: "2023-11-14 22:13:25+00:00",
      RecordingDuration: null,
      RecordingEndTime: null,
      SequenceNumber: "1"
    })
    // 5 s → 65 s with 30 s paused: 30 s recorded.
    assert.deepStrictEqual(sent[3]!.params, {
      ...base,
      EventName: "MPCRecordingCompleted",
      EventTimestamp: "2023-11-14 22:14:25+00:00",
      RecordingDuration: "30",
      RecordingEndTime: "2023-11-14 22:14:25+00:00",
      SequenceNumber: "4"
    })
    // The recording stream has its own numbering: the status stream is contiguous on its own.
    const status = callbacks(h.commands(), "status").map((c) => c.params.SequenceNumber)
    assert.deepStrictEqual(
      status,
      status.map((_, i) => String(i + 1))
    )
  })

  it("REC-4 a recording still paused when the MPC ends completes without the paused time", () => {
    const h = setup()
    const a = join(h, "rec4b", "+14155551001", { ...observed, record: true })
    h.advance(40_000)
    recordingApi(h, "PauseRecording", "rec4b")
    h.advance(50_000)
    h.send({ _tag: "EndMpc", at: h.now, apiId: h.apiId(), mpc: byName("rec4b") })
    const completed = callbacks(h.commands(), "recording").find((c) => c.event === "MPCRecordingCompleted")!
    assert.strictEqual(completed.params.RecordingDuration, "40")
    assert.strictEqual(completed.params.RecordingEndTime, "2023-11-14 22:14:50+00:00")
    assert.strictEqual(completed.params.SequenceNumber, "3")
    assert.strictEqual(h.mpcByUuid(a.mpcUuid).recording.status, "Completed")
  })

  it("REC-4 a RecordingFailed event sends MPCRecordingFailed; the MPC's end then completes nothing", () => {
    const h = setup()
    const a = join(h, "rec4c", "+14155551001", { ...observed, record: true })
    h.advance(25_000)
    const failed = h.send({ _tag: "RecordingFailed", at: h.now, mpcUuid: a.mpcUuid })
    assert.strictEqual(failed.refused, undefined)
    const recordingUuid = h.mpc("rec4c").recording.uuid!
    assert.deepStrictEqual(callbacks(failed.commands), [
      {
        _tag: "SendCallback",
        kind: "recording",
        url: observed.recording_callback_url,
        method: "POST",
        mpcUuid: a.mpcUuid,
        event: "MPCRecordingFailed",
        params: {
          EventName: "MPCRecordingFailed",
          EventTimestamp: "2023-11-14 22:13:45+00:00",
          MPCName: "rec4c",
          MPCUUID: a.mpcUuid,
          RecordingDuration: "25",
          RecordingEndTime: "2023-11-14 22:13:45+00:00",
          RecordingFormat: "mp3",
          RecordingResourceURL: `https://api.plivo.com/v1/Account/${AUTH}/Recording/${recordingUuid}/`,
          RecordingStartTime: "2023-11-14 22:13:20+00:00",
          RecordingURL: `https://media.plivo.com/v1/Account/${AUTH}/Recording/${recordingUuid}.mp3`,
          RecordingUUID: recordingUuid,
          SequenceNumber: "2"
        }
      }
    ])
    assert.strictEqual(h.mpc("rec4c").recording.status, "Failed")
    h.advance(5_000)
    const ended = h.hangup(a.leg)
    assert.deepStrictEqual(callbacks(ended.commands, "recording"), [])
    assert.deepStrictEqual(ofTag(ended.commands, "RecordStop"), [])
    assert.deepStrictEqual(callbackNames(h.commands(), "recording"), [
      "MPCRecordingInitiated",
      "MPCRecordingFailed"
    ])
  })

  it("REC-4 a recording that fails while paused reports a RecordingDuration without the paused time", () => {
    const h = setup()
    const a = join(h, "rec4d", "+14155551001", { ...observed, record: true })
    h.advance(20_000)
    recordingApi(h, "PauseRecording", "rec4d")
    h.advance(60_000)
    h.send({ _tag: "RecordingFailed", at: h.now, mpcUuid: a.mpcUuid })
    const failed = callbacks(h.commands(), "recording").find((c) => c.event === "MPCRecordingFailed")!
    // Recorded from 0 s to 20 s, then paused until the failure at 80 s: 20 s of recording.
    assert.strictEqual(failed.params.RecordingEndTime, "2023-11-14 22:14:40+00:00")
    assert.strictEqual(failed.params.RecordingDuration, "20")
  })

  it("REC-4 without recording_callback_url nothing is sent for the recording", () => {
    const h = setup()
    join(h, "rec4e", "+14155551001", { status_callback_url: observed.status_callback_url, record: true })
    assert.strictEqual(h.mpc("rec4e").recording.status, "Recording")
    h.send({ _tag: "EndMpc", at: h.now, apiId: h.apiId(), mpc: byName("rec4e") })
    assert.deepStrictEqual(callbacks(h.commands(), "recording"), [])
    assert.strictEqual(ofTag(h.commands(), "RecordStop").length, 1)
  })
})
