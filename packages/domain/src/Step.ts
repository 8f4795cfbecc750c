/**
 * The rules engine: `step(state, event) → { state, commands }`.
 *
 * `step` is total and deterministic: any event in any state gives an answer, the same inputs always
 * give the same outputs, and nothing outside its arguments is read. An event that does not fit the
 * state (a hangup for a call that already ended, a timer that is not due) is refused: the state comes
 * back unchanged, with a tagged `Outcome.Refusal` in `refused` naming the rule and the fields at
 * fault (and, for an API request, in its `Respond` command). A request that is taken is answered
 * with its typed `Outcome.Reply`. Nothing here knows a transport or its status codes.
 *
 * Internally a step works on fresh copies of what it touches (the MPC, its calls, the CPS queue) and
 * writes them back once, so the state passed in is never modified.
 *
 * @since 0.1.0
 */

import { absurd } from "effect/Function"
import { Hangups } from "./Cause.js"
import type { Command } from "./Command.js"
import type { Event } from "./Event.js"
import { type Refusal, refusal } from "./Outcome.js"
import type { State } from "./State.js"
import { startMpcByApi } from "./step/Activate.js"
import { inboundCall, xmlFetched, xmlFetchFailed } from "./step/CallControl.js"
import { addParticipant, endMpcByApi, kickMember, recordingApi, updateMember } from "./step/Management.js"
import {
  callHungUp,
  createCall,
  digitsPressed,
  legAnswered,
  legFailed,
  legRinging,
  recordingFailed,
  speakingChanged,
  timerFired
} from "./step/Network.js"
import { memberRecordingApi } from "./step/ParticipantRecording.js"
import { playAudio, stopAudio } from "./step/Play.js"
import { Tx } from "./step/Tx.js"

export { ConfirmTimeoutMs, TimerId } from "./step/Tx.js"

/**
 * What `step` returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepResult {
  readonly state: State
  readonly commands: ReadonlyArray<Command>
  /** Why the event was refused; the state is then the one passed in. */
  readonly refused?: Refusal
}

const run = (tx: Tx, e: Event): Refusal | undefined => {
  switch (e._tag) {
    case "AddParticipant":
      return addParticipant(tx, e)
    case "CreateCall":
      return createCall(tx, e)
    case "InboundCall":
      return inboundCall(tx, e)
    case "XmlFetched":
      return xmlFetched(tx, e)
    case "XmlFetchFailed":
      return xmlFetchFailed(tx, e)
    case "LegRinging":
      return legRinging(tx, e.callUuid)
    case "LegAnswered":
      return legAnswered(tx, e.callUuid)
    case "LegBusy":
      return legFailed(tx, e.callUuid, Hangups.busy)
    case "LegRejected":
      return legFailed(tx, e.callUuid, Hangups.rejected)
    case "LegNoAnswer":
      return legFailed(tx, e.callUuid, Hangups.noAnswer)
    case "CallHungUp":
      return callHungUp(tx, e.callUuid)
    case "DigitsPressed":
      return digitsPressed(tx, e.callUuid, e.digits)
    case "SpeakingChanged":
      return speakingChanged(tx, e.callUuid, e.speaking)
    case "TimerFired":
      return timerFired(tx, e.timerId)
    case "TimePassed":
      // STORE-12: only the clock moves (the transaction commits at `e.at`).
      return undefined
    case "UpdateMember":
      return updateMember(tx, e)
    case "KickMember":
      return kickMember(tx, e)
    case "EndMpc":
      return endMpcByApi(tx, e)
    case "StartRecording":
    case "StopRecording":
    case "PauseRecording":
    case "ResumeRecording":
      return recordingApi(tx, e)
    case "RecordingFailed":
      return recordingFailed(tx, e.mpcUuid)
    case "StartMpc":
      return startMpcByApi(tx, e)
    case "StartMemberRecording":
    case "StopMemberRecording":
    case "PauseMemberRecording":
    case "ResumeMemberRecording":
      return memberRecordingApi(tx, e)
    case "PlayAudio":
      return playAudio(tx, e)
    case "StopAudio":
      return stopAudio(tx, e)
    default:
      // A new event variant fails the build here until it is handled.
      return absurd(e)
  }
}

const refuse = (state: State, event: Event, refused: Refusal): StepResult => {
  if ("apiId" in event)
    return { state, commands: [{ _tag: "Respond", apiId: event.apiId, outcome: refused }], refused }
  return { state, commands: [], refused }
}

/**
 * Applies one event to one account's state.
 *
 * @example
 * import { AddParticipantParams, State, Step } from "@mpc-kit/domain"
 * import * as Either from "effect/Either"
 *
 * const request = Either.getOrThrow(AddParticipantParams.decode({ role: "Agent", from: "+1202555000", to: "+1202555111" }))
 * const { state, commands } = Step.step(State.make(), {
 *   _tag: "AddParticipant", at: 0, apiId: "a1", mpc: { _tag: "ByName", name: "support" }, request
 * })
 * // commands: SetTimer (max duration), DialLeg, SetTimer (ring timeout), Respond (Added), ...
 *
 * @since 0.1.0
 * @category rules
 */
export const step = (state: State, event: Event): StepResult => {
  const at = event.at
  if (typeof at !== "number" || !Number.isFinite(at))
    return refuse(state, event, refusal("Invalid", "API-2", ["at"], "the event has no valid time"))
  if (at < state.now)
    return refuse(
      state,
      event,
      refusal("Conflict", "API-2", ["at"], `the event is at ${at}, before the current time ${state.now}`)
    )
  const tx = new Tx(state, at)
  let outcome: Refusal | undefined
  try {
    outcome = run(tx, event)
  } catch (e) {
    // Total: an event the code did not foresee is refused, never thrown.
    outcome = refusal("Defect", "API-2", [], `internal error: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (outcome !== undefined) return refuse(state, event, outcome)
  return { state: tx.commit(), commands: tx.out }
}

/**
 * Applies events in order; refused events leave the state as it was.
 *
 * @since 0.1.0
 * @category rules
 */
export const run_ = (state: State, events: Iterable<Event>): StepResult => {
  let s = state
  const commands: Array<Command> = []
  for (const e of events) {
    const r = step(s, e)
    s = r.state
    for (const c of r.commands) commands.push(c)
  }
  return { state: s, commands }
}

export { run_ as runAll }
