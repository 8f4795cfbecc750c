/**
 * API-2: everything the router or the platform refuses (unknown route, wrong method, bad path)
 * answered in Plivo's form, never with Effect's default bodies or a bare status; and a bad path
 * parameter (too long, a bad escape) is a 400 naming it, never the router's 404 or 405.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { HttpApiBuilder, type HttpApiError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { MpcName } from "@mpc-kit/domain"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { failureStatus, isPlivoFailure, MpcApi, type PlivoFailure, TooManyRequests } from "./Api.js"
import * as Body from "./Body.js"
import * as Outcome from "./Outcome.js"

/** Every path the API serves (any method), with the name of each parameter segment. */
const knownPaths: ReadonlyArray<{ readonly pattern: RegExp; readonly params: Record<number, string> }> = [
  { pattern: /^\/v1\/Account\/[^/]+\/MultiPartyCall\/?$/, params: { 3: "auth_id" } },
  { pattern: /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/?$/, params: { 3: "auth_id", 5: "mpc" } },
  {
    pattern: /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Participant\/?$/,
    params: { 3: "auth_id", 5: "mpc" }
  },
  {
    pattern: /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Participant\/[^/]+\/?$/,
    params: { 3: "auth_id", 5: "mpc", 7: "member_id" }
  },
  {
    pattern: /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Record(\/Pause|\/Resume)?\/?$/,
    params: { 3: "auth_id", 5: "mpc" }
  },
  { pattern: /^\/emulator\/v1\/calls\/?$/, params: {} },
  {
    pattern: /^\/emulator\/v1\/calls\/[^/]+\/(answer|busy|reject|hangup|digits|speak)\/?$/,
    params: { 4: "call_uuid" }
  },
  { pattern: /^\/emulator\/v1\/clock(\/advance)?\/?$/, params: {} },
  { pattern: /^\/emulator\/v1\/mpcs\/[^/]+\/trace\/?$/, params: { 4: "mpc_uuid" } }
]

/** The first path parameter that cannot be one (a bad escape, or longer than the router takes). */
const badParameter = (path: string, params: Record<number, string>): string | undefined => {
  const segments = path.split("/")
  for (const [index, name] of Object.entries(params)) {
    const raw = segments[Number(index)] ?? ""
    let decoded: string
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      return `${name}: not a valid percent-encoded path segment`
    }
    // The MPC key carries its `name_` or `uuid_` prefix.
    if (decoded.length > MpcName.MaxLength + 5 || (name !== "mpc" && decoded.length > MpcName.MaxLength))
      return `${name}: at most ${MpcName.MaxLength} characters`
  }
  return undefined
}

/**
 * A refusal as Plivo's error, with the headers its status needs (413: `Connection: close`, the
 * rest of the body is never read; 429: `Retry-After`).
 *
 * @since 0.1.0
 * @category mapping
 */
export const render = (failure: PlivoFailure): HttpServerResponse.HttpServerResponse => {
  const p = plain(failure)
  const response = Outcome.plivoError(p.apiId, p.status, p.error)
  return p.headers === undefined ? response : HttpServerResponse.setHeaders(response, p.headers)
}

/**
 * A refusal's status, `api_id`, message and extra headers, for a writer without the platform.
 *
 * @since 0.1.0
 * @category mapping
 */
export const plain = (
  failure: PlivoFailure
): {
  readonly status: number
  readonly apiId: string
  readonly error: string
  readonly headers?: Record<string, string>
} => {
  const status = failureStatus(failure)
  const apiId = failure.api_id === "" ? randomUUID() : failure.api_id
  // The rest of the body is never read: the connection cannot carry another request.
  if (status === 413)
    return {
      status,
      apiId,
      error: `body: larger than ${Body.MaxBodyBytes} bytes`,
      headers: { connection: "close" }
    }
  if (failure instanceof TooManyRequests)
    return { status, apiId, error: failure.error, headers: { "retry-after": String(failure.retryAfter) } }
  return { status, apiId, error: failure.error }
}

/** Path parameters by their wire names. */
const wireName: Record<string, string> = { mpcName: "mpc_name", mpcUuid: "mpc_uuid", callUuid: "call_uuid" }

/**
 * The domain's wording of a decoding failure: `parameter: message`, each once, joined by `; `.
 *
 * @since 0.1.0
 * @category mapping
 */
export const decodeMessage = (
  issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>
) => {
  const seen = new Set<string>()
  const out: Array<string> = []
  for (const issue of issues) {
    const head = issue.path[0]
    const line = `${head === undefined ? "body" : (wireName[String(head)] ?? String(head))}: ${issue.message}`
    if (seen.has(line)) continue
    seen.add(line)
    out.push(line)
  }
  return out.length === 0 ? "body: is invalid" : out.join("; ")
}

/** True when a response already carries Plivo's error body. */
const isPlivoBody = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" && new TextDecoder().decode(response.body.body).includes('"api_id"')

/**
 * API-2's mapping, applied inside the API (where the router's failures still are values).
 *
 * @since 0.1.0
 * @category middleware
 */
export const plivoErrors = HttpApiBuilder.middleware(MpcApi, (app) =>
  Effect.gen(function* () {
    const outcome = yield* Effect.exit(app)
    if (outcome._tag === "Failure") {
      const failure = Cause.squash(outcome.cause)
      if (isPlivoFailure(failure)) return render(failure)
      const tag =
        typeof failure === "object" && failure !== null && "_tag" in failure ? String(failure._tag) : ""
      const path = (yield* HttpServerRequest.HttpServerRequest).url.split("?")[0] ?? ""
      const apiId = randomUUID()
      // API-2: a body or parameter the payload's schema refuses: a 400 naming each field at fault.
      if (tag === "HttpApiDecodeError")
        return Outcome.refusal.invalid(
          apiId,
          decodeMessage((failure as HttpApiError.HttpApiDecodeError).issues)
        )
      if (tag === "RouteNotFound") {
        const known = knownPaths.find((p) => p.pattern.test(path))
        if (known === undefined) return Outcome.plivoError(apiId, 404, Outcome.wordingOf(404))
        // API-2: a bad parameter in a served path is a 400 naming it, not the router's 404 or 405.
        const bad = badParameter(path, known.params)
        if (bad !== undefined) return Outcome.refusal.invalid(apiId, bad)
        // A path the API serves, asked with another method, is a 405.
        return Outcome.plivoError(apiId, 405, Outcome.wordingOf(405))
      }
      const status = tag === "RequestError" ? 400 : 500
      return Outcome.plivoError(apiId, status, Outcome.wordingOf(status))
    }
    const response = outcome.value
    if (response.status >= 400 && !isPlivoBody(response))
      return Outcome.plivoError(randomUUID(), response.status, Outcome.wordingOf(response.status))
    return response
  })
)
