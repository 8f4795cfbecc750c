/**
 * The emulator's HTTP surface as an `@effect/platform` HttpApi: Plivo's MPC calls under
 * `/v1/Account/{auth_id}/MultiPartyCall/`, and the network's side under `/emulator/v1/`
 * (EMULATOR.md). The declared payloads document the wire forms in OpenAPI; handlers read bodies
 * themselves so that every refusal is Plivo's `{api_id, error}` (API-2).
 *
 * @since 0.1.0
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { AddParticipantParams } from "@mpc-kit/domain"
import * as Schema from "effect/Schema"
import * as Params from "./Params.js"

const authId = HttpApiSchema.param("authId", Schema.String)
const mpcName = HttpApiSchema.param("mpcName", Schema.String)
const mpcUuid = HttpApiSchema.param("mpcUuid", Schema.String)
const callUuid = HttpApiSchema.param("callUuid", Schema.String)

/** API-1: the add-participant response. */
export const AddParticipantResponse = Schema.Struct({
  api_id: Schema.String,
  calls: Schema.Array(Schema.Struct({ to: Schema.String, from: Schema.String, call_uuid: Schema.String })),
  message: Schema.String,
  request_uuid: Schema.String
})

/** API-2: every refusal. */
export const PlivoError = Schema.Struct({ api_id: Schema.String, error: Schema.String })

/**
 * A body taken as JSON or as a form (the same fields; a form's values are strings), documented as
 * both. The handlers decode it with the domain's schemas.
 */
const jsonOrForm = <A, I>(schema: Schema.Schema<A, I>) => {
  const wire = Schema.encodedSchema(schema)
  // The form documents the same fields; its values arrive as strings (decoded by the domain).
  const form = wire as unknown as Schema.Schema<unknown, Readonly<Record<string, string | undefined>>>
  return Schema.Union(wire, form.pipe(HttpApiSchema.withEncoding({ kind: "UrlParams" })))
}

/** The wire parameters, as JSON or a form (documentation of the payload; decoding is the domain's). */
const AddParticipantPayload = jsonOrForm(AddParticipantParams.AddParticipantParamsFields)

/** Plivo's MPC API (Basic auth, API-3). */
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

/** Plivo's MPC object (API-1). */
export const MpcView = Schema.Struct({
  api_id: Schema.optional(Schema.String),
  billed_amount: Schema.NullOr(Schema.String),
  billed_duration: Schema.NullOr(Schema.String),
  creation_time: Schema.String,
  duration: Schema.NullOr(Schema.String),
  end_time: Schema.NullOr(Schema.String),
  friendly_name: Schema.String,
  mpc_uuid: Schema.String,
  participants: Schema.String,
  recording: Schema.String,
  resource_uri: Schema.String,
  start_time: Schema.NullOr(Schema.String),
  status: Schema.String,
  stay_alone: Schema.Boolean,
  sub_account: Schema.Null,
  termination_cause: Schema.NullOr(Schema.String),
  termination_cause_code: Schema.NullOr(Schema.Number)
})

/** Plivo's participant object. */
export const ParticipantView = Schema.Struct({
  billed_amount: Schema.Null,
  billed_duration: Schema.Null,
  call_uuid: Schema.String,
  coach_mode: Schema.Boolean,
  duration: Schema.Null,
  end_mpc_on_exit: Schema.Boolean,
  exit_cause: Schema.Null,
  exit_time: Schema.Null,
  hold: Schema.Boolean,
  join_time: Schema.String,
  member_id: Schema.String,
  mpc_uuid: Schema.String,
  mute: Schema.Boolean,
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

/** The MPC calls around add participant: get, list, participants, update, kick, end, recording. */
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
      .setPayload(jsonOrForm(Params.UpdateMemberParams))
      .addSuccess(
        Schema.Struct({
          api_id: Schema.String,
          message: Schema.String,
          mute: Schema.optional(Schema.Boolean),
          hold: Schema.optional(Schema.Boolean),
          coach_mode: Schema.optional(Schema.Boolean)
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
      .setPayload(jsonOrForm(Params.StartRecordingParams))
      .addSuccess(
        Schema.Struct({
          api_id: Schema.String,
          message: Schema.String,
          recording_id: Schema.String,
          recording_url: Schema.String
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

/** EMULATOR.md's call object. */
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

/** The network's side (EMULATOR.md), same Basic auth, scoped to the account. */
export class EmulatorGroup extends HttpApiGroup.make("emulator")
  .add(
    HttpApiEndpoint.post("createCall", "/emulator/v1/calls")
      .setPayload(Params.CreateCallParams)
      .addSuccess(Schema.Struct({ call_uuid: Schema.String }), { status: 201 })
  )
  .add(
    // Paginated (`limit` 1..1000, default 100; `offset`) and filtered (`state`, `mpc`).
    HttpApiEndpoint.get("listCalls", "/emulator/v1/calls").addSuccess(
      Schema.Struct({
        calls: Schema.Array(CallView),
        meta: Schema.Struct({ total: Schema.Number, limit: Schema.Number, offset: Schema.Number })
      })
    )
  )
  .add(
    // DLV-7: callbacks given up on (`limit`, `offset`), oldest first.
    HttpApiEndpoint.get("deadLetters", "/emulator/v1/dead-letters").addSuccess(
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
      .setPayload(Params.DigitsParams)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post("speak")`/emulator/v1/calls/${callUuid}/speak`
      .setPayload(Params.SpeakParams)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("clock", "/emulator/v1/clock").addSuccess(
      Schema.Struct({ now: Schema.String, mode: Schema.Literal("real", "virtual") })
    )
  )
  .add(
    HttpApiEndpoint.post("advance", "/emulator/v1/clock/advance")
      .setPayload(Params.AdvanceParams)
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("trace")`/emulator/v1/mpcs/${mpcUuid}/trace`.addSuccess(Schema.Array(Schema.Unknown))
  ) {}

/** The whole API. */
export class MpcApi extends HttpApi.make("mpc-kit")
  .add(PlivoGroup)
  .add(MpcGroup)
  .add(EmulatorGroup)
  // API-2: every refusal, of any endpoint, is Plivo's {api_id, error}.
  .addError(PlivoError, { status: 400 })
  .addError(PlivoError, { status: 401 })
  .addError(PlivoError, { status: 404 })
  .addError(PlivoError, { status: 405 })
  .addError(PlivoError, { status: 409 })
  .addError(PlivoError, { status: 413 })
  .addError(PlivoError, { status: 429 })
  .addError(PlivoError, { status: 500 })
  .annotate(OpenApi.Title, "mpc-kit: a Plivo-compatible multiparty-call emulator") {}
