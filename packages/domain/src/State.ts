/**
 * One account's world as the rules engine sees it: its MPCs (by UUID, and the index of live names),
 * their members, open add requests and call legs, the outbound CPS queue and the callback sequence
 * counters. Pending timers live on what they belong to (a leg's ring timeout on the leg, the max
 * duration on the MPC), under stable ids. Ids and time come from the state and the events only.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import {
  AddParticipantRequest,
  Destination,
  MpcSettings,
  RecordFileFormat,
  Role,
  Sound,
  Webhook
} from "./AddParticipantRequest.js"
import { Hangup, Termination } from "./Cause.js"
import { Music } from "./Command.js"
import * as PMap from "./PMap.js"
import { Origin, Step } from "./xml/Program.js"

/**
 * Optional fields of the state may be present with `undefined`: the engine keeps every key of an
 * object so all objects of a kind share one shape (V8 hidden class), which keeps `step` fast.
 */
const opt = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optional(s)
const time = Schema.Number

/**
 * Where a call stands. A leg goes `queued` (CPS-1) → `scheduled` (waiting for its `delay_dial`) →
 * `dialing` → `ringing` → `confirming` (CONFIRM-1) → `in-mpc` → `ended`; a call created by the
 * network (to be transferred) starts `answered`.
 *
 * @since 0.1.0
 * @category models
 */
export const CallState = Schema.Literal(
  "queued",
  "scheduled",
  "dialing",
  "ringing",
  "answered",
  "confirming",
  "in-mpc",
  "ended"
)
/**
 * The type of {@link CallState}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type CallState = typeof CallState.Type

/**
 * XML-1: a call run by an XML document: where its document came from, its steps and the cursor, and
 * what it waits for. `fetching`: the document is asked for; `running`: a step is under way (until
 * `stepAt`); `in-mpc`: it joined an MPC by `<MultiPartyCall>` and goes on after it (XML-15).
 *
 * @since 0.2.0
 * @category models
 */
export const CallXml = Schema.Struct({
  origin: Origin,
  phase: Schema.Literal("fetching", "running", "in-mpc"),
  steps: Schema.Array(Step),
  cursor: Schema.NonNegativeInt,
  /** XML-6, XML-7: when the current Speak, Play or Wait is done. */
  stepAt: opt(time),
  /** XML-8: a `<Hangup schedule>` pending. */
  hangupAt: opt(time),
  /** The application's hangup callback (`hangup_url`). */
  hangupUrl: opt(Webhook)
})
/**
 * XML-1: the call-control state of a call run by an XML document.
 *
 * @since 0.2.0
 * @category models
 */
export type CallXml = typeof CallXml.Type

/**
 * A call: a leg dialled for a request, or a live call the network created.
 *
 * @since 0.1.0
 * @category models
 */
export const Call = Schema.Struct({
  uuid: Schema.String,
  /** `outbound` for legs, `inbound` for calls the network created. */
  direction: Schema.Literal("outbound", "inbound"),
  from: Schema.String,
  /** The destination as Plivo shows it (`to` in responses, `MemberAddress`). */
  to: Schema.String,
  state: CallState,
  /** Legs: the request that dialled it, its destination (with delay, ring timeout, headers). */
  requestUuid: opt(Schema.String),
  destination: opt(Destination),
  callerName: opt(Schema.String),
  /** XFER-2: only legs dialled by a request have one. */
  callStatusCallback: opt(Webhook),
  /** CPS-1: its place in the account's queue while `queued`. */
  queueSeq: opt(Schema.Number),
  createdAt: time,
  initiatedAt: opt(time),
  ringingAt: opt(time),
  answeredAt: opt(time),
  endedAt: opt(time),
  /** Pending timers (DIAL-2, DIAL-3, CONFIRM-2): when each is due. */
  delayAt: opt(time),
  ringTimeoutAt: opt(time),
  confirmAt: opt(time),
  memberId: opt(Schema.String),
  hangup: opt(Hangup),
  /** EXIT-1: the call left the MPC alive and was handed to the on-exit XML. */
  handedOff: opt(Schema.Boolean),
  /** XML-1: the document running the call, for calls an application controls. */
  xml: opt(CallXml)
})
/**
 * The type of {@link Call}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Call = typeof Call.Type

/**
 * PREC-1: the track types of a participant recording (kept on the recording only, PREC-5).
 *
 * @since 0.2.0
 * @category models
 */
export const RecordTrackType = Schema.Literal("participant", "all", "both")
/**
 * The type of a participant recording's track type.
 *
 * @since 0.2.0
 * @category models
 */
export type RecordTrackType = typeof RecordTrackType.Type

/**
 * PREC-1..PREC-5: a member's own recording, started by the participant-recording API.
 *
 * @since 0.2.0
 * @category models
 */
export const MemberRecording = Schema.Struct({
  uuid: Schema.String,
  status: Schema.Literal("Recording", "Paused", "Completed"),
  fileFormat: RecordFileFormat,
  callback: opt(Webhook),
  trackType: RecordTrackType,
  startedAt: time,
  endedAt: opt(time),
  /** Milliseconds spent paused, for `RecordingDuration`. */
  pausedMs: Schema.Number,
  pausedAt: opt(time)
})
/**
 * The type of a member's own recording.
 *
 * @since 0.2.0
 * @category models
 */
export type MemberRecording = typeof MemberRecording.Type

/**
 * PLAY-1..PLAY-6: audio played to a member by the play API, until stopped.
 *
 * @since 0.2.0
 * @category models
 */
export const MemberAudio = Schema.Struct({
  url: Schema.String,
  /** PLAY-5: the form of `member_id` it was started with (`all`, or member ids). */
  by: Schema.Literal("all", "ids"),
  startedAt: time
})
/**
 * The type of audio played to a member.
 *
 * @since 0.2.0
 * @category models
 */
export type MemberAudio = typeof MemberAudio.Type

/**
 * SDK-22: how a member left.
 *
 * @since 0.2.0
 * @category models
 */
export const MemberExit = Schema.Struct({ cause: Schema.String, at: time })
/**
 * The type of how a member left.
 *
 * @since 0.2.0
 * @category models
 */
export type MemberExit = typeof MemberExit.Type

/**
 * A participant in an MPC, with its settings from the request that added it.
 *
 * @since 0.1.0
 * @category models
 */
export const Member = Schema.Struct({
  id: Schema.String,
  callUuid: Schema.String,
  role: Role,
  direction: Schema.Literal("outbound", "inbound"),
  from: Schema.String,
  to: Schema.String,
  joinedAt: time,
  requestUuid: Schema.String,
  coachMode: Schema.Boolean,
  mute: Schema.Boolean,
  hold: Schema.Boolean,
  stayAlone: Schema.Boolean,
  startMpcOnEnter: Schema.Boolean,
  endMpcOnExit: Schema.Boolean,
  relayDtmfInputs: Schema.Boolean,
  record: Schema.Boolean,
  enterSound: Sound,
  exitSound: Sound,
  onExitAction: opt(Webhook),
  speaking: Schema.Boolean,
  /** What the member hears instead of the bridge, if anything (LIFE-2, LIFE-9). */
  music: opt(Music),
  /** REC-3: the member's own track recording. */
  trackRecordingUuid: opt(Schema.String),
  /** PREC-1: its recording by the participant-recording API (the last one, completed or not). */
  recording: opt(MemberRecording),
  /** PREC-3: the last `SequenceNumber` of its recording callbacks. */
  recordingSeq: opt(Schema.Number),
  /** PLAY-1: the audio played to it now, if any. */
  audio: opt(MemberAudio),
  /** SDK-22: set once it has left (then it is in the MPC's `left`). */
  exit: opt(MemberExit)
})
/**
 * The type of {@link Member}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Member = typeof Member.Type

/**
 * An add-participant request whose race is not decided yet.
 *
 * @since 0.1.0
 * @category models
 */
export const OpenRequest = Schema.Struct({
  uuid: Schema.String,
  createdAt: time,
  request: AddParticipantRequest,
  /** Its legs, in destination order. */
  legs: Schema.Array(Schema.String)
})
/**
 * The type of {@link OpenRequest}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenRequest = typeof OpenRequest.Type

/**
 * REC-*: the MPC recording.
 *
 * @since 0.1.0
 * @category models
 */
export const Recording = Schema.Struct({
  status: Schema.Literal("NotStarted", "Recording", "Paused", "Completed", "Failed"),
  uuid: opt(Schema.String),
  fileFormat: RecordFileFormat,
  callback: opt(Webhook),
  startedAt: opt(time),
  endedAt: opt(time),
  /** Milliseconds spent paused, for `RecordingDuration`. */
  pausedMs: Schema.Number,
  pausedAt: opt(time)
})
/**
 * The type of {@link Recording}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Recording = typeof Recording.Type

/**
 * LIFE-1: an MPC's status, which only moves forward.
 *
 * @since 0.1.0
 * @category models
 */
export const MpcStatus = Schema.Literal("Initialized", "Active", "Ended")
/**
 * The type of {@link MpcStatus}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MpcStatus = typeof MpcStatus.Type

/**
 * One MPC.
 *
 * @since 0.1.0
 * @category models
 */
export const Mpc = Schema.Struct({
  uuid: Schema.String,
  name: Schema.String,
  status: MpcStatus,
  /** ADDR-4: fixed by the request that created it. */
  settings: MpcSettings,
  createdAt: time,
  startedAt: opt(time),
  endedAt: opt(time),
  termination: opt(Termination),
  /** LIFE-5: when the max-duration timer is due (while the MPC lives). */
  maxDurationAt: opt(time),
  /** Every call that belongs to this MPC (legs of its requests, transferred calls), ended ones too. */
  calls: Schema.Array(Call),
  /** Current members, in join order. */
  members: Schema.Array(Member),
  /** SDK-22: members that have left, in exit order, each with its `exit`. */
  left: opt(Schema.Array(Member)),
  /** Requests still racing. */
  requests: Schema.Array(OpenRequest),
  recording: Recording,
  /** CB-2: the last `SequenceNumber` of the status and recording streams. */
  statusSeq: Schema.Number,
  recordingSeq: Schema.Number
})
/**
 * The type of {@link Mpc}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Mpc = typeof Mpc.Type

/**
 * CPS-1: a leg waiting to be initiated.
 *
 * @since 0.1.0
 * @category models
 */
export const QueuedLeg = Schema.Struct({ callUuid: Schema.String, mpcUuid: Schema.String })
/**
 * The type of {@link QueuedLeg}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type QueuedLeg = typeof QueuedLeg.Type

/**
 * CPS-1: the account's outbound queue, in arrival order, and its recent initiations.
 *
 * @since 0.1.0
 * @category models
 */
export const Cps = Schema.Struct({
  /** Queued legs by sequence number, `head` (oldest, inclusive) to `tail` (exclusive). */
  queue: PMap.schema(QueuedLeg),
  head: Schema.Number,
  tail: Schema.Number,
  /** The times of the last initiations, oldest first, at most `limit` of them. */
  recent: Schema.Array(time),
  /** When the `cps` timer is due, while legs wait. */
  timerAt: opt(time)
})
/**
 * The type of {@link Cps}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Cps = typeof Cps.Type

/**
 * The account's settings.
 *
 * @since 0.1.0
 * @category models
 */
export const Config = Schema.Struct({
  /** The account's auth id (callbacks' resource URLs name it). */
  authId: Schema.String,
  /** CPS-1: outbound calls initiated per second ([plivo] default 2). */
  cps: Schema.Int.pipe(Schema.positive()),
  /** Seeds the deterministic ids. */
  seed: Schema.Int,
  /** Per-minute prices for `Rate` / `TotalAmount` and `MPCBilledAmount`, in USD. */
  callRatePerMinute: Schema.Number,
  mpcRatePerMinute: Schema.Number
})
/**
 * The type of {@link Config}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Config = typeof Config.Type

/**
 * One account's world.
 *
 * @since 0.1.0
 * @category models
 */
export const State = Schema.Struct({
  config: Config,
  /** The time of the last event taken (events never go back in time). */
  now: time,
  /** The next id counter (see `Ids.uuid`). */
  nextId: Schema.Number,
  /** Every MPC by UUID, ended ones included. */
  mpcs: PMap.schema(Mpc),
  /** ADDR-2: the not-ended MPC of each friendly name. */
  liveNames: PMap.schema(Schema.String),
  /** The MPC each call belongs to. */
  callIndex: PMap.schema(Schema.String),
  /** Calls the network created that no MPC owns yet (XFER-1). */
  calls: PMap.schema(Call),
  cps: Cps
}).annotations({ identifier: "State" })
/**
 * The type of {@link State}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type State = typeof State.Type

/**
 * The defaults of a new account.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConfig: Config = {
  authId: "MAXXXXXXXXXXXXXXXXXX",
  cps: 2,
  seed: 1,
  callRatePerMinute: 0.005,
  mpcRatePerMinute: 0.003
}

/**
 * An account with no MPCs yet, at time `now`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: Partial<Config> = {}, now = 0): State => ({
  config: { ...defaultConfig, ...config },
  now,
  nextId: 1,
  mpcs: PMap.empty(),
  liveNames: PMap.empty(),
  callIndex: PMap.empty(),
  calls: PMap.empty(),
  cps: { queue: PMap.empty(), head: 0, tail: 0, recent: [] }
})

/**
 * SDK-21: `MemberAddress`, the number or endpoint username a member is reached at.
 *
 * @since 0.2.0
 * @category models
 */
export const memberAddress = (m: Member): string => {
  const address = m.direction === "outbound" ? m.to : m.from
  return address.startsWith("sip:")
    ? address.slice(4, address.indexOf("@") < 0 ? undefined : address.indexOf("@"))
    : address
}

/**
 * SDK-22: a member of an MPC by id, present or gone.
 *
 * @since 0.2.0
 * @category models
 */
export const anyMember = (mpc: Mpc, memberId: string): Member | undefined =>
  mpc.members.find((m) => m.id === memberId) ?? mpc.left?.find((m) => m.id === memberId)

/**
 * SDK-6, SDK-22: every member an MPC has had, present or gone, in join order.
 *
 * @since 0.2.0
 * @category models
 */
export const allMembers = (mpc: Mpc): Array<Member> =>
  [...mpc.members, ...(mpc.left ?? [])].sort((a, b) => a.joinedAt - b.joinedAt || Number(a.id) - Number(b.id))

/**
 * Looks an MPC up by UUID.
 *
 * @since 0.1.0
 * @category models
 */
export const mpc = (state: State, uuid: string): Mpc | undefined => PMap.get(state.mpcs, uuid)

/**
 * Looks a call up by UUID, wherever it lives.
 *
 * @since 0.1.0
 * @category models
 */
export const call = (state: State, uuid: string): Call | undefined => {
  const owner = PMap.get(state.callIndex, uuid)
  if (owner === undefined) return PMap.get(state.calls, uuid)
  return PMap.get(state.mpcs, owner)?.calls.find((c) => c.uuid === uuid)
}

/**
 * The live MPC of a friendly name.
 *
 * @since 0.1.0
 * @category models
 */
export const liveMpc = (state: State, name: string): Mpc | undefined => {
  const uuid = PMap.get(state.liveNames, name)
  return uuid === undefined ? undefined : PMap.get(state.mpcs, uuid)
}

/**
 * What `retireEnded` took out of the state, for the shell to persist before forgetting it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Retired {
  readonly mpc: Mpc
}

/**
 * LIFE-1, ADDR-2: drops an ended MPC, which can no longer change, from the state: the MPC, its
 * calls and their index entries (its name is already free, and no timer of it is pending: LIFE-7).
 * Returns what it removed, so a shell can persist it first; nothing when the MPC is unknown or not
 * ended. No later step of a live MPC answers differently (a property test checks it).
 *
 * @since 0.1.0
 * @category models
 */
export const retireEnded = (
  state: State,
  mpcUuid: string
): { readonly state: State; readonly retired: Retired | undefined } => {
  const m = PMap.get(state.mpcs, mpcUuid)
  if (m === undefined || m.status !== "Ended") return { state, retired: undefined }
  let callIndex = state.callIndex
  for (const c of m.calls)
    if (PMap.get(callIndex, c.uuid) === mpcUuid) callIndex = PMap.remove(callIndex, c.uuid)
  const liveNames =
    PMap.get(state.liveNames, m.name) === mpcUuid ? PMap.remove(state.liveNames, m.name) : state.liveNames
  return {
    state: { ...state, mpcs: PMap.remove(state.mpcs, mpcUuid), callIndex, liveNames },
    retired: { mpc: m }
  }
}

/**
 * LIFE-1, STORE-10: retires those of `uuids` that have ended, in UUID order (so the result does not
 * depend on the order they are given in). For a shell that already knows which MPCs a step touched.
 *
 * @since 0.2.0
 * @category models
 */
export const retireEndedAmong = (
  state: State,
  uuids: ReadonlyArray<string>
): { readonly state: State; readonly retired: ReadonlyArray<Retired> } => {
  const ended = uuids.filter((uuid) => PMap.get(state.mpcs, uuid)?.status === "Ended")
  if (ended.length === 0) return { state, retired: [] }
  let out = state
  const retired: Array<Retired> = []
  for (const uuid of ended.sort()) {
    const r = retireEnded(out, uuid)
    out = r.state
    if (r.retired !== undefined) retired.push(r.retired)
  }
  return { state: out, retired }
}

/**
 * LIFE-1, STORE-6: retires every MPC that a step from `before` to `after` ended (what a shell keeps
 * live then depends on live MPCs only). The cost follows the step's change, not the state's size.
 * Deterministic, so a log replayed through `step` and this function gives the same state again.
 *
 * @since 0.2.0
 * @category models
 */
export const retireEndedSince = (
  before: State,
  after: State
): { readonly state: State; readonly retired: ReadonlyArray<Retired> } => {
  const changed: Array<string> = []
  PMap.diff(before.mpcs, after.mpcs, (uuid, _, m) => {
    if (m !== undefined) changed.push(uuid)
  })
  return retireEndedAmong(after, changed)
}

/**
 * The UUIDs of the MPCs that have ended (what `retireEnded` can take).
 *
 * @since 0.1.0
 * @category models
 */
export const endedMpcs = (state: State): Array<string> => {
  const out: Array<string> = []
  PMap.forEach(state.mpcs, (m, uuid) => {
    if (m.status === "Ended") out.push(uuid)
  })
  return out
}
