/**
 * The one table from the domain's outcomes to HTTP: each refusal tag to its status (API-2), each
 * typed reply to its status and Plivo's JSON body (API-1). The domain knows no status code; this
 * module is the only place that decides them.
 *
 * @since 0.2.0
 */
import type { Outcome } from "@mpc-kit/domain"
import { absurd } from "effect/Function"

/**
 * API-2: the status of each refusal.
 *
 * @since 0.2.0
 * @category mapping
 */
export const refusalStatus: { readonly [K in Outcome.Refusal["_tag"]]: number } = {
  Invalid: 400,
  NotFound: 404,
  // LIFE-4 [decision], REC-2: a request the state forbids is a 400, as Plivo answers.
  NotAllowed: 400,
  Conflict: 409,
  TooEarly: 409,
  Defect: 500
}

/**
 * The status of each reply: 201 for what creates, 202 for what is accepted, 204 when nothing is said.
 *
 * @since 0.2.0
 * @category mapping
 */
export const replyStatus: { readonly [K in Outcome.Reply["_tag"]]: number } = {
  Added: 201,
  CallCreated: 201,
  MembersUpdated: 202,
  RecordingStarted: 202,
  MembersKicked: 204,
  MpcEnded: 204,
  RecordingChanged: 204
}

/**
 * An outcome as HTTP: its status, and Plivo's JSON body (`undefined` for 204).
 *
 * @since 0.2.0
 * @category mapping
 */
export interface Plivo {
  readonly status: number
  readonly body: Record<string, unknown> | undefined
}

/**
 * API-1, API-2: the status and body of an outcome; every body holds `api_id`.
 *
 * @since 0.2.0
 * @category mapping
 */
export const toPlivo = (apiId: string, outcome: Outcome.Outcome): Plivo => {
  switch (outcome._tag) {
    case "Invalid":
    case "NotFound":
    case "NotAllowed":
    case "Conflict":
    case "TooEarly":
    case "Defect":
      return { status: refusalStatus[outcome._tag], body: { api_id: apiId, error: outcome.message } }
    case "Added":
      return {
        status: replyStatus.Added,
        body: {
          api_id: apiId,
          calls: outcome.legs.map((l) => ({ to: l.to, from: l.from, call_uuid: l.callUuid })),
          // CPS-2
          message: outcome.queued ? "add participant action queued" : "add participant action initiated",
          request_uuid: outcome.requestUuid
        }
      }
    case "CallCreated":
      return { status: replyStatus.CallCreated, body: { api_id: apiId, call_uuid: outcome.callUuid } }
    case "MembersUpdated":
      return {
        status: replyStatus.MembersUpdated,
        body: {
          api_id: apiId,
          message: "update participant action accepted",
          ...(outcome.mute === undefined ? {} : { mute: outcome.mute }),
          ...(outcome.hold === undefined ? {} : { hold: outcome.hold }),
          ...(outcome.coachMode === undefined ? {} : { coach_mode: outcome.coachMode })
        }
      }
    case "RecordingStarted":
      return {
        status: replyStatus.RecordingStarted,
        body: {
          api_id: apiId,
          message: "MPC recording started",
          recording_id: outcome.recordingUuid,
          recording_url: outcome.url
        }
      }
    case "MembersKicked":
    case "MpcEnded":
    case "RecordingChanged":
      return { status: replyStatus[outcome._tag], body: undefined }
    default:
      return absurd(outcome)
  }
}
