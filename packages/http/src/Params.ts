/**
 * The bodies of the calls around add participant (update, start recording) and of the network
 * control API, decoded by the domain's parameter schemas: JSON or form, every error naming its
 * field (API-2).
 *
 * @since 0.1.0
 */
import { AddParticipantParams, Param } from "@mpc-kit/domain"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const opt = <A, I>(s: Schema.Schema<A, I>) => Schema.optionalWith(s, { exact: true })

/**
 * Update member: mute, hold, coach_mode (PARAM-15's booleans).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateMemberParams = Schema.Struct({
  mute: opt(Param.BooleanParam),
  hold: opt(Param.BooleanParam),
  coach_mode: opt(Param.BooleanParam)
})

/**
 * Start recording: the file format (PARAM-12), the callback URL (PARAM-18) and method (PARAM-6).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StartRecordingParams = Schema.Struct({
  file_format: opt(AddParticipantParams.RecordFileFormatParam),
  recording_callback_url: opt(AddParticipantParams.UrlParam),
  recording_callback_method: opt(AddParticipantParams.MethodParam)
})

/**
 * The network control API's bodies.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateCallParams = Schema.Struct({ from: Schema.String, to: Schema.String })
/**
 * The body of `digits`: the DTMF keys a callee presses.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DigitsParams = Schema.Struct({ digits: Schema.String.pipe(Schema.pattern(/^[0-9#*]{1,64}$/)) })
/**
 * The body of `speak`: whether the callee starts or stops speaking.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SpeakParams = Schema.Struct({ speaking: Schema.Boolean })

/**
 * The longest a virtual clock moves in one call: 30 days.
 *
 * @since 0.1.0
 * @category limits
 */
export const MaxAdvanceSeconds = 30 * 24 * 3600
/**
 * The body of `clock/advance`: how many seconds the virtual clock moves, at most {@link MaxAdvanceSeconds}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AdvanceParams = Schema.Struct({
  seconds: Schema.Number.pipe(Schema.finite(), Schema.between(0, MaxAdvanceSeconds))
})

/**
 * A JSON or form body as a record, before the schema: `undefined` when it is neither an object nor
 * a form. Empty values of a form or `null`s count as absent (as the emulator always took them).
 *
 * @since 0.1.0
 * @category decoding
 */
export const toRecord = (
  text: string,
  contentType: string | undefined
): Record<string, unknown> | undefined => {
  if (text.trim() === "") return {}
  const type = (contentType ?? "").toLowerCase()
  let raw: unknown
  if (type.includes("application/x-www-form-urlencoded")) raw = AddParticipantParams.formToRecord(text)
  else {
    try {
      raw = JSON.parse(text)
    } catch {
      return undefined
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(raw)) if (v !== null && v !== "") out[k] = v
  return out
}

/**
 * Decodes a body with a schema; the error names every field at fault (`field: message`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  text: string,
  contentType: string | undefined
): Either.Either<A, string> => {
  const record = toRecord(text, contentType)
  if (record === undefined) return Either.left("body: expected a JSON object or a form")
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })(record),
    (e) =>
      ParseResult.ArrayFormatter.formatErrorSync(e)
        .map((i) => `${i.path.length === 0 ? "body" : i.path.join(".")}: ${i.message}`)
        .join("; ")
  )
}
