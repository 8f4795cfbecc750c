/**
 * The bodies of the calls around add participant (update, start recording) and of the network
 * control API, decoded by the domain's parameter schemas: JSON or form, every error naming its
 * field (API-2).
 *
 * @since 0.1.0
 */
import { AddParticipantParams, Param } from "@mpc-kit/domain"
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
/** @since 0.1.0 @category schemas */
export const DigitsParams = Schema.Struct({ digits: Schema.String.pipe(Schema.pattern(/^[0-9#*]{1,64}$/)) })
/** @since 0.1.0 @category schemas */
export const SpeakParams = Schema.Struct({ speaking: Schema.Boolean })

/**
 * The longest a virtual clock moves in one call: 30 days.
 *
 * @since 0.1.0
 * @category limits
 */
export const MaxAdvanceSeconds = 30 * 24 * 3600
/** @since 0.1.0 @category schemas */
export const AdvanceParams = Schema.Struct({
  seconds: Schema.Number.pipe(Schema.finite(), Schema.between(0, MaxAdvanceSeconds))
})

const isAbsent = (u: unknown) => u === null || u === undefined || u === ""

/**
 * A body's parameters decoded by `schema`, where a `null` or an empty value counts as absent (as
 * the domain's add-participant parameters take them).
 */
const absentDropped = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.transform(
    Schema.declare(
      (u): u is { readonly [key: string]: unknown } =>
        typeof u === "object" && u !== null && !Array.isArray(u),
      { message: () => ({ message: "expected a JSON object or a form", override: true }) }
    ),
    schema as unknown as Schema.Schema<A, { readonly [key: string]: unknown }>,
    {
      strict: false,
      decode: (record) => {
        const out: Record<string, unknown> = {}
        for (const key in record) if (!isAbsent(record[key])) out[key] = record[key]
        return out
      },
      encode: (a) => a
    }
  )

/**
 * The payloads' decoding schemas (absent values dropped, then the fields' schema).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateMember = absentDropped(UpdateMemberParams)
/** @since 0.1.0 @category schemas */
export const StartRecording = absentDropped(StartRecordingParams)
/** @since 0.1.0 @category schemas */
export const CreateCall = absentDropped(CreateCallParams)
/** @since 0.1.0 @category schemas */
export const Digits = absentDropped(DigitsParams)
/** @since 0.1.0 @category schemas */
export const Speak = absentDropped(SpeakParams)
/** @since 0.1.0 @category schemas */
export const Advance = absentDropped(AdvanceParams)
