/**
 * Joining, leaving, starting and ending the MPC.
 *
 * Rules: LIFE-1, LIFE-2, LIFE-4, LIFE-5, LIFE-6, LIFE-7, LIFE-8, LIFE-9, LIFE-10, SOUND-1, SOUND-2, REC-1,
 * REC-2, REC-3, REC-4, EXIT-1, ADDR-2.
 *
 * @internal
 */

import type { AddParticipantRequest } from "../AddParticipantRequest.js"
import { type Hangup, Hangups, type Termination, Terminations } from "../Cause.js"
import * as PMap from "../PMap.js"
import type { Call, Member } from "../State.js"
import { memberCallback, requestCallback, statusCallback } from "./Callbacks.js"
import { findCall, findMember, patch, putCall, putMember } from "./Calls.js"
import { completeMemberRecording, stopMemberAudio } from "./MemberMedia.js"
import { closeRequest, endCall } from "./Race.js"
import { completeRecording, maybeStartRecording } from "./Recording.js"
import { playMemberSound, retune } from "./Sound.js"
import { type Draft, isEnded, isLive, TimerId, type Tx } from "./Tx.js"
import { handBack, handedBack } from "./XmlCalls.js"

/** Puts an answered call in the MPC as a member with the request's settings. */
export const join = (tx: Tx, d: Draft, call: Call, r: AddParticipantRequest, requestUuid: string): Member => {
  const member: Member = {
    id: tx.memberId(),
    callUuid: call.uuid,
    role: r.role,
    direction: call.direction,
    from: call.from,
    to: call.to,
    joinedAt: tx.now,
    requestUuid,
    // LIFE-10: coach mode only means something for a Supervisor.
    coachMode: r.role === "Supervisor" ? r.coachMode : false,
    // LIFE-9: the initial mute and hold.
    mute: r.mute,
    hold: r.hold,
    stayAlone: r.stayAlone,
    startMpcOnEnter: r.startMpcOnEnter,
    endMpcOnExit: r.endMpcOnExit,
    relayDtmfInputs: r.relayDtmfInputs,
    record: r.record,
    enterSound: r.enterSound,
    exitSound: r.exitSound,
    onExitAction: r.onExitAction,
    speaking: false,
    music: undefined,
    trackRecordingUuid: undefined,
    recording: undefined,
    recordingSeq: 0,
    audio: undefined,
    exit: undefined
  }
  putCall(tx, d, patch(call, { state: "in-mpc", memberId: member.id }))
  d.members = [...d.members, member]
  tx.emit({ _tag: "Bridge", callUuid: call.uuid, mpcUuid: d.uuid, memberId: member.id })
  memberCallback(tx, d, "ParticipantJoin", member)
  // SOUND-1, SOUND-2
  playMemberSound(tx, d, member, member.enterSound, "EnterSound")
  // LIFE-2: the MPC starts when a member with start_mpc_on_enter is in it.
  if (d.status === "Initialized" && member.startMpcOnEnter) startMpc(tx, d)
  let current = findMember(d, member.id)!
  current = retune(tx, d, current)
  // REC-1, REC-2
  maybeStartRecording(tx, d)
  // REC-3: the member's own track.
  if (r.recordParticipantTrack) {
    const recordingUuid = tx.id()
    current = patch(current, { trackRecordingUuid: recordingUuid })
    putMember(tx, d, current)
    tx.emit({
      _tag: "RecordStart",
      mpcUuid: d.uuid,
      recordingUuid,
      memberId: member.id,
      fileFormat: d.settings.recordFileFormat
    })
  }
  return current
}

/** LIFE-1, LIFE-2: Initialized → Active; waiting members stop hearing the wait music. */
export const startMpc = (tx: Tx, d: Draft): void => {
  d.status = "Active"
  d.startedAt = tx.now
  statusCallback(tx, d, "MPCStart")
  for (const m of d.members) retune(tx, d, m)
}

/** How a member leaves. */
export type Exit =
  /** Its call hung up: nothing to hang up, no on-exit action (EXIT-1). */
  | { readonly _tag: "HungUp"; readonly hangup: Hangup }
  /** The MPC removes it (kick, end): its call is hung up, or handed to `on_exit_action_url`. */
  | { readonly _tag: "Removed"; readonly hangup: Hangup }

/**
 * A member leaves: ParticipantExit, its music and track recording stop, its exit sound plays for
 * whoever stays (SOUND-1, SOUND-2), and its call ends, or goes to its on-exit XML (EXIT-1).
 */
export const leave = (tx: Tx, d: Draft, given: Member, exit: Exit): void => {
  let m = findMember(d, given.id) ?? given
  d.members = d.members.filter((x) => x.id !== m.id)
  if (m.music !== undefined) {
    tx.emit({ _tag: "StopMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid })
    memberCallback(tx, d, "ParticipantAudioStopped", m)
  }
  // PLAY-4, PLAY-6: a play ends with its member; PREC-3, PREC-4: so does its own recording.
  m = stopMemberAudio(tx, d, m)
  m = completeMemberRecording(tx, d, m)
  if (m.trackRecordingUuid !== undefined) {
    tx.emit({ _tag: "RecordStop", mpcUuid: d.uuid, recordingUuid: m.trackRecordingUuid })
  }
  memberCallback(tx, d, "ParticipantExit", m, { cause: exit.hangup.cause, at: tx.now })
  // SDK-22: the member stays readable, with how it left.
  d.left = [...(d.left ?? []), patch(m, { music: undefined, exit: { cause: exit.hangup.cause, at: tx.now } })]
  const call = findCall(d, m.callUuid)
  if (call === undefined) return
  if (exit._tag === "HungUp") {
    endCall(tx, d, call, exit.hangup, false)
  } else if (handedBack(m, call)) {
    // EXIT-1: the member left the MPC alive; the on-exit XML controls the call from now on.
    // XML-15: a member that joined by `<MultiPartyCall>` goes on with its document.
    handBack(tx, d, m, call)
  } else {
    endCall(tx, d, call, exit.hangup, true)
  }
}

/**
 * Members left (they hung up or were kicked): LIFE-6, LIFE-7, LIFE-8 decide whether the MPC goes
 * on; if it does, SOUND-1 plays their exit sounds for the members who stay (even when a call hung up).
 */
export const settle = (tx: Tx, d: Draft, exited: ReadonlyArray<Member>): void => {
  if (d.status === "Ended" || tx.isEnding(d.uuid)) return
  afterExit(tx, d, exited)
  if (isEnded(d) || d.members.length === 0) return
  for (const m of exited) playMemberSound(tx, d, m, m.exitSound, "ExitSound")
}

/** LIFE-6, LIFE-7, LIFE-8: what members' exits mean for the MPC. */
export const afterExit = (tx: Tx, d: Draft, exited: ReadonlyArray<Member>): void => {
  if (exited.some((m) => m.endMpcOnExit)) {
    // LIFE-6
    endMpc(tx, d, Terminations.endMpcOnExit, Hangups.mpcEnded)
  } else if (d.members.length === 0) {
    // LIFE-7
    endMpc(tx, d, Terminations.noActiveParticipants, Hangups.mpcEnded)
  } else if (d.members.length === 1 && !d.members[0]!.stayAlone) {
    // LIFE-8: the member left alone may not stay.
    endMpc(tx, d, Terminations.stayAloneNotPermitted, Hangups.mpcEnded)
  }
}

/**
 * LIFE-1, LIFE-5..LIFE-8: the MPC ends: its members leave (their calls end with `memberHangup`, or
 * go to their on-exit XML), legs still ringing for it are hung up, open requests fail, the recording
 * completes (REC-4), its timers are cancelled, its name is free again (ADDR-2), then MPCEnd.
 */
export const endMpc = (tx: Tx, d: Draft, termination: Termination, memberHangup: Hangup): void => {
  if (d.status === "Ended" || tx.isEnding(d.uuid)) return
  tx.markEnding(d.uuid)
  for (const m of d.members.slice()) leave(tx, d, m, { _tag: "Removed", hangup: memberHangup })
  for (const req of d.requests.slice()) {
    for (const legUuid of req.legs) {
      const leg = findCall(d, legUuid)
      if (leg !== undefined && isLive(leg)) endCall(tx, d, leg, memberHangup, true)
    }
    closeRequest(d, req.uuid)
    requestCallback(tx, d, "AddParticipantByAPIActionCompleted", req.uuid, null)
  }
  d.status = "Ended"
  d.endedAt = tx.now
  d.termination = termination
  completeRecording(tx, d)
  if (d.maxDurationAt !== undefined) {
    tx.cancelTimer(TimerId.maxDuration(d.uuid))
    d.maxDurationAt = undefined
  }
  if (PMap.get(tx.liveNames, d.name) === d.uuid) tx.liveNames = PMap.remove(tx.liveNames, d.name)
  statusCallback(tx, d, "MPCEnd")
}
