/**
 * What runs before any handler's own work: a fresh `api_id`, API-3's Basic auth from the headers
 * alone (before a byte of the body is read), the per-account rate limit, and a defect turned into
 * Plivo's 500.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Outcome from "./Outcome.js"
import { authorize, basicCredentials, makeRateLimiter, type Tenant, type Tenants } from "./Tenants.js"

/**
 * The guard of one server: `run(request, pathAuthId, f)` calls `f` with the request's `api_id`
 * and tenant once the request is authenticated and within its account's rate.
 *
 * @since 0.1.0
 * @category guards
 */
export const make = (tenants: Context.Tag.Service<Tenants>) => {
  const limiter = tenants.rateLimit === undefined ? undefined : makeRateLimiter(tenants.rateLimit)
  return <E>(
    request: HttpServerRequest.HttpServerRequest,
    pathAuthId: string | undefined,
    f: (apiId: string, tenant: Tenant) => Effect.Effect<HttpServerResponse.HttpServerResponse, E>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, E> => {
    const apiId = randomUUID()
    const credentials = basicCredentials(request.headers.authorization)
    const tenant = credentials === undefined ? undefined : authorize(tenants, credentials, pathAuthId)
    // API-3: a wrong account, a wrong token or a path of another account all look the same.
    if (tenant === undefined) return Effect.succeed(Outcome.refusal.unauthenticated(apiId))
    const run = f(apiId, tenant).pipe(
      Effect.catchAllDefect((d) => Effect.succeed(Outcome.refusal.internal(apiId, String(d))))
    )
    if (limiter === undefined) return run
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const wait = limiter.take(tenant.account.authId, now)
      return wait === 0 ? run : Effect.succeed(Outcome.refusal.tooMany(apiId, wait))
    })
  }
}

/**
 * A guard.
 *
 * @since 0.1.0
 * @category guards
 */
export type Guard = ReturnType<typeof make>
