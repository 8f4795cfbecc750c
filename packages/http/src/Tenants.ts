/**
 * API-3 and ADDR-5: the accounts the emulator serves, each with its own engine, and who may act on
 * which: HTTP Basic auth with an account's id and token, checked in constant time, and an optional
 * per-account request rate.
 *
 * @since 0.1.0
 */
import { createHash, timingSafeEqual } from "node:crypto"
import * as Context from "effect/Context"
import type { OutboxService } from "./delivery/Outbox.js"
import type * as Engine from "./Engine.js"
import type { Store } from "./store/Store.js"

/**
 * An account: its id and token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Account {
  readonly authId: string
  readonly authToken: string
}

/**
 * ADDR-5: the main account and its subaccounts, each with its own namespace of MPC names.
 *
 * @since 0.1.0
 * @category models
 */
export interface Accounts {
  readonly main: Account
  readonly subaccounts?: ReadonlyArray<Account>
}

/**
 * One account the emulator serves, with its engine and the digest of its token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tenant {
  readonly account: Account
  readonly engine: Engine.Engine
  /** STORE-*: the durable store, when the engine journals to one (dead letters are read from it). */
  readonly store?: Store | undefined
  /**
   * DLV-7, DLV-14: the outbox callbacks wait in (the store's, or the memory one without a store).
   *
   * @since 0.2.0
   */
  readonly outbox?: OutboxService | undefined
}

/**
 * A per-account request rate: at most `requests` in any window of `perSeconds` (fixed windows).
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly requests: number
  readonly perSeconds: number
}

/**
 * Every account's engine, by auth id.
 *
 * @since 0.1.0
 * @category services
 */
export class Tenants extends Context.Tag("@mpc-kit/http/Tenants")<
  Tenants,
  {
    readonly main: Account
    readonly byId: ReadonlyMap<string, Tenant>
    readonly rateLimit?: RateLimit | undefined
  }
>() {}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest()

/** Digests of the tokens, computed once per token. */
const tokenDigests = new WeakMap<Account, Buffer>()
const digestOf = (account: Account) => {
  let d = tokenDigests.get(account)
  if (d === undefined) {
    d = digest(account.authToken)
    tokenDigests.set(account, d)
  }
  return d
}

/**
 * API-3: a token check whose time does not depend on where the two tokens differ: both sides are
 * hashed to digests of equal length, then compared with `timingSafeEqual`.
 *
 * @since 0.1.0
 * @category auth
 */
export const tokenMatches = (account: Account, token: string): boolean =>
  timingSafeEqual(digestOf(account), digest(token))

/**
 * API-3: the tenant a request with these Basic credentials may act on, or `undefined`. The main
 * account may act on its own path and its subaccounts'; a subaccount only on its own.
 *
 * @since 0.1.0
 * @category auth
 */
export const authorize = (
  tenants: Context.Tag.Service<Tenants>,
  credentials: { readonly username: string; readonly password: string },
  pathAuthId?: string
): Tenant | undefined => {
  const owner = tenants.byId.get(credentials.username)
  // An unknown id still costs a hash, so a wrong id and a wrong token take the same time.
  if (owner === undefined) {
    tokenMatches(tenants.main, credentials.password)
    return undefined
  }
  if (!tokenMatches(owner.account, credentials.password)) return undefined
  const target = pathAuthId ?? credentials.username
  if (target === credentials.username) return owner
  return credentials.username === tenants.main.authId ? tenants.byId.get(target) : undefined
}

/**
 * The credentials of an `Authorization: Basic` header, or `undefined`.
 *
 * @since 0.1.0
 * @category auth
 */
export const basicCredentials = (
  header: string | undefined
): { readonly username: string; readonly password: string } | undefined => {
  if (header === undefined || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * A fixed-window counter per account: `take` answers 0 when the request may go on, else the
 * seconds until the window ends (the 429's `Retry-After`).
 *
 * @since 0.1.0
 * @category rate limit
 */
export const makeRateLimiter = (limit: RateLimit) => {
  const windows = new Map<string, { start: number; count: number }>()
  const span = limit.perSeconds * 1000
  return {
    /** Counts one request of `authId` at `now`: 0 when it may go on, else the seconds to wait. */
    take: (authId: string, now: number): number => {
      const w = windows.get(authId)
      if (w === undefined || now - w.start >= span) {
        windows.set(authId, { start: now, count: 1 })
        return 0
      }
      if (w.count < limit.requests) {
        w.count++
        return 0
      }
      return Math.max(1, Math.ceil((w.start + span - now) / 1000))
    }
  }
}
