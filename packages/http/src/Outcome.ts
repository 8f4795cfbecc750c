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
import * as Effect from "effect/Effect"
import { absurd } from "effect/Function"
import * as Api from "./Api.js"

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
 * The bodies of the typed replies, as the endpoints' success schemas (Api.ts) document them.
 *
 * @since 0.1.0
 * @category mapping
 */
export const bodies = {
  Added: (apiId: string, r: Extract<Outcome.Reply, { _tag: "Added" }>) => ({
    api_id: apiId,
    calls: r.legs.map((l) => ({ to: l.to, from: l.from, call_uuid: l.callUuid })),
    // CPS-2
    message: r.queued ? "add participant action queued" : "add participant action initiated",
    request_uuid: r.requestUuid
  }),
  CallCreated: (apiId: string, r: Extract<Outcome.Reply, { _tag: "CallCreated" }>) => ({
    api_id: apiId,
    call_uuid: r.callUuid
  }),
  MembersUpdated: (apiId: string, r: Extract<Outcome.Reply, { _tag: "MembersUpdated" }>) => ({
    api_id: apiId,
    message: "update participant action accepted",
    ...(r.mute === undefined ? {} : { mute: r.mute }),
    ...(r.hold === undefined ? {} : { hold: r.hold }),
    ...(r.coachMode === undefined ? {} : { coach_mode: r.coachMode })
  }),
  RecordingStarted: (apiId: string, r: Extract<Outcome.Reply, { _tag: "RecordingStarted" }>) => ({
    api_id: apiId,
    message: "MPC recording started",
    recording_id: r.recordingUuid,
    recording_url: r.url
  })
} as const

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
 * API-1, API-2: the status and body of an outcome.
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
    case "CallCreated":
    case "MembersUpdated":
    case "RecordingStarted":
      return {
        status: replyStatus[outcome._tag],
        body: (bodies[outcome._tag] as (apiId: string, r: Outcome.Reply) => Record<string, unknown>)(
          apiId,
          outcome
        )
      }
    case "MembersKicked":
    case "MpcEnded":
    case "RecordingChanged":
      return { status: replyStatus[outcome._tag], body: undefined }
    default:
      return absurd(outcome)
  }
}

/**
 * API-2: Plivo's error of a status, as the typed failure a handler fails with.
 *
 * @since 0.1.0
 * @category failures
 */
export const failure = (status: number, apiId: string, error: string): Api.PlivoFailure => {
  const fields = { api_id: apiId, error }
  switch (status) {
    case 400:
      return new Api.BadRequest(fields)
    case 401:
      return new Api.Unauthorized(fields)
    case 404:
      return new Api.NotFound(fields)
    case 405:
      return new Api.MethodNotAllowed(fields)
    case 409:
      return new Api.Conflict(fields)
    case 413:
      return new Api.PayloadTooLarge(fields)
    case 429:
      return new Api.TooManyRequests(fields)
    default:
      return new Api.Internal(fields)
  }
}

/**
 * The reply of the request a `step` answered, or its refusal as Plivo's error (by `refusalStatus`).
 * A reply of another kind than `tag` is a defect of the shell, answered as a 500.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const reply = <T extends Outcome.Reply["_tag"]>(
  apiId: string,
  result: Step.StepResult,
  tag: T
): Effect.Effect<Extract<Outcome.Reply, { _tag: T }>, Api.PlivoFailure> => {
  for (const c of result.commands) {
    if (c._tag !== "Respond") continue
    const o = c.outcome
    if (o._tag === tag) return Effect.succeed(o as Extract<Outcome.Reply, { _tag: T }>)
    return Effect.fail(
      "rule" in o
        ? failure(refusalStatus[o._tag], apiId, o.message)
        : failure(500, apiId, `internal error: ${o._tag} answered, ${tag} expected`)
    )
  }
  return Effect.fail(
    result.refused === undefined
      ? failure(500, apiId, "no response")
      : failure(refusalStatus[result.refused._tag], apiId, result.refused.message)
  )
}

/**
 * A network event's answer: nothing when taken, else its refusal as Plivo's error (an unknown call
 * is NotFound, 404; an event that does not fit the call's state a Conflict, 409).
 *
 * @since 0.1.0
 * @category outcomes
 */
export const taken = (apiId: string, result: Step.StepResult): Effect.Effect<void, Api.PlivoFailure> =>
  result.refused === undefined
    ? Effect.void
    : Effect.fail(failure(refusalStatus[result.refused._tag], apiId, result.refused.message))

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
 * The shell's own refusals, each with its status.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const refusal = {
  /** A parameter or body that does not decode; the message names the field. */
  invalid: (apiId: string, error: string) => plivoError(apiId, 400, error),
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
    )
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
