/**
 * SDK-1, SDK-6, SDK-27..SDK-31: the list calls: MPCs with every filter Plivo documents and the SDK
 * sends (a value that does not parse is a 400 naming it, never ignored), across the main account and
 * its subaccounts; an MPC's participants, those that left included, optionally of one call.
 *
 * @since 0.2.0
 */
import { PMap, State } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { PlivoFailure } from "./Api.js"
import * as History from "./History.js"
import * as Outcome from "./Outcome.js"
import type { Account, Tenant, Tenants } from "./Tenants.js"
import { mpcView, participantView } from "./Views.js"

type Query = ReadonlyMap<string, string>

/**
 * A request's query string, as the last value of each key.
 *
 * @since 0.2.0
 * @category parsing
 */
export const query = (url: string): Query => {
  const at = url.indexOf("?")
  const out = new Map<string, string>()
  if (at < 0) return out
  for (const [k, v] of new URLSearchParams(url.slice(at + 1))) out.set(k, v)
  return out
}

/** SDK-28: Plivo's list date form, UTC: `YYYY-MM-DD HH:MM[:ss[.ffffff]]`. */
const datePattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/

/**
 * SDK-28: a list date as epoch milliseconds, or `undefined` when it does not parse.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseDate = (text: string): number | undefined => {
  const m = datePattern.exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const ms = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000)
  const at = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  const back = new Date(at)
  // A day or time out of range (2026-02-30, 25:00) does not round-trip.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined
  if (mi > 59 || s > 59) return undefined
  return at
}

const ops = ["gt", "gte", "lt", "lte"] as const
type Bound = History.Bound

/**
 * SDK-28..SDK-30: the MPC list's filters, parsed.
 *
 * @since 0.2.0
 * @category models
 */
export interface MpcFilters {
  readonly friendlyName: string | undefined
  readonly status: string | undefined
  readonly terminationCauseCode: number | undefined
  readonly subAccount: string | undefined
  readonly bounds: ReadonlyArray<Bound>
  readonly limit: number
  readonly offset: number
}

const integer = (text: string): number | undefined =>
  /^-?\d{1,9}$/.test(text.trim()) ? Number(text) : undefined

/**
 * SDK-28, SDK-29, SDK-30: parses the filters; the error names the parameter that does not parse.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseMpcFilters = (q: Query): Either.Either<MpcFilters, string> => {
  const status = q.get("status")
  if (status !== undefined && !/^(initialized|active|ended)$/i.test(status))
    return Either.left(`status: expected initialized, active or ended, got ${JSON.stringify(status)}`)
  const codeText = q.get("termination_cause_code")
  const code = codeText === undefined ? undefined : integer(codeText)
  if (codeText !== undefined && code === undefined)
    return Either.left(`termination_cause_code: expected an integer, got ${JSON.stringify(codeText)}`)
  const limitText = q.get("limit")
  const limit = limitText === undefined ? 20 : integer(limitText)
  if (limit === undefined || limit < 1 || limit > 20)
    return Either.left(`limit: expected an integer from 1 to 20, got ${JSON.stringify(limitText)}`)
  const offsetText = q.get("offset")
  const offset = offsetText === undefined ? 0 : integer(offsetText)
  if (offset === undefined || offset < 0)
    return Either.left(`offset: expected an integer of 0 or more, got ${JSON.stringify(offsetText)}`)
  const bounds: Array<Bound> = []
  for (const field of ["creation", "end"] as const) {
    for (const op of ops) {
      // SDK-29: the SDK sends `creation_time_gt`; Plivo documents `creation_time__gt`: both are taken.
      for (const key of [`${field}_time__${op}`, `${field}_time_${op}`]) {
        const text = q.get(key)
        if (text === undefined) continue
        const at = parseDate(text)
        if (at === undefined)
          return Either.left(
            `${key}: expected a UTC date as YYYY-MM-DD HH:MM[:ss], got ${JSON.stringify(text)}`
          )
        bounds.push({ field, op, at })
      }
    }
  }
  return Either.right({
    friendlyName: q.get("friendly_name"),
    status: status?.toLowerCase(),
    terminationCauseCode: code,
    subAccount: q.get("sub_account"),
    bounds,
    limit,
    offset
  })
}

/**
 * SDK-28: whether an MPC passes every filter (an end-time bound excludes MPCs not ended).
 *
 * @since 0.2.0
 * @category filters
 */
export const matches = (f: MpcFilters, m: State.Mpc): boolean => History.matches(f, m)

interface Listed {
  readonly account: Account
  readonly config: State.Config
  readonly mpc: State.Mpc
}

/**
 * SDK-1, SDK-27..SDK-30, STORE-10: the MPC list of the tenant: its own MPCs, and for the main
 * account its subaccounts' too (the `sub_account` filter keeps one subaccount's). Live MPCs come
 * from the engines, ended ones from the history; the page is taken from both in list order.
 *
 * @since 0.2.0
 * @category handlers
 */
export const listMpcs = (tenants: Tenants["Type"], tenant: Tenant, apiId: string, url: string) =>
  Effect.gen(function* () {
    const parsed = parseMpcFilters(query(url))
    if (Either.isLeft(parsed))
      return yield* Effect.fail<PlivoFailure>(Outcome.failure(400, apiId, parsed.left))
    const f = parsed.right
    const main = tenants.main
    const isMain = tenant.account.authId === main.authId
    let sources: Array<Tenant> = [tenant]
    if (isMain) for (const t of tenants.byId.values()) if (t.account.authId !== main.authId) sources.push(t)
    if (f.subAccount !== undefined) {
      sources = sources.filter((t) => t.account.authId === f.subAccount && t.account.authId !== main.authId)
      if (sources.length === 0)
        return yield* Effect.fail<PlivoFailure>(
          Outcome.failure(
            400,
            apiId,
            `sub_account: no subaccount ${JSON.stringify(f.subAccount)} of this account`
          )
        )
    }
    const configs = new Map<string, { readonly account: Account; readonly config: State.Config }>()
    const live: Array<Listed> = []
    for (const t of sources) {
      const state = yield* t.engine.state
      configs.set(t.account.authId, { account: t.account, config: state.config })
      PMap.forEach(state.mpcs, (m) => {
        if (matches(f, m)) live.push({ account: t.account, config: state.config, mpc: m })
      })
    }
    live.sort((a, b) => History.order(a.mpc, b.mpc))
    const start = History.windowStart(f.offset, live.length)
    const window = yield* tenant.engine.history.list(
      sources.map((t) => t.account.authId),
      f,
      { offset: start, limit: f.offset + f.limit - start }
    )
    const total = live.length + window.total
    const retired: Array<Listed> = []
    for (const e of window.items) {
      const owner = configs.get(e.account)
      // Every row is of one of `sources` (the accounts asked for).
      if (owner !== undefined) retired.push({ ...owner, mpc: e.mpc })
    }
    const page = History.mergePage(live, retired, f.offset, f.limit)
    const base = `/v1/Account/${encodeURIComponent(tenant.account.authId)}/MultiPartyCall/?limit=${f.limit}&offset=`
    return {
      api_id: apiId,
      meta: {
        count: total,
        limit: f.limit,
        next: f.offset + f.limit < total ? `${base}${f.offset + f.limit}` : null,
        offset: f.offset,
        previous: f.offset > 0 ? `${base}${Math.max(0, f.offset - f.limit)}` : null
      },
      objects: page.map((x) => mpcView(x.account, x.config, x.mpc, main))
    }
  })

/**
 * SDK-6, SDK-22, SDK-31: an MPC's participants, present and gone, in join order; with `call_uuid`,
 * only that call's entries.
 *
 * @since 0.2.0
 * @category handlers
 */
export const listParticipants = (
  account: Account,
  config: State.Config,
  m: State.Mpc,
  apiId: string,
  url: string
) => {
  const callUuid = query(url).get("call_uuid")
  const members = State.allMembers(m).filter((p) => callUuid === undefined || p.callUuid === callUuid)
  return {
    api_id: apiId,
    meta: { count: members.length, limit: 20, next: null, offset: 0, previous: null },
    objects: members.map((p) => participantView(account, m, p, config))
  }
}
