/**
 * What the play and participant-recording APIs leave on a member, and how it ends with the member:
 * shared by those APIs and by leaving (so a play or a recording never outlives its member).
 *
 * Rules: PREC-2, PREC-3, PREC-4, PLAY-4, PLAY-5.
 *
 * @internal
 */
import type { CallbackParams } from "../Command.js"
import type { Member, Mpc } from "../State.js"
import { format as ts } from "../Timestamp.js"
import { memberCallback, recordingResourceUrl, recordingUrl } from "./Callbacks.js"
import { patch } from "./Calls.js"
import { type Draft, seconds, type Tx } from "./Tx.js"

/** True while a member's recording runs or is paused. */
export const isRecording = (m: Member): boolean =>
  m.recording !== undefined && (m.recording.status === "Recording" || m.recording.status === "Paused")

/**
 * PREC-3: a participant recording callback, to the recording's URL (else the MPC's recording URL),
 * with the member's own `SequenceNumber`; returns the member with its counter moved on.
 */
export const memberRecordingCallback = (tx: Tx, d: Mpc, m: Member, event: string): Member => {
  const rec = m.recording
  const cb = rec?.callback ?? d.settings.recordingCallback
  if (rec === undefined || cb === undefined) return m
  const seq = (m.recordingSeq ?? 0) + 1
  const done = rec.status === "Completed"
  const end = rec.endedAt ?? tx.now
  const authId = tx.config.authId
  const params: CallbackParams = {
    EventName: event,
    EventTimestamp: ts(tx.now),
    MemberID: m.id,
    RecordingDuration: done ? String(seconds(end - rec.startedAt - rec.pausedMs)) : null,
    RecordingEndTime: done ? ts(end) : null,
    RecordingFormat: rec.fileFormat,
    RecordingResourceURL: recordingResourceUrl(authId, rec.uuid),
    RecordingStartTime: ts(rec.startedAt),
    RecordingURL: recordingUrl(authId, rec.uuid, rec.fileFormat),
    RecordingUUID: rec.uuid,
    SequenceNumber: String(seq)
  }
  tx.emit({
    _tag: "SendCallback",
    kind: "recording",
    url: cb.url,
    method: cb.method,
    mpcUuid: d.uuid,
    event,
    params
  })
  return patch(m, { recordingSeq: seq })
}

/** PREC-3, PREC-4: completes a member's running recording (stop, the member leaving, the MPC ending). */
export const completeMemberRecording = (tx: Tx, d: Mpc, m: Member): Member => {
  const rec = m.recording
  if (rec === undefined || !isRecording(m)) return m
  const pausedMs =
    rec.status === "Paused" && rec.pausedAt !== undefined
      ? rec.pausedMs + (tx.now - rec.pausedAt)
      : rec.pausedMs
  const done = patch(m, {
    recording: patch(rec, { status: "Completed", endedAt: tx.now, pausedMs, pausedAt: undefined })
  })
  tx.emit({ _tag: "RecordStop", mpcUuid: d.uuid, recordingUuid: rec.uuid })
  return memberRecordingCallback(tx, d, done, "ParticipantRecordingCompleted")
}

/** PLAY-4, PLAY-5: stops the audio played to a member, if any (stop API, leaving, the MPC ending). */
export const stopMemberAudio = (tx: Tx, d: Draft, m: Member): Member => {
  if (m.audio === undefined) return m
  tx.emit({ _tag: "StopAudio", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid })
  memberCallback(tx, d, "ParticipantAudioStopped", m)
  return patch(m, { audio: undefined })
}
