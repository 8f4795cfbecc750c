/**
 * What the network reports: ringing, answers, failures, hangups, digits, speech, timers, a created call.
 *
 * Rules: DIAL-2, DIAL-3, DIAL-4, RACE-1, CONFIRM-1, CONFIRM-2, CONFIRM-3, CONFIRM-4, DTMF-1, LIFE-5,
 * REC-4, XFER-1, CPS-1.
 *
 * @internal
 */

import type { DialOut } from "../AddParticipantRequest.js"
import { type Hangup, Hangups, Terminations } from "../Cause.js"
import type { Event } from "../Event.js"
import { type Refusal, refusal } from "../Outcome.js"
import * as PMap from "../PMap.js"
import type { Call } from "../State.js"
import {
  addMemberParams,
  callCallback,
  memberCallback,
  recordingCallback,
  statusCallback
} from "./Callbacks.js"
import { hangupLoose, scheduledHangup, stepDone } from "./CallControl.js"
import { findCall, findMember, newCall, patch, putCall, putMember } from "./Calls.js"
import { dial, pump } from "./Cps.js"
import { endMpc, leave, settle } from "./Lifecycle.js"
import { respond } from "./Management.js"
import { checkExhausted, endCall, findRequest, win } from "./Race.js"
import { ConfirmTimeoutMs, type Draft, isRefusal, TimerId, type Tx } from "./Tx.js"

/** The MPC that owns a call and the call, or why there is none. */
export const owned = (tx: Tx, callUuid: string): { d: Draft; call: Call } | Refusal => {
  const owner = PMap.get(tx.callIndex, callUuid)
  const mpc = owner === undefined ? undefined : tx.mpc(owner)
  const call = mpc === undefined ? undefined : findCall(mpc, callUuid)
  if (mpc === undefined || call === undefined)
    return refusal("NotFound", "API-2", ["callUuid"], `no call ${callUuid} in any multiparty call`)
  return { d: tx.draft(mpc), call }
}

export const unfit = (call: Call, what: string, rule: string): Refusal =>
  refusal("Conflict", rule, ["callUuid"], `call ${call.uuid} is ${call.state}: it cannot ${what}`)

export const legRinging = (tx: Tx, callUuid: string): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "dialing") return unfit(call, "start ringing", "DIAL-1")
  const next = patch(call, { state: "ringing", ringingAt: tx.now })
  putCall(tx, d, next)
  callCallback(tx, d.uuid, next, "Ringing")
  return undefined
}

export const legAnswered = (tx: Tx, callUuid: string): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "dialing" && call.state !== "ringing") return unfit(call, "be answered", "RACE-1")
  const req = findRequest(d, call.requestUuid)
  if (req === undefined) return unfit(call, "be answered (its race is over)", "RACE-1")
  if (call.ringTimeoutAt !== undefined) tx.cancelTimer(TimerId.ring(call.uuid))
  let next = patch(call, { state: "answered", answeredAt: tx.now, ringTimeoutAt: undefined })
  putCall(tx, d, next)
  callCallback(tx, d.uuid, next, "Answered")
  const dialOut = req.request.target as DialOut
  const key = dialOut.confirmKey
  if (key !== undefined) {
    // CONFIRM-1, CONFIRM-4: not bridged until the key is pressed; the other legs keep ringing.
    next = patch(next, { state: "confirming", confirmAt: tx.now + ConfirmTimeoutMs })
    putCall(tx, d, next)
    tx.setTimer(TimerId.confirm(call.uuid), next.confirmAt!)
    const sound = dialOut.confirmKeySound
    tx.emit(
      sound === undefined
        ? {
            _tag: "PlaySound",
            mpcUuid: d.uuid,
            callUuid: call.uuid,
            audio: { _tag: "Speak", text: `Please enter ${key} to accept the call.` }
          }
        : {
            _tag: "FetchXml",
            url: sound.url,
            method: sound.method,
            purpose: "ConfirmKeySound",
            mpcUuid: d.uuid,
            callUuid: call.uuid
          }
    )
    return undefined
  }
  win(tx, d, req, next)
  return undefined
}

/** DIAL-4: a leg that ends before it is answered, reported by the network. */
export const legFailed = (tx: Tx, callUuid: string, hangup: Hangup): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "dialing" && call.state !== "ringing")
    return unfit(call, `end with ${hangup.cause}`, "DIAL-4")
  endCall(tx, d, call, hangup, false)
  checkExhausted(tx, d, call.requestUuid)
  return undefined
}

export const callHungUp = (tx: Tx, callUuid: string): Refusal | undefined => {
  const loose = PMap.get(tx.calls, callUuid)
  if (loose !== undefined) {
    if (loose.state === "ended") return unfit(loose, "hang up", "XFER-1")
    hangupLoose(tx, loose, Hangups.normal, false)
    return undefined
  }
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  switch (call.state) {
    case "dialing":
    case "ringing":
    case "confirming":
      endCall(tx, d, call, Hangups.normal, false)
      checkExhausted(tx, d, call.requestUuid)
      return undefined
    case "in-mpc": {
      const m = findMember(d, call.memberId!)!
      leave(tx, d, m, { _tag: "HungUp", hangup: Hangups.normal })
      settle(tx, d, [m])
      return undefined
    }
    default:
      return unfit(call, "hang up", "LIFE-1")
  }
}

export const digitsPressed = (tx: Tx, callUuid: string, digits: string): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state === "confirming") {
    const req = findRequest(d, call.requestUuid)!
    const key = (req.request.target as DialOut).confirmKey!
    // CONFIRM-3: wrong keys are ignored and the 30 seconds keep running.
    if (digits.includes(key)) win(tx, d, req, call)
    return undefined
  }
  if (call.state === "in-mpc") {
    const m = findMember(d, call.memberId!)!
    // DTMF-1
    if (m.relayDtmfInputs) {
      const others = d.members.filter((x) => x.id !== m.id).map((x) => x.callUuid)
      if (others.length > 0) {
        tx.emit({ _tag: "RelayDigits", mpcUuid: d.uuid, fromMemberId: m.id, digits, toCallUuids: others })
      }
    }
    statusCallback(tx, d, "ParticipantDigitInput", (p) => {
      addMemberParams(p, m)
      p.DigitInput = digits
    })
    return undefined
  }
  return unfit(call, "take digits", "DTMF-1")
}

export const speakingChanged = (tx: Tx, callUuid: string, speaking: boolean): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "in-mpc") return unfit(call, "speak in the multiparty call", "CB-1")
  const m = findMember(d, call.memberId!)!
  if (m.speaking === speaking)
    return refusal(
      "Conflict",
      "CB-1",
      ["speaking"],
      `member ${m.id} is already ${speaking ? "speaking" : "silent"}`
    )
  const next = patch(m, { speaking })
  putMember(tx, d, next)
  memberCallback(tx, d, speaking ? "ParticipantSpeakStart" : "ParticipantSpeakStop", next)
  return undefined
}

export const timerFired = (tx: Tx, timerId: string): Refusal | undefined => {
  const colon = timerId.indexOf(":")
  const kind = colon < 0 ? timerId : timerId.slice(0, colon)
  const subject = colon < 0 ? "" : timerId.slice(colon + 1)
  const notPending = refusal("Conflict", "API-2", ["timerId"], `timer ${timerId} is not pending`)
  const notDue = (due: number) =>
    refusal("TooEarly", "API-2", ["timerId", "at"], `timer ${timerId} is due at ${due}, not before`)
  switch (kind) {
    case "cps": {
      const due = tx.cps.timerAt
      if (due === undefined) return notPending
      if (tx.now < due) return notDue(due)
      const w = tx.writableCps()
      w.timerAt = undefined
      pump(tx)
      return undefined
    }
    case "maxdur": {
      const mpc = tx.mpc(subject)
      if (mpc === undefined || mpc.maxDurationAt === undefined) return notPending
      if (tx.now < mpc.maxDurationAt) return notDue(mpc.maxDurationAt)
      const d = tx.draft(mpc)
      d.maxDurationAt = undefined
      // LIFE-5
      endMpc(tx, d, Terminations.maxDurationReached, Hangups.mpcEnded)
      return undefined
    }
    case "delay":
    case "ring":
    case "confirm": {
      const found = owned(tx, subject)
      if (isRefusal(found)) return notPending
      const { d, call } = found
      const due = kind === "delay" ? call.delayAt : kind === "ring" ? call.ringTimeoutAt : call.confirmAt
      if (due === undefined) return notPending
      if (tx.now < due) return notDue(due)
      if (kind === "delay") {
        // DIAL-2: the delay has elapsed and the race is still open (RACE-3).
        const next = patch(call, { state: "dialing", delayAt: undefined })
        putCall(tx, d, next)
        dial(tx, d, next)
      } else if (kind === "ring") {
        // DIAL-3
        const next = patch(call, { ringTimeoutAt: undefined })
        putCall(tx, d, next)
        endCall(tx, d, next, Hangups.ringTimeout, true)
        checkExhausted(tx, d, call.requestUuid)
      } else {
        // CONFIRM-2: 9110 exactly 30 s after answering.
        const next = patch(call, { confirmAt: undefined })
        putCall(tx, d, next)
        endCall(tx, d, next, Hangups.confirmKeyFailed, true)
        checkExhausted(tx, d, call.requestUuid)
      }
      return undefined
    }
    case "xml":
      return stepDone(tx, subject)
    case "xmlhangup":
      return scheduledHangup(tx, subject)
    default:
      return refusal("Conflict", "API-2", ["timerId"], `unknown timer ${timerId}`)
  }
}

export const recordingFailed = (tx: Tx, mpcUuid: string): Refusal | undefined => {
  const mpc = tx.mpc(mpcUuid)
  if (mpc === undefined) return refusal("NotFound", "REC-4", ["mpcUuid"], `no multiparty call ${mpcUuid}`)
  const status = mpc.recording.status
  if (status !== "Recording" && status !== "Paused")
    return refusal("Conflict", "REC-4", ["mpcUuid"], `multiparty call ${mpc.name} is not being recorded`)
  const d = tx.draft(mpc)
  const rec = d.recording
  const pausedMs =
    rec.status === "Paused" && rec.pausedAt !== undefined
      ? rec.pausedMs + (tx.now - rec.pausedAt)
      : rec.pausedMs
  d.recording = patch(rec, { status: "Failed", endedAt: tx.now, pausedMs, pausedAt: undefined })
  recordingCallback(tx, d, "MPCRecordingFailed")
  return undefined
}

export const createCall = (tx: Tx, e: Extract<Event, { _tag: "CreateCall" }>): undefined => {
  const callUuid = tx.id()
  tx.calls = PMap.set(
    tx.calls,
    callUuid,
    newCall({
      uuid: callUuid,
      direction: "inbound",
      from: e.from,
      to: e.to,
      state: "answered",
      createdAt: tx.now,
      answeredAt: tx.now
    })
  )
  respond(tx, e.apiId, { _tag: "CallCreated", callUuid })
  return undefined
}
