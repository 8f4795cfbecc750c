/**
 * The emulator's server: the HttpApi handlers over the engine, Basic auth (API-3), Plivo's
 * `{api_id, error}` for every refusal (API-2), OpenAPI at `/openapi.json` and Swagger UI at `/docs`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { createServer } from "node:http"
import {
  HttpApiBuilder,
  HttpApiSwagger,
  HttpMiddleware,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import {
  AddParticipantParams,
  AddParticipantRequest,
  type Command,
  type Event,
  MpcName,
  PMap,
  State,
  Timestamp
} from "@mpc-kit/domain"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { MpcApi } from "./Api.js"
import { CallbackSender } from "./CallbackSender.js"
import * as Engine from "./Engine.js"
import * as Outcome from "./Outcome.js"
import * as ConnectProxy from "./Proxy.js"
import * as Xml from "./Xml.js"

/** The account the emulator serves. */
export interface Account {
  readonly authId: string
  readonly authToken: string
}

/** ADDR-5: the main account and its subaccounts, each with its own namespace of MPC names. */
export interface Accounts {
  readonly main: Account
  readonly subaccounts?: ReadonlyArray<Account>
}

/** One account the emulator serves, with its engine. */
export interface Tenant {
  readonly account: Account
  readonly engine: Engine.Engine
}

/** Every account's engine, by auth id. */
export class Tenants extends Context.Tag("@mpc-kit/http/Tenants")<
  Tenants,
  { readonly main: Account; readonly byId: ReadonlyMap<string, Tenant> }
>() {}

/** The largest request body taken (a larger one is a 413). */
export const MaxBodyBytes = 256 * 1024

const json = (body: unknown, status: number) => HttpServerResponse.unsafeJson(body, { status })
const plivoError = (apiId: string, status: number, error: string) => json({ api_id: apiId, error }, status)

/**
 * API-3: HTTP Basic auth with an account's id and token. The main account may act on its own path
 * and its subaccounts'; a subaccount only on its own. Returns the tenant the request acts on.
 */
const authorize = (
  request: HttpServerRequest.HttpServerRequest,
  tenants: Context.Tag.Service<Tenants>,
  pathAuthId?: string
): Tenant | undefined => {
  const header = request.headers.authorization ?? ""
  if (!header.startsWith("Basic ")) return undefined
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const id = decoded.slice(0, colon)
  const owner = tenants.byId.get(id)
  if (owner === undefined || owner.account.authToken !== decoded.slice(colon + 1)) return undefined
  const target = pathAuthId ?? id
  if (target === id) return owner
  return id === tenants.main.authId ? tenants.byId.get(target) : undefined
}

const readBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(Effect.either(request.text), (r) => (Either.isRight(r) ? r.right : undefined))

/** Runs a handler with a fresh api_id and the auth check; any defect becomes a Plivo-style 500. */
const guarded = (
  tenants: Context.Tag.Service<Tenants>,
  request: HttpServerRequest.HttpServerRequest,
  pathAuthId: string | undefined,
  f: (apiId: string, tenant: Tenant) => Effect.Effect<HttpServerResponse.HttpServerResponse>
) => {
  const apiId = randomUUID()
  const tenant = authorize(request, tenants, pathAuthId)
  // API-3: a wrong account, a wrong token or a path of another account all look the same.
  if (tenant === undefined) return Effect.succeed(plivoError(apiId, 401, "authentication failed"))
  return f(apiId, tenant).pipe(
    Effect.catchAllDefect((d) => Effect.succeed(plivoError(apiId, 500, `internal error: ${String(d)}`)))
  )
}

/** The answer to an API event: the domain's `Respond` command. */
const respondOf = (apiId: string, result: { commands: ReadonlyArray<Command.Command> }) => {
  const r = result.commands.find((c) => c._tag === "Respond")
  if (r?._tag !== "Respond") return plivoError(apiId, 500, "no response")
  const { status, body } = Outcome.toPlivo(apiId, r.outcome)
  return body === undefined ? HttpServerResponse.empty({ status }) : json(body, status)
}

const addParticipant = (
  tenants: Context.Tag.Service<Tenants>,
  request: HttpServerRequest.HttpServerRequest,
  authId: string,
  mpc: Event.MpcRef
) =>
  guarded(tenants, request, authId, (apiId, { engine }) =>
    Effect.gen(function* () {
      if (mpc._tag === "ByName") {
        const name = MpcName.decode(mpc.name)
        if (Either.isLeft(name)) return plivoError(apiId, 400, name.left.error)
      }
      const text = yield* readBody(request)
      if (text === undefined) return plivoError(apiId, 400, "body: could not be read")
      if (Buffer.byteLength(text) > MaxBodyBytes)
        return plivoError(apiId, 413, `body: larger than ${MaxBodyBytes} bytes`)
      const type = (request.headers["content-type"] ?? "").toLowerCase()
      const decoded = type.includes("application/json")
        ? AddParticipantParams.decodeJson(text)
        : type.includes("application/x-www-form-urlencoded")
          ? AddParticipantParams.decodeForm(text)
          : undefined
      if (decoded === undefined) {
        return plivoError(
          apiId,
          400,
          "body: expected Content-Type application/json or application/x-www-form-urlencoded"
        )
      }
      if (Either.isLeft(decoded)) return plivoError(apiId, 400, decoded.left.error)
      const result = yield* engine.submit({ _tag: "AddParticipant", apiId, mpc, request: decoded.right })
      return respondOf(apiId, result)
    })
  )

/** EMULATOR.md's view of a call. */
const callView = (mpcUuid: string | null, c: State.Call) => ({
  call_uuid: c.uuid,
  from: c.from,
  to: c.to,
  state: c.state === "dialing" ? "ringing" : c.state,
  mpc_uuid: mpcUuid,
  member_id: c.memberId ?? null,
  ...(c.hangup === undefined ? {} : { hangup_cause: c.hangup.cause, hangup_cause_code: c.hangup.code })
})

const plivoHandlers = HttpApiBuilder.group(MpcApi, "plivo", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    return handlers
      .handleRaw("addParticipantByName", ({ path, request }) =>
        addParticipant(tenants, request, path.authId, { _tag: "ByName", name: path.mpcName })
      )
      .handleRaw("addParticipantByUuid", ({ path, request }) =>
        addParticipant(tenants, request, path.authId, { _tag: "ByUuid", uuid: path.mpcUuid })
      )
  })
)

/** `name_x` or `uuid_y` (ADDR-1). */
const parseKey = (key: string): Event.MpcRef | undefined =>
  key.startsWith("name_") && key.length > 5
    ? { _tag: "ByName", name: key.slice(5) }
    : key.startsWith("uuid_") && key.length > 5
      ? { _tag: "ByUuid", uuid: key.slice(5) }
      : undefined

/** The MPC a key names: the live one of a name, else its latest ended one; by UUID, any. */
const findMpc = (state: State.State, ref: Event.MpcRef): State.Mpc | undefined => {
  if (ref._tag === "ByUuid") return State.mpc(state, ref.uuid)
  const live = State.liveMpc(state, ref.name)
  if (live !== undefined) return live
  let latest: State.Mpc | undefined
  PMap.forEach(state.mpcs, (m) => {
    if (m.name === ref.name && (latest === undefined || m.createdAt > latest.createdAt)) latest = m
  })
  return latest
}

const ts = (ms: number | undefined) => (ms === undefined ? null : Timestamp.format(ms))

/** Plivo's MPC object. */
const mpcView = (account: Account, m: State.Mpc) => {
  const ended = m.status === "Ended" && m.endedAt !== undefined
  const duration = ended ? Math.round((m.endedAt! - m.createdAt) / 1000) : null
  const resource = `/v1/Account/${account.authId}/MultiPartyCall/name_${m.name}/`
  return {
    billed_amount: ended ? (Math.ceil(duration! / 60) * 0.003).toFixed(5) : null,
    billed_duration: ended ? String(Math.ceil(duration! / 60) * 60) : null,
    creation_time: Timestamp.format(m.createdAt),
    duration: duration === null ? null : String(duration),
    end_time: ts(m.endedAt),
    friendly_name: m.name,
    mpc_uuid: m.uuid,
    participants: `${resource}Participant/`,
    recording:
      m.recording.status === "Recording"
        ? "recording"
        : m.recording.status === "Paused"
          ? "paused"
          : "not-recording",
    resource_uri: resource,
    start_time: ts(m.startedAt),
    status: m.status,
    stay_alone: m.members.some((x) => x.stayAlone),
    sub_account: null,
    termination_cause: m.termination?.cause ?? null,
    termination_cause_code: m.termination?.code ?? null
  }
}

/** Plivo's participant object (current members). */
const participantView = (account: Account, m: State.Mpc, p: State.Member) => ({
  billed_amount: null,
  billed_duration: null,
  call_uuid: p.callUuid,
  coach_mode: p.coachMode,
  duration: null,
  end_mpc_on_exit: p.endMpcOnExit,
  exit_cause: null,
  exit_time: null,
  hold: p.hold,
  join_time: Timestamp.format(p.joinedAt),
  member_id: p.id,
  mpc_uuid: m.uuid,
  mute: p.mute,
  resource_uri: `/v1/Account/${account.authId}/MultiPartyCall/name_${m.name}/Participant/${p.id}/`,
  role: p.role,
  start_mpc_on_enter: p.startMpcOnEnter
})

/** A JSON or form body as an object (a form's values are strings). */
const readParams = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(readBody(request), (text): Record<string, unknown> | undefined => {
    if (text === undefined || text.trim() === "") return {}
    const type = (request.headers["content-type"] ?? "").toLowerCase()
    if (type.includes("application/x-www-form-urlencoded")) return AddParticipantParams.formToRecord(text)
    try {
      const value: unknown = JSON.parse(text)
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined
    } catch {
      return undefined
    }
  })

/** A boolean parameter sent natively or as "true"/"false"; undefined when absent; "invalid" otherwise. */
const boolParam = (v: unknown): boolean | undefined | "invalid" => {
  if (v === undefined || v === null || v === "") return undefined
  if (typeof v === "boolean") return v
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true"
  return "invalid"
}

/** `all`, or a comma list of member ids. */
const members = (raw: string): Event.MemberSelector | undefined => {
  if (raw.toLowerCase() === "all") return "all"
  const ids = raw
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
  return ids.length === 0 ? undefined : (ids as unknown as readonly [string, ...Array<string>])
}

const mpcHandlers = HttpApiBuilder.group(MpcApi, "mpc", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const withMpc = (
      request: HttpServerRequest.HttpServerRequest,
      authId: string,
      key: string,
      f: (
        apiId: string,
        ref: Event.MpcRef,
        tenant: Tenant
      ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      guarded(tenants, request, authId, (apiId, tenant) => {
        const ref = parseKey(key)
        return ref === undefined
          ? Effect.succeed(plivoError(apiId, 404, `no multiparty call ${key}`))
          : f(apiId, ref, tenant)
      })
    const submitted = (engine: Engine.Engine, apiId: string, input: Engine.Input) =>
      Effect.map(engine.submit(input), (r) => respondOf(apiId, r))
    return handlers
      .handleRaw("listMpcs", ({ path, request, urlParams }) =>
        guarded(tenants, request, path.authId, (apiId, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const limit = Math.min(20, Math.max(1, Number(urlParams.limit ?? 20) || 20))
            const offset = Math.max(0, Number(urlParams.offset ?? 0) || 0)
            const status = urlParams.status?.toLowerCase()
            const all: Array<State.Mpc> = []
            PMap.forEach(state.mpcs, (m) => {
              if (urlParams.friendly_name !== undefined && m.name !== urlParams.friendly_name) return
              if (status !== undefined && m.status.toLowerCase() !== status) return
              all.push(m)
            })
            all.sort((a, b) => b.createdAt - a.createdAt || (a.uuid < b.uuid ? -1 : 1))
            const page = all.slice(offset, offset + limit)
            const base = `/v1/Account/${account.authId}/MultiPartyCall/?limit=${limit}&offset=`
            return json(
              {
                api_id: apiId,
                meta: {
                  count: all.length,
                  limit,
                  next: offset + limit < all.length ? `${base}${offset + limit}` : null,
                  offset,
                  previous: offset > 0 ? `${base}${Math.max(0, offset - limit)}` : null
                },
                objects: page.map((m) => mpcView(account, m))
              },
              200
            )
          })
        )
      )
      .handleRaw("getMpc", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const m = findMpc(state, ref)
            return m === undefined
              ? plivoError(apiId, 404, `no multiparty call ${path.mpcKey}`)
              : json({ api_id: apiId, ...mpcView(account, m) }, 200)
          })
        )
      )
      .handleRaw("endMpc", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          submitted(engine, apiId, { _tag: "EndMpc", apiId, mpc })
        )
      )
      .handleRaw("listParticipants", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const m = findMpc(state, ref)
            if (m === undefined) return plivoError(apiId, 404, `no multiparty call ${path.mpcKey}`)
            return json(
              {
                api_id: apiId,
                meta: { count: m.members.length, limit: 20, next: null, offset: 0, previous: null },
                objects: m.members.map((p) => participantView(account, m, p))
              },
              200
            )
          })
        )
      )
      .handleRaw("getParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const m = findMpc(state, ref)
            const p = m?.members.find((x) => x.id === path.memberId)
            return m === undefined || p === undefined
              ? plivoError(apiId, 404, `no member ${path.memberId} in multiparty call ${path.mpcKey}`)
              : json({ api_id: apiId, ...participantView(account, m, p) }, 200)
          })
        )
      )
      .handleRaw("updateParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.gen(function* () {
            const params = yield* readParams(request)
            if (params === undefined) return plivoError(apiId, 400, "body: expected a JSON object or a form")
            const mute = boolParam(params.mute)
            const hold = boolParam(params.hold)
            const coachMode = boolParam(params.coach_mode)
            for (const [name, v] of [
              ["mute", mute],
              ["hold", hold],
              ["coach_mode", coachMode]
            ] as const) {
              if (v === "invalid") return plivoError(apiId, 400, `${name}: expected true or false`)
            }
            const member = members(path.memberId)
            if (member === undefined)
              return plivoError(apiId, 404, "member_id: expected a member id, a comma list of them, or all")
            return yield* submitted(engine, apiId, {
              _tag: "UpdateMember",
              apiId,
              mpc,
              member,
              ...(mute === undefined ? {} : { mute: mute as boolean }),
              ...(hold === undefined ? {} : { hold: hold as boolean }),
              ...(coachMode === undefined ? {} : { coachMode: coachMode as boolean })
            })
          })
        )
      )
      .handleRaw("kickParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) => {
          const member = members(path.memberId)
          return member === undefined
            ? Effect.succeed(
                plivoError(apiId, 404, "member_id: expected a member id, a comma list of them, or all")
              )
            : submitted(engine, apiId, { _tag: "KickMember", apiId, mpc, member })
        })
      )
      .handleRaw("startRecording", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.gen(function* () {
            const params = (yield* readParams(request)) ?? {}
            const format =
              typeof params.file_format === "string" ? params.file_format.toLowerCase() : undefined
            if (format !== undefined && format !== "mp3" && format !== "wav")
              return plivoError(apiId, 400, "file_format: expected mp3 or wav")
            const url = params.recording_callback_url
            if (url !== undefined && (typeof url !== "string" || !AddParticipantRequest.isHttpUrl(url))) {
              return plivoError(apiId, 400, "recording_callback_url: expected an absolute http(s) URL")
            }
            const method =
              typeof params.recording_callback_method === "string"
                ? params.recording_callback_method.toUpperCase()
                : "POST"
            if (method !== "GET" && method !== "POST")
              return plivoError(apiId, 400, "recording_callback_method: expected GET or POST")
            return yield* submitted(engine, apiId, {
              _tag: "StartRecording",
              apiId,
              mpc,
              ...(format === undefined ? {} : { fileFormat: format }),
              ...(typeof url === "string" ? { callback: { url, method } } : {})
            })
          })
        )
      )
      .handleRaw("stopRecording", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          submitted(engine, apiId, { _tag: "StopRecording", apiId, mpc })
        )
      )
      .handleRaw("pauseRecording", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          submitted(engine, apiId, { _tag: "PauseRecording", apiId, mpc })
        )
      )
      .handleRaw("resumeRecording", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          submitted(engine, apiId, { _tag: "ResumeRecording", apiId, mpc })
        )
      )
  })
)

const emulatorHandlers = HttpApiBuilder.group(MpcApi, "emulator", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    /** A network event: 204 when taken, else the refusal's status (see Outcome) with the reason. */
    const network = (request: HttpServerRequest.HttpServerRequest, input: Engine.Input) =>
      guarded(tenants, request, undefined, (apiId, { engine }) =>
        Effect.map(engine.submit(input), (r) =>
          r.refused === undefined
            ? HttpServerResponse.empty({ status: 204 })
            : plivoError(apiId, Outcome.refusalStatus[r.refused._tag], r.refused.message)
        )
      )
    const bodyJson = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.map(readBody(request), (text): unknown => {
        try {
          return text === undefined ? undefined : JSON.parse(text)
        } catch {
          return undefined
        }
      })
    return handlers
      .handleRaw("createCall", ({ request }) =>
        guarded(tenants, request, undefined, (apiId, { engine }) =>
          Effect.gen(function* () {
            const body = (yield* bodyJson(request)) as { from?: unknown; to?: unknown } | undefined
            if (typeof body?.from !== "string" || typeof body.to !== "string") {
              return plivoError(apiId, 400, "expected a JSON body {from, to} of strings")
            }
            const result = yield* engine.submit({ _tag: "CreateCall", apiId, from: body.from, to: body.to })
            return respondOf(apiId, result)
          })
        )
      )
      .handleRaw("listCalls", ({ request }) =>
        guarded(tenants, request, undefined, (_, { engine }) =>
          Effect.map(engine.state, (state) => {
            const calls: Array<ReturnType<typeof callView>> = []
            PMap.forEach(state.calls, (c) => calls.push(callView(null, c)))
            PMap.forEach(state.mpcs, (m) => {
              for (const c of m.calls) calls.push(callView(m.uuid, c))
            })
            calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
            return json({ calls }, 200)
          })
        )
      )
      .handleRaw("answer", ({ path, request }) =>
        network(request, { _tag: "LegAnswered", callUuid: path.callUuid })
      )
      .handleRaw("busy", ({ path, request }) =>
        network(request, { _tag: "LegBusy", callUuid: path.callUuid })
      )
      .handleRaw("reject", ({ path, request }) =>
        network(request, { _tag: "LegRejected", callUuid: path.callUuid })
      )
      .handleRaw("hangup", ({ path, request }) =>
        network(request, { _tag: "CallHungUp", callUuid: path.callUuid })
      )
      .handleRaw("digits", ({ path, request }) =>
        Effect.flatMap(bodyJson(request), (body) => {
          const digits = (body as { digits?: unknown } | undefined)?.digits
          return typeof digits === "string" && /^[0-9#*]+$/.test(digits)
            ? network(request, { _tag: "DigitsPressed", callUuid: path.callUuid, digits })
            : Effect.succeed(plivoError(randomUUID(), 400, "expected a JSON body {digits} of 0-9, # and *"))
        })
      )
      .handleRaw("speak", ({ path, request }) =>
        Effect.flatMap(bodyJson(request), (body) => {
          const speaking = (body as { speaking?: unknown } | undefined)?.speaking
          return typeof speaking === "boolean"
            ? network(request, { _tag: "SpeakingChanged", callUuid: path.callUuid, speaking })
            : Effect.succeed(
                plivoError(randomUUID(), 400, "expected a JSON body {speaking} of true or false")
              )
        })
      )
      .handleRaw("clock", ({ request }) =>
        guarded(tenants, request, undefined, (_, { engine }) =>
          Effect.map(engine.now, (now) =>
            json({ now: new Date(now).toISOString(), mode: engine.config.clock }, 200)
          )
        )
      )
      .handleRaw("advance", ({ request }) =>
        guarded(tenants, request, undefined, (apiId, { engine }) =>
          Effect.gen(function* () {
            const seconds = ((yield* bodyJson(request)) as { seconds?: unknown } | undefined)?.seconds
            if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
              return plivoError(apiId, 400, "expected a JSON body {seconds} of a non-negative number")
            }
            const outcome = yield* Effect.either(engine.advance(Math.round(seconds * 1000)))
            return Either.isLeft(outcome)
              ? plivoError(apiId, 409, outcome.left.message)
              : HttpServerResponse.empty({ status: 204 })
          })
        )
      )
      .handleRaw("trace", ({ path, request }) =>
        guarded(tenants, request, undefined, (apiId, { engine }) =>
          Effect.map(engine.trace(path.mpcUuid), (trace) =>
            trace === undefined
              ? plivoError(apiId, 404, `no multiparty call ${path.mpcUuid}`)
              : json(trace, 200)
          )
        )
      )
  })
)

/** Every path the API serves (any method), to tell a wrong method (405) from an unknown path (404). */
const knownPaths: ReadonlyArray<RegExp> = [
  /^\/v1\/Account\/[^/]+\/MultiPartyCall\/?$/,
  /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/?$/,
  /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Participant\/?$/,
  /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Participant\/[^/]+\/?$/,
  /^\/v1\/Account\/[^/]+\/MultiPartyCall\/[^/]+\/Record(\/Pause|\/Resume)?\/?$/,
  /^\/emulator\/v1\/calls\/?$/,
  /^\/emulator\/v1\/calls\/[^/]+\/(answer|busy|reject|hangup|digits|speak)\/?$/,
  /^\/emulator\/v1\/clock(\/advance)?\/?$/,
  /^\/emulator\/v1\/mpcs\/[^/]+\/trace\/?$/
]

/** True when a response already carries Plivo's error body. */
const isPlivoBody = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" && new TextDecoder().decode(response.body.body).includes('"api_id"')

/** Plivo's wording for the statuses the router and decoders produce. */
const errorFor = (status: number) =>
  status === 404
    ? "not found"
    : status === 405
      ? "method not allowed"
      : status === 413
        ? "request too large"
        : "invalid request"

/**
 * API-2: everything the router or a decoder refuses (unknown route, wrong method, bad path) is
 * answered in Plivo's form, never with Effect's default bodies or a bare status. Applied inside the
 * API (not around the server), where the router's failures still are values.
 */
const plivoErrors = HttpApiBuilder.middleware(MpcApi, (app) =>
  Effect.gen(function* () {
    const outcome = yield* Effect.exit(app)
    if (outcome._tag === "Failure") {
      const failure = Cause.squash(outcome.cause)
      const tag =
        typeof failure === "object" && failure !== null && "_tag" in failure ? String(failure._tag) : ""
      const path = (yield* HttpServerRequest.HttpServerRequest).url.split("?")[0] ?? ""
      // API-2: a path the API serves, asked with another method, is a 405; anything else a 404.
      const notFound = knownPaths.some((p) => p.test(path)) ? 405 : 404
      const status =
        tag === "RouteNotFound"
          ? notFound
          : tag === "HttpApiDecodeError" || tag === "RequestError"
            ? 400
            : 500
      return plivoError(randomUUID(), status, status === 500 ? "internal error" : errorFor(status))
    }
    const response = outcome.value
    if (response.status >= 400 && !isPlivoBody(response))
      return plivoError(randomUUID(), response.status, errorFor(response.status))
    return response
  })
)

/** The emulator's routes, docs included, over the accounts' engines (`Tenants`). */
export const routes = Layer.mergeAll(
  HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }),
  HttpApiSwagger.layer({ path: "/docs" })
).pipe(
  Layer.provideMerge(HttpApiBuilder.api(MpcApi)),
  Layer.provide(plivoErrors),
  Layer.provide(plivoHandlers),
  Layer.provide(mpcHandlers),
  Layer.provide(emulatorHandlers)
)

/** Serves the routes on an HttpServer, logging one line per request. */
export const serve = HttpApiBuilder.serve(HttpMiddleware.logger).pipe(Layer.provide(routes))

/** Prints EMULATOR.md's start line once the server accepts connections. */
export const announce = Layer.effectDiscard(
  HttpServer.addressWith((address) =>
    Console.log(
      `mpc-kit emulator listening on ${address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : address.path}`
    )
  )
)

/** What the emulator needs to run. */
export interface Options {
  readonly host: string
  readonly port: number
  /** The main account (API-3). */
  readonly account: Account
  /** ADDR-5: its subaccounts, each with its own MPC names, engine and callback signing token. */
  readonly subaccounts?: ReadonlyArray<Account>
  readonly clock: "real" | "virtual"
  readonly cps: number
  /** Where an account's callbacks and XML fetches go (default: really sent, see `liveOutputs`). */
  readonly outputs?: (account: Account) => Layer.Layer<Engine.EngineOutputs>
  /**
   * Answer `CONNECT api.plivo.com:443` with a certificate from a local CA kept in this folder, so
   * the official SDKs (whose base URL is fixed) reach the emulator through their `proxy` option.
   */
  readonly proxyCaDir?: string
  /** Fixes the engine's start time and id seed (tests). */
  readonly start?: number
  readonly seed?: number
}

/**
 * The real outputs: callbacks sent (CB-*: signed, retried, in order per MPC and URL) and XML fetched
 * (LIFE-3: Play, Speak and Wait only; anything unreachable or invalid is silence). Fetches run off
 * the engine's turn, so a slow URL never holds the account up.
 */
export const liveOutputs = (account: Account) =>
  Layer.effect(
    Engine.EngineOutputs,
    Effect.gen(function* () {
      const sender = yield* CallbackSender
      const xml = yield* Xml.XmlFetcher
      return {
        callback: sender.send,
        fetchXml: (c) => Effect.asVoid(Effect.forkDaemon(xml.fetch(c.url, c.method, c.purpose)))
      } satisfies Engine.Outputs
    })
  ).pipe(
    Layer.provide(CallbackSender.Live({ authToken: account.authToken })),
    Layer.provide(Xml.layerFetcher().pipe(Layer.provide(NodeHttpClient.layerUndici)))
  )

/** FNV-1a of an auth id: a subaccount's seed offset. */
const hashId = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** One engine per account, each with its own outputs (callbacks are signed with that account's token). */
export const tenants = (options: Options) =>
  Layer.scoped(
    Tenants,
    Effect.gen(function* () {
      const byId = new Map<string, Tenant>()
      const base = options.seed ?? (yield* Clock.currentTimeMillis) % 2_147_483_647
      for (const account of [options.account, ...(options.subaccounts ?? [])]) {
        // Each account's ids come from its own seed, so no two accounts ever hand out the same UUID.
        const seed = account === options.account ? base : (base ^ hashId(account.authId)) | 0
        // Built in this scope (not per effect): the account's callback sender lives as long as the server.
        const outputs = yield* Layer.build((options.outputs ?? liveOutputs)(account))
        const engine = yield* Effect.provide(
          Engine.make({
            authId: account.authId,
            cps: options.cps,
            clock: options.clock,
            seed,
            ...(options.start === undefined ? {} : { start: options.start })
          }),
          outputs
        )
        byId.set(account.authId, { account, engine })
      }
      return { main: options.account, byId }
    })
  )

/** The emulator: engines, routes and a Node HTTP server, announcing its address. */
export const layer = (options: Options) =>
  Layer.mergeAll(serve, announce).pipe(
    Layer.provide(tenants(options)),
    Layer.provideMerge(
      NodeHttpServer.layer(() => withProxy(options), { port: options.port, host: options.host })
    )
  )

/** A Node HTTP server, with the CONNECT proxy attached when asked for. */
const withProxy = (options: Options) => {
  const server = createServer()
  if (options.proxyCaDir !== undefined) {
    const certificates = ConnectProxy.makeCertificates(options.proxyCaDir)
    ConnectProxy.attachConnectProxy(server, { key: certificates.keyPem, cert: certificates.certPem })
  }
  return server
}
