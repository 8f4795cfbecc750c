/**
 * Plivo's MPC API (API-1): add participant, and the calls around it (get, list, participants,
 * update, kick, end, recording). Each handler authenticates first, then reads and decodes its body
 * with the domain's schemas, then hands one event to the account's engine.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { AddParticipantParams, type Event, MpcName, State } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { MpcApi } from "./Api.js"
import * as Body from "./Body.js"
import type * as Engine from "./Engine.js"
import * as Guard from "./Guard.js"
import * as Lists from "./Lists.js"
import * as Outcome from "./Outcome.js"
import * as Params from "./Params.js"
import { type Tenant, Tenants } from "./Tenants.js"
import { findMpc, mpcView, parseKey, participantView } from "./Views.js"

/**
 * A body read under the limit, or the refusal to answer instead.
 *
 * @since 0.1.0
 * @category bodies
 */
export const readBody = (
  apiId: string,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<Either.Either<string, ReturnType<typeof Outcome.plivoError>>> =>
  Effect.map(Body.read(request), (r) =>
    r._tag === "Text"
      ? Either.right(r.text)
      : Either.left(
          r._tag === "TooLarge"
            ? Outcome.refusal.tooLarge(apiId, Body.MaxBodyBytes)
            : Outcome.refusal.invalid(apiId, "body: could not be read")
        )
  )

const submitted = (engine: Engine.Engine, apiId: string, input: Engine.Input) =>
  Effect.map(engine.submit(input), (r) => Outcome.respond(apiId, r))

/** ADDR-1: the add-participant body, as JSON or a form, decoded by the domain (PARAM-*). */
const addParticipant = (
  guard: Guard.Guard,
  request: HttpServerRequest.HttpServerRequest,
  authId: string,
  mpc: Event.MpcRef
) =>
  guard(request, authId, (apiId, { engine }) =>
    Effect.gen(function* () {
      if (mpc._tag === "ByName") {
        const name = MpcName.decode(mpc.name)
        if (Either.isLeft(name)) return Outcome.refusal.invalid(apiId, name.left.error)
      }
      const body = yield* readBody(apiId, request)
      if (Either.isLeft(body)) return body.left
      const type = (request.headers["content-type"] ?? "").toLowerCase()
      const decoded = type.includes("application/json")
        ? AddParticipantParams.decodeJson(body.right)
        : type.includes("application/x-www-form-urlencoded")
          ? AddParticipantParams.decodeForm(body.right)
          : undefined
      if (decoded === undefined) {
        return Outcome.refusal.invalid(
          apiId,
          "body: expected Content-Type application/json or application/x-www-form-urlencoded"
        )
      }
      if (Either.isLeft(decoded)) return Outcome.refusal.invalid(apiId, decoded.left.error)
      // Decoded outside the engine's turn: only `step` runs under the account's lock.
      return yield* submitted(engine, apiId, { _tag: "AddParticipant", apiId, mpc, request: decoded.right })
    })
  )

/**
 * The add-participant handlers.
 *
 * @since 0.1.0
 * @category handlers
 */
export const plivoHandlers = HttpApiBuilder.group(MpcApi, "plivo", (handlers) =>
  Effect.gen(function* () {
    const guard = Guard.make(yield* Tenants)
    return handlers
      .handleRaw("addParticipantByName", ({ path, request }) =>
        addParticipant(guard, request, path.authId, { _tag: "ByName", name: path.mpcName })
      )
      .handleRaw("addParticipantByUuid", ({ path, request }) =>
        addParticipant(guard, request, path.authId, { _tag: "ByUuid", uuid: path.mpcUuid })
      )
  })
)

/** `all`, or a comma list of member ids. */
const members = (raw: string): Event.MemberSelector | undefined => {
  if (raw.toLowerCase() === "all") return "all"
  const ids = raw
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
  return ids.length === 0 ? undefined : (ids as unknown as readonly [string, ...Array<string>])
}

const badMember = (apiId: string) =>
  Outcome.refusal.notFound(apiId, "member_id: expected a member id, a comma list of them, or all")

/**
 * The calls around add participant.
 *
 * @since 0.1.0
 * @category handlers
 */
export const mpcHandlers = HttpApiBuilder.group(MpcApi, "mpc", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const guard = Guard.make(tenants)
    const withMpc = (
      request: HttpServerRequest.HttpServerRequest,
      authId: string,
      key: string,
      f: (apiId: string, ref: Event.MpcRef, tenant: Tenant) => Effect.Effect<ReturnType<typeof Outcome.json>>
    ) =>
      guard(request, authId, (apiId, tenant) => {
        const ref = parseKey(key)
        if (ref === undefined)
          return Effect.succeed(Outcome.refusal.notFound(apiId, `no multiparty call ${key}`))
        if (ref._tag === "ByName") {
          const name = MpcName.decode(ref.name)
          if (Either.isLeft(name)) return Effect.succeed(Outcome.refusal.invalid(apiId, name.left.error))
        }
        return f(apiId, ref, tenant)
      })
    /** Reads and decodes a body, then runs `f` with its value. */
    const withBody = <A, I>(
      apiId: string,
      request: HttpServerRequest.HttpServerRequest,
      schema: Parameters<typeof Params.decode<A, I>>[0],
      f: (a: A) => Effect.Effect<ReturnType<typeof Outcome.json>>
    ) =>
      Effect.flatMap(readBody(apiId, request), (body) => {
        if (Either.isLeft(body)) return Effect.succeed(body.left)
        const decoded = Params.decode(schema, body.right, request.headers["content-type"])
        return Either.isLeft(decoded)
          ? Effect.succeed(Outcome.refusal.invalid(apiId, decoded.left))
          : f(decoded.right)
      })
    return handlers
      .handleRaw("listMpcs", ({ path, request }) =>
        guard(request, path.authId, (apiId, tenant) => Lists.listMpcs(tenants, tenant, apiId, request.url))
      )
      .handleRaw("getMpc", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const m = findMpc(state, ref)
            return m === undefined
              ? Outcome.refusal.notFound(apiId, `no multiparty call ${path.mpcKey}`)
              : Outcome.json({ api_id: apiId, ...mpcView(account, state.config, m, tenants.main) }, 200)
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
            if (m === undefined) return Outcome.refusal.notFound(apiId, `no multiparty call ${path.mpcKey}`)
            return Lists.listParticipants(account, state.config, m, apiId, request.url)
          })
        )
      )
      .handleRaw("getParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.map(engine.state, (state) => {
            const m = findMpc(state, ref)
            // SDK-22: a member that has left stays readable.
            const p = m === undefined ? undefined : State.anyMember(m, path.memberId)
            return m === undefined || p === undefined
              ? Outcome.refusal.notFound(
                  apiId,
                  `no member ${path.memberId} in multiparty call ${path.mpcKey}`
                )
              : Outcome.json({ api_id: apiId, ...participantView(account, m, p, state.config) }, 200)
          })
        )
      )
      .handleRaw("updateParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          withBody(apiId, request, Params.UpdateMemberParams, (params) => {
            const member = members(path.memberId)
            if (member === undefined) return Effect.succeed(badMember(apiId))
            return submitted(engine, apiId, {
              _tag: "UpdateMember",
              apiId,
              mpc,
              member,
              ...(params.mute === undefined ? {} : { mute: params.mute }),
              ...(params.hold === undefined ? {} : { hold: params.hold }),
              ...(params.coach_mode === undefined ? {} : { coachMode: params.coach_mode })
            })
          })
        )
      )
      .handleRaw("kickParticipant", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) => {
          const member = members(path.memberId)
          return member === undefined
            ? Effect.succeed(badMember(apiId))
            : submitted(engine, apiId, { _tag: "KickMember", apiId, mpc, member })
        })
      )
      .handleRaw("startRecording", ({ path, request }) =>
        withMpc(request, path.authId, path.mpcKey, (apiId, mpc, { engine }) =>
          withBody(apiId, request, Params.StartRecordingParams, (params) =>
            submitted(engine, apiId, {
              _tag: "StartRecording",
              apiId,
              mpc,
              ...(params.file_format === undefined ? {} : { fileFormat: params.file_format }),
              ...(params.recording_callback_url === undefined
                ? {}
                : {
                    callback: {
                      url: params.recording_callback_url,
                      method: params.recording_callback_method ?? "POST"
                    }
                  })
            })
          )
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
