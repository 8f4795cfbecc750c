/**
 * The account's outbound queue and rate; initiating and dialling legs.
 *
 * Rules: CPS-1, CPS-2, DIAL-1, DIAL-2, DIAL-3.
 *
 * @internal
 */
import * as PMap from "../PMap.js"
import type { Call } from "../State.js"
import { callCallback } from "./Callbacks.js"
import { findCall, patch, putCall } from "./Calls.js"
import { type Draft, TimerId, type Tx } from "./Tx.js"

export const enqueue = (tx: Tx, call: Call, mpcUuid: string): Call => {
  const cps = tx.writableCps()
  const seq = cps.tail
  cps.queue = PMap.set(cps.queue, String(seq), { callUuid: call.uuid, mpcUuid })
  cps.tail = seq + 1
  return { ...call, queueSeq: seq }
}

export const dequeue = (tx: Tx, call: Call): void => {
  if (call.queueSeq === undefined) return
  const cps = tx.writableCps()
  cps.queue = PMap.remove(cps.queue, String(call.queueSeq))
}

/** CPS-1: a leg may be initiated now when fewer than `cps` were initiated in the last second. */
export const cpsFreeAt = (tx: Tx): number => {
  const recent = tx.cps.recent
  if (recent.length < tx.config.cps) return tx.now
  return Math.max(tx.now, recent[0]! + 1000)
}

/** CPS-1: initiates queued legs, oldest first, as the rate allows; sets the `cps` timer for the rest. */
export const pump = (tx: Tx): void => {
  let cps = tx.cps
  while (cps.head < cps.tail) {
    const key = String(cps.head)
    const queued = PMap.get(cps.queue, key)
    if (queued === undefined) {
      tx.writableCps().head = cps.head + 1
      cps = tx.cps
      continue
    }
    const freeAt = cpsFreeAt(tx)
    if (freeAt > tx.now) break
    const w = tx.writableCps()
    w.queue = PMap.remove(w.queue, key)
    w.head = cps.head + 1
    // Only the last second counts (CPS-1): older times never decide anything, so they are dropped and
    // the list stays as short as the rate actually used, whatever `cps` allows.
    let from = w.recent.length < tx.config.cps ? 0 : 1
    while (from < w.recent.length && w.recent[from]! + 1000 <= tx.now) from++
    const recent = w.recent.slice(from)
    recent.push(tx.now)
    w.recent = recent
    cps = w
    initiate(tx, queued.mpcUuid, queued.callUuid)
  }
  // Keep the cps timer exactly when legs wait.
  const waiting = cps.head < cps.tail
  const due = waiting ? cpsFreeAt(tx) : undefined
  if (due !== cps.timerAt) {
    const w = tx.writableCps()
    if (due === undefined) {
      w.timerAt = undefined
      tx.cancelTimer(TimerId.cps)
    } else {
      w.timerAt = due
      tx.setTimer(TimerId.cps, due)
    }
  }
}

/**
 * CPS-1, DIAL-2, DIAL-3: a leg leaves the queue: it is initiated now, its ring timeout counts from
 * now, and it is dialled now or after its `delay_dial` (never, when the delay is not shorter than
 * the ring timeout).
 */
export const initiate = (tx: Tx, mpcUuid: string, callUuid: string): void => {
  const mpc = tx.mpc(mpcUuid)
  if (mpc === undefined) return
  const d = tx.draft(mpc)
  const call = findCall(d, callUuid)
  if (call === undefined || call.state !== "queued" || call.destination === undefined) return
  const dest = call.destination
  const ringTimeoutAt = tx.now + dest.ringTimeout * 1000
  const dialNow = dest.delayDial === 0
  const delayAt = !dialNow && dest.delayDial < dest.ringTimeout ? tx.now + dest.delayDial * 1000 : undefined
  const next = patch(call, {
    state: dialNow ? "dialing" : "scheduled",
    queueSeq: undefined,
    initiatedAt: tx.now,
    ringTimeoutAt,
    delayAt
  })
  putCall(tx, d, next)
  tx.setTimer(TimerId.ring(callUuid), ringTimeoutAt)
  if (delayAt !== undefined) tx.setTimer(TimerId.delay(callUuid), delayAt)
  callCallback(tx, d.uuid, next, "Initiated")
  if (dialNow) dial(tx, d, next)
}

export const dial = (tx: Tx, d: Draft, call: Call): void => {
  const dest = call.destination!
  tx.emit({
    _tag: "DialLeg",
    callUuid: call.uuid,
    mpcUuid: d.uuid,
    from: call.from,
    to: dest.address,
    callerName: call.callerName ?? call.from,
    sipHeaders: dest.sipHeaders
  })
}
