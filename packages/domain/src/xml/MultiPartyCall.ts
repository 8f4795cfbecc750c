/**
 * The `<MultiPartyCall>` element (XML-11 to XML-18), decoded from a parsed element into the same
 * `AddParticipantRequest` the API path produces: the current call joins as a transfer (XFER-1), every
 * attribute is checked by the API parameter it maps to, and the element's own defaults apply
 * (XML-12). A refusal names the attribute in its camelCase spelling (XML-17).
 *
 * @example
 * import { Xml } from "@mpc-kit/domain"
 *
 * const join = Xml.MultiPartyCall.decode(
 *   Xml.Document.element("MultiPartyCall", { role: "customer" }, "support-42"),
 *   "0b7b4242-8ee8-4872-b447-81b4ce972eae"
 * )
 * // Either.right({ mpcName: "support-42", request: { role: "Customer", target: { _tag: "Transfer", ... } }, extras })
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as AddParticipantParams from "../AddParticipantParams.js"
import { AddParticipantRequest, HttpUrl, Webhook } from "../AddParticipantRequest.js"
import { fromParseError, InvalidRequest, invalidParameter, type ParameterIssue } from "../InvalidRequest.js"
import * as MpcName from "../MpcName.js"
import { BooleanParam, intParam } from "../Param.js"
import type { Element } from "./Document.js"

/**
 * The element's name.
 *
 * @since 0.2.0
 * @category constants
 */
export const name = "MultiPartyCall"

/**
 * XML-11: every attribute the element shares with the API, and the API parameter it maps to
 * (the table of `spec/XML.md`).
 *
 * @since 0.2.0
 * @category constants
 */
export const apiParameters = {
  role: "role",
  maxDuration: "max_duration",
  maxParticipants: "max_participants",
  waitMusicUrl: "wait_music_url",
  waitMusicMethod: "wait_music_method",
  agentHoldMusicUrl: "agent_hold_music_url",
  agentHoldMusicMethod: "agent_hold_music_method",
  customerHoldMusicUrl: "customer_hold_music_url",
  customerHoldMusicMethod: "customer_hold_music_method",
  record: "record",
  recordFileFormat: "record_file_format",
  recordMinMemberCount: "record_min_member_count",
  recordParticipantTrack: "record_participant_track",
  recordingCallbackUrl: "recording_callback_url",
  recordingCallbackMethod: "recording_callback_method",
  statusCallbackUrl: "status_callback_url",
  statusCallbackMethod: "status_callback_method",
  statusCallbackEvents: "status_callback_events",
  stayAlone: "stay_alone",
  coachMode: "coach_mode",
  mute: "mute",
  hold: "hold",
  startMpcOnEnter: "start_mpc_on_enter",
  endMpcOnExit: "end_mpc_on_exit",
  enterSound: "enter_sound",
  enterSoundMethod: "enter_sound_method",
  exitSound: "exit_sound",
  exitSoundMethod: "exit_sound_method",
  onExitActionUrl: "on_exit_action_url",
  onExitActionMethod: "on_exit_action_method",
  relayDTMFInputs: "relay_dtmf_inputs"
} as const satisfies Record<string, keyof AddParticipantParams.AddParticipantWire>
/**
 * The element's attributes that are also parameters of the add-participant API.
 *
 * @since 0.2.0
 * @category xml
 */
export type ApiAttribute = keyof typeof apiParameters

/**
 * XML-13: the attributes the API has not.
 *
 * @since 0.2.0
 * @category constants
 */
export const extraAttributes = [
  "startRecordingAudio",
  "startRecordingAudioMethod",
  "stopRecordingAudio",
  "stopRecordingAudioMethod",
  "waitTime",
  "transcript",
  "transcriptionUrl"
] as const
/**
 * XML-13: the element's attributes that the add-participant API does not have.
 *
 * @since 0.2.0
 * @category xml
 */
export type ExtraAttribute = (typeof extraAttributes)[number]

/**
 * Every attribute of the element.
 *
 * @since 0.2.0
 * @category constants
 */
export const attributes: ReadonlyArray<string> = [...Object.keys(apiParameters), ...extraAttributes]

/**
 * The element's defaults where they differ from the API's (XML-12, XML-13).
 *
 * @since 0.2.0
 * @category constants
 */
export const Defaults = {
  /** XML-12: the API's default is POST. */
  recordingCallbackMethod: "GET",
  /** XML-13 */
  startRecordingAudioMethod: "GET",
  stopRecordingAudioMethod: "GET",
  transcript: false
} as const

/**
 * XML-13: `waitTime`, in seconds.
 *
 * @since 0.2.0
 * @category models
 */
export const WaitTime = Schema.Int.pipe(Schema.between(0, 1800))

/**
 * XML-13: the element's attributes the API has not, checked and kept, without effect here.
 *
 * @since 0.2.0
 * @category models
 */
export const Extras = Schema.Struct({
  transcript: Schema.Boolean,
  startRecordingAudio: Schema.optionalWith(Webhook, { exact: true }),
  stopRecordingAudio: Schema.optionalWith(Webhook, { exact: true }),
  waitTime: Schema.optionalWith(WaitTime, { exact: true }),
  transcriptionUrl: Schema.optionalWith(HttpUrl, { exact: true })
})
/**
 * The type of {@link Extras}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Extras = typeof Extras.Type

/**
 * What the element asks for: the current call joins the named MPC with the request the API would
 * have made for it. XML-15: a member that joined this way and leaves the MPC alive without an
 * `onExitAction` goes on with the document's next element (the API's member hangs up, LIFE-6).
 *
 * @since 0.2.0
 * @category models
 */
export const Join = Schema.Struct({
  mpcName: MpcName.MpcName,
  request: AddParticipantRequest,
  extras: Extras
}).annotations({ identifier: "MultiPartyCallJoin" })
/**
 * The type of {@link Join}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Join = typeof Join.Type

const opt = <A, I>(s: Schema.Schema<A, I>) => Schema.optionalWith(s, { exact: true })

const ExtrasFields = Schema.Struct({
  startRecordingAudio: opt(AddParticipantParams.UrlParam),
  startRecordingAudioMethod: opt(AddParticipantParams.MethodParam),
  stopRecordingAudio: opt(AddParticipantParams.UrlParam),
  stopRecordingAudioMethod: opt(AddParticipantParams.MethodParam),
  waitTime: opt(intParam(WaitTime, 0, 1800)),
  transcript: opt(BooleanParam),
  transcriptionUrl: opt(AddParticipantParams.UrlParam)
})
const decodeExtras = Schema.decodeUnknownEither(ExtrasFields, { errors: "all" })

const attributeOf = new Map<string, string>(Object.entries(apiParameters).map(([a, p]) => [p, a]))
const known = new Set(attributes)

/** Renames the API's parameters in a refusal to the element's attributes (XML-17). */
const renamed = (issues: ReadonlyArray<ParameterIssue>): Array<ParameterIssue> =>
  issues.map((i) => ({ parameter: attributeOf.get(i.parameter) ?? i.parameter, message: i.message }))

/**
 * The MPC name's refusals are reported under this name: it is the element's text.
 *
 * @since 0.2.0
 * @category constants
 */
export const textParameter = "text"

/**
 * XML-11, XML-12, XML-13, XML-14, XML-17: decodes a `<MultiPartyCall>` element for the live call
 * `callUuid`. Never throws; every fault of the element is in the one refusal.
 *
 * @since 0.2.0
 * @category xml
 */
export const decode = (element: Element, callUuid: string): Either.Either<Join, InvalidRequest> => {
  if (element.name !== name) {
    return Either.left(invalidParameter("element", `expected <${name}>, got <${element.name}>`))
  }
  const issues: Array<ParameterIssue> = []
  if (element.children.length > 0) {
    issues.push({
      parameter: textParameter,
      message: `expected only the MPC name as text, got a <${element.children[0]!.name}> element inside`
    })
  }

  // XML-14, XML-17: unknown and empty attributes are faults (the API ignores the first, PARAM-19,
  // and takes the second as absent).
  const wire: Record<string, string> = {}
  const extras: Record<string, string> = {}
  const flagged = new Set<string>()
  for (const [attribute, value] of Object.entries(element.attributes)) {
    if (!known.has(attribute)) {
      issues.push({
        parameter: attribute,
        message: `is not an attribute of <${name}> (names are case-sensitive, e.g. relayDTMFInputs)`
      })
    } else if (value === "") {
      flagged.add(attribute)
      issues.push({ parameter: attribute, message: "is empty: give a value or leave the attribute out" })
    } else {
      const parameter = apiParameters[attribute as ApiAttribute]
      if (parameter === undefined) extras[attribute] = value
      else wire[parameter] = value
    }
  }
  // XML-11: the MPC name is the element's text, surrounding white space removed (ADDR-1).
  const mpcName = MpcName.decode(element.text.trim())
  if (Either.isLeft(mpcName)) {
    for (const i of mpcName.left.issues) issues.push({ parameter: textParameter, message: i.message })
  }

  // XML-11: the current call joins as a transfer does (XFER-1), so the API's own decoder checks and
  // defaults every shared attribute; XML-16: a transfer carries no call-status callback (XFER-2).
  // XML-12: the element's default for the recording callback's verb.
  const request = AddParticipantParams.decode({
    recording_callback_method: Defaults.recordingCallbackMethod,
    ...wire,
    call_uuid: callUuid
  })
  if (Either.isLeft(request)) {
    // An empty attribute is refused once, above, not again as missing.
    for (const i of renamed(request.left.issues)) if (!flagged.has(i.parameter)) issues.push(i)
  }

  const decodedExtras = decodeExtras(extras)
  if (Either.isLeft(decodedExtras)) issues.push(...fromParseError(decodedExtras.left).issues)

  const [first, ...rest] = issues
  if (first !== undefined) return Either.left(new InvalidRequest({ issues: [first, ...rest] }))

  const x = (decodedExtras as Either.Right<never, typeof ExtrasFields.Type>).right
  const out: {
    transcript: boolean
    startRecordingAudio?: Webhook
    stopRecordingAudio?: Webhook
    waitTime?: number
    transcriptionUrl?: string
  } = { transcript: x.transcript ?? Defaults.transcript }
  if (x.startRecordingAudio !== undefined) {
    out.startRecordingAudio = {
      url: x.startRecordingAudio,
      method: x.startRecordingAudioMethod ?? Defaults.startRecordingAudioMethod
    }
  }
  if (x.stopRecordingAudio !== undefined) {
    out.stopRecordingAudio = {
      url: x.stopRecordingAudio,
      method: x.stopRecordingAudioMethod ?? Defaults.stopRecordingAudioMethod
    }
  }
  if (x.waitTime !== undefined) out.waitTime = x.waitTime
  if (x.transcriptionUrl !== undefined) out.transcriptionUrl = x.transcriptionUrl

  return Either.right({
    mpcName: (mpcName as Either.Right<never, MpcName.MpcName>).right,
    request: (request as Either.Right<never, AddParticipantRequest>).right,
    extras: out
  })
}
