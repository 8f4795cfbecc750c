/**
 * Audio played to members by the play API: start, stop, and its end when the member leaves.
 *
 * Rules: PLAY-1, PLAY-2, PLAY-3, PLAY-4, PLAY-5, PLAY-6.
 *
 * @internal
 */
import type { Event } from "../Event.js"
import { type Refusal, refusal } from "../Outcome.js"
import { memberCallback } from "./Callbacks.js"
import { patch, putMember } from "./Calls.js"
import { liveMpc, respond, selectMembers } from "./Management.js"
import { stopMemberAudio } from "./MemberMedia.js"
import { isRefusal, type Tx } from "./Tx.js"

/** PLAY-1, PLAY-2, PLAY-3: the named members (or all present) hear the audio, and only they. */
export const playAudio = (tx: Tx, e: Extract<Event, { _tag: "PlayAudio" }>): Refusal | undefined => {
  if (!/^https?:\/\/[^\s]+$/i.test(e.url))
    return refusal("Invalid", "PLAY-1", ["url"], "url: expected an http or https URL of the audio")
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const selected = selectMembers(mpc, e.member)
  if (isRefusal(selected)) return selected
  const d = tx.draft(mpc)
  const by = e.member === "all" ? "all" : "ids"
  for (const picked of selected) {
    // A new play replaces what was playing to the member.
    let m = stopMemberAudio(tx, d, picked)
    m = patch(m, { audio: { url: e.url, by, startedAt: tx.now } })
    putMember(tx, d, m)
    tx.emit({ _tag: "StartAudio", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid, url: e.url })
    // PLAY-4
    memberCallback(tx, d, "ParticipantAudioPlayed", m)
  }
  respond(tx, e.apiId, { _tag: "AudioQueued", mpcName: d.name, memberIds: selected.map((m) => m.id) })
  return undefined
}

/** PLAY-5: stops what was started with the same `member_id` form; nothing playing is NotFound. */
export const stopAudio = (tx: Tx, e: Extract<Event, { _tag: "StopAudio" }>): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const selected = selectMembers(mpc, e.member)
  if (isRefusal(selected)) return selected
  const by = e.member === "all" ? "all" : "ids"
  const playing = selected.filter((m) => m.audio?.by === by)
  if (playing.length === 0)
    return refusal(
      "NotFound",
      "PLAY-5",
      ["member_id"],
      `no audio started this way is playing in multiparty call ${mpc.name}`
    )
  const d = tx.draft(mpc)
  for (const m of playing) putMember(tx, d, stopMemberAudio(tx, d, m))
  respond(tx, e.apiId, { _tag: "AudioStopped", memberIds: playing.map((m) => m.id) })
  return undefined
}
