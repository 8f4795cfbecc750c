/**
 * API-3: the `Authorization` middleware: a fresh `api_id`, HTTP Basic auth from the headers alone
 * (before a byte of the body is read), the token checked in constant time, the path's account
 * checked against the caller's, and the per-account rate limit (429).
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { HttpRouter } from "@effect/platform"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Authorization, TooManyRequests, Unauthorized } from "./Api.js"
import { authorize, makeRateLimiter, type Tenant, Tenants } from "./Tenants.js"

/**
 * The check of one server: the tenant these credentials may act on (on the path's account, when
 * the path names one), or Plivo's 401 / 429.
 *
 * @since 0.1.0
 * @category guards
 */
export const make = (tenants: Context.Tag.Service<Tenants>): Check => {
  const known = checks.get(tenants)
  if (known !== undefined) return known
  const check = makeCheck(tenants)
  checks.set(tenants, check)
  return check
}

/**
 * A check of credentials (see `make`).
 *
 * @since 0.1.0
 * @category guards
 */
export type Check = (
  apiId: string,
  credentials: { readonly username: string; readonly password: string },
  pathAuthId: string | undefined,
  now: number
) => Tenant | Unauthorized | TooManyRequests

/** One check per server, so every path to it (HttpApi and the fast path) counts in one rate window. */
const checks = new WeakMap<Context.Tag.Service<Tenants>, Check>()

const makeCheck = (tenants: Context.Tag.Service<Tenants>): Check => {
  const limiter = tenants.rateLimit === undefined ? undefined : makeRateLimiter(tenants.rateLimit)
  return (
    apiId: string,
    credentials: { readonly username: string; readonly password: string },
    pathAuthId: string | undefined,
    now: number
  ): Tenant | Unauthorized | TooManyRequests => {
    const tenant = authorize(tenants, credentials, pathAuthId)
    // API-3: a wrong account, a wrong token or a path of another account all look the same.
    if (tenant === undefined) return new Unauthorized({ api_id: apiId, error: "authentication failed" })
    if (limiter !== undefined) {
      const wait = limiter.take(tenant.account.authId, now)
      if (wait > 0) {
        const refused = new TooManyRequests({ api_id: apiId, error: "too many requests" })
        refused.retryAfter = wait
        return refused
      }
    }
    return tenant
  }
}

/**
 * The `Authorization` middleware over the server's accounts.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.effect(
  Authorization,
  Effect.map(Tenants, (tenants) => {
    const check = make(tenants)
    const now = tenants.rateLimit === undefined ? Effect.succeed(0) : Clock.currentTimeMillis
    return Authorization.of({
      basic: (credential) =>
        Effect.flatMap(HttpRouter.RouteContext, (route) =>
          Effect.flatMap(now, (at) => {
            const apiId = randomUUID()
            const outcome = check(
              apiId,
              { username: credential.username, password: Redacted.value(credential.password) },
              route.params.authId,
              at
            )
            return outcome instanceof Unauthorized || outcome instanceof TooManyRequests
              ? Effect.fail(outcome)
              : Effect.succeed({ apiId, tenant: outcome })
          })
        )
    })
  })
)
