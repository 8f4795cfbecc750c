/**
 * API-1, API-2: the one table from the domain's outcomes to HTTP, and every answer the shell derives
 * from them: each refusal tag to its status, each typed reply to its status and Plivo's JSON body,
 * and the shell's own refusals (auth, limits, bad bodies) in Plivo's `{api_id, error}` form. The
 * domain knows no status code; this module is the only place that decides them.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import type { Outcome, Step } from "@mpc-kit/domain"
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
  // SDK-3
  Added: 201,
  CallCreated: 201,
  // SDK-8
  MembersUpdated: 202,
  // SDK-10, SDK-14
  RecordingStarted: 202,
  // SDK-9
  MembersKicked: 204,
  // SDK-5
  MpcEnded: 204,
  // SDK-11, SDK-12, SDK-13, SDK-15, SDK-16, SDK-17
  RecordingChanged: 204,
  // SDK-4
  MpcStarted: 204,
  // PLAY-2, PLAY-5
  AudioQueued: 202,
  AudioStopped: 204
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
          // SDK-8: one result string per attribute asked for.
          ...(outcome.mute === undefined
            ? {}
            : { mute: `MPC: ${outcome.mpcName} mute/unmute member(s) succeeded` }),
          ...(outcome.hold === undefined
            ? {}
            : { hold: `MPC: ${outcome.mpcName} hold/unhold member(s) succeeded` }),
          ...(outcome.coachMode === undefined
            ? {}
            : { coach_mode: `MPC: ${outcome.mpcName} coach_mode enable/disable succeeded` })
        }
      }
    case "RecordingStarted":
      return {
        status: replyStatus.RecordingStarted,
        body: {
          api_id: apiId,
          // SDK-10, PREC-2
          message:
            outcome.memberId === undefined
              ? `MPC: ${outcome.mpcName} record started`
              : `MPC: ${outcome.mpcName} participant record started`,
          recording_id: outcome.recordingUuid,
          recording_url: outcome.url,
          request_uuid: outcome.requestUuid
        }
      }
    case "AudioQueued":
      return {
        status: replyStatus.AudioQueued,
        // PLAY-2: Plivo's keys, camel-cased as Plivo sends them.
        body: {
          api_id: apiId,
          message: "play queued into MPC",
          mpcMemberId: outcome.memberIds,
          mpcName: outcome.mpcName
        }
      }
    case "MembersKicked":
    case "MpcEnded":
    case "RecordingChanged":
    case "MpcStarted":
    case "AudioStopped":
      return { status: replyStatus[outcome._tag], body: undefined }
    default:
      return absurd(outcome)
  }
}

/**
 * A JSON answer. The body is serialised here, in one `JSON.stringify`, without the platform's
 * generic body machinery (a measurable share of a request's time).
 *
 * @since 0.1.0
 * @category responses
 */
export const json = (body: unknown, status: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })

/**
 * API-2: Plivo's error form.
 *
 * @since 0.1.0
 * @category responses
 */
export const plivoError = (
  apiId: string,
  status: number,
  error: string
): HttpServerResponse.HttpServerResponse => json({ api_id: apiId, error }, status)

/**
 * 204, no body.
 *
 * @since 0.1.0
 * @category responses
 */
export const noContent: HttpServerResponse.HttpServerResponse = HttpServerResponse.empty({ status: 204 })

/**
 * The answer to an API event: the outcome its `Respond` command carries, through `toPlivo`.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const respond = (apiId: string, result: Step.StepResult): HttpServerResponse.HttpServerResponse => {
  for (const c of result.commands) {
    if (c._tag === "Respond") {
      const { status, body } = toPlivo(apiId, c.outcome)
      return body === undefined ? HttpServerResponse.empty({ status }) : json(body, status)
    }
  }
  return plivoError(apiId, 500, "no response")
}

/**
 * The answer to a network event (the emulator's control API): 204 when taken, else the refusal's
 * status from `refusalStatus` (an unknown call is NotFound, 404; an event that does not fit the
 * call's state is a Conflict, 409) with the domain's reason.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const network = (apiId: string, result: Step.StepResult): HttpServerResponse.HttpServerResponse =>
  result.refused === undefined
    ? noContent
    : plivoError(apiId, refusalStatus[result.refused._tag], result.refused.message)

/**
 * The shell's own refusals, each with its status.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const refusal = {
  /** API-3: a wrong account, a wrong token or another account's path all look the same. */
  unauthenticated: (apiId: string) => plivoError(apiId, 401, "authentication failed"),
  /** A parameter or body that does not decode; the message names the field. */
  invalid: (apiId: string, error: string) => plivoError(apiId, 400, error),
  /** Nothing under this name or id. */
  notFound: (apiId: string, error: string) => plivoError(apiId, 404, error),
  /** The request does not fit the current state (e.g. advancing a real clock). */
  conflict: (apiId: string, error: string) => plivoError(apiId, 409, error),
  /** A body over the limit. */
  tooLarge: (apiId: string, max: number) =>
    HttpServerResponse.setHeader(
      plivoError(apiId, 413, `body: larger than ${max} bytes`),
      // The rest of the body is never read: the connection cannot carry another request.
      "connection",
      "close"
    ),
  /** The account's request rate is over its limit. */
  tooMany: (apiId: string, retryAfterSeconds: number) =>
    HttpServerResponse.setHeader(
      plivoError(apiId, 429, "too many requests"),
      "retry-after",
      String(retryAfterSeconds)
    ),
  /** A defect: never expected, always in Plivo's form. */
  internal: (apiId: string, detail: string) => plivoError(apiId, 500, `internal error: ${detail}`)
} as const

/**
 * Plivo's wording for the statuses the router and the platform produce themselves.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const wordingOf = (status: number): string =>
  status === 404
    ? "not found"
    : status === 405
      ? "method not allowed"
      : status === 413
        ? "request too large"
        : status === 429
          ? "too many requests"
          : status >= 500
            ? "internal error"
            : "invalid request"
