/**
 * The MPC's recording.
 *
 * Rules: REC-1, REC-2, REC-3, REC-4.
 *
 * @internal
 */
import type { Webhook } from "../AddParticipantRequest.js"
import type { Recording } from "../State.js"
import { recordingCallback } from "./Callbacks.js"
import { patch } from "./Calls.js"
import type { Draft, Tx } from "./Tx.js"

export const startRecording = (
  tx: Tx,
  d: Draft,
  overrides?: { fileFormat?: Recording["fileFormat"]; callback?: Webhook }
) => {
  const recordingUuid = tx.id()
  d.recording = patch(d.recording, {
    status: "Recording",
    uuid: recordingUuid,
    startedAt: tx.now,
    // SDK-33: a recording started again after a stop is a new one.
    endedAt: undefined,
    pausedMs: 0,
    pausedAt: undefined,
    fileFormat: overrides?.fileFormat ?? d.recording.fileFormat,
    callback: overrides?.callback ?? d.recording.callback
  })
  tx.emit({ _tag: "RecordStart", mpcUuid: d.uuid, recordingUuid, fileFormat: d.recording.fileFormat })
  recordingCallback(tx, d, "MPCRecordingInitiated")
}

/**
 * REC-1, REC-2: recording starts the first time a member with `record` is in the MPC while it has at
 * least `record_min_member_count` members, and never a second time.
 */
export const maybeStartRecording = (tx: Tx, d: Draft): void => {
  if (d.recording.status !== "NotStarted") return
  if (d.members.length < d.settings.recordMinMemberCount) return
  if (!d.members.some((m) => m.record)) return
  startRecording(tx, d)
}

/** REC-4: completes the recording (when the MPC ends, or by API). */
export const completeRecording = (tx: Tx, d: Draft): void => {
  const rec = d.recording
  if (rec.status !== "Recording" && rec.status !== "Paused") return
  const pausedMs =
    rec.status === "Paused" && rec.pausedAt !== undefined
      ? rec.pausedMs + (tx.now - rec.pausedAt)
      : rec.pausedMs
  d.recording = patch(rec, { status: "Completed", endedAt: tx.now, pausedMs, pausedAt: undefined })
  tx.emit({ _tag: "RecordStop", mpcUuid: d.uuid, recordingUuid: rec.uuid! })
  recordingCallback(tx, d, "MPCRecordingCompleted")
}
