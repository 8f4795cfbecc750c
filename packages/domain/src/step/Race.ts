/**
 * Ending legs, the race between a request's legs.
 *
 * Rules: DIAL-3, DIAL-4, RACE-1, RACE-2, RACE-3, RACE-4, LIFE-4.
 *
 * @internal
 */
import { type Hangup, Hangups, Terminations } from "../Cause.js"
import type { Call, Mpc, OpenRequest } from "../State.js"
import { callCallback, requestCallback } from "./Callbacks.js"
import { findCall, patch, putCall } from "./Calls.js"
import { dequeue } from "./Cps.js"
import { endMpc, join } from "./Lifecycle.js"
import { type Draft, isLive, onNetwork, TimerId, type Tx } from "./Tx.js"
import { cancelXmlTimers, hangupCallback } from "./XmlCalls.js"

/** Cancels every timer pending on a call. */
export const cancelCallTimers = (tx: Tx, call: Call): void => {
  if (call.delayAt !== undefined) tx.cancelTimer(TimerId.delay(call.uuid))
  if (call.ringTimeoutAt !== undefined) tx.cancelTimer(TimerId.ring(call.uuid))
  if (call.confirmAt !== undefined) tx.cancelTimer(TimerId.confirm(call.uuid))
}

/**
 * Ends a call that is not (or no longer) a member: cancels its timers, takes it out of the CPS queue,
 * hangs it up on the network when `byUs` and the network has it, and sends its `Hangup` callback.
 */
export const endCall = (tx: Tx, d: Draft, call: Call, hangup: Hangup, byUs: boolean): Call => {
  cancelCallTimers(tx, call)
  if (call.state === "queued") dequeue(tx, call)
  if (byUs && onNetwork(call)) {
    tx.emit({
      _tag: "HangupCall",
      callUuid: call.uuid,
      cause: hangup.cause,
      code: hangup.code,
      source: hangup.source
    })
  }
  const ended = patch(call, {
    state: "ended",
    endedAt: tx.now,
    hangup,
    queueSeq: undefined,
    delayAt: undefined,
    ringTimeoutAt: undefined,
    confirmAt: undefined
  })
  putCall(tx, d, ended)
  callCallback(tx, d.uuid, ended, "Hangup")
  // XML-16: a call run by XML has no call-status callbacks, but its application's hangup_url.
  if (ended.xml !== undefined) {
    cancelXmlTimers(tx, ended)
    hangupCallback(tx, ended, d.uuid)
  }
  return ended
}

export const findRequest = (d: Mpc, requestUuid: string | undefined): OpenRequest | undefined =>
  requestUuid === undefined ? undefined : d.requests.find((r) => r.uuid === requestUuid)

export const closeRequest = (d: Draft, requestUuid: string): void => {
  d.requests = d.requests.filter((r) => r.uuid !== requestUuid)
}

/**
 * RACE-4: once every leg of an open request has ended without a winner, nobody joins and the
 * request is reported failed. [decision] An MPC left with no member and no open request then ends
 * (No Active Participants): nobody is left to start it.
 */
export const checkExhausted = (tx: Tx, d: Draft, requestUuid: string | undefined): void => {
  const req = findRequest(d, requestUuid)
  if (req === undefined) return
  for (const legUuid of req.legs) {
    const leg = findCall(d, legUuid)
    if (leg !== undefined && isLive(leg)) return
  }
  closeRequest(d, req.uuid)
  requestCallback(tx, d, "AddParticipantByAPIActionCompleted", req.uuid, null)
  if (d.members.length === 0 && d.requests.length === 0 && d.status !== "Ended") {
    endMpc(tx, d, Terminations.noActiveParticipants, Hangups.mpcEnded)
  }
}

/**
 * RACE-1, RACE-2, RACE-3: the leg wins its request's race: every other leg still alive ends with
 * LOST RACE (queued and delayed ones are never dialled), then the winner joins, unless the MPC
 * filled meanwhile (LIFE-4).
 */
export const win = (tx: Tx, d: Draft, req: OpenRequest, winner: Call): void => {
  closeRequest(d, req.uuid)
  for (const legUuid of req.legs) {
    if (legUuid === winner.uuid) continue
    const leg = findCall(d, legUuid)
    if (leg !== undefined && isLive(leg)) endCall(tx, d, leg, Hangups.lostRace, true)
  }
  let call = findCall(d, winner.uuid)!
  if (call.confirmAt !== undefined || call.ringTimeoutAt !== undefined || call.delayAt !== undefined) {
    cancelCallTimers(tx, call)
    call = patch(call, { confirmAt: undefined, ringTimeoutAt: undefined, delayAt: undefined })
    putCall(tx, d, call)
  }
  // LIFE-4: never above max_participants.
  if (d.members.length >= d.settings.maxParticipants) {
    endCall(tx, d, call, Hangups.mpcFull, true)
    requestCallback(tx, d, "AddParticipantByAPIActionCompleted", req.uuid, null)
    return
  }
  const member = join(tx, d, call, req.request, req.uuid)
  requestCallback(tx, d, "AddParticipantByAPIActionCompleted", req.uuid, member)
}
