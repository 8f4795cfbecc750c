/**
 * Calls run by XML documents, as the other rule families see them: leaving a document, handing a
 * call back to its document when it leaves an MPC alive, and the application's hangup callback.
 *
 * Rules: XML-15, XML-16, EXIT-1.
 *
 * @internal
 */

import * as PMap from "../PMap.js"
import type { Call, CallXml, Member } from "../State.js"
import { format as ts } from "../Timestamp.js"
import { patch, putCall } from "./Calls.js"
import { type Draft, seconds, TimerId, type Tx } from "./Tx.js"

/** Cancels the timers of a call's document (its current step, its scheduled hangup). */
export const cancelXmlTimers = (tx: Tx, call: Call): void => {
  if (call.xml?.stepAt !== undefined) tx.cancelTimer(TimerId.xml(call.uuid))
  if (call.xml?.hangupAt !== undefined) tx.cancelTimer(TimerId.xmlHangup(call.uuid))
}

/**
 * XFER-1: a call the API moves into an MPC leaves its document: its pending steps are dropped (it
 * then ends as any API member does, LIFE-6).
 */
export const leaveDocument = (tx: Tx, call: Call): Call => {
  cancelXmlTimers(tx, call)
  return patch(call, { xml: undefined })
}

/** XML-16: the application's `hangup_url` callback for an ended call run by a document. */
export const hangupCallback = (tx: Tx, call: Call, mpcUuid = ""): void => {
  const cb = call.xml?.hangupUrl
  if (cb === undefined || call.hangup === undefined) return
  const answered = call.answeredAt
  const talkS = answered === undefined ? 0 : seconds((call.endedAt ?? tx.now) - answered)
  tx.emit({
    _tag: "SendCallback",
    kind: "hangup",
    url: cb.url,
    method: cb.method,
    mpcUuid,
    event: "Hangup",
    params: {
      Event: "Hangup",
      CallUUID: call.uuid,
      From: call.from,
      To: call.to,
      Direction: call.direction,
      CallStatus: "completed",
      StartTime: ts(call.createdAt),
      AnswerTime: answered === undefined ? null : ts(answered),
      EndTime: ts(call.endedAt ?? tx.now),
      Duration: String(talkS),
      BillDuration: String(Math.ceil(talkS / 60) * 60),
      HangupCauseName: call.hangup.cause,
      HangupCauseCode: String(call.hangup.code),
      HangupSource: call.hangup.source
    }
  })
}

/** Whether a member leaving alive is handed back to XML rather than hung up (EXIT-1, XML-15). */
export const handedBack = (m: Member, call: Call): boolean =>
  m.onExitAction !== undefined || call.xml !== undefined

/**
 * EXIT-1, XML-15: a member left the MPC with its call alive: the call leaves the MPC (its record
 * there ends, handed off) and lives on outside it, run by its on-exit document once fetched, or
 * else by the rest of the document that put it in (the next step runs now, by a timer due now).
 */
export const handBack = (tx: Tx, d: Draft, m: Member, call: Call): void => {
  tx.emit({ _tag: "Unbridge", callUuid: call.uuid, mpcUuid: d.uuid, memberId: m.id })
  putCall(tx, d, patch(call, { state: "ended", endedAt: tx.now, handedOff: true }))
  let xml: CallXml
  if (m.onExitAction !== undefined) {
    tx.emit({
      _tag: "FetchXml",
      url: m.onExitAction.url,
      method: m.onExitAction.method,
      purpose: "OnExitAction",
      mpcUuid: d.uuid,
      callUuid: call.uuid
    })
    if (call.xml?.stepAt !== undefined) tx.cancelTimer(TimerId.xml(call.uuid))
    xml = {
      origin: "Action",
      phase: "fetching",
      steps: [],
      cursor: 0,
      stepAt: undefined,
      hangupAt: call.xml?.hangupAt,
      hangupUrl: call.xml?.hangupUrl
    }
  } else {
    xml = { ...call.xml!, phase: "running", stepAt: tx.now }
    tx.setTimer(TimerId.xml(call.uuid), tx.now)
  }
  tx.callIndex = PMap.remove(tx.callIndex, call.uuid)
  tx.calls = PMap.set(tx.calls, call.uuid, patch(call, { state: "answered", memberId: undefined, xml }))
}
