/**
 * Plivo's MPC API (API-1): add participant, and the calls around it (get, list, participants,
 * update, kick, end, recording), each a typed handler: `Authorization` has found the caller's
 * account, `BodyLimit` has read the body, the payload is the domain's decoded value; the handler
 * hands one event to the account's engine and answers the typed reply (encoded by the endpoint's
 * schema) or fails with Plivo's error (Outcome's table).
 *
 * @since 0.1.0
 */
import { HttpApiBuilder } from "@effect/platform"
import { type AddParticipantRequest, type Event, MpcName, State } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Caller, MpcApi, type PlivoFailure } from "./Api.js"
import type * as Engine from "./Engine.js"
import * as Lists from "./Lists.js"
import * as Outcome from "./Outcome.js"
import { type Tenant, Tenants } from "./Tenants.js"
import { mpcView, parseKey, participantView } from "./Views.js"

/**
 * ADDR-1: adds a participant (already decoded by the domain, PARAM-*) to the MPC `mpc` names.
 * Decoded outside the engine's turn: only `step` runs under the account's lock.
 *
 * @since 0.1.0
 * @category handlers
 */
export const addParticipant = (
  apiId: string,
  engine: Engine.Engine,
  mpc: Event.MpcRef,
  request: AddParticipantRequest.AddParticipantRequest
) => {
  if (mpc._tag === "ByName") {
    const name = MpcName.decode(mpc.name)
    if (Either.isLeft(name)) return Effect.fail(Outcome.failure(400, apiId, name.left.error))
  }
  return engine.submit({ _tag: "AddParticipant", apiId, mpc, request }).pipe(
    Effect.flatMap((r) => Outcome.reply(apiId, r, "Added")),
    Effect.map((r) => Outcome.bodies.Added(apiId, r))
  )
}

/**
 * The add-participant handlers.
 *
 * @since 0.1.0
 * @category handlers
 */
export const plivoHandlers = HttpApiBuilder.group(MpcApi, "plivo", (handlers) =>
  Effect.succeed(
    handlers
      .handle("addParticipantByName", ({ path, payload }) =>
        Effect.flatMap(Caller, ({ apiId, tenant }) =>
          addParticipant(apiId, tenant.engine, { _tag: "ByName", name: path.mpcName }, payload)
        )
      )
      .handle("addParticipantByUuid", ({ path, payload }) =>
        Effect.flatMap(Caller, ({ apiId, tenant }) =>
          addParticipant(apiId, tenant.engine, { _tag: "ByUuid", uuid: path.mpcUuid }, payload)
        )
      )
  )
)

/**
 * PLAY-2: `all`, or a comma list of member ids; `undefined` when it names none.
 *
 * @since 0.2.0
 * @category parsing
 */
export const members = (raw: string): Event.MemberSelector | undefined => {
  if (raw.toLowerCase() === "all") return "all"
  const ids = raw
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
  return ids.length === 0 ? undefined : (ids as unknown as readonly [string, ...Array<string>])
}

const badMember = (apiId: string) =>
  Effect.fail(Outcome.failure(404, apiId, "member_id: expected a member id, a comma list of them, or all"))

/**
 * Runs `f` with the caller and the MPC the path's key names (a 404 for no key, a 400 for a bad name).
 *
 * @since 0.2.0
 * @category handlers
 */
export const withMpc = <A>(
  key: string,
  f: (apiId: string, ref: Event.MpcRef, tenant: Tenant) => Effect.Effect<A, PlivoFailure>
) =>
  Effect.flatMap(Caller, ({ apiId, tenant }) => {
    const ref = parseKey(key)
    if (ref === undefined) return Effect.fail(Outcome.failure(404, apiId, `no multiparty call ${key}`))
    if (ref._tag === "ByName") {
      const name = MpcName.decode(ref.name)
      if (Either.isLeft(name)) return Effect.fail(Outcome.failure(400, apiId, name.left.error))
    }
    return f(apiId, ref, tenant)
  })

/**
 * Submits an MPC request and expects the reply `tag`.
 *
 * @since 0.2.0
 * @category handlers
 */
export const submitted = <T extends Parameters<typeof Outcome.reply>[2]>(
  engine: Engine.Engine,
  apiId: string,
  input: Engine.Input,
  tag: T
) => Effect.flatMap(engine.submit(input), (r) => Outcome.reply(apiId, r, tag))

/**
 * The calls around add participant.
 *
 * @since 0.1.0
 * @category handlers
 */
export const mpcHandlers = HttpApiBuilder.group(MpcApi, "mpc", (handlers) =>
  Effect.map(Tenants, (tenants) =>
    handlers
      .handle("listMpcs", ({ request }) =>
        Effect.flatMap(Caller, ({ apiId, tenant }) => Lists.listMpcs(tenants, tenant, apiId, request.url))
      )
      .handle("getMpc", ({ path }) =>
        withMpc(path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.flatMap(Effect.zip(engine.mpc(ref), engine.state), ([m, state]) =>
            m === undefined
              ? Effect.fail(Outcome.failure(404, apiId, `no multiparty call ${path.mpcKey}`))
              : Effect.succeed({ api_id: apiId, ...mpcView(account, state.config, m, tenants.main) })
          )
        )
      )
      .handle("endMpc", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.asVoid(submitted(engine, apiId, { _tag: "EndMpc", apiId, mpc }, "MpcEnded"))
        )
      )
      .handle("listParticipants", ({ path, request }) =>
        withMpc(path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.flatMap(Effect.zip(engine.mpc(ref), engine.state), ([m, state]) => {
            if (m === undefined)
              return Effect.fail(Outcome.failure(404, apiId, `no multiparty call ${path.mpcKey}`))
            return Effect.succeed(Lists.listParticipants(account, state.config, m, apiId, request.url))
          })
        )
      )
      .handle("getParticipant", ({ path }) =>
        withMpc(path.mpcKey, (apiId, ref, { engine, account }) =>
          Effect.flatMap(Effect.zip(engine.mpc(ref), engine.state), ([m, state]) => {
            // SDK-22: a member that has left stays readable.
            const p = m === undefined ? undefined : State.anyMember(m, path.memberId)
            return m === undefined || p === undefined
              ? Effect.fail(
                  Outcome.failure(404, apiId, `no member ${path.memberId} in multiparty call ${path.mpcKey}`)
                )
              : Effect.succeed({ api_id: apiId, ...participantView(account, m, p, state.config) })
          })
        )
      )
      .handle("updateParticipant", ({ path, payload }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) => {
          const member = members(path.memberId)
          if (member === undefined) return badMember(apiId)
          return Effect.map(
            submitted(
              engine,
              apiId,
              {
                _tag: "UpdateMember",
                apiId,
                mpc,
                member,
                ...(payload.mute === undefined ? {} : { mute: payload.mute }),
                ...(payload.hold === undefined ? {} : { hold: payload.hold }),
                ...(payload.coach_mode === undefined ? {} : { coachMode: payload.coach_mode })
              },
              "MembersUpdated"
            ),
            (r) => Outcome.bodies.MembersUpdated(apiId, r)
          )
        })
      )
      .handle("kickParticipant", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) => {
          const member = members(path.memberId)
          return member === undefined
            ? badMember(apiId)
            : Effect.asVoid(
                submitted(engine, apiId, { _tag: "KickMember", apiId, mpc, member }, "MembersKicked")
              )
        })
      )
      .handle("startRecording", ({ path, payload }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.map(
            submitted(
              engine,
              apiId,
              {
                _tag: "StartRecording",
                apiId,
                mpc,
                ...(payload.file_format === undefined ? {} : { fileFormat: payload.file_format }),
                ...(payload.recording_callback_url === undefined
                  ? {}
                  : {
                      callback: {
                        url: payload.recording_callback_url,
                        method: payload.recording_callback_method ?? "POST"
                      }
                    })
              },
              "RecordingStarted"
            ),
            (r) => Outcome.bodies.RecordingStarted(apiId, r)
          )
        )
      )
      .handle("stopRecording", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.asVoid(submitted(engine, apiId, { _tag: "StopRecording", apiId, mpc }, "RecordingChanged"))
        )
      )
      .handle("pauseRecording", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.asVoid(submitted(engine, apiId, { _tag: "PauseRecording", apiId, mpc }, "RecordingChanged"))
        )
      )
      .handle("resumeRecording", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.asVoid(submitted(engine, apiId, { _tag: "ResumeRecording", apiId, mpc }, "RecordingChanged"))
        )
      )
  )
)
