/**
 * The inputs of the rules engine: requests users make through Plivo's API, and what the telephone
 * network reports. Each carries its time (`at`, epoch milliseconds); API requests carry the
 * `apiId` their response will echo.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { AddParticipantRequest, RecordFileFormat, Webhook } from "./AddParticipantRequest.js"
import { RecordTrackType } from "./State.js"
import { Document } from "./xml/Document.js"
import { Origin } from "./xml/Program.js"

const at = Schema.Number.annotations({ description: "epoch milliseconds" })
const apiId = Schema.String
const opt = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(s, { exact: true })

/**
 * ADDR-1: an MPC addressed by its friendly name (`name_…`) or its UUID (`uuid_…`).
 *
 * @since 0.1.0
 * @category models
 */
export const MpcRef = Schema.Union(
  Schema.TaggedStruct("ByName", { name: Schema.String }),
  Schema.TaggedStruct("ByUuid", { uuid: Schema.String })
)
/**
 * The type of {@link MpcRef}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MpcRef = typeof MpcRef.Type

/**
 * Members addressed by an API call: `all`, or a list of member ids (Plivo's comma list).
 *
 * @since 0.1.0
 * @category models
 */
export const MemberSelector = Schema.Union(Schema.Literal("all"), Schema.NonEmptyArray(Schema.String))
/**
 * The type of {@link MemberSelector}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MemberSelector = typeof MemberSelector.Type

/**
 * ADDR-1: add a participant (the request already decoded, see `AddParticipantParams`).
 *
 * @since 0.1.0
 * @category models
 */
export const AddParticipant = Schema.TaggedStruct("AddParticipant", {
  at,
  apiId,
  mpc: MpcRef,
  request: AddParticipantRequest
})
/**
 * XFER-1: a live, answered call appears (an inbound call, say), in no MPC yet.
 *
 * @since 0.1.0
 * @category models
 */
export const CreateCall = Schema.TaggedStruct("CreateCall", {
  at,
  apiId,
  from: Schema.String,
  to: Schema.String
})
/**
 * XML-1: an inbound call to a number whose application answers it with XML: the call is answered
 * and its document is fetched from `answer`; `hangup` gets the call's hangup callback.
 *
 * @since 0.2.0
 * @category events
 */
export const InboundCall = Schema.TaggedStruct("InboundCall", {
  at,
  apiId,
  from: Schema.String,
  to: Schema.String,
  answer: Webhook,
  hangup: opt(Webhook)
})
/**
 * XML-1, XML-9, XML-15: the document a call asked for (`FetchCallXml`, or an on-exit `FetchXml`)
 * arrived, parsed.
 *
 * @since 0.2.0
 * @category events
 */
export const XmlFetched = Schema.TaggedStruct("XmlFetched", {
  at,
  callUuid: Schema.String,
  origin: Origin,
  document: Document
})
/**
 * XML-4: the document a call asked for could not be had (unreachable, non-2xx, too slow, too big
 * or unreadable); `reason` says why, for the logs.
 *
 * @since 0.2.0
 * @category events
 */
export const XmlFetchFailed = Schema.TaggedStruct("XmlFetchFailed", {
  at,
  callUuid: Schema.String,
  origin: Origin,
  /** XML-3, XML-19: true when the body came but is not readable XML (an invalid document). */
  unreadable: Schema.Boolean,
  reason: Schema.String
})
/**
 * The network: a dialled leg rings.
 *
 * @since 0.1.0
 * @category models
 */
export const LegRinging = Schema.TaggedStruct("LegRinging", { at, callUuid: Schema.String })
/**
 * The network: a leg is answered.
 *
 * @since 0.1.0
 * @category models
 */
export const LegAnswered = Schema.TaggedStruct("LegAnswered", { at, callUuid: Schema.String })
/**
 * The network: the destination is busy (DIAL-4).
 *
 * @since 0.1.0
 * @category models
 */
export const LegBusy = Schema.TaggedStruct("LegBusy", { at, callUuid: Schema.String })
/**
 * The network: the callee rejected the call (DIAL-4).
 *
 * @since 0.1.0
 * @category models
 */
export const LegRejected = Schema.TaggedStruct("LegRejected", { at, callUuid: Schema.String })
/**
 * The network: the carrier gave up before anyone answered (DIAL-4).
 *
 * @since 0.1.0
 * @category models
 */
export const LegNoAnswer = Schema.TaggedStruct("LegNoAnswer", { at, callUuid: Schema.String })
/**
 * The network: the far end of a call hung up.
 *
 * @since 0.1.0
 * @category models
 */
export const CallHungUp = Schema.TaggedStruct("CallHungUp", { at, callUuid: Schema.String })
/**
 * The network: DTMF digits pressed on a call.
 *
 * @since 0.1.0
 * @category models
 */
export const DigitsPressed = Schema.TaggedStruct("DigitsPressed", {
  at,
  callUuid: Schema.String,
  digits: Schema.String.pipe(Schema.pattern(/^[0-9#*]+$/))
})
/**
 * The network: a member started or stopped speaking.
 *
 * @since 0.1.0
 * @category models
 */
export const SpeakingChanged = Schema.TaggedStruct("SpeakingChanged", {
  at,
  callUuid: Schema.String,
  speaking: Schema.Boolean
})
/**
 * A timer the engine set (`SetTimer`) is due.
 *
 * @since 0.1.0
 * @category models
 */
export const TimerFired = Schema.TaggedStruct("TimerFired", { at, timerId: Schema.String })
/**
 * STORE-12: time passed with nothing else happening (a virtual clock advanced past every timer), so
 * the state's clock reads `at`. It changes nothing else.
 *
 * @since 0.2.0
 * @category models
 */
export const TimePassed = Schema.TaggedStruct("TimePassed", { at })
/**
 * Update member: mute, hold, coach mode.
 *
 * @since 0.1.0
 * @category models
 */
export const UpdateMember = Schema.TaggedStruct("UpdateMember", {
  at,
  apiId,
  mpc: MpcRef,
  member: MemberSelector,
  mute: opt(Schema.Boolean),
  hold: opt(Schema.Boolean),
  coachMode: opt(Schema.Boolean)
})
/**
 * Kick member (4030).
 *
 * @since 0.1.0
 * @category models
 */
export const KickMember = Schema.TaggedStruct("KickMember", {
  at,
  apiId,
  mpc: MpcRef,
  member: MemberSelector
})
/**
 * End the MPC by API (3000; its members 4020).
 *
 * @since 0.1.0
 * @category models
 */
export const EndMpc = Schema.TaggedStruct("EndMpc", { at, apiId, mpc: MpcRef })
/**
 * Start recording the MPC by API.
 *
 * @since 0.1.0
 * @category models
 */
export const StartRecording = Schema.TaggedStruct("StartRecording", {
  at,
  apiId,
  mpc: MpcRef,
  fileFormat: opt(RecordFileFormat),
  callback: opt(Webhook)
})
/**
 * Stop recording the MPC by API.
 *
 * @since 0.1.0
 * @category models
 */
export const StopRecording = Schema.TaggedStruct("StopRecording", { at, apiId, mpc: MpcRef })
/**
 * Pause the MPC's recording by API.
 *
 * @since 0.1.0
 * @category models
 */
export const PauseRecording = Schema.TaggedStruct("PauseRecording", { at, apiId, mpc: MpcRef })
/**
 * Resume the MPC's recording by API.
 *
 * @since 0.1.0
 * @category models
 */
export const ResumeRecording = Schema.TaggedStruct("ResumeRecording", { at, apiId, mpc: MpcRef })
/**
 * The media side: the MPC's recording failed (REC-4).
 *
 * @since 0.1.0
 * @category models
 */
export const RecordingFailed = Schema.TaggedStruct("RecordingFailed", { at, mpcUuid: Schema.String })

/**
 * SDK-4: start (activate) an MPC that is Initialized.
 *
 * @since 0.2.0
 * @category events
 */
export const StartMpc = Schema.TaggedStruct("StartMpc", { at, apiId, mpc: MpcRef })
/**
 * PREC-1: start one member's own recording.
 *
 * @since 0.2.0
 * @category events
 */
export const StartMemberRecording = Schema.TaggedStruct("StartMemberRecording", {
  at,
  apiId,
  mpc: MpcRef,
  memberId: Schema.String,
  fileFormat: opt(RecordFileFormat),
  callback: opt(Webhook),
  trackType: opt(RecordTrackType)
})
/**
 * PREC-1: stop one member's recording.
 *
 * @since 0.2.0
 * @category events
 */
export const StopMemberRecording = Schema.TaggedStruct("StopMemberRecording", {
  at,
  apiId,
  mpc: MpcRef,
  memberId: Schema.String
})
/**
 * PREC-1: pause one member's recording.
 *
 * @since 0.2.0
 * @category events
 */
export const PauseMemberRecording = Schema.TaggedStruct("PauseMemberRecording", {
  at,
  apiId,
  mpc: MpcRef,
  memberId: Schema.String
})
/**
 * PREC-1: resume one member's recording.
 *
 * @since 0.2.0
 * @category events
 */
export const ResumeMemberRecording = Schema.TaggedStruct("ResumeMemberRecording", {
  at,
  apiId,
  mpc: MpcRef,
  memberId: Schema.String
})
/**
 * PLAY-1, PLAY-2: play audio to members, until stopped (PLAY-6).
 *
 * @since 0.2.0
 * @category events
 */
export const PlayAudio = Schema.TaggedStruct("PlayAudio", {
  at,
  apiId,
  mpc: MpcRef,
  member: MemberSelector,
  url: Schema.String
})
/**
 * PLAY-5: stop the audio started with the same member form.
 *
 * @since 0.2.0
 * @category events
 */
export const StopAudio = Schema.TaggedStruct("StopAudio", { at, apiId, mpc: MpcRef, member: MemberSelector })

/**
 * Every input of `step`.
 *
 * @since 0.1.0
 * @category models
 */
export const Event = Schema.Union(
  AddParticipant,
  CreateCall,
  InboundCall,
  XmlFetched,
  XmlFetchFailed,
  LegRinging,
  LegAnswered,
  LegBusy,
  LegRejected,
  LegNoAnswer,
  CallHungUp,
  DigitsPressed,
  SpeakingChanged,
  TimerFired,
  TimePassed,
  UpdateMember,
  KickMember,
  EndMpc,
  StartRecording,
  StopRecording,
  PauseRecording,
  ResumeRecording,
  RecordingFailed,
  StartMpc,
  StartMemberRecording,
  StopMemberRecording,
  PauseMemberRecording,
  ResumeMemberRecording,
  PlayAudio,
  StopAudio
).annotations({ identifier: "Event" })
/**
 * The type of {@link Event}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Event = typeof Event.Type

/**
 * The events that are API requests: each is answered by exactly one `Respond` command.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiEvent = Extract<Event, { readonly apiId: string }>

/**
 * True for the events answered with a `Respond` command.
 *
 * @since 0.1.0
 * @category guards
 */
export const isApiEvent = (e: Event): e is ApiEvent => "apiId" in e
