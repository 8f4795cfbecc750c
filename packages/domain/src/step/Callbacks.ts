/**
 * Status, call, recording and request callbacks.
 *
 * Rules: CB-1, CB-2, CB-3, CB-4, CB-5, CB-6, XFER-2, REC-4, PARAM-14.
 *
 * @internal
 */
import type { CallbackParams } from "../Command.js"
import { type Call, type Member, type Mpc, memberAddress } from "../State.js"
import { format as ts } from "../Timestamp.js"
import { type Draft, groupOf, money, seconds, type Tx } from "./Tx.js"

/** REC-1, PREC-2: where a recording's audio would be. */
export const recordingUrl = (authId: string, uuid: string, format: string): string =>
  `https://media.plivo.com/v1/Account/${authId}/Recording/${uuid}.${format}`

/** REC-1, PREC-3: the recording's resource in Plivo's API. */
export const recordingResourceUrl = (authId: string, uuid: string): string =>
  `https://api.plivo.com/v1/Account/${authId}/Recording/${uuid}/`

/** CB-1, CB-2, CB-3, CB-4: the MPC part of every status callback. */
export const mpcParams = (tx: Tx, d: Mpc, event: string, seq: number): Record<string, string | null> => {
  const ended = d.status === "Ended" && d.endedAt !== undefined
  const durationS = ended ? seconds(d.endedAt! - d.createdAt) : 0
  const billedMin = Math.ceil(durationS / 60)
  return {
    EventName: event,
    EventTimestamp: ts(tx.now),
    // CB-4: billing, duration, end and termination are null until the MPC has ended.
    MPCBilledAmount: ended ? money(billedMin, tx.config.mpcRatePerMinute) : null,
    MPCBilledDuration: ended ? String(billedMin * 60) : null,
    MPCCreationTime: ts(d.createdAt),
    MPCDuration: ended ? String(durationS) : null,
    MPCEndTime: ended ? ts(d.endedAt!) : null,
    MPCName: d.name,
    MPCStartTime: d.startedAt === undefined ? null : ts(d.startedAt),
    MPCTerminationCause: ended && d.termination !== undefined ? d.termination.cause : null,
    MPCTerminationCauseCode: ended && d.termination !== undefined ? String(d.termination.code) : null,
    MPCUUID: d.uuid,
    SequenceNumber: String(seq)
  }
}

/** The participant part of a status callback. */
export const addMemberParams = (
  p: Record<string, string | null>,
  m: Member,
  exit?: { readonly cause: string; readonly at: number }
): void => {
  p.MemberAddress = memberAddress(m)
  p.MemberID = m.id
  p.ParticipantCallDirection = m.direction
  p.ParticipantCallFrom = m.from
  p.ParticipantCallTo = m.to
  p.ParticipantCallUUID = m.callUuid
  p.ParticipantCoachMode = String(m.coachMode)
  p.ParticipantExitCause = exit === undefined ? null : exit.cause
  p.ParticipantExitTime = exit === undefined ? null : ts(exit.at)
  p.ParticipantJoinTime = ts(m.joinedAt)
  p.ParticipantRole = m.role
  p.STIRVerification = "Not Applicable"
}

/**
 * CB-1, CB-2: a status callback, sent only when the MPC has a status URL and the event's group is
 * subscribed; each one sent takes the next `SequenceNumber` of the MPC's stream.
 */
export const statusCallback = (
  tx: Tx,
  d: Draft,
  event: string,
  fill?: (p: Record<string, string | null>) => void
): void => {
  const cb = d.settings.statusCallback
  if (cb === undefined) return
  if (!d.settings.statusCallbackEvents.includes(groupOf[event]!)) return
  const seq = d.statusSeq + 1
  d.statusSeq = seq
  const params = mpcParams(tx, d, event, seq)
  if (fill !== undefined) fill(params)
  tx.emit({
    _tag: "SendCallback",
    kind: "status",
    url: cb.url,
    method: cb.method,
    mpcUuid: d.uuid,
    event,
    params
  })
}

export const memberCallback = (
  tx: Tx,
  d: Draft,
  event: string,
  m: Member,
  exit?: { cause: string; at: number }
) => statusCallback(tx, d, event, (p) => addMemberParams(p, m, exit))

/** CB-5, XFER-2: a call status callback, only for legs dialled with a `call_status_callback_url`. */
export const callCallback = (
  tx: Tx,
  mpcUuid: string,
  call: Call,
  event: "Initiated" | "Ringing" | "Answered" | "Hangup"
) => {
  const cb = call.callStatusCallback
  if (cb === undefined) return
  const ended = event === "Hangup"
  const talkS =
    ended && call.answeredAt !== undefined ? seconds((call.endedAt ?? tx.now) - call.answeredAt) : 0
  const billedMin = Math.ceil(talkS / 60)
  const params: CallbackParams = {
    AnswerTime: call.answeredAt === undefined ? null : ts(call.answeredAt),
    BilledDuration: ended ? String(billedMin * 60) : null,
    CallUUID: call.uuid,
    Duration: ended ? String(talkS) : null,
    EventName: event,
    From: call.from,
    HangupTime: ended ? ts(call.endedAt ?? tx.now) : null,
    InitiationTime: call.initiatedAt === undefined ? null : ts(call.initiatedAt),
    MPCUUID: mpcUuid,
    PlivoHangupCause: ended && call.hangup !== undefined ? call.hangup.cause : null,
    PlivoHangupCauseCode: ended && call.hangup !== undefined ? String(call.hangup.code) : null,
    PlivoHangupSource: ended && call.hangup !== undefined ? call.hangup.source : null,
    Rate: tx.config.callRatePerMinute.toFixed(5),
    RingTime:
      call.answeredAt === undefined
        ? null
        : String(seconds(call.answeredAt - (call.ringingAt ?? call.initiatedAt ?? call.answeredAt))),
    To: call.to,
    TotalAmount: ended ? money(billedMin, tx.config.callRatePerMinute) : null
  }
  tx.emit({ _tag: "SendCallback", kind: "call", url: cb.url, method: cb.method, mpcUuid, event, params })
}

/** REC-4: a recording callback, with the recording stream's own `SequenceNumber`. */
export const recordingCallback = (tx: Tx, d: Draft, event: string): void => {
  const rec = d.recording
  const cb = rec.callback
  if (cb === undefined || rec.uuid === undefined) return
  const seq = d.recordingSeq + 1
  d.recordingSeq = seq
  const done = rec.status === "Completed" || rec.status === "Failed"
  const end = rec.endedAt ?? tx.now
  const activeMs = rec.startedAt === undefined ? 0 : end - rec.startedAt - rec.pausedMs
  const authId = tx.config.authId
  const params: CallbackParams = {
    EventName: event,
    EventTimestamp: ts(tx.now),
    MPCName: d.name,
    MPCUUID: d.uuid,
    RecordingDuration: done ? String(seconds(activeMs)) : null,
    RecordingEndTime: done ? ts(end) : null,
    RecordingFormat: rec.fileFormat,
    RecordingResourceURL: recordingResourceUrl(authId, rec.uuid),
    RecordingStartTime: rec.startedAt === undefined ? null : ts(rec.startedAt),
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
}

/** CB-6: `AddParticipantByAPIAction*`, with the request's UUID (and, once decided, its outcome). */
export const requestCallback = (
  tx: Tx,
  d: Draft,
  event: "AddParticipantByAPIActionInitiated" | "AddParticipantByAPIActionCompleted",
  requestUuid: string,
  joined?: Member | null
): void =>
  statusCallback(tx, d, event, (p) => {
    p.RequestUUID = requestUuid
    if (joined !== undefined) {
      p.RequestStatus = joined === null ? "failure" : "success"
      if (joined !== null) addMemberParams(p, joined)
    }
  })
