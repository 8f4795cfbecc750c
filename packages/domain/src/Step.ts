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
import type { AddParticipantRequest, DialOut, EventGroup, Sound, Webhook } from "./AddParticipantRequest.js"
import { formatAddress } from "./AddParticipantRequest.js"
import { type Hangup, Hangups, type Termination, Terminations } from "./Cause.js"
import type { CallbackParams, Command, Music } from "./Command.js"
import type { Event, MemberSelector, MpcRef } from "./Event.js"
import { uuid } from "./Ids.js"
import { type Leg, type Refusal, type Reply, refusal } from "./Outcome.js"
import * as PMap from "./PMap.js"
import type { Call, Cps, Member, Mpc, OpenRequest, Recording, State } from "./State.js"
import { format as ts } from "./Timestamp.js"

/** What `step` returns. */
export interface StepResult {
  readonly state: State
  readonly commands: ReadonlyArray<Command>
  /** Why the event was refused; the state is then the one passed in. */
  readonly refused?: Refusal
}

/** CONFIRM-2: how long a callee has to press the confirm key. */
export const ConfirmTimeoutMs = 30_000

/** Stable timer ids, derived from what the timer belongs to. */
export const TimerId = {
  /** DIAL-2 */
  delay: (callUuid: string) => `delay:${callUuid}`,
  /** DIAL-3 */
  ring: (callUuid: string) => `ring:${callUuid}`,
  /** CONFIRM-2 */
  confirm: (callUuid: string) => `confirm:${callUuid}`,
  /** LIFE-5 */
  maxDuration: (mpcUuid: string) => `maxdur:${mpcUuid}`,
  /** CPS-1 */
  cps: "cps"
} as const

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Draft = Mutable<Mpc>

/** Tells a refusal from the MPC, members or call a lookup found. */
const isRefusal = (x: object): x is Refusal => "rule" in x

/** Which group of `status_callback_events` each status event belongs to (PARAM-14, CB-1). */
const groupOf: Record<string, EventGroup> = {
  MPCInitialized: "mpc-state-changes",
  MPCStart: "mpc-state-changes",
  MPCEnd: "mpc-state-changes",
  ParticipantJoin: "participant-state-changes",
  ParticipantExit: "participant-state-changes",
  ParticipantMute: "participant-state-changes",
  ParticipantUnmute: "participant-state-changes",
  ParticipantHold: "participant-state-changes",
  ParticipantUnhold: "participant-state-changes",
  ParticipantCoachModeStart: "participant-state-changes",
  ParticipantCoachModeStop: "participant-state-changes",
  ParticipantSpeakStart: "participant-speak-events",
  ParticipantSpeakStop: "participant-speak-events",
  ParticipantDigitInput: "participant-digit-input-events",
  AddParticipantByAPIActionInitiated: "add-participant-api-events",
  AddParticipantByAPIActionCompleted: "add-participant-api-events",
  ParticipantAudioPlayed: "participant-audio-events",
  ParticipantAudioStopped: "participant-audio-events"
}

const isLive = (c: Call): boolean => c.state !== "ended"
/** Read through a function so TypeScript does not keep a narrowing across calls that change it. */
const isEnded = (d: Mpc): boolean => d.status === "Ended"
/** The network has a call for it (it was dialled, or it exists already). */
const onNetwork = (c: Call): boolean =>
  c.state === "dialing" ||
  c.state === "ringing" ||
  c.state === "answered" ||
  c.state === "confirming" ||
  c.state === "in-mpc"
/** LIFE-10, SOUND-2: a supervisor in coach mode. */
const isCoach = (m: Member): boolean => m.role === "Supervisor" && m.coachMode
const money = (minutes: number, rate: number): string => (minutes * rate).toFixed(5)
const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000))

/** One step's working set. */
class Tx {
  readonly out: Array<Command> = []
  readonly config: State["config"]
  readonly now: number
  nextId: number
  mpcs: State["mpcs"]
  liveNames: State["liveNames"]
  callIndex: State["callIndex"]
  calls: State["calls"]
  cps: Mutable<Cps>
  private cpsCopied = false
  /** MPCs copied for this step (usually one). */
  private readonly drafts: Array<Draft> = []
  /** MPCs in the middle of ending (so their members' exits do not end them again). */
  private ending: Array<string> | undefined

  constructor(
    readonly state: State,
    now: number
  ) {
    this.config = state.config
    this.now = now
    this.nextId = state.nextId
    this.mpcs = state.mpcs
    this.liveNames = state.liveNames
    this.callIndex = state.callIndex
    this.calls = state.calls
    this.cps = state.cps as Mutable<Cps>
  }

  id(): string {
    return uuid(this.config.seed, this.nextId++)
  }

  /** Member ids are numbers, as Plivo's are. */
  memberId(): string {
    return String(this.nextId++)
  }

  emit(c: Command): void {
    this.out.push(c)
  }

  setTimer(timerId: string, at: number): void {
    this.out.push({ _tag: "SetTimer", timerId, at })
  }

  cancelTimer(timerId: string): void {
    this.out.push({ _tag: "CancelTimer", timerId })
  }

  /** Arrays this step copied and may change in place; the state's own arrays are never touched. */
  private readonly copies: Array<ReadonlyArray<unknown>> = []

  writable<A>(xs: ReadonlyArray<A>): Array<A> {
    for (const c of this.copies) if (c === xs) return xs as Array<A>
    const copy = xs.slice()
    this.copies.push(copy)
    return copy
  }

  /** An MPC as this step sees it: its draft when it has one. */
  mpc(uuid: string): Mpc | undefined {
    for (const d of this.drafts) if (d.uuid === uuid) return d
    return PMap.get(this.mpcs, uuid)
  }

  /** A writable copy of an MPC, made once per step. */
  draft(mpc: Mpc): Draft {
    for (const d of this.drafts) if (d.uuid === mpc.uuid) return d
    const d: Draft = { ...mpc }
    this.drafts.push(d)
    return d
  }

  newDraft(mpc: Mpc): Draft {
    const d = mpc as Draft
    this.drafts.push(d)
    return d
  }

  writableCps(): Mutable<Cps> {
    if (!this.cpsCopied) {
      this.cps = { ...this.cps }
      this.cpsCopied = true
    }
    return this.cps
  }

  isEnding(uuid: string): boolean {
    return this.ending?.includes(uuid) === true
  }

  markEnding(uuid: string): void {
    if (this.ending === undefined) this.ending = [uuid]
    else this.ending.push(uuid)
  }

  commit(): State {
    let mpcs = this.mpcs
    for (const d of this.drafts) mpcs = PMap.set(mpcs, d.uuid, d)
    return {
      config: this.config,
      now: this.now,
      nextId: this.nextId,
      mpcs,
      liveNames: this.liveNames,
      callIndex: this.callIndex,
      calls: this.calls,
      cps: this.cps
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Calls inside an MPC
// ---------------------------------------------------------------------------------------------

const findCall = (d: Mpc, callUuid: string): Call | undefined => {
  const calls = d.calls
  for (let i = 0; i < calls.length; i++) if (calls[i]!.uuid === callUuid) return calls[i]
  return undefined
}

const putCall = (tx: Tx, d: Draft, call: Call): void => {
  const calls = tx.writable(d.calls)
  let i = calls.length - 1
  while (i >= 0 && calls[i]!.uuid !== call.uuid) i--
  if (i < 0) calls.push(call)
  else calls[i] = call
  d.calls = calls
}

const findMember = (d: Mpc, memberId: string): Member | undefined => d.members.find((m) => m.id === memberId)

const putMember = (tx: Tx, d: Draft, member: Member): void => {
  const members = tx.writable(d.members)
  for (let i = 0; i < members.length; i++) if (members[i]!.id === member.id) members[i] = member
  d.members = members
}

/** A copy with some fields changed; optional fields are set to `undefined`, never deleted (one shape). */
const patch = <T extends object>(base: T, changes: Partial<T>): T => ({ ...base, ...changes })

/** A call with every field present, in one order (one shape). */
const newCall = (
  fields: Pick<Call, "uuid" | "direction" | "from" | "to" | "state" | "createdAt"> & Partial<Call>
): Call => ({
  uuid: fields.uuid,
  direction: fields.direction,
  from: fields.from,
  to: fields.to,
  state: fields.state,
  requestUuid: fields.requestUuid,
  destination: fields.destination,
  callerName: fields.callerName,
  callStatusCallback: fields.callStatusCallback,
  queueSeq: fields.queueSeq,
  createdAt: fields.createdAt,
  initiatedAt: fields.initiatedAt,
  ringingAt: fields.ringingAt,
  answeredAt: fields.answeredAt,
  endedAt: fields.endedAt,
  delayAt: fields.delayAt,
  ringTimeoutAt: fields.ringTimeoutAt,
  confirmAt: fields.confirmAt,
  memberId: fields.memberId,
  hangup: fields.hangup,
  handedOff: fields.handedOff
})

// ---------------------------------------------------------------------------------------------
// Callbacks (CB-*)
// ---------------------------------------------------------------------------------------------

/** CB-1, CB-2, CB-3, CB-4: the MPC part of every status callback. */
const mpcParams = (tx: Tx, d: Mpc, event: string, seq: number): Record<string, string | null> => {
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
const addMemberParams = (
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

/** `MemberAddress`: the number or endpoint username of the participant. */
const memberAddress = (m: Member): string => {
  const address = m.direction === "outbound" ? m.to : m.from
  return address.startsWith("sip:")
    ? address.slice(4, address.indexOf("@") < 0 ? undefined : address.indexOf("@"))
    : address
}

/**
 * CB-1, CB-2: a status callback, sent only when the MPC has a status URL and the event's group is
 * subscribed; each one sent takes the next `SequenceNumber` of the MPC's stream.
 */
const statusCallback = (
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

const memberCallback = (tx: Tx, d: Draft, event: string, m: Member, exit?: { cause: string; at: number }) =>
  statusCallback(tx, d, event, (p) => addMemberParams(p, m, exit))

/** CB-5, XFER-2: a call status callback, only for legs dialled with a `call_status_callback_url`. */
const callCallback = (
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
const recordingCallback = (tx: Tx, d: Draft, event: string): void => {
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
    RecordingResourceURL: `https://api.plivo.com/v1/Account/${authId}/Recording/${rec.uuid}/`,
    RecordingStartTime: rec.startedAt === undefined ? null : ts(rec.startedAt),
    RecordingURL: `https://media.plivo.com/v1/Account/${authId}/Recording/${rec.uuid}.${rec.fileFormat}`,
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
const requestCallback = (
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

// ---------------------------------------------------------------------------------------------
// Sounds and music (SOUND-*, LIFE-2, LIFE-9, CB-7)
// ---------------------------------------------------------------------------------------------

/** SOUND-1: plays a member's enter or exit sound on the bridge; SOUND-2: never for a coaching supervisor. */
const playMemberSound = (tx: Tx, d: Draft, m: Member, sound: Sound, purpose: "EnterSound" | "ExitSound") => {
  if (isCoach(m)) return
  switch (sound._tag) {
    case "Silence":
      return
    case "Beep":
      tx.emit({
        _tag: "PlaySound",
        mpcUuid: d.uuid,
        memberId: m.id,
        audio: { _tag: "Beep", count: sound.count }
      })
      return
    case "SoundXml":
      tx.emit({
        _tag: "FetchXml",
        url: sound.url,
        method: sound.method,
        purpose,
        mpcUuid: d.uuid,
        memberId: m.id
      })
  }
}

/** LIFE-2, LIFE-9: the music a member should hear now, if any. */
const musicFor = (d: Mpc, m: Member): Music | undefined => {
  if (m.hold) return m.role === "Customer" ? "CustomerHold" : "AgentHold"
  if (d.status === "Initialized") return "Wait"
  return undefined
}

const musicSource = (d: Mpc, music: Music): Webhook | undefined =>
  music === "Wait"
    ? d.settings.waitMusic
    : music === "AgentHold"
      ? d.settings.agentHoldMusic
      : d.settings.customerHoldMusic

/** Starts or stops music so the member hears what `musicFor` says (CB-7 audio events). */
const retune = (tx: Tx, d: Draft, m: Member): Member => {
  const want = musicFor(d, m)
  if (want === m.music) return m
  if (m.music !== undefined) {
    tx.emit({ _tag: "StopMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid })
    memberCallback(tx, d, "ParticipantAudioStopped", m)
  }
  const next = patch(m, { music: want })
  if (want !== undefined) {
    const source = musicSource(d, want)
    tx.emit(
      source === undefined
        ? { _tag: "StartMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid, music: want }
        : { _tag: "StartMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid, music: want, source }
    )
    memberCallback(tx, d, "ParticipantAudioPlayed", next)
  }
  putMember(tx, d, next)
  return next
}

// ---------------------------------------------------------------------------------------------
// Recording (REC-*)
// ---------------------------------------------------------------------------------------------

const startRecording = (
  tx: Tx,
  d: Draft,
  overrides?: { fileFormat?: Recording["fileFormat"]; callback?: Webhook }
) => {
  const recordingUuid = tx.id()
  d.recording = patch(d.recording, {
    status: "Recording",
    uuid: recordingUuid,
    startedAt: tx.now,
    fileFormat: overrides?.fileFormat ?? d.recording.fileFormat,
    callback: overrides?.callback ?? d.recording.callback
  })
  tx.emit({ _tag: "RecordStart", mpcUuid: d.uuid, recordingUuid, fileFormat: d.recording.fileFormat })
  recordingCallback(tx, d, "MPCRecordingInitiated")
}

/**
 * REC-1, REC-2: recording starts the first time a member with `record` is in the MPC while it has at
 * least `record_min_member_count` members, and never a second time.
 */
const maybeStartRecording = (tx: Tx, d: Draft): void => {
  if (d.recording.status !== "NotStarted") return
  if (d.members.length < d.settings.recordMinMemberCount) return
  if (!d.members.some((m) => m.record)) return
  startRecording(tx, d)
}

/** REC-4: completes the recording (when the MPC ends, or by API). */
const completeRecording = (tx: Tx, d: Draft): void => {
  const rec = d.recording
  if (rec.status !== "Recording" && rec.status !== "Paused") return
  const pausedMs =
    rec.status === "Paused" && rec.pausedAt !== undefined
      ? rec.pausedMs + (tx.now - rec.pausedAt)
      : rec.pausedMs
  d.recording = patch(rec, { status: "Completed", endedAt: tx.now, pausedMs, pausedAt: undefined })
  tx.emit({ _tag: "RecordStop", mpcUuid: d.uuid, recordingUuid: rec.uuid! })
  recordingCallback(tx, d, "MPCRecordingCompleted")
}

// ---------------------------------------------------------------------------------------------
// The CPS queue (CPS-1)
// ---------------------------------------------------------------------------------------------

const enqueue = (tx: Tx, call: Call, mpcUuid: string): Call => {
  const cps = tx.writableCps()
  const seq = cps.tail
  cps.queue = PMap.set(cps.queue, String(seq), { callUuid: call.uuid, mpcUuid })
  cps.tail = seq + 1
  return { ...call, queueSeq: seq }
}

const dequeue = (tx: Tx, call: Call): void => {
  if (call.queueSeq === undefined) return
  const cps = tx.writableCps()
  cps.queue = PMap.remove(cps.queue, String(call.queueSeq))
}

/** CPS-1: a leg may be initiated now when fewer than `cps` were initiated in the last second. */
const cpsFreeAt = (tx: Tx): number => {
  const recent = tx.cps.recent
  if (recent.length < tx.config.cps) return tx.now
  return Math.max(tx.now, recent[0]! + 1000)
}

/** CPS-1: initiates queued legs, oldest first, as the rate allows; sets the `cps` timer for the rest. */
const pump = (tx: Tx): void => {
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
    const recent = w.recent.length < tx.config.cps ? w.recent.slice() : w.recent.slice(1)
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
const initiate = (tx: Tx, mpcUuid: string, callUuid: string): void => {
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

const dial = (tx: Tx, d: Draft, call: Call): void => {
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

// ---------------------------------------------------------------------------------------------
// Legs and the race (DIAL-*, RACE-*, CONFIRM-*)
// ---------------------------------------------------------------------------------------------

/** Cancels every timer pending on a call. */
const cancelCallTimers = (tx: Tx, call: Call): void => {
  if (call.delayAt !== undefined) tx.cancelTimer(TimerId.delay(call.uuid))
  if (call.ringTimeoutAt !== undefined) tx.cancelTimer(TimerId.ring(call.uuid))
  if (call.confirmAt !== undefined) tx.cancelTimer(TimerId.confirm(call.uuid))
}

/**
 * Ends a call that is not (or no longer) a member: cancels its timers, takes it out of the CPS queue,
 * hangs it up on the network when `byUs` and the network has it, and sends its `Hangup` callback.
 */
const endCall = (tx: Tx, d: Draft, call: Call, hangup: Hangup, byUs: boolean): Call => {
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
  return ended
}

const findRequest = (d: Mpc, requestUuid: string | undefined): OpenRequest | undefined =>
  requestUuid === undefined ? undefined : d.requests.find((r) => r.uuid === requestUuid)

const closeRequest = (d: Draft, requestUuid: string): void => {
  d.requests = d.requests.filter((r) => r.uuid !== requestUuid)
}

/**
 * RACE-4: once every leg of an open request has ended without a winner, nobody joins and the
 * request is reported failed. [decision] An MPC left with no member and no open request then ends
 * (No Active Participants): nobody is left to start it.
 */
const checkExhausted = (tx: Tx, d: Draft, requestUuid: string | undefined): void => {
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
const win = (tx: Tx, d: Draft, req: OpenRequest, winner: Call): void => {
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

// ---------------------------------------------------------------------------------------------
// Membership (LIFE-*, SOUND-*, REC-*, EXIT-1)
// ---------------------------------------------------------------------------------------------

/** Puts an answered call in the MPC as a member with the request's settings. */
const join = (tx: Tx, d: Draft, call: Call, r: AddParticipantRequest, requestUuid: string): Member => {
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
    trackRecordingUuid: undefined
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
const startMpc = (tx: Tx, d: Draft): void => {
  d.status = "Active"
  d.startedAt = tx.now
  statusCallback(tx, d, "MPCStart")
  for (const m of d.members) retune(tx, d, m)
}

/** How a member leaves. */
type Exit =
  /** Its call hung up: nothing to hang up, no on-exit action (EXIT-1). */
  | { readonly _tag: "HungUp"; readonly hangup: Hangup }
  /** The MPC removes it (kick, end): its call is hung up, or handed to `on_exit_action_url`. */
  | { readonly _tag: "Removed"; readonly hangup: Hangup }

/**
 * A member leaves: ParticipantExit, its music and track recording stop, its exit sound plays for
 * whoever stays (SOUND-1, SOUND-2), and its call ends, or goes to its on-exit XML (EXIT-1).
 */
const leave = (tx: Tx, d: Draft, m: Member, exit: Exit): void => {
  d.members = d.members.filter((x) => x.id !== m.id)
  if (m.music !== undefined) {
    tx.emit({ _tag: "StopMusic", mpcUuid: d.uuid, memberId: m.id, callUuid: m.callUuid })
    memberCallback(tx, d, "ParticipantAudioStopped", m)
  }
  if (m.trackRecordingUuid !== undefined) {
    tx.emit({ _tag: "RecordStop", mpcUuid: d.uuid, recordingUuid: m.trackRecordingUuid })
  }
  memberCallback(tx, d, "ParticipantExit", m, { cause: exit.hangup.cause, at: tx.now })
  const call = findCall(d, m.callUuid)
  if (call === undefined) return
  if (exit._tag === "HungUp") {
    endCall(tx, d, call, exit.hangup, false)
  } else if (m.onExitAction !== undefined) {
    // EXIT-1: the member left the MPC alive; the on-exit XML controls the call from now on.
    tx.emit({ _tag: "Unbridge", callUuid: call.uuid, mpcUuid: d.uuid, memberId: m.id })
    tx.emit({
      _tag: "FetchXml",
      url: m.onExitAction.url,
      method: m.onExitAction.method,
      purpose: "OnExitAction",
      mpcUuid: d.uuid,
      callUuid: call.uuid
    })
    putCall(tx, d, patch(call, { state: "ended", endedAt: tx.now, handedOff: true }))
  } else {
    endCall(tx, d, call, exit.hangup, true)
  }
}

/**
 * Members left (they hung up or were kicked): LIFE-6, LIFE-7, LIFE-8 decide whether the MPC goes
 * on; if it does, SOUND-1 plays their exit sounds for the members who stay (even when a call hung up).
 */
const settle = (tx: Tx, d: Draft, exited: ReadonlyArray<Member>): void => {
  if (d.status === "Ended" || tx.isEnding(d.uuid)) return
  afterExit(tx, d, exited)
  if (isEnded(d) || d.members.length === 0) return
  for (const m of exited) playMemberSound(tx, d, m, m.exitSound, "ExitSound")
}

/** LIFE-6, LIFE-7, LIFE-8: what members' exits mean for the MPC. */
const afterExit = (tx: Tx, d: Draft, exited: ReadonlyArray<Member>): void => {
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
const endMpc = (tx: Tx, d: Draft, termination: Termination, memberHangup: Hangup): void => {
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

// ---------------------------------------------------------------------------------------------
// API requests
// ---------------------------------------------------------------------------------------------

/** API-1: the typed reply to a request that was taken. */
const respond = (tx: Tx, apiId: string, reply: Reply): void => {
  tx.emit({ _tag: "Respond", apiId, outcome: reply })
}

const describeRef = (ref: MpcRef): string => (ref._tag === "ByName" ? `name ${ref.name}` : `uuid ${ref.uuid}`)

/** ADDR-1: the live MPC a request names, or NotFound. */
const liveMpc = (tx: Tx, ref: MpcRef): Mpc | Refusal => {
  const uuid = ref._tag === "ByUuid" ? ref.uuid : PMap.get(tx.liveNames, ref.name)
  const mpc = uuid === undefined ? undefined : tx.mpc(uuid)
  if (mpc === undefined || mpc.status === "Ended")
    return refusal("NotFound", "ADDR-1", ["mpc"], `no ongoing multiparty call with ${describeRef(ref)}`)
  return mpc
}

const selectMembers = (mpc: Mpc, selector: MemberSelector): ReadonlyArray<Member> | Refusal => {
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

const addParticipant = (tx: Tx, e: Extract<Event, { _tag: "AddParticipant" }>): Refusal | undefined => {
  const r = e.request
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
    putCall(tx, d, transferred)
    const member = join(tx, d, transferred, r, requestUuid)
    requestCallback(tx, d, "AddParticipantByAPIActionCompleted", requestUuid, member)
    respond(tx, e.apiId, {
      _tag: "Added",
      requestUuid,
      mpcUuid: d.uuid,
      legs: [{ to: transferred.to, from: transferred.from, callUuid: transferred.uuid }],
      queued: false
    })
    return undefined
  }

  // DIAL-1: one leg per destination, with `from` as caller ID, queued for the CPS limit (CPS-1).
  const dialOut = r.target as DialOut
  const legs: Array<string> = []
  const listed: Array<Leg> = []
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
    putCall(tx, d, enqueue(tx, call, d.uuid))
    tx.callIndex = PMap.set(tx.callIndex, callUuid, d.uuid)
    legs.push(callUuid)
    listed.push({ to, from: dialOut.from, callUuid })
  }
  d.requests = [...d.requests, { uuid: requestUuid, createdAt: tx.now, request: r, legs }]
  pump(tx)
  // CPS-2: "queued" when the request's legs wait in the CPS queue.
  const waiting = legs.some((uuid) => findCall(tx.draft(d), uuid)?.state === "queued")
  respond(tx, e.apiId, { _tag: "Added", requestUuid, mpcUuid: d.uuid, legs: listed, queued: waiting })
  return undefined
}

/** ADDR-2, ADDR-4, LIFE-5: a new MPC with the settings of the request that creates it. */
const createMpc = (tx: Tx, name: string, r: AddParticipantRequest): Draft => {
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

const updateMember = (tx: Tx, e: Extract<Event, { _tag: "UpdateMember" }>): Refusal | undefined => {
  if (e.mute === undefined && e.hold === undefined && e.coachMode === undefined) {
    return refusal(
      "Invalid",
      "API-2",
      ["mute", "hold", "coach_mode"],
      "give at least one of mute, hold or coach_mode"
    )
  }
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
    memberIds: selected.map((m) => m.id),
    ...(e.mute === undefined ? {} : { mute: e.mute }),
    ...(e.hold === undefined ? {} : { hold: e.hold }),
    ...(e.coachMode === undefined ? {} : { coachMode: e.coachMode })
  })
  return undefined
}

const kickMember = (tx: Tx, e: Extract<Event, { _tag: "KickMember" }>): Refusal | undefined => {
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

const endMpcByApi = (tx: Tx, e: Extract<Event, { _tag: "EndMpc" }>): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  endMpc(tx, tx.draft(mpc), Terminations.endedByApi, Hangups.mpcEndedByApi)
  respond(tx, e.apiId, { _tag: "MpcEnded", mpcUuid: mpc.uuid })
  return undefined
}

const recordingApi = (
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
      // REC-2: recording never starts twice in one MPC.
      if (status !== "NotStarted")
        return refusal(
          "NotAllowed",
          "REC-2",
          ["mpc"],
          `multiparty call ${mpc.name} has already been recorded`
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
        url: `https://media.plivo.com/v1/Account/${tx.config.authId}/Recording/${rec.uuid}.${rec.fileFormat}`
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

// ---------------------------------------------------------------------------------------------
// Network events
// ---------------------------------------------------------------------------------------------

/** The MPC that owns a call and the call, or why there is none. */
const owned = (tx: Tx, callUuid: string): { d: Draft; call: Call } | Refusal => {
  const owner = PMap.get(tx.callIndex, callUuid)
  const mpc = owner === undefined ? undefined : tx.mpc(owner)
  const call = mpc === undefined ? undefined : findCall(mpc, callUuid)
  if (mpc === undefined || call === undefined)
    return refusal("NotFound", "API-2", ["callUuid"], `no call ${callUuid} in any multiparty call`)
  return { d: tx.draft(mpc), call }
}

const unfit = (call: Call, what: string, rule: string): Refusal =>
  refusal("Conflict", rule, ["callUuid"], `call ${call.uuid} is ${call.state}: it cannot ${what}`)

const legRinging = (tx: Tx, callUuid: string): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "dialing") return unfit(call, "start ringing", "DIAL-1")
  const next = patch(call, { state: "ringing", ringingAt: tx.now })
  putCall(tx, d, next)
  callCallback(tx, d.uuid, next, "Ringing")
  return undefined
}

const legAnswered = (tx: Tx, callUuid: string): Refusal | undefined => {
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
const legFailed = (tx: Tx, callUuid: string, hangup: Hangup): Refusal | undefined => {
  const found = owned(tx, callUuid)
  if (isRefusal(found)) return found
  const { d, call } = found
  if (call.state !== "dialing" && call.state !== "ringing")
    return unfit(call, `end with ${hangup.cause}`, "DIAL-4")
  endCall(tx, d, call, hangup, false)
  checkExhausted(tx, d, call.requestUuid)
  return undefined
}

const callHungUp = (tx: Tx, callUuid: string): Refusal | undefined => {
  const loose = PMap.get(tx.calls, callUuid)
  if (loose !== undefined) {
    if (loose.state === "ended") return unfit(loose, "hang up", "XFER-1")
    tx.calls = PMap.set(
      tx.calls,
      callUuid,
      patch(loose, { state: "ended", endedAt: tx.now, hangup: Hangups.normal })
    )
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

const digitsPressed = (tx: Tx, callUuid: string, digits: string): Refusal | undefined => {
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

const speakingChanged = (tx: Tx, callUuid: string, speaking: boolean): Refusal | undefined => {
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

const timerFired = (tx: Tx, timerId: string): Refusal | undefined => {
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
    default:
      return refusal("Conflict", "API-2", ["timerId"], `unknown timer ${timerId}`)
  }
}

const recordingFailed = (tx: Tx, mpcUuid: string): Refusal | undefined => {
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

const createCall = (tx: Tx, e: Extract<Event, { _tag: "CreateCall" }>): undefined => {
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

// ---------------------------------------------------------------------------------------------
// step
// ---------------------------------------------------------------------------------------------

const run = (tx: Tx, e: Event): Refusal | undefined => {
  switch (e._tag) {
    case "AddParticipant":
      return addParticipant(tx, e)
    case "CreateCall":
      return createCall(tx, e)
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

/** Applies events in order; refused events leave the state as it was. */
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
