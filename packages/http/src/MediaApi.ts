/**
 * The MPC calls the official SDK makes beyond add participant and its neighbours: start an MPC
 * (SDK-4), a member's own recording (SDK-14..SDK-17, PREC) and audio played to members (SDK-18,
 * SDK-19, PLAY), as one `HttpApiGroup` with their request and response forms for OpenAPI.
 *
 * @since 0.2.0
 */
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { AddParticipantParams, Param } from "@mpc-kit/domain"
import * as Schema from "effect/Schema"

const opt = <A, I>(s: Schema.Schema<A, I>) => Schema.optionalWith(s, { exact: true })
const authId = HttpApiSchema.param("authId", Schema.String)
const mpcKey = HttpApiSchema.param("mpcKey", Schema.String)
const memberId = HttpApiSchema.param("memberId", Schema.String)

/**
 * SDK-4: the start body: `status` must be `active` (any case).
 *
 * @since 0.2.0
 * @category schemas
 */
export const StartMpcParams = Schema.Struct({ status: Param.wordParam(["active"] as const) })

/**
 * PREC-1: the body of a participant recording call (only `record_track_type` for stop, pause, resume).
 *
 * @since 0.2.0
 * @category schemas
 */
export const MemberRecordingParams = Schema.Struct({
  file_format: opt(AddParticipantParams.RecordFileFormatParam),
  recording_callback_url: opt(AddParticipantParams.UrlParam),
  recording_callback_method: opt(AddParticipantParams.MethodParam),
  record_track_type: opt(Param.wordParam(["participant", "all", "both"] as const))
})

/**
 * PLAY-1: the play body: the audio URL as `url` (the SDK) or `urls` (Plivo's page).
 *
 * @since 0.2.0
 * @category schemas
 */
export const PlayParams = Schema.Struct({
  url: opt(AddParticipantParams.UrlParam),
  urls: opt(AddParticipantParams.UrlParam)
})

/**
 * SDK-10, PREC-2: the answer to starting a recording.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RecordingStartedResponse = Schema.Struct({
  api_id: Schema.String,
  message: Schema.String,
  recording_id: Schema.String,
  recording_url: Schema.String,
  request_uuid: Schema.String
})

/**
 * PLAY-2: the answer to playing audio (Plivo's camel-cased keys).
 *
 * @since 0.2.0
 * @category schemas
 */
export const PlayResponse = Schema.Struct({
  api_id: Schema.String,
  message: Schema.String,
  mpcMemberId: Schema.Array(Schema.String),
  mpcName: Schema.String
})

/**
 * The group: start MPC, participant recording, play audio.
 *
 * @since 0.2.0
 * @category groups
 */
export class MediaGroup extends HttpApiGroup.make("media")
  .add(
    HttpApiEndpoint.post("startMpc")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}`
      .setPayload(Schema.encodedSchema(StartMpcParams))
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Summary, "Start an MPC that is Initialized (SDK-4)")
  )
  .add(
    HttpApiEndpoint.post(
      "startMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record`
      .setPayload(Schema.encodedSchema(MemberRecordingParams))
      .addSuccess(RecordingStartedResponse, { status: 202 })
      .annotate(OpenApi.Summary, "Start a member's own recording (PREC-1, PREC-2)")
  )
  .add(
    HttpApiEndpoint.del(
      "stopMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post(
      "pauseMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record/Pause`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post(
      "resumeMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record/Resume`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post("playAudio")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Member/${memberId}/Play`
      .setPayload(Schema.encodedSchema(PlayParams))
      .addSuccess(PlayResponse, { status: 202 })
      .annotate(OpenApi.Summary, "Play audio to members (PLAY-1, PLAY-2)")
  )
  .add(
    HttpApiEndpoint.del(
      "stopAudio"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Member/${memberId}/Play`.addSuccess(
      HttpApiSchema.NoContent
    )
  ) {}
