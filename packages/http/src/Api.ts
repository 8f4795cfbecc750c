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

/** The wire parameters, as JSON or a form (documentation of the payload; decoding is the domain's). */
const AddParticipantPayload = Schema.encodedSchema(AddParticipantParams.AddParticipantParamsFields)

/** Plivo's MPC API (Basic auth, API-3). */
export class PlivoGroup extends HttpApiGroup.make("plivo")
  .add(
    HttpApiEndpoint.post(
      "addParticipantByName"
    )`/v1/Account/${authId}/MultiPartyCall/name_${mpcName}/Participant`
      .setPayload(AddParticipantPayload)
      .addSuccess(AddParticipantResponse, { status: 201 })
      .addError(PlivoError, { status: 400 })
      .annotate(OpenApi.Summary, "Add a participant to the MPC of this friendly name (ADDR-1, ADDR-2)")
  )
  .add(
    HttpApiEndpoint.post(
      "addParticipantByUuid"
    )`/v1/Account/${authId}/MultiPartyCall/uuid_${mpcUuid}/Participant`
      .setPayload(AddParticipantPayload)
      .addSuccess(AddParticipantResponse, { status: 201 })
      .addError(PlivoError, { status: 404 })
      .annotate(OpenApi.Summary, "Add a participant to an ongoing MPC by its UUID (ADDR-1)")
  ) {}

const CallView = Schema.Struct({
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
      .setPayload(Schema.Struct({ from: Schema.String, to: Schema.String }))
      .addSuccess(Schema.Struct({ call_uuid: Schema.String }), { status: 201 })
  )
  .add(
    HttpApiEndpoint.get("listCalls", "/emulator/v1/calls").addSuccess(
      Schema.Struct({ calls: Schema.Array(CallView) })
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
      .setPayload(Schema.Struct({ digits: Schema.String }))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.post("speak")`/emulator/v1/calls/${callUuid}/speak`
      .setPayload(Schema.Struct({ speaking: Schema.Boolean }))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("clock", "/emulator/v1/clock").addSuccess(
      Schema.Struct({ now: Schema.String, mode: Schema.Literal("real", "virtual") })
    )
  )
  .add(
    HttpApiEndpoint.post("advance", "/emulator/v1/clock/advance")
      .setPayload(Schema.Struct({ seconds: Schema.Number }))
      .addSuccess(HttpApiSchema.NoContent)
  )
  .add(
    HttpApiEndpoint.get("trace")`/emulator/v1/mpcs/${mpcUuid}/trace`.addSuccess(Schema.Array(Schema.Unknown))
  ) {}

/** The whole API. */
export class MpcApi extends HttpApi.make("mpc-kit")
  .add(PlivoGroup)
  .add(EmulatorGroup)
  .annotate(OpenApi.Title, "mpc-kit: a Plivo-compatible multiparty-call emulator") {}
