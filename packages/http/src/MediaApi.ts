/**
 * The request and response forms of the MPC calls the official SDK makes beyond add participant
 * and its neighbours: start an MPC (SDK-4), a member's own recording (SDK-14..SDK-17, PREC) and
 * audio played to members (SDK-18, SDK-19, PLAY). Their endpoints are the media group of `Api.ts`.
 *
 * @since 0.2.0
 */
import { AddParticipantParams, Param } from "@mpc-kit/domain"
import * as Schema from "effect/Schema"

const opt = <A, I>(s: Schema.Schema<A, I>) => Schema.optionalWith(s, { exact: true })

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
