/**
 * The API requests: add participant, update, kick, end, recording.
 *
 * Rules: ADDR-1, ADDR-2, ADDR-4, API-1, API-2, DIAL-1, CPS-1, CPS-2, XFER-1, XFER-2, LIFE-4, LIFE-5,
 * LIFE-9, LIFE-10, REC-2, REC-4.
 *
 * @internal
 */

import { type AddParticipantRequest, type DialOut, formatAddress } from "../AddParticipantRequest.js"
import { Hangups, Terminations } from "../Cause.js"
import type { Event, MemberSelector, MpcRef } from "../Event.js"
import { type Leg, type Refusal, type Reply, refusal } from "../Outcome.js"
import * as PMap from "../PMap.js"
import type { Call, Member, Mpc } from "../State.js"
import {
  memberCallback,
  recordingCallback,
  recordingUrl,
  requestCallback,
  statusCallback
} from "./Callbacks.js"
import { appendCall, findCall, findMember, newCall, patch, putCall, putMember } from "./Calls.js"
import { enqueue, pump } from "./Cps.js"
import { endMpc, join, leave, settle } from "./Lifecycle.js"
import { completeRecording, startRecording } from "./Recording.js"
import { retune } from "./Sound.js"
import { type Draft, isLive, isRefusal, TimerId, type Tx } from "./Tx.js"
import { leaveDocument } from "./XmlCalls.js"

/** API-1: the typed reply to a request that was taken. */
export const respond = (tx: Tx, apiId: string, reply: Reply): void => {
  tx.emit({ _tag: "Respond", apiId, outcome: reply })
}

export const describeRef = (ref: MpcRef): string =>
  ref._tag === "ByName" ? `name ${ref.name}` : `uuid ${ref.uuid}`

/** ADDR-1: the live MPC a request names, or NotFound. */
export const liveMpc = (tx: Tx, ref: MpcRef): Mpc | Refusal => {
  const uuid = ref._tag === "ByUuid" ? ref.uuid : PMap.get(tx.liveNames, ref.name)
  const mpc = uuid === undefined ? undefined : tx.mpc(uuid)
  if (mpc === undefined || mpc.status === "Ended")
    return refusal("NotFound", "ADDR-1", ["mpc"], `no ongoing multiparty call with ${describeRef(ref)}`)
  return mpc
}

export const selectMembers = (mpc: Mpc, selector: MemberSelector): ReadonlyArray<Member> | Refusal => {
  if (selector === "all") return mpc.members
  const out: Array<Member> = []
  for (const id of selector) {
    const m = findMember(mpc, id)
    if (m === undefined)
      return refusal("NotFound", "API-2", ["member_id"], `member ${id} is not in multiparty call ${mpc.name}`)
    if (!out.includes(m)) out.push(m)
  }
  return out
}

export const addParticipant = (tx: Tx, e: Extract<Event, { _tag: "AddParticipant" }>): Refusal | undefined =>
  admit(tx, e.mpc, e.request, e.apiId)

/**
 * ADDR-1, XFER-1: adds a participant. `apiId` is the API request to answer; XML-11: a
 * `<MultiPartyCall>` comes through here too, without one (nothing to answer).
 */
export const admit = (
  tx: Tx,
  mpcRef: MpcRef,
  r: AddParticipantRequest,
  apiId: string | undefined
): Refusal | undefined => {
  const e = { mpc: mpcRef }
  // ADDR-1, ADDR-2: by UUID it must exist and be ongoing; by name, a new one is made when none is.
  let existing: Mpc | undefined
  if (e.mpc._tag === "ByUuid") {
    const found = liveMpc(tx, e.mpc)
    if (isRefusal(found)) return found
    existing = found
  } else {
    const uuid = PMap.get(tx.liveNames, e.mpc.name)
    existing = uuid === undefined ? undefined : tx.mpc(uuid)
  }
  // LIFE-4 [decision]: a request for a full MPC is refused.
  if (existing !== undefined && existing.members.length >= existing.settings.maxParticipants) {
    return refusal(
      "NotAllowed",
      "LIFE-4",
      ["mpc"],
      `multiparty call ${existing.name} is full: it has its max_participants of ${existing.settings.maxParticipants}`
    )
  }
  // XFER-1: the call to transfer must be live, answered and in no MPC.
  let transferred: Call | undefined
  if (r.target._tag === "Transfer") {
    const callUuid = r.target.callUuid
    transferred = PMap.get(tx.calls, callUuid)
    if (transferred === undefined) {
      const owner = PMap.get(tx.callIndex, callUuid)
      const owned = owner === undefined ? undefined : findCall(tx.mpc(owner)!, callUuid)
      if (owned !== undefined && isLive(owned)) {
        return refusal(
          "NotAllowed",
          "XFER-1",
          ["call_uuid"],
          `call ${callUuid} is already in a multiparty call or being dialled for one`
        )
      }
      return refusal("NotFound", "XFER-1", ["call_uuid"], `no live call with call_uuid ${callUuid}`)
    }
    if (transferred.state !== "answered")
      return refusal("NotFound", "XFER-1", ["call_uuid"], `no live call with call_uuid ${callUuid}`)
  }

  const d =
    existing !== undefined ? tx.draft(existing) : createMpc(tx, e.mpc._tag === "ByName" ? e.mpc.name : "", r)
  const requestUuid = tx.id()
  requestCallback(tx, d, "AddParticipantByAPIActionInitiated", requestUuid)

  if (transferred !== undefined) {
    // XFER-1, XFER-2: the live call moves into the MPC; no call status callbacks for it.
    tx.calls = PMap.remove(tx.calls, transferred.uuid)
    tx.callIndex = PMap.set(tx.callIndex, transferred.uuid, d.uuid)
    // XML-15: a call moved by the API leaves its XML document; one moved by the element keeps it.
    if (apiId !== undefined && transferred.xml !== undefined) transferred = leaveDocument(tx, transferred)
    putCall(tx, d, transferred)
    const member = join(tx, d, transferred, r, requestUuid)
    requestCallback(tx, d, "AddParticipantByAPIActionCompleted", requestUuid, member)
    if (apiId !== undefined) {
      respond(tx, apiId, {
        _tag: "Added",
        requestUuid,
        mpcUuid: d.uuid,
        legs: [{ to: transferred.to, from: transferred.from, callUuid: transferred.uuid }],
        queued: false
      })
    }
    return undefined
  }

  // DIAL-1: one leg per destination, with `from` as caller ID, queued for the CPS limit (CPS-1).
  const dialOut = r.target as DialOut
  const legs: Array<string> = []
  const listed: Array<Leg> = []
  const seqs: Array<string> = []
  for (const destination of dialOut.destinations) {
    const callUuid = tx.id()
    const to = formatAddress(destination.address)
    const call = newCall({
      uuid: callUuid,
      direction: "outbound",
      from: dialOut.from,
      to,
      state: "queued",
      requestUuid,
      destination,
      callerName: dialOut.callerName,
      callStatusCallback: dialOut.callStatusCallback,
      createdAt: tx.now
    })
    // The leg's UUID is fresh, so it is appended without a search (an add costs the same however many
    // legs the MPC already has).
    const queued = enqueue(tx, call, d.uuid)
    seqs.push(String(queued.queueSeq))
    appendCall(tx, d, queued)
    tx.callIndex = PMap.set(tx.callIndex, callUuid, d.uuid)
    legs.push(callUuid)
    listed.push({ to, from: dialOut.from, callUuid })
  }
  const requests = tx.writable(d.requests)
  requests.push({ uuid: requestUuid, createdAt: tx.now, request: r, legs })
  d.requests = requests
  pump(tx)
  // CPS-2: "queued" when the request's legs wait in the CPS queue (a leg is `queued` exactly while its
  // sequence number is in the queue: looked up there, not by scanning the MPC's calls).
  const waiting = seqs.some((seq) => PMap.has(tx.cps.queue, seq))
  if (apiId !== undefined)
    respond(tx, apiId, { _tag: "Added", requestUuid, mpcUuid: d.uuid, legs: listed, queued: waiting })
  return undefined
}

/** ADDR-2, ADDR-4, LIFE-5: a new MPC with the settings of the request that creates it. */
export const createMpc = (tx: Tx, name: string, r: AddParticipantRequest): Draft => {
  const uuid = tx.id()
  const maxDurationAt = tx.now + r.mpc.maxDuration * 1000
  const d = tx.newDraft({
    uuid,
    name,
    status: "Initialized",
    settings: r.mpc,
    createdAt: tx.now,
    startedAt: undefined,
    endedAt: undefined,
    termination: undefined,
    maxDurationAt,
    calls: [],
    members: [],
    left: [],
    requests: [],
    recording: {
      status: "NotStarted",
      uuid: undefined,
      fileFormat: r.mpc.recordFileFormat,
      callback: r.mpc.recordingCallback,
      startedAt: undefined,
      endedAt: undefined,
      pausedMs: 0,
      pausedAt: undefined
    },
    statusSeq: 0,
    recordingSeq: 0
  })
  tx.liveNames = PMap.set(tx.liveNames, name, uuid)
  tx.setTimer(TimerId.maxDuration(uuid), maxDurationAt)
  statusCallback(tx, d, "MPCInitialized")
  return d
}

export const updateMember = (tx: Tx, e: Extract<Event, { _tag: "UpdateMember" }>): Refusal | undefined => {
  if (e.mute === undefined && e.hold === undefined && e.coachMode === undefined) {
    return refusal(
      "Invalid",
      "API-2",
      ["mute", "hold", "coach_mode"],
      "give at least one of mute, hold or coach_mode"
    )
  }
  // SDK-32: coach mode is set per member, never for `all`.
  if (e.coachMode !== undefined && e.member === "all")
    return refusal("Invalid", "SDK-32", ["coach_mode"], "coach_mode: cannot be set for member_id all")
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const selected = selectMembers(mpc, e.member)
  if (isRefusal(selected)) return selected
  const d = tx.draft(mpc)
  for (const picked of selected) {
    let m = findMember(d, picked.id)!
    if (e.mute !== undefined && e.mute !== m.mute) {
      m = patch(m, { mute: e.mute })
      putMember(tx, d, m)
      memberCallback(tx, d, e.mute ? "ParticipantMute" : "ParticipantUnmute", m)
    }
    if (e.hold !== undefined && e.hold !== m.hold) {
      m = patch(m, { hold: e.hold })
      putMember(tx, d, m)
      memberCallback(tx, d, e.hold ? "ParticipantHold" : "ParticipantUnhold", m)
      // LIFE-9: hold music for the held member.
      m = retune(tx, d, m)
    }
    // LIFE-10: coach mode has no effect on other roles than Supervisor.
    if (e.coachMode !== undefined && m.role === "Supervisor" && e.coachMode !== m.coachMode) {
      m = patch(m, { coachMode: e.coachMode })
      putMember(tx, d, m)
      memberCallback(tx, d, e.coachMode ? "ParticipantCoachModeStart" : "ParticipantCoachModeStop", m)
    }
  }
  respond(tx, e.apiId, {
    _tag: "MembersUpdated",
    mpcName: mpc.name,
    memberIds: selected.map((m) => m.id),
    ...(e.mute === undefined ? {} : { mute: e.mute }),
    ...(e.hold === undefined ? {} : { hold: e.hold }),
    ...(e.coachMode === undefined ? {} : { coachMode: e.coachMode })
  })
  return undefined
}

export const kickMember = (tx: Tx, e: Extract<Event, { _tag: "KickMember" }>): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const selected = selectMembers(mpc, e.member)
  if (isRefusal(selected)) return selected
  const d = tx.draft(mpc)
  // Everyone selected is kicked (4030) first; then the MPC's fate is decided once.
  for (const m of selected) leave(tx, d, m, { _tag: "Removed", hangup: Hangups.kicked })
  settle(tx, d, selected)
  respond(tx, e.apiId, { _tag: "MembersKicked", memberIds: selected.map((m) => m.id) })
  return undefined
}

export const endMpcByApi = (tx: Tx, e: Extract<Event, { _tag: "EndMpc" }>): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  endMpc(tx, tx.draft(mpc), Terminations.endedByApi, Hangups.mpcEndedByApi)
  respond(tx, e.apiId, { _tag: "MpcEnded", mpcUuid: mpc.uuid })
  return undefined
}

export const recordingApi = (
  tx: Tx,
  e: Extract<Event, { _tag: "StartRecording" | "StopRecording" | "PauseRecording" | "ResumeRecording" }>
): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  const status = mpc.recording.status
  const d = () => tx.draft(mpc)
  let changed: "Stopped" | "Paused" | "Resumed"
  switch (e._tag) {
    case "StartRecording": {
      // REC-2: never two recordings at once; SDK-33: a new one may start after a stop.
      if (status === "Recording" || status === "Paused")
        return refusal(
          "NotAllowed",
          "REC-2",
          ["mpc"],
          `multiparty call ${mpc.name} is already being recorded`
        )
      const w = d()
      startRecording(tx, w, {
        ...(e.fileFormat === undefined ? {} : { fileFormat: e.fileFormat }),
        ...(e.callback === undefined ? {} : { callback: e.callback })
      })
      const rec = w.recording
      respond(tx, e.apiId, {
        _tag: "RecordingStarted",
        recordingUuid: rec.uuid!,
        url: recordingUrl(tx.config.authId, rec.uuid!, rec.fileFormat),
        mpcName: mpc.name,
        // SDK-10
        requestUuid: tx.id()
      })
      return undefined
    }
    case "StopRecording": {
      if (status !== "Recording" && status !== "Paused")
        return refusal("NotAllowed", "REC-4", ["mpc"], `multiparty call ${mpc.name} is not being recorded`)
      completeRecording(tx, d())
      changed = "Stopped"
      break
    }
    case "PauseRecording": {
      // SDK-33: pausing a paused recording says so.
      if (status === "Paused")
        return refusal(
          "NotAllowed",
          "SDK-33",
          ["mpc"],
          `the recording of multiparty call ${mpc.name} is already paused`
        )
      if (status !== "Recording")
        return refusal("NotAllowed", "REC-4", ["mpc"], `multiparty call ${mpc.name} is not being recorded`)
      const w = d()
      w.recording = patch(w.recording, { status: "Paused", pausedAt: tx.now })
      tx.emit({ _tag: "RecordPause", mpcUuid: w.uuid, recordingUuid: w.recording.uuid! })
      recordingCallback(tx, w, "MPCRecordingPaused")
      changed = "Paused"
      break
    }
    case "ResumeRecording": {
      if (status !== "Paused" && status !== "Recording")
        return refusal("NotAllowed", "REC-4", ["mpc"], `multiparty call ${mpc.name} is not being recorded`)
      if (status !== "Paused")
        return refusal(
          "NotAllowed",
          "REC-4",
          ["mpc"],
          `the recording of multiparty call ${mpc.name} is not paused`
        )
      const w = d()
      const rec = w.recording
      w.recording = patch(rec, {
        status: "Recording",
        pausedAt: undefined,
        pausedMs: rec.pausedMs + (tx.now - (rec.pausedAt ?? tx.now))
      })
      tx.emit({ _tag: "RecordResume", mpcUuid: w.uuid, recordingUuid: rec.uuid! })
      recordingCallback(tx, w, "MPCRecordingResumed")
      changed = "Resumed"
      break
    }
  }
  respond(tx, e.apiId, { _tag: "RecordingChanged", recordingUuid: mpc.recording.uuid!, status: changed })
  return undefined
}
