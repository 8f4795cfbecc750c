/**
 * PLAY-3, PLAY-4, PLAY-6, PREC-3, SDK-22 in the rules engine: who hears a play, that it does not
 * replace hold or wait music, that it and a member's own recording end with the member, and that a
 * member that left stays on the MPC with its exit.
 */
import { assert, describe, it } from "@effect/vitest"
import { Hearing } from "@mpc-kit/domain"
import { byName, callbackNames, Harness, join, observed, ofTag } from "../support/Harness.js"

const url = "https://example.com/a.mp3"
const setup = () => new Harness({ cps: 10 })

describe("PLAY: audio played to members", () => {
  it("PLAY-3 only the members named hear the audio; it does not replace hold music; others hear the bridge as before", () => {
    const h = setup()
    const a = join(h, "p3", "+14155551001", { ...observed, stay_alone: true })
    const b = join(h, "p3", "+14155551002", { role: "Customer", stay_alone: true })
    const c = join(h, "p3", "+14155551003", { role: "Customer", hold: true, stay_alone: true })
    const before = Hearing.audible(h.mpc("p3"))
    const r = h.send({
      _tag: "PlayAudio",
      at: h.now,
      apiId: h.apiId(),
      mpc: byName("p3"),
      member: [a.member.id, c.member.id],
      url
    })
    assert.deepStrictEqual(ofTag(r.commands, "Respond")[0]!.outcome, {
      _tag: "AudioQueued",
      mpcName: "p3",
      memberIds: [a.member.id, c.member.id]
    })
    const mpc = h.mpc("p3")
    assert.deepStrictEqual(Hearing.plays(mpc), { [a.member.id]: url, [c.member.id]: url })
    assert.isUndefined(Hearing.playedTo(mpc.members.find((m) => m.id === b.member.id)!))
    // Who hears whom on the bridge is unchanged, and the held customer keeps its hold music.
    assert.deepStrictEqual(Hearing.audible(mpc), before)
    assert.strictEqual(mpc.members.find((m) => m.id === c.member.id)!.music, "CustomerHold")
    assert.deepStrictEqual(
      ofTag(r.commands, "StartAudio").map((x) => x.memberId),
      [a.member.id, c.member.id]
    )
    assert.deepStrictEqual(ofTag(r.commands, "StopMusic"), [])
  })

  it("PLAY-4 PLAY-6 a member leaving stops its play (ParticipantAudioStopped before ParticipantExit)", () => {
    const h = setup()
    const a = join(h, "p6", "+14155551001", { ...observed, stay_alone: true })
    join(h, "p6", "+14155551002", { stay_alone: true })
    h.send({ _tag: "PlayAudio", at: h.now, apiId: h.apiId(), mpc: byName("p6"), member: "all", url })
    const left = h.hangup(a.leg)
    assert.deepStrictEqual(
      ofTag(left.commands, "StopAudio").map((x) => x.memberId),
      [a.member.id]
    )
    const names = callbackNames(left.commands, "status")
    assert.isBelow(names.indexOf("ParticipantAudioStopped"), names.indexOf("ParticipantExit"))
    assert.isDefined(h.mpc("p6").left?.find((m) => m.id === a.member.id && m.audio === undefined))
  })
})

describe("SDK-22 members that left", () => {
  it("SDK-22 PREC-3 a kicked member is kept with its exit; its own recording completed with it", () => {
    const h = setup()
    const a = join(h, "gone", "+14155551001", { ...observed, stay_alone: true })
    join(h, "gone", "+14155551002", { stay_alone: true })
    h.send({
      _tag: "StartMemberRecording",
      at: h.now,
      apiId: h.apiId(),
      mpc: byName("gone"),
      memberId: a.member.id
    })
    const kicked = h.send({
      _tag: "KickMember",
      at: h.now,
      apiId: h.apiId(),
      mpc: byName("gone"),
      member: [a.member.id]
    })
    assert.include(callbackNames(kicked.commands, "recording"), "ParticipantRecordingCompleted")
    const mpc = h.mpc("gone")
    assert.isUndefined(mpc.members.find((m) => m.id === a.member.id))
    const gone = mpc.left!.find((m) => m.id === a.member.id)!
    assert.strictEqual(gone.exit?.cause, "Kicked Out Of Multiparty Call")
    assert.strictEqual(gone.recording?.status, "Completed")
  })
})
