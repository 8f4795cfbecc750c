/**
 * The outputs of the rules engine: what should happen, as data. Nothing in the domain performs
 * them; the simulator and the HTTP emulator interpret them and feed the consequences back as events.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Address, HttpMethod, RecordFileFormat, SipHeader, Webhook } from "./AddParticipantRequest.js"
import { HangupSource } from "./Cause.js"
import { Outcome } from "./Outcome.js"

const opt = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(s, { exact: true })

/** DIAL-1, DIAL-2: place an outbound call for a leg. */
export const DialLeg = Schema.TaggedStruct("DialLeg", {
  callUuid: Schema.String,
  mpcUuid: Schema.String,
  from: Schema.String,
  to: Address,
  callerName: Schema.String,
  sipHeaders: Schema.Array(SipHeader)
})
/** Hang a call up with Plivo's cause, code and source. */
export const HangupCall = Schema.TaggedStruct("HangupCall", {
  callUuid: Schema.String,
  cause: Schema.String,
  code: Schema.Int,
  source: HangupSource
})
/** Connect a call to the MPC's bridge as a member. */
export const Bridge = Schema.TaggedStruct("Bridge", {
  callUuid: Schema.String,
  mpcUuid: Schema.String,
  memberId: Schema.String
})
/** EXIT-1: take a member's call off the bridge without hanging it up. */
export const Unbridge = Schema.TaggedStruct("Unbridge", {
  callUuid: Schema.String,
  mpcUuid: Schema.String,
  memberId: Schema.String
})

/** What to play. */
export const Audio = Schema.Union(
  Schema.TaggedStruct("Beep", { count: Schema.Literal(1, 2) }),
  Schema.TaggedStruct("Speak", { text: Schema.String }),
  Schema.TaggedStruct("PlayXml", { url: Schema.String, method: HttpMethod })
)
export type Audio = typeof Audio.Type

/** SOUND-1, CONFIRM-1: play audio on the MPC's bridge, or to one call when `callUuid` is set. */
export const PlaySound = Schema.TaggedStruct("PlaySound", {
  mpcUuid: Schema.String,
  callUuid: opt(Schema.String),
  /** The member whose entering or exiting the sound marks. */
  memberId: opt(Schema.String),
  audio: Audio
})

/** LIFE-2, LIFE-9: the music a member may hear. */
export const Music = Schema.Literal("Wait", "AgentHold", "CustomerHold")
export type Music = typeof Music.Type

/** LIFE-2, LIFE-9: play music to a member, looped; no `source` means Plivo's default music. */
export const StartMusic = Schema.TaggedStruct("StartMusic", {
  mpcUuid: Schema.String,
  memberId: Schema.String,
  callUuid: Schema.String,
  music: Music,
  source: opt(Webhook)
})
/** Stop a member's music. */
export const StopMusic = Schema.TaggedStruct("StopMusic", {
  mpcUuid: Schema.String,
  memberId: Schema.String,
  callUuid: Schema.String
})

/** REC-1, REC-3: start recording the MPC, or one member's audio when `memberId` is set. */
export const RecordStart = Schema.TaggedStruct("RecordStart", {
  mpcUuid: Schema.String,
  recordingUuid: Schema.String,
  memberId: opt(Schema.String),
  fileFormat: RecordFileFormat
})
/** Pause a recording. */
export const RecordPause = Schema.TaggedStruct("RecordPause", {
  mpcUuid: Schema.String,
  recordingUuid: Schema.String
})
/** Resume a recording. */
export const RecordResume = Schema.TaggedStruct("RecordResume", {
  mpcUuid: Schema.String,
  recordingUuid: Schema.String
})
/** Stop a recording (REC-4: at the latest when the MPC ends). */
export const RecordStop = Schema.TaggedStruct("RecordStop", {
  mpcUuid: Schema.String,
  recordingUuid: Schema.String
})

/** DTMF-1: pass digits to other members' calls. */
export const RelayDigits = Schema.TaggedStruct("RelayDigits", {
  mpcUuid: Schema.String,
  fromMemberId: Schema.String,
  digits: Schema.String,
  toCallUuids: Schema.Array(Schema.String)
})

/** The stream a callback belongs to. */
export const CallbackKind = Schema.Literal("status", "recording", "call")
export type CallbackKind = typeof CallbackKind.Type

/** Callback parameters: the page's field names; `null` where the page says a value is null (CB-4). */
export const CallbackParams = Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) })
export type CallbackParams = typeof CallbackParams.Type

/**
 * CB-1..CB-7: send a callback. `kind` says which URL of the request it goes to; `status` and
 * `recording` callbacks carry their stream's `SequenceNumber` (CB-2).
 */
export const SendCallback = Schema.TaggedStruct("SendCallback", {
  kind: CallbackKind,
  url: Schema.String,
  method: HttpMethod,
  mpcUuid: Schema.String,
  event: Schema.String,
  params: CallbackParams
})
export type SendCallback = typeof SendCallback.Type

/** Why an XML document is fetched. */
export const XmlPurpose = Schema.Literal("ConfirmKeySound", "EnterSound", "ExitSound", "OnExitAction")
export type XmlPurpose = typeof XmlPurpose.Type

/** CONFIRM-1, SOUND-1, EXIT-1: fetch an XML document and act on it (Play, Speak, Wait only, except `OnExitAction`). */
export const FetchXml = Schema.TaggedStruct("FetchXml", {
  url: Schema.String,
  method: HttpMethod,
  purpose: XmlPurpose,
  mpcUuid: Schema.String,
  callUuid: opt(Schema.String),
  memberId: opt(Schema.String)
})

/** Ask for a `TimerFired` event with this id at `at` (epoch ms); setting an id again moves it. */
export const SetTimer = Schema.TaggedStruct("SetTimer", { timerId: Schema.String, at: Schema.Number })
/** Forget a timer. */
export const CancelTimer = Schema.TaggedStruct("CancelTimer", { timerId: Schema.String })

/** API-1, API-2: the answer to an API request: its typed reply, or why it was refused. */
export const Respond = Schema.TaggedStruct("Respond", {
  apiId: Schema.String,
  outcome: Outcome
})
export type Respond = typeof Respond.Type

/** Every output of `step`. */
export const Command = Schema.Union(
  DialLeg,
  HangupCall,
  Bridge,
  Unbridge,
  PlaySound,
  StartMusic,
  StopMusic,
  RecordStart,
  RecordPause,
  RecordResume,
  RecordStop,
  RelayDigits,
  SendCallback,
  FetchXml,
  SetTimer,
  CancelTimer,
  Respond
).annotations({ identifier: "Command" })
export type Command = typeof Command.Type
