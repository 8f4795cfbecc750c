/**
 * API-2: every answer the shell derives from the domain, in one place: what a `step` result (its
 * `Respond` command or its refusal) and the shell's own refusals become over HTTP, as a status
 * and Plivo's `{api_id, error}` body. Nothing else in the shell picks a status for a domain outcome.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import type { Step } from "@mpc-kit/domain"

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
 * The answer to an API event: the domain's `Respond` command (its status and body).
 *
 * @since 0.1.0
 * @category outcomes
 */
export const respond = (apiId: string, result: Step.StepResult): HttpServerResponse.HttpServerResponse => {
  for (const c of result.commands) {
    if (c._tag === "Respond") return c.status === 204 ? noContent : json(c.body, c.status)
  }
  return plivoError(apiId, 500, "no response")
}

/**
 * The answer to a network event (the emulator's control API): 204 when taken; an unknown call is a
 * 404, an event that does not fit the call's state a 409, with the domain's reason.
 *
 * @since 0.1.0
 * @category outcomes
 */
export const network = (apiId: string, result: Step.StepResult): HttpServerResponse.HttpServerResponse =>
  result.refused === undefined
    ? noContent
    : plivoError(apiId, result.refused.startsWith("no call") ? 404 : 409, result.refused)

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
