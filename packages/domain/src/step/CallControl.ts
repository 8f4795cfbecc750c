/**
 * Calls run by XML documents: an inbound call with an application fetches its answer URL, and the
 * document's steps run one at a time on the driver's clock (timers): Speak, Play and Wait take
 * time, Hangup ends the call, Redirect fetches the next document, `<MultiPartyCall>` joins the MPC
 * through the API's transfer path, and the end of the document hangs up with 4010.
 *
 * Rules: XML-1, XML-3, XML-4, XML-5, XML-6, XML-7, XML-8, XML-9, XML-10, XML-11, XML-15, XML-16.
 *
 * @internal
 */

import type { Hangup } from "../Cause.js"
import type { CallbackParams } from "../Command.js"
import type { Event } from "../Event.js"
import { type Refusal, refusal } from "../Outcome.js"
import * as PMap from "../PMap.js"
import type { Call, CallXml } from "../State.js"
import * as Program from "../xml/Program.js"
import { findCall, findMember, newCall, patch } from "./Calls.js"
import { leave, settle } from "./Lifecycle.js"
import { admit, respond } from "./Management.js"
import { TimerId, type Tx } from "./Tx.js"
import { cancelXmlTimers, hangupCallback } from "./XmlCalls.js"

/** XML-1: the parameters Plivo sends with a document request. */
const requestParams = (call: Call, event: string): CallbackParams => ({
  CallUUID: call.uuid,
  From: call.from,
  To: call.to,
  Direction: call.direction,
  CallStatus: "in-progress",
  Event: event
})

/** XML-1: an inbound call is answered and its application's answer URL is asked for its document. */
export const inboundCall = (tx: Tx, e: Extract<Event, { _tag: "InboundCall" }>): undefined => {
  const callUuid = tx.id()
  const call = newCall({
    uuid: callUuid,
    direction: "inbound",
    from: e.from,
    to: e.to,
    state: "answered",
    createdAt: tx.now,
    answeredAt: tx.now,
    xml: {
      origin: "Answer",
      phase: "fetching",
      steps: [],
      cursor: 0,
      stepAt: undefined,
      hangupAt: undefined,
      hangupUrl: e.hangup
    }
  })
  tx.calls = PMap.set(tx.calls, callUuid, call)
  tx.emit({
    _tag: "FetchCallXml",
    callUuid,
    url: e.answer.url,
    method: e.answer.method,
    origin: "Answer",
    params: requestParams(call, "StartApp")
  })
  respond(tx, e.apiId, { _tag: "CallCreated", callUuid })
  return undefined
}

/** A live call outside any MPC that waits for a document from `origin`, or why there is none. */
const waiting = (tx: Tx, callUuid: string, origin: Program.Origin): Call | Refusal => {
  const call = PMap.get(tx.calls, callUuid)
  if (call === undefined || call.state !== "answered" || call.xml === undefined)
    return refusal("NotFound", "XML-1", ["callUuid"], `no live call ${callUuid} run by XML`)
  if (call.xml.phase !== "fetching" || call.xml.origin !== origin)
    return refusal("Conflict", "XML-1", ["origin"], `call ${callUuid} is not waiting for ${origin} XML`)
  return call
}

const put = (tx: Tx, call: Call): void => {
  tx.calls = PMap.set(tx.calls, call.uuid, call)
}

const setXml = (call: Call, changes: Partial<CallXml>): Call =>
  patch(call, { xml: { ...call.xml!, ...changes } })

/** A call outside any MPC hangs up: its document's timers stop, its hangup callback goes (XML-16). */
export const hangupLoose = (tx: Tx, call: Call, hangup: Hangup, byUs: boolean): void => {
  cancelXmlTimers(tx, call)
  if (byUs)
    tx.emit({
      _tag: "HangupCall",
      callUuid: call.uuid,
      cause: hangup.cause,
      code: hangup.code,
      source: hangup.source
    })
  const ended = patch(call, { state: "ended", endedAt: tx.now, hangup })
  const xml = ended.xml
  const done =
    xml === undefined ? ended : patch(ended, { xml: { ...xml, stepAt: undefined, hangupAt: undefined } })
  put(tx, done)
  hangupCallback(tx, done)
}

/** XML-1, XML-3: the document came: compiled whole, then run from its first step. */
export const xmlFetched = (tx: Tx, e: Extract<Event, { _tag: "XmlFetched" }>): Refusal | undefined => {
  const call = waiting(tx, e.callUuid, e.origin)
  if ("rule" in call) return call
  const program = Program.compile(e.document, { origin: e.origin, callUuid: call.uuid })
  if (program._tag === "Invalid") {
    // XML-3: nothing of an invalid document runs; the call hangs up with the XML-error cause.
    hangupLoose(tx, call, program.invalid.hangup, true)
    return undefined
  }
  const running = setXml(call, { phase: "running", steps: program.steps, cursor: 0, stepAt: undefined })
  put(tx, running)
  advance(tx, running)
  return undefined
}

/** XML-4 (XML-3 when the body came but is unreadable): the call hangs up with the origin's cause. */
export const xmlFetchFailed = (
  tx: Tx,
  e: Extract<Event, { _tag: "XmlFetchFailed" }>
): Refusal | undefined => {
  const call = waiting(tx, e.callUuid, e.origin)
  if ("rule" in call) return call
  hangupLoose(
    tx,
    call,
    e.unreadable ? Program.invalidCause(e.origin) : Program.unreachableCause(e.origin),
    true
  )
  return undefined
}

/** XML-6, XML-7: seconds a timed step lasts; `undefined` until the call ends (`loop="0"`). */
const stepSeconds = (s: Program.Step): number | undefined => {
  if (s._tag === "Wait") return s.seconds
  if (s._tag === "Speak" || s._tag === "Play")
    return s.duration._tag === "Seconds" ? s.duration.seconds : undefined
  return 0
}

/**
 * XML-1: runs the call's document from its cursor until a step takes time, the call leaves the
 * document (Hangup, Redirect, `<MultiPartyCall>`), or the document ends (XML-5).
 */
const advance = (tx: Tx, start: Call): void => {
  let call = start
  const xml = call.xml!
  const program: Program.Program = { _tag: "Valid", origin: xml.origin, steps: xml.steps }
  for (;;) {
    const { instruction, cursor } = Program.next(program, call.xml!.cursor)
    call = setXml(call, { cursor, stepAt: undefined })
    switch (instruction._tag) {
      case "Speak":
      case "Play":
      case "Wait": {
        // XML-6, XML-7: the next step runs when this one is done, on the driver's clock.
        const s = stepSeconds(instruction)
        if (s === undefined) {
          put(tx, setXml(call, { phase: "running" }))
          return
        }
        const at = tx.now + s * 1000
        call = setXml(call, { phase: "running", stepAt: at })
        put(tx, call)
        tx.setTimer(TimerId.xml(call.uuid), at)
        return
      }
      case "Skip":
        // XML-10
        continue
      case "ScheduleHangup": {
        // XML-8: the hangup is due later; the next steps run meanwhile.
        const at = tx.now + instruction.after * 1000
        if (call.xml!.hangupAt !== undefined) tx.cancelTimer(TimerId.xmlHangup(call.uuid))
        call = setXml(call, { hangupAt: at })
        tx.setTimer(TimerId.xmlHangup(call.uuid), at)
        continue
      }
      case "Hangup":
      case "End":
      case "Invalid":
        // XML-8, XML-5 (4010 after the last step), XML-3.
        hangupLoose(tx, call, instruction.hangup, true)
        return
      case "Redirect": {
        // XML-9: the document it returns replaces this one.
        call = setXml(call, { origin: "Redirect", phase: "fetching", steps: [], cursor: 0 })
        put(tx, call)
        tx.emit({
          _tag: "FetchCallXml",
          callUuid: call.uuid,
          url: instruction.url,
          method: instruction.method,
          origin: "Redirect",
          params: requestParams(call, "Redirect")
        })
        return
      }
      case "JoinMpc": {
        // XML-11: the call joins as a transfer does (XFER-1), through the API's own path, with no
        // API request to answer; XML-16: a transfer has no call-status callbacks (XFER-2).
        put(tx, setXml(call, { phase: "in-mpc" }))
        const join = instruction.join
        const refused = admit(tx, { _tag: "ByName", name: join.mpcName }, join.request, undefined)
        if (refused === undefined) return
        // [decision] XML-11: a join the MPC refuses (full, LIFE-4) is skipped; the document goes on.
        call = setXml(PMap.get(tx.calls, call.uuid)!, { phase: "running" })
        continue
      }
    }
  }
}

/** XML-6, XML-7, XML-15: the current step is done (or the call left its MPC alive): go on. */
export const stepDone = (tx: Tx, callUuid: string): Refusal | undefined => {
  const call = PMap.get(tx.calls, callUuid)
  if (call === undefined || call.state !== "answered" || call.xml?.stepAt === undefined)
    return refusal("Conflict", "API-2", ["timerId"], `timer xml:${callUuid} is not pending`)
  if (tx.now < call.xml.stepAt)
    return refusal(
      "TooEarly",
      "API-2",
      ["timerId", "at"],
      `timer xml:${callUuid} is due at ${call.xml.stepAt}`
    )
  advance(tx, call)
  return undefined
}

/** XML-8: a scheduled `<Hangup>` is due; in an MPC the member leaves as when its call hangs up. */
export const scheduledHangup = (tx: Tx, callUuid: string): Refusal | undefined => {
  const notPending = refusal("Conflict", "API-2", ["timerId"], `timer xmlhangup:${callUuid} is not pending`)
  const loose = PMap.get(tx.calls, callUuid)
  if (loose !== undefined) {
    const due = loose.xml?.hangupAt
    if (loose.state === "ended" || due === undefined) return notPending
    if (tx.now < due) return refusal("TooEarly", "API-2", ["timerId", "at"], `timer is due at ${due}`)
    hangupLoose(tx, setXml(loose, { hangupAt: undefined }), Program.Hangups.hangupElement, true)
    return undefined
  }
  const owner = PMap.get(tx.callIndex, callUuid)
  const mpc = owner === undefined ? undefined : tx.mpc(owner)
  const call = mpc === undefined ? undefined : findCall(mpc, callUuid)
  const due = call?.xml?.hangupAt
  if (mpc === undefined || call === undefined || call.state !== "in-mpc" || due === undefined)
    return notPending
  if (tx.now < due) return refusal("TooEarly", "API-2", ["timerId", "at"], `timer is due at ${due}`)
  const d = tx.draft(mpc)
  const m = findMember(d, call.memberId!)!
  // The call hangs up on the network at our request; the member leaves as a hung-up call does.
  tx.emit({
    _tag: "HangupCall",
    callUuid,
    cause: Program.Hangups.hangupElement.cause,
    code: Program.Hangups.hangupElement.code,
    source: Program.Hangups.hangupElement.source
  })
  const calls = tx.writable(d.calls)
  const i = calls.findIndex((c) => c.uuid === callUuid)
  calls[i] = setXml(call, { hangupAt: undefined })
  d.calls = calls
  leave(tx, d, m, { _tag: "HungUp", hangup: Program.Hangups.hangupElement })
  settle(tx, d, [m])
  return undefined
}
