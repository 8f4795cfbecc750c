/**
 * A member's own recording, by the participant-recording API: start, stop, pause, resume, and its
 * end when the member leaves.
 *
 * Rules: PREC-1, PREC-2, PREC-3, PREC-4, PREC-5.
 *
 * @internal
 */
import type { Event } from "../Event.js"
import { type Refusal, refusal } from "../Outcome.js"
import type { Member, Mpc } from "../State.js"
import { recordingUrl } from "./Callbacks.js"
import { findMember, patch, putMember } from "./Calls.js"
import { liveMpc, respond } from "./Management.js"
import { completeMemberRecording, isRecording, memberRecordingCallback } from "./MemberMedia.js"
import { type Draft, isRefusal, type Tx } from "./Tx.js"

type MemberRecordingEvent = Extract<
  Event,
  {
    _tag: "StartMemberRecording" | "StopMemberRecording" | "PauseMemberRecording" | "ResumeMemberRecording"
  }
>

/** PREC-4: the live MPC and the member in it now, or NotFound. */
const memberOf = (tx: Tx, e: MemberRecordingEvent): { d: Draft; m: Member } | Refusal => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const m = findMember(mpc, e.memberId)
  if (m === undefined)
    return refusal(
      "NotFound",
      "PREC-4",
      ["member_id"],
      `member ${e.memberId} is not in multiparty call ${mpc.name}`
    )
  return { d: tx.draft(mpc), m }
}

const notAllowed = (m: Member, d: Mpc, what: string) =>
  refusal(
    "NotAllowed",
    "PREC-4",
    ["member_id"],
    `the recording of member ${m.id} of multiparty call ${d.name} ${what}`
  )

/** PREC-1..PREC-5: the participant-recording API. */
export const memberRecordingApi = (tx: Tx, e: MemberRecordingEvent): Refusal | undefined => {
  // Nothing is written before every check passed: a refusal leaves the state as it was.
  const found = memberOf(tx, e)
  if (isRefusal(found)) return found
  const { d, m } = found
  const rec = m.recording
  const status = rec === undefined || !isRecording(m) ? "None" : rec.status
  switch (e._tag) {
    case "StartMemberRecording": {
      if (status !== "None") return notAllowed(m, d, "is already running")
      // PREC-5: a new recording, with a new id, each time.
      const uuid = tx.id()
      const fileFormat = e.fileFormat ?? "mp3"
      let next = patch(m, {
        recording: {
          uuid,
          status: "Recording",
          fileFormat,
          callback: e.callback,
          trackType: e.trackType ?? "all",
          startedAt: tx.now,
          endedAt: undefined,
          pausedMs: 0,
          pausedAt: undefined
        }
      })
      tx.emit({ _tag: "RecordStart", mpcUuid: d.uuid, recordingUuid: uuid, memberId: m.id, fileFormat })
      next = memberRecordingCallback(tx, d, next, "ParticipantRecordingInitiated")
      putMember(tx, d, next)
      respond(tx, e.apiId, {
        _tag: "RecordingStarted",
        recordingUuid: uuid,
        url: recordingUrl(tx.config.authId, uuid, fileFormat),
        mpcName: d.name,
        requestUuid: tx.id(),
        memberId: m.id
      })
      return undefined
    }
    case "StopMemberRecording": {
      if (status === "None") return notAllowed(m, d, "is not running")
      putMember(tx, d, completeMemberRecording(tx, d, m))
      respond(tx, e.apiId, { _tag: "RecordingChanged", recordingUuid: rec!.uuid, status: "Stopped" })
      return undefined
    }
    case "PauseMemberRecording": {
      if (status === "Paused") return notAllowed(m, d, "is already paused")
      if (status === "None") return notAllowed(m, d, "is not running")
      let next = patch(m, { recording: patch(rec!, { status: "Paused", pausedAt: tx.now }) })
      tx.emit({ _tag: "RecordPause", mpcUuid: d.uuid, recordingUuid: rec!.uuid })
      next = memberRecordingCallback(tx, d, next, "ParticipantRecordingPaused")
      putMember(tx, d, next)
      respond(tx, e.apiId, { _tag: "RecordingChanged", recordingUuid: rec!.uuid, status: "Paused" })
      return undefined
    }
    case "ResumeMemberRecording": {
      if (status === "Recording") return notAllowed(m, d, "is not paused")
      if (status === "None") return notAllowed(m, d, "is not running")
      const r = rec!
      let next = patch(m, {
        recording: patch(r, {
          status: "Recording",
          pausedAt: undefined,
          pausedMs: r.pausedMs + (tx.now - (r.pausedAt ?? tx.now))
        })
      })
      tx.emit({ _tag: "RecordResume", mpcUuid: d.uuid, recordingUuid: r.uuid })
      next = memberRecordingCallback(tx, d, next, "ParticipantRecordingResumed")
      putMember(tx, d, next)
      respond(tx, e.apiId, { _tag: "RecordingChanged", recordingUuid: r.uuid, status: "Resumed" })
      return undefined
    }
  }
}
