/**
 * The emulator's HTTP surface as an `@effect/platform` HttpApi: Plivo's MPC calls under
 * `/v1/Account/{auth_id}/MultiPartyCall/`, and the network's side under `/emulator/v1/`
 * (EMULATOR.md). Every endpoint is served by a typed handler: its body decoded by the domain's
 * schemas (JSON or form) through the payload, its answer encoded by the view schemas; Basic auth
 * is the `Authorization` middleware (API-3), the body limit the `BodyLimit` middleware, and every
 * refusal is Plivo's `{api_id, error}` with its status (API-2).
 *
 * @since 0.1.0
 */
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  HttpServerRequest,
  OpenApi
} from "@effect/platform"
import { AddParticipantParams, MpcName } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import * as Media from "./MediaApi.js"
import * as Params from "./Params.js"
import type { Tenant } from "./Tenants.js"

const authId = HttpApiSchema.param("authId", Schema.String)
// ADDR-1, ADDR-2: a name is checked with the path, before the body is decoded.
const mpcName = HttpApiSchema.param("mpcName", MpcName.MpcName)
const mpcUuid = HttpApiSchema.param("mpcUuid", Schema.String)
const callUuid = HttpApiSchema.param("callUuid", Schema.String)

/**
 * API-1: the add-participant response.
 *
 * @since 0.1.0
 * @category views
 */
export const AddParticipantResponse = Schema.Struct({
  api_id: Schema.String,
  calls: Schema.Array(Schema.Struct({ to: Schema.String, from: Schema.String, call_uuid: Schema.String })),
  message: Schema.String,
  request_uuid: Schema.String
})

const plivoErrorFields = { api_id: Schema.String, error: Schema.String }

/**
 * API-2: Plivo's error body, one class per status so that a handler's failure carries its status.
 * `Errors.ts` writes every one of them (the one mapping); these classes document them.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.Class<BadRequest>("BadRequest")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 400 })
) {}
/**
 * API-2: a 401 in Plivo's `{api_id, error}` form.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.Class<Unauthorized>("Unauthorized")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 401 })
) {}
/**
 * API-2: a 404 in Plivo's `{api_id, error}` form.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.Class<NotFound>("NotFound")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 404 })
) {}
/**
 * API-2: a 405 in Plivo's `{api_id, error}` form.
 *
 * @since 0.1.0
 * @category errors
 */
export class MethodNotAllowed extends Schema.Class<MethodNotAllowed>("MethodNotAllowed")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 405 })
) {}
/**
 * API-2: a 409 in Plivo's `{api_id, error}` form.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.Class<Conflict>("Conflict")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 409 })
) {}
/**
 * A body over the limit; written with `Connection: close` (the rest of the body is never read).
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.Class<PayloadTooLarge>("PayloadTooLarge")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 413 })
) {}
/**
 * The account's request rate is over its limit; written with `Retry-After`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyRequests extends Schema.Class<TooManyRequests>("TooManyRequests")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 429 })
) {
  /** Seconds until the account's window ends (the `Retry-After` header, not part of the body). */
  retryAfter = 1
}
/**
 * API-2: a 500 in Plivo's `{api_id, error}` form (never sent for bad input).
 *
 * @since 0.1.0
 * @category errors
 */
export class Internal extends Schema.Class<Internal>("Internal")(
  plivoErrorFields,
  HttpApiSchema.annotations({ status: 500 })
) {}

/**
 * Any of Plivo's errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type PlivoFailure =
  | BadRequest
  | Unauthorized
  | NotFound
  | MethodNotAllowed
  | Conflict
  | PayloadTooLarge
  | TooManyRequests
  | Internal

/**
 * The status of each error class.
 *
 * @since 0.1.0
 * @category errors
 */
export const failureStatus = (e: PlivoFailure): number =>
  e instanceof BadRequest
    ? 400
    : e instanceof Unauthorized
      ? 401
      : e instanceof NotFound
        ? 404
        : e instanceof MethodNotAllowed
          ? 405
          : e instanceof Conflict
            ? 409
            : e instanceof PayloadTooLarge
              ? 413
              : e instanceof TooManyRequests
                ? 429
                : 500

/**
 * True for a failure of one of the classes above.
 *
 * @since 0.1.0
 * @category errors
 */
export const isPlivoFailure = (u: unknown): u is PlivoFailure =>
  u instanceof BadRequest ||
  u instanceof Unauthorized ||
  u instanceof NotFound ||
  u instanceof MethodNotAllowed ||
  u instanceof Conflict ||
  u instanceof PayloadTooLarge ||
  u instanceof TooManyRequests ||
  u instanceof Internal

/**
 * Who is asking: the request's `api_id` and the account it acts on, once authenticated.
 *
 * @since 0.1.0
 * @category middleware
 */
export class Caller extends Context.Tag("@mpc-kit/http/Caller")<
  Caller,
  { readonly apiId: string; readonly tenant: Tenant }
>() {}

/**
 * API-3: HTTP Basic auth with an account's id and token (checked in constant time), scoped to the
 * path's account, and the per-account rate limit. It runs before anything reads the body.
 *
 * @since 0.1.0
 * @category middleware
 */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("Authorization", {
  failure: Schema.Union(Unauthorized, TooManyRequests),
  provides: Caller,
  security: {
    /** API-3: the account's auth id and token as HTTP Basic credentials. */
    basic: HttpApiSecurity.basic
  }
}) {}

/**
 * The body, read from the socket under the size limit once the request is authenticated (413 at
 * the limit, nothing kept past it), then handed to the payload's decoding. Provides the request
 * with its body already read.
 *
 * @since 0.1.0
 * @category middleware
 */
export class BodyLimit extends HttpApiMiddleware.Tag<BodyLimit>()("BodyLimit", {
  failure: Schema.Union(BadRequest, PayloadTooLarge),
  provides: HttpServerRequest.HttpServerRequest
}) {}

/** The JSON Schema of each wire parameter (for the docs; `{}` where it needs definitions). */
const wireDoc = (schema: { readonly fields: Schema.Struct.Fields }) => {
  const properties: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(schema.fields)) {
    const fieldSchema = Schema.isPropertySignature(field)
      ? Schema.make((field.ast as unknown as { type: Schema.Schema.Any["ast"] }).type)
      : (field as Schema.Schema.Any)
    try {
      const {
        $schema: _,
        $defs,
        ...rest
      } = JSONSchema.make(Schema.encodedSchema(fieldSchema)) as unknown as Record<string, unknown>
      properties[name] = $defs === undefined ? rest : {}
    } catch {
      properties[name] = {}
    }
  }
  return { type: "object", properties } as const
}

/**
 * A body as JSON or as a form, decoded by `schema` (a domain schema that takes both: a form's
 * values are strings, JSON's may be native). Documented as both content types, with the wire
 * parameters. The same schema is the union's two members: the first decodes; the second (never
 * reached but on a failure, whose issues the error mapping then merges) documents the form.
 */
const jsonOrForm = <A, I>(schema: Schema.Schema<A, I>, wire: ReturnType<typeof wireDoc>, id: string) => {
  const documented = Schema.compose(
    Schema.declare(
      (u): u is { readonly [key: string]: unknown } =>
        typeof u === "object" && u !== null && !Array.isArray(u),
      { identifier: id, jsonSchema: wire }
    ),
    schema as unknown as Schema.Schema<A, { readonly [key: string]: unknown }>,
    { strict: false }
  )
  // The form's values arrive as strings: the schema takes them (and JSON's native values) alike.
  const form = documented as unknown as Schema.Schema<A, Readonly<Record<string, string | undefined>>>
  return Schema.Union(documented, form.pipe(HttpApiSchema.withEncoding({ kind: "UrlParams" })))
}

/**
 * The add-participant body, decoded by the domain (PARAM-*): the decoded, defaulted request.
 *
 * @since 0.1.0
 * @category payloads
 */
export const AddParticipantPayload = jsonOrForm(
  AddParticipantParams.AddParticipantRequestFromParams,
  wireDoc(AddParticipantParams.AddParticipantParamsFields),
  "AddParticipantParams"
)

/**
 * Plivo's MPC API (Basic auth, API-3).
 *
 * @since 0.1.0
 * @category api
 */
export class PlivoGroup extends HttpApiGroup.make("plivo")
  .add(
    HttpApiEndpoint.post(
      "addParticipantByName"
    )`/v1/Account/${authId}/MultiPartyCall/name_${mpcName}/Participant`
      .setPayload(AddParticipantPayload)
      .addSuccess(AddParticipantResponse, { status: 201 })
      .annotate(OpenApi.Summary, "Add a participant to the MPC of this friendly name (ADDR-1, ADDR-2)")
  )
  .add(
    HttpApiEndpoint.post(
      "addParticipantByUuid"
    )`/v1/Account/${authId}/MultiPartyCall/uuid_${mpcUuid}/Participant`
      .setPayload(AddParticipantPayload)
      .addSuccess(AddParticipantResponse, { status: 201 })
      .annotate(OpenApi.Summary, "Add a participant to an ongoing MPC by its UUID (ADDR-1)")
  ) {}

const mpcKey = HttpApiSchema.param("mpcKey", Schema.String)
const memberId = HttpApiSchema.param("memberId", Schema.String)

/**
 * Plivo's MPC object (API-1, SDK-23).
 *
 * @since 0.1.0
 * @category models
 */
export const MpcView = Schema.Struct({
  api_id: Schema.optional(Schema.String),
  billed_amount: Schema.NullOr(Schema.String),
  billed_duration: Schema.NullOr(Schema.Int),
  creation_time: Schema.String,
  duration: Schema.NullOr(Schema.Int),
  end_time: Schema.NullOr(Schema.String),
  friendly_name: Schema.String,
  mpc_uuid: Schema.String,
  participants: Schema.String,
  recording: Schema.NullOr(Schema.String),
  resource_uri: Schema.String,
  start_time: Schema.NullOr(Schema.String),
  status: Schema.String,
  stay_alone: Schema.Boolean,
  sub_account: Schema.NullOr(Schema.String),
  termination_cause: Schema.NullOr(Schema.String),
  termination_cause_code: Schema.NullOr(Schema.Int)
})

/**
 * Plivo's participant object (SDK-20, SDK-22).
 *
 * @since 0.1.0
 * @category models
 */
export const ParticipantView = Schema.Struct({
  api_id: Schema.optional(Schema.String),
  billed_amount: Schema.NullOr(Schema.String),
  billed_duration: Schema.NullOr(Schema.Int),
  call_uuid: Schema.String,
  coach_mode: Schema.NullOr(Schema.Boolean),
  duration: Schema.NullOr(Schema.Int),
  end_mpc_on_exit: Schema.Boolean,
  exit_cause: Schema.NullOr(Schema.String),
  exit_time: Schema.NullOr(Schema.String),
  hold: Schema.NullOr(Schema.Boolean),
  join_time: Schema.String,
  member_address: Schema.String,
  member_id: Schema.String,
  mpc_uuid: Schema.String,
  mute: Schema.NullOr(Schema.Boolean),
  resource_uri: Schema.String,
  role: Schema.String,
  start_mpc_on_enter: Schema.Boolean
})

const Meta = Schema.Struct({
  count: Schema.Number,
  limit: Schema.Number,
  next: Schema.NullOr(Schema.String),
  offset: Schema.Number,
  previous: Schema.NullOr(Schema.String)
})

/**
 * The MPC calls around add participant: get, list, participants, update, kick, end, recording.
 *
 * @since 0.1.0
 * @category api
 */
export class MpcGroup extends HttpApiGroup.make("mpc")
  .add(
    HttpApiEndpoint.get("listMpcs")`/v1/Account/${authId}/MultiPartyCall`
      .setUrlParams(
        Schema.Struct({
          friendly_name: Schema.optional(Schema.String),
          status: Schema.optional(Schema.String),
          limit: Schema.optional(Schema.String),
          offset: Schema.optional(Schema.String)
        })
      )
      .addSuccess(Schema.Struct({ api_id: Schema.String, meta: Meta, objects: Schema.Array(MpcView) }))
  )
  .add(HttpApiEndpoint.get("getMpc")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}`.addSuccess(MpcView))
  .add(
    HttpApiEndpoint.del("endMpc")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.get(
      "listParticipants"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant`.addSuccess(
      Schema.Struct({ api_id: Schema.String, meta: Meta, objects: Schema.Array(ParticipantView) })
    )
  )
  .add(
    HttpApiEndpoint.get(
      "getParticipant"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}`.addSuccess(ParticipantView)
  )
  .add(
    HttpApiEndpoint.post(
      "updateParticipant"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}`
      .setPayload(jsonOrForm(Params.UpdateMember, wireDoc(Params.UpdateMemberParams), "UpdateMemberParams"))
      .addSuccess(
        Schema.Struct({
          api_id: Schema.String,
          mute: Schema.optional(Schema.String),
          hold: Schema.optional(Schema.String),
          coach_mode: Schema.optional(Schema.String)
        }),
        { status: 202 }
      )
  )
  .add(
    HttpApiEndpoint.del(
      "kickParticipant"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post("startRecording")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Record`
      .setPayload(
        jsonOrForm(Params.StartRecording, wireDoc(Params.StartRecordingParams), "StartRecordingParams")
      )
      .addSuccess(
        Schema.Struct({
          api_id: Schema.String,
          message: Schema.String,
          recording_id: Schema.String,
          recording_url: Schema.String,
          request_uuid: Schema.String
        }),
        { status: 202 }
      )
  )
  .add(
    HttpApiEndpoint.del("stopRecording")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Record`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post(
      "pauseRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Record/Pause`.addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post(
      "resumeRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Record/Resume`.addSuccess(HttpApiSchema.NoContent)
  ) {}

/**
 * The MPC calls beyond add participant and its neighbours: start an MPC (SDK-4), a member's own
 * recording (PREC) and audio played to members (PLAY).
 *
 * @since 0.2.0
 * @category groups
 */
export class MediaGroup extends HttpApiGroup.make("media")
  .add(
    HttpApiEndpoint.post("startMpc")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}`
      .setPayload(
        jsonOrForm(
          Params.absentDropped(Media.StartMpcParams),
          wireDoc(Media.StartMpcParams),
          "StartMpcParams"
        )
      )
      .addSuccess(HttpApiSchema.NoContent)
      .annotate(OpenApi.Summary, "Start an MPC that is Initialized (SDK-4)")
  )
  .add(
    HttpApiEndpoint.post(
      "startMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record`
      .setPayload(
        jsonOrForm(
          Params.absentDropped(Media.MemberRecordingParams),
          wireDoc(Media.MemberRecordingParams),
          "MemberRecordingParams"
        )
      )
      .addSuccess(Media.RecordingStartedResponse, { status: 202 })
      .annotate(OpenApi.Summary, "Start a member's own recording (PREC-1, PREC-2)")
  )
  .add(
    HttpApiEndpoint.del(
      "stopMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post(
      "pauseMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record/Pause`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post(
      "resumeMemberRecording"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Participant/${memberId}/Record/Resume`.addSuccess(
      HttpApiSchema.NoContent
    )
  )
  .add(
    HttpApiEndpoint.post("playAudio")`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Member/${memberId}/Play`
      .setPayload(jsonOrForm(Params.absentDropped(Media.PlayParams), wireDoc(Media.PlayParams), "PlayParams"))
      .addSuccess(Media.PlayResponse, { status: 202 })
      .annotate(OpenApi.Summary, "Play audio to members (PLAY-1, PLAY-2)")
  )
  .add(
    HttpApiEndpoint.del(
      "stopAudio"
    )`/v1/Account/${authId}/MultiPartyCall/${mpcKey}/Member/${memberId}/Play`.addSuccess(
      HttpApiSchema.NoContent
    )
  ) {}

/**
 * EMULATOR.md's call object.
 *
 * @since 0.1.0
 * @category models
 */
export const CallView = Schema.Struct({
  call_uuid: Schema.String,
  from: Schema.String,
  to: Schema.String,
  state: Schema.String,
  mpc_uuid: Schema.NullOr(Schema.String),
  member_id: Schema.NullOr(Schema.String),
  hangup_cause: Schema.optional(Schema.String),
  hangup_cause_code: Schema.optional(Schema.Number)
})

/**
 * The network's side (EMULATOR.md), same Basic auth, scoped to the account.
 *
 * @since 0.1.0
 * @category api
 */
export class EmulatorGroup extends HttpApiGroup.make("emulator")
  .add(
    HttpApiEndpoint.post("createCall", "/emulator/v1/calls")
      .setPayload(jsonOrForm(Params.CreateCall, wireDoc(Params.CreateCallParams), "CreateCallParams"))
      .addSuccess(Schema.Struct({ api_id: Schema.String, call_uuid: Schema.String }), { status: 201 })
  )
  .add(
    // Paginated (`limit` 1..1000, default 100; `offset`) and filtered (`state`, `mpc`).
    HttpApiEndpoint.get("listCalls", "/emulator/v1/calls")
      .setUrlParams(
        Schema.Struct({
          limit: Schema.optional(Schema.String),
          offset: Schema.optional(Schema.String),
          state: Schema.optional(Schema.String),
          mpc: Schema.optional(Schema.String)
        })
      )
      .addSuccess(
        Schema.Struct({
          calls: Schema.Array(CallView),
          meta: Schema.Struct({ total: Schema.Number, limit: Schema.Number, offset: Schema.Number })
        })
      )
  )
  .add(
    // DLV-7: callbacks given up on (`limit`, `offset`), oldest first.
    HttpApiEndpoint.get("deadLetters", "/emulator/v1/dead-letters")
      .setUrlParams(
        Schema.Struct({ limit: Schema.optional(Schema.String), offset: Schema.optional(Schema.String) })
      )
      .addSuccess(
        Schema.Struct({
          dead_letters: Schema.Array(Schema.Unknown),
          meta: Schema.Struct({ total: Schema.Number, limit: Schema.Number, offset: Schema.Number }),
          pending: Schema.Number
        })
      )
  )
  .add(
    HttpApiEndpoint.post("answer")`/emulator/v1/calls/${callUuid}/answer`.addSuccess(HttpApiSchema.NoContent)
  )
  .add(HttpApiEndpoint.post("busy")`/emulator/v1/calls/${callUuid}/busy`.addSuccess(HttpApiSchema.NoContent))
  .add(
    HttpApiEndpoint.post("reject")`/emulator/v1/calls/${callUuid}/reject`.addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post("hangup")`/emulator/v1/calls/${callUuid}/hangup`.addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post("digits")`/emulator/v1/calls/${callUuid}/digits`
      .setPayload(jsonOrForm(Params.Digits, wireDoc(Params.DigitsParams), "DigitsParams"))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post("speak")`/emulator/v1/calls/${callUuid}/speak`
      .setPayload(jsonOrForm(Params.Speak, wireDoc(Params.SpeakParams), "SpeakParams"))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("clock", "/emulator/v1/clock").addSuccess(
      Schema.Struct({ now: Schema.String, mode: Schema.Literal("real", "virtual") })
    )
  )
  .add(
    HttpApiEndpoint.post("advance", "/emulator/v1/clock/advance")
      .setPayload(jsonOrForm(Params.Advance, wireDoc(Params.AdvanceParams), "AdvanceParams"))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("trace")`/emulator/v1/mpcs/${mpcUuid}/trace`.addSuccess(Schema.Array(Schema.Unknown))
  ) {}

/**
 * The whole API. Middleware order: `Authorization` runs first (401 before any byte of the body is
 * read), then `BodyLimit`, then the payload's decoding and the handler.
 *
 * @since 0.1.0
 * @category api
 */
export class MpcApi extends HttpApi.make("mpc-kit")
  .add(PlivoGroup.middleware(BodyLimit).middleware(Authorization))
  .add(MpcGroup.middleware(BodyLimit).middleware(Authorization))
  .add(EmulatorGroup.middleware(BodyLimit).middleware(Authorization))
  .add(MediaGroup.middleware(BodyLimit).middleware(Authorization))
  // API-2: every refusal, of any endpoint, is Plivo's {api_id, error}.
  .addError(BadRequest)
  .addError(Unauthorized)
  .addError(NotFound)
  .addError(MethodNotAllowed)
  .addError(Conflict)
  .addError(PayloadTooLarge)
  .addError(TooManyRequests)
  .addError(Internal)
  .annotate(OpenApi.Title, "mpc-kit: a Plivo-compatible multiparty-call emulator") {}
