/**
 * The handlers of `MediaApi.ts`: start an MPC (SDK-4), a member's own recording (PREC) and audio
 * played to members (PLAY). Each authenticates, reads and decodes its body with the schemas of
 * `MediaApi.ts`, then hands one event to the account's engine; the answer is the domain's outcome
 * through `Outcome.toPlivo` (SDK-34: every refusal Plivo's `{api_id, error}`, never a 5xx).
 *
 * @since 0.2.0
 */
import { HttpApiBuilder, type HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { type Event, MpcName } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { MpcApi } from "./Api.js"
import type * as Engine from "./Engine.js"
import * as Guard from "./Guard.js"
import { MemberRecordingParams, PlayParams, StartMpcParams } from "./MediaApi.js"
import { readBody } from "./MpcHandlers.js"
import * as Outcome from "./Outcome.js"
import * as Params from "./Params.js"
import { type Tenant, Tenants } from "./Tenants.js"
import { parseKey } from "./Views.js"

type Response = HttpServerResponse.HttpServerResponse

const submitted = (engine: Engine.Engine, apiId: string, input: Engine.Input) =>
  Effect.map(engine.submit(input), (r) => Outcome.respond(apiId, r))

/**
 * PLAY-2: `all`, or a comma list of member ids; `undefined` when it names none.
 *
 * @since 0.2.0
 * @category parsing
 */
export const memberSelector = (raw: string): Event.MemberSelector | undefined => {
  if (raw.toLowerCase() === "all") return "all"
  const ids = raw
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
  return ids.length === 0 ? undefined : (ids as unknown as readonly [string, ...Array<string>])
}

/**
 * The handlers of the media group.
 *
 * @since 0.2.0
 * @category handlers
 */
export const mediaHandlers = HttpApiBuilder.group(MpcApi, "media", (handlers) =>
  Effect.gen(function* () {
    const guard = Guard.make(yield* Tenants)
    /** Authenticates, resolves the MPC key, reads and decodes the body, then runs `f`. */
    const handle = <A, I>(
      request: HttpServerRequest.HttpServerRequest,
      authId: string,
      key: string,
      schema: Parameters<typeof Params.decode<A, I>>[0],
      f: (apiId: string, mpc: Event.MpcRef, body: A, tenant: Tenant) => Effect.Effect<Response>
    ) =>
      guard(request, authId, (apiId, tenant) => {
        const mpc = parseKey(key)
        if (mpc === undefined)
          return Effect.succeed(Outcome.refusal.notFound(apiId, `no multiparty call ${key}`))
        if (mpc._tag === "ByName") {
          const name = MpcName.decode(mpc.name)
          if (Either.isLeft(name)) return Effect.succeed(Outcome.refusal.invalid(apiId, name.left.error))
        }
        return Effect.flatMap(readBody(apiId, request), (body) => {
          if (Either.isLeft(body)) return Effect.succeed(body.left)
          const decoded = Params.decode(schema, body.right, request.headers["content-type"])
          return Either.isLeft(decoded)
            ? Effect.succeed(Outcome.refusal.invalid(apiId, decoded.left))
            : f(apiId, mpc, decoded.right, tenant)
        })
      })
    /** PREC-1: a participant recording names one member. */
    const oneMember = (apiId: string, raw: string): string | Response => {
      const selector = memberSelector(raw)
      return selector === undefined || selector === "all" || selector.length !== 1
        ? Outcome.refusal.invalid(apiId, "member_id: expected one member id")
        : selector[0]
    }
    const recording =
      (tag: "StopMemberRecording" | "PauseMemberRecording" | "ResumeMemberRecording") =>
      ({
        path,
        request
      }: {
        path: { authId: string; mpcKey: string; memberId: string }
        request: HttpServerRequest.HttpServerRequest
      }) =>
        handle(request, path.authId, path.mpcKey, MemberRecordingParams, (apiId, mpc, _body, { engine }) => {
          const memberId = oneMember(apiId, path.memberId)
          return typeof memberId !== "string"
            ? Effect.succeed(memberId)
            : submitted(engine, apiId, { _tag: tag, apiId, mpc, memberId })
        })
    return handlers
      .handleRaw("startMpc", ({ path, request }) =>
        // SDK-4: `{"status": "active"}` on the MPC resource.
        handle(request, path.authId, path.mpcKey, StartMpcParams, (apiId, mpc, _body, { engine }) =>
          submitted(engine, apiId, { _tag: "StartMpc", apiId, mpc })
        )
      )
      .handleRaw("startMemberRecording", ({ path, request }) =>
        handle(request, path.authId, path.mpcKey, MemberRecordingParams, (apiId, mpc, body, { engine }) => {
          const memberId = oneMember(apiId, path.memberId)
          if (typeof memberId !== "string") return Effect.succeed(memberId)
          return submitted(engine, apiId, {
            _tag: "StartMemberRecording",
            apiId,
            mpc,
            memberId,
            ...(body.file_format === undefined ? {} : { fileFormat: body.file_format }),
            ...(body.record_track_type === undefined ? {} : { trackType: body.record_track_type }),
            ...(body.recording_callback_url === undefined
              ? {}
              : {
                  callback: {
                    url: body.recording_callback_url,
                    method: body.recording_callback_method ?? "POST"
                  }
                })
          })
        })
      )
      .handleRaw("stopMemberRecording", recording("StopMemberRecording"))
      .handleRaw("pauseMemberRecording", recording("PauseMemberRecording"))
      .handleRaw("resumeMemberRecording", recording("ResumeMemberRecording"))
      .handleRaw("playAudio", ({ path, request }) =>
        handle(request, path.authId, path.mpcKey, PlayParams, (apiId, mpc, body, { engine }) => {
          const member = memberSelector(path.memberId)
          if (member === undefined)
            return Effect.succeed(
              Outcome.refusal.invalid(apiId, "member_id: expected a member id, a comma list of them, or all")
            )
          // PLAY-1: `url` as the SDK sends it, or `urls` as Plivo's page names it.
          const url = body.url ?? body.urls
          if (url === undefined)
            return Effect.succeed(Outcome.refusal.invalid(apiId, "url: required (or urls)"))
          return submitted(engine, apiId, { _tag: "PlayAudio", apiId, mpc, member, url })
        })
      )
      .handleRaw("stopAudio", ({ path, request }) =>
        handle(request, path.authId, path.mpcKey, PlayParams, (apiId, mpc, _body, { engine }) => {
          const member = memberSelector(path.memberId)
          if (member === undefined)
            return Effect.succeed(
              Outcome.refusal.invalid(apiId, "member_id: expected a member id, a comma list of them, or all")
            )
          return submitted(engine, apiId, { _tag: "StopAudio", apiId, mpc, member })
        })
      )
  })
)
