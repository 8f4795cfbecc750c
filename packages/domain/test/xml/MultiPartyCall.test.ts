import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as AddParticipantParams from "../../src/AddParticipantParams.js"
import { Defaults } from "../../src/AddParticipantRequest.js"
import type { ParameterIssue } from "../../src/InvalidRequest.js"
import { element } from "../../src/xml/Document.js"
import * as MultiPartyCall from "../../src/xml/MultiPartyCall.js"

const uuid = "0b7b4242-8ee8-4872-b447-81b4ce972eae"

const mpc = (attributes: Record<string, string>, text = "support-42") =>
  element("MultiPartyCall", attributes, text)

const ok = (attributes: Record<string, string>, text?: string): MultiPartyCall.Join => {
  const r = MultiPartyCall.decode(mpc(attributes, text), uuid)
  if (Either.isLeft(r)) assert.fail(`expected the element to decode, got: ${r.left.error}`)
  return r.right
}

const refused = (attributes: Record<string, string>, text?: string): ReadonlyArray<ParameterIssue> => {
  const r = MultiPartyCall.decode(mpc(attributes, text), uuid)
  if (Either.isRight(r)) assert.fail(`expected a refusal, got ${JSON.stringify(r.right)}`)
  return r.left.issues
}

const refusedFor = (attributes: Record<string, string>, parameter: string, text?: string): string => {
  const issues = refused(attributes, text)
  assert.deepStrictEqual(
    issues.map((i) => i.parameter),
    [parameter],
    issues.map((i) => `${i.parameter}: ${i.message}`).join("; ")
  )
  return issues[0]!.message
}

describe("MultiPartyCall.decode", () => {
  it("XML-11 the element's text names the MPC and the current call joins as a transfer", () => {
    const join = ok({ role: "customer" }, "  support-42\n")
    assert.strictEqual(join.mpcName, "support-42")
    assert.strictEqual(join.request.role, "Customer")
    assert.deepStrictEqual(join.request.target, { _tag: "Transfer", callUuid: uuid })
  })

  it("XML-11 with only a role every default is the API's, but for XML-12", () => {
    const join = ok({ role: "Agent" })
    const api = AddParticipantParams.decode({ role: "Agent", call_uuid: uuid })
    assert.deepStrictEqual(join.request, Either.getOrThrow(api))
    assert.deepStrictEqual(join.extras, { transcript: false })
  })

  it("XML-11 the MPC name follows ADDR-1: blank, control characters and over 100 characters are refused", () => {
    assert.match(refusedFor({ role: "Agent" }, "text", "   "), /non-blank name/)
    assert.match(refusedFor({ role: "Agent" }, "text", "a\u0007b"), /control characters/)
    refusedFor({ role: "Agent" }, "text", "x".repeat(101))
    assert.strictEqual(ok({ role: "Agent" }, "x".repeat(100)).mpcName.length, 100)
  })

  it("XML-11 role is required and is one of Agent, Supervisor, Customer in any case", () => {
    assert.match(refusedFor({}, "role"), /required/)
    assert.match(refusedFor({ role: "boss" }, "role"), /Agent, Supervisor, Customer/)
    assert.strictEqual(ok({ role: "SUPERVISOR" }).request.role, "Supervisor")
  })

  it("XML-11 maxDuration is an integer from 300 to 28800, default 14400", () => {
    assert.strictEqual(ok({ role: "Agent" }).request.mpc.maxDuration, 14_400)
    assert.strictEqual(ok({ role: "Agent", maxDuration: "300" }).request.mpc.maxDuration, 300)
    assert.strictEqual(ok({ role: "Agent", maxDuration: "28800" }).request.mpc.maxDuration, 28_800)
    assert.match(refusedFor({ role: "Agent", maxDuration: "299" }, "maxDuration"), /300 to 28800/)
    refusedFor({ role: "Agent", maxDuration: "28801" }, "maxDuration")
    refusedFor({ role: "Agent", maxDuration: "3e2" }, "maxDuration")
  })

  it("XML-11 maxParticipants is an integer from 2 to 10, default 10", () => {
    assert.strictEqual(ok({ role: "Agent" }).request.mpc.maxParticipants, 10)
    assert.strictEqual(ok({ role: "Agent", maxParticipants: "2" }).request.mpc.maxParticipants, 2)
    refusedFor({ role: "Agent", maxParticipants: "1" }, "maxParticipants")
    refusedFor({ role: "Agent", maxParticipants: "11" }, "maxParticipants")
  })

  it("XML-11 recordMinMemberCount is 1 or 2, default 1", () => {
    assert.strictEqual(ok({ role: "Agent" }).request.mpc.recordMinMemberCount, 1)
    assert.strictEqual(ok({ role: "Agent", recordMinMemberCount: "2" }).request.mpc.recordMinMemberCount, 2)
    refusedFor({ role: "Agent", recordMinMemberCount: "0" }, "recordMinMemberCount")
    refusedFor({ role: "Agent", recordMinMemberCount: "3" }, "recordMinMemberCount")
  })

  it("XML-11 the booleans default as the API's and accept true or false in any case", () => {
    const r = ok({ role: "Agent" }).request
    assert.deepStrictEqual(
      [r.record, r.recordParticipantTrack, r.stayAlone, r.coachMode, r.mute, r.hold],
      [false, false, false, true, false, false]
    )
    assert.deepStrictEqual([r.startMpcOnEnter, r.endMpcOnExit, r.relayDtmfInputs], [true, false, false])
    const flipped = ok({
      role: "Agent",
      record: "TRUE",
      recordParticipantTrack: "true",
      stayAlone: "True",
      coachMode: "false",
      mute: "true",
      hold: "true",
      startMpcOnEnter: "false",
      endMpcOnExit: "true",
      relayDTMFInputs: "true"
    }).request
    assert.deepStrictEqual(
      [flipped.record, flipped.recordParticipantTrack, flipped.stayAlone, flipped.coachMode, flipped.mute],
      [true, true, true, false, true]
    )
    assert.deepStrictEqual(
      [flipped.hold, flipped.startMpcOnEnter, flipped.endMpcOnExit, flipped.relayDtmfInputs],
      [true, false, true, true]
    )
    assert.match(refusedFor({ role: "Agent", mute: "yes" }, "mute"), /true or false/)
  })

  it("XML-11 recordFileFormat is mp3 or wav, default mp3", () => {
    assert.strictEqual(ok({ role: "Agent" }).request.mpc.recordFileFormat, "mp3")
    assert.strictEqual(ok({ role: "Agent", recordFileFormat: "WAV" }).request.mpc.recordFileFormat, "wav")
    refusedFor({ role: "Agent", recordFileFormat: "ogg" }, "recordFileFormat")
  })

  it("XML-11 statusCallbackEvents are the API's groups, trimmed, in any order; default the two state groups", () => {
    assert.deepStrictEqual(ok({ role: "Agent" }).request.mpc.statusCallbackEvents, [
      "mpc-state-changes",
      "participant-state-changes"
    ])
    assert.deepStrictEqual(
      ok({ role: "Agent", statusCallbackEvents: "participant-speak-events, mpc-state-changes" }).request.mpc
        .statusCallbackEvents,
      ["mpc-state-changes", "participant-speak-events"]
    )
    refusedFor({ role: "Agent", statusCallbackEvents: "everything" }, "statusCallbackEvents")
  })

  it("XML-11 URLs must be absolute http(s) URLs and their methods GET or POST, defaults as the API's", () => {
    const join = ok({
      role: "Agent",
      waitMusicUrl: "https://example.com/wait",
      agentHoldMusicUrl: "https://example.com/agent",
      customerHoldMusicUrl: "https://example.com/customer",
      customerHoldMusicMethod: "post",
      statusCallbackUrl: "https://example.com/status",
      onExitActionUrl: "https://example.com/exit"
    })
    assert.deepStrictEqual(join.request.mpc.waitMusic, { url: "https://example.com/wait", method: "GET" })
    assert.deepStrictEqual(join.request.mpc.agentHoldMusic, {
      url: "https://example.com/agent",
      method: "GET"
    })
    assert.deepStrictEqual(join.request.mpc.customerHoldMusic, {
      url: "https://example.com/customer",
      method: "POST"
    })
    assert.deepStrictEqual(join.request.mpc.statusCallback, {
      url: "https://example.com/status",
      method: "POST"
    })
    assert.deepStrictEqual(join.request.onExitAction, { url: "https://example.com/exit", method: "POST" })
    refusedFor({ role: "Agent", waitMusicUrl: "/relative" }, "waitMusicUrl")
    refusedFor({ role: "Agent", statusCallbackMethod: "PUT" }, "statusCallbackMethod")
  })

  it("XML-12 recordingCallbackMethod defaults to GET where the API's recording_callback_method defaults to POST", () => {
    const url = "https://example.com/recording"
    assert.deepStrictEqual(ok({ role: "Agent", recordingCallbackUrl: url }).request.mpc.recordingCallback, {
      url,
      method: "GET"
    })
    const api = Either.getOrThrow(
      AddParticipantParams.decode({ role: "Agent", call_uuid: uuid, recording_callback_url: url })
    )
    assert.strictEqual(api.mpc.recordingCallback?.method, Defaults.recordingCallbackMethod)
    assert.strictEqual(Defaults.recordingCallbackMethod, "POST")
    assert.strictEqual(
      ok({ role: "Agent", recordingCallbackUrl: url, recordingCallbackMethod: "POST" }).request.mpc
        .recordingCallback?.method,
      "POST"
    )
  })

  it("XML-11 enterSound and exitSound are none, beep:1, beep:2 or a URL; defaults beep:1 and beep:2", () => {
    const r = ok({ role: "Agent" }).request
    assert.deepStrictEqual(
      [r.enterSound, r.exitSound],
      [
        { _tag: "Beep", count: 1 },
        { _tag: "Beep", count: 2 }
      ]
    )
    const s = ok({
      role: "Agent",
      enterSound: "none",
      exitSound: "https://example.com/bye",
      exitSoundMethod: "POST"
    }).request
    assert.deepStrictEqual(s.enterSound, { _tag: "Silence" })
    assert.deepStrictEqual(s.exitSound, { _tag: "SoundXml", url: "https://example.com/bye", method: "POST" })
    refusedFor({ role: "Agent", enterSound: "beep:3" }, "enterSound")
  })

  it("XML-13 startRecordingAudio, stopRecordingAudio, waitTime, transcript and transcriptionUrl are checked and kept", () => {
    const join = ok({
      role: "Agent",
      startRecordingAudio: "https://example.com/start",
      stopRecordingAudio: "https://example.com/stop",
      stopRecordingAudioMethod: "post",
      waitTime: "1800",
      transcript: "true",
      transcriptionUrl: "https://example.com/transcript"
    })
    assert.deepStrictEqual(join.extras, {
      transcript: true,
      startRecordingAudio: { url: "https://example.com/start", method: "GET" },
      stopRecordingAudio: { url: "https://example.com/stop", method: "POST" },
      waitTime: 1800,
      transcriptionUrl: "https://example.com/transcript"
    })
    assert.strictEqual(ok({ role: "Agent", waitTime: "0" }).extras.waitTime, 0)
    assert.match(refusedFor({ role: "Agent", waitTime: "1801" }, "waitTime"), /0 to 1800/)
    refusedFor({ role: "Agent", startRecordingAudio: "ftp://example.com/a" }, "startRecordingAudio")
    refusedFor({ role: "Agent", transcript: "maybe" }, "transcript")
  })

  it("XML-14 dialling parameters and unknown attributes are refused, where the API ignores unknown parameters", () => {
    assert.match(refusedFor({ role: "Agent", from: "+12025550000" }, "from"), /not an attribute/)
    refusedFor({ role: "Agent", callUuid: uuid }, "callUuid")
    refusedFor({ role: "Agent", ringTimeout: "30" }, "ringTimeout")
    // PARAM-19 for contrast: the API ignores a parameter it does not know.
    assert.isTrue(
      Either.isRight(AddParticipantParams.decode({ role: "Agent", call_uuid: uuid, dial_music: "x" }))
    )
  })

  it("XML-2 attribute names are case-sensitive: relay_dtmf_inputs or relayDtmfInputs is not relayDTMFInputs", () => {
    refusedFor({ role: "Agent", relayDtmfInputs: "true" }, "relayDtmfInputs")
    refusedFor({ role: "Agent", relay_dtmf_inputs: "true" }, "relay_dtmf_inputs")
    refusedFor({ role: "Agent", MaxDuration: "300" }, "MaxDuration")
  })

  it("XML-16 the request is a transfer, which carries no call-status callback", () => {
    const target = ok({ role: "Agent" }).request.target
    assert.strictEqual(target._tag, "Transfer")
    assert.notProperty(target, "callStatusCallback")
  })

  it("XML-17 an empty value is refused (not taken as absent), once, naming the camelCase attribute", () => {
    assert.match(refusedFor({ role: "" }, "role"), /empty/)
    assert.match(refusedFor({ role: "Agent", maxDuration: "" }, "maxDuration"), /empty/)
  })

  it("XML-17 every fault of the element is reported at once, in the API's words", () => {
    const issues = refused({ role: "Agent", maxDuration: "10", hold: "no", bogus: "1" }, " ")
    assert.sameMembers(
      issues.map((i) => i.parameter),
      ["bogus", "maxDuration", "hold", "text"]
    )
    const api = AddParticipantParams.decode({ role: "Agent", call_uuid: uuid, max_duration: "10" })
    assert.strictEqual(
      issues.find((i) => i.parameter === "maxDuration")!.message,
      Either.isLeft(api) ? api.left.issues[0]!.message : "accepted"
    )
  })

  it("XML-11 the element holds only text: a child element is refused", () => {
    const r = MultiPartyCall.decode(
      element("MultiPartyCall", { role: "Agent" }, "room", [element("Speak")]),
      uuid
    )
    assert.isTrue(Either.isLeft(r))
    const wrong = MultiPartyCall.decode(element("Conference", { role: "Agent" }, "room"), uuid)
    assert.isTrue(Either.isLeft(wrong))
  })
})
