/**
 * Enter and exit sounds, wait and hold music.
 *
 * Rules: SOUND-1, SOUND-2, LIFE-2, LIFE-9, CB-7.
 *
 * @internal
 */
import type { Sound, Webhook } from "../AddParticipantRequest.js"
import type { Music } from "../Command.js"
import type { Member, Mpc } from "../State.js"
import { memberCallback } from "./Callbacks.js"
import { patch, putMember } from "./Calls.js"
import { type Draft, isCoach, type Tx } from "./Tx.js"

/** SOUND-1: plays a member's enter or exit sound on the bridge; SOUND-2: never for a coaching supervisor. */
export const playMemberSound = (
  tx: Tx,
  d: Draft,
  m: Member,
  sound: Sound,
  purpose: "EnterSound" | "ExitSound"
) => {
  if (isCoach(m)) return
  switch (sound._tag) {
    case "Silence":
      return
    case "Beep":
      tx.emit({
        _tag: "PlaySound",
        mpcUuid: d.uuid,
        memberId: m.id,
        audio: { _tag: "Beep", count: sound.count }
      })
      return
    case "SoundXml":
      tx.emit({
        _tag: "FetchXml",
        url: sound.url,
        method: sound.method,
        purpose,
        mpcUuid: d.uuid,
        memberId: m.id
      })
  }
}

/** LIFE-2, LIFE-9: the music a member should hear now, if any. */
export const musicFor = (d: Mpc, m: Member): Music | undefined => {
  if (m.hold) return m.role === "Customer" ? "CustomerHold" : "AgentHold"
  if (d.status === "Initialized") return "Wait"
  return undefined
}

export const musicSource = (d: Mpc, music: Music): Webhook | undefined =>
  music === "Wait"
    ? d.settings.waitMusic
    : music === "AgentHold"
      ? d.settings.agentHoldMusic
      : d.settings.customerHoldMusic

/** Starts or stops music so the member hears what `musicFor` says (CB-7 audio events). */
export const retune = (tx: Tx, d: Draft, m: Member): Member => {
  const want = musicFor(d, m)
  if (want === m.music) return m
  if (m.music !== undefined) {
    tx.emit({ _tag: "StopMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid })
    memberCallback(tx, d, "ParticipantAudioStopped", m)
  }
  const next = patch(m, { music: want })
  if (want !== undefined) {
    const source = musicSource(d, want)
    tx.emit(
      source === undefined
        ? { _tag: "StartMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid, music: want }
        : { _tag: "StartMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid, music: want, source }
    )
    memberCallback(tx, d, "ParticipantAudioPlayed", next)
  }
  putMember(tx, d, next)
  return next
}
