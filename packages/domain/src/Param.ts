/**
 * Building blocks for wire parameters: each one accepts what Plivo's clients send (JSON values or
 * form strings), decodes to a precise value, encodes back to a canonical wire value, and fails with
 * one message that says what was expected and what arrived.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { describeValue } from "./InvalidRequest.js"

/**
 * A parse failure with a detail that sharpens the generic "expected ..." message.
 *
 * @since 0.1.0
 * @category decoding
 */
export class Invalid {
  constructor(readonly detail: string) {}
}

/** The detail of the innermost issue that carries one, if any. */
const detailOf = (issue: ParseResult.ParseIssue): string | undefined => {
  switch (issue._tag) {
    case "Type":
      return issue.message
    case "Transformation":
    case "Refinement":
      return detailOf(issue.issue)
    default:
      return undefined
  }
}

/**
 * A `message` annotation that replaces Schema's own wording (and the `undefined` branches of
 * optional keys) with `expected <what>, got <value>`, plus the parser's detail when it gave one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const expected = (what: string) => (issue: ParseResult.ParseIssue) => {
  const detail =
    issue._tag === "Transformation" && issue.kind === "Transformation" ? detailOf(issue) : undefined
  return {
    message: `expected ${what}, got ${describeValue(issue.actual)}${detail === undefined ? "" : ` (${detail})`}`,
    override: true
  }
}

/**
 * A wire value: what JSON and form bodies carry for a scalar parameter.
 *
 * @since 0.1.0
 * @category models
 */
export type WireScalar = string | number | boolean

/**
 * A parameter from its wire form `I` to its decoded form `A`.
 *
 * `parse` returns the decoded value, or `undefined` / an `Invalid` when the value is refused;
 * `format` gives the canonical wire value of a decoded one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const param = <A, I extends WireScalar, T = A>(options: {
  readonly expected: string
  readonly encoded: Schema.Schema<I>
  readonly type: Schema.Schema<A, T>
  readonly parse: (i: I) => A | Invalid | undefined
  readonly format: (a: A) => I
}): Schema.Schema<A, I> =>
  Schema.transformOrFail(options.encoded, Schema.typeSchema(options.type), {
    strict: true,
    decode: (i, _, ast) => {
      const a = options.parse(i)
      if (a === undefined) return ParseResult.fail(new ParseResult.Type(ast, i))
      if (a instanceof Invalid) return ParseResult.fail(new ParseResult.Type(ast, i, a.detail))
      return ParseResult.succeed(a)
    },
    encode: (a) => ParseResult.succeed(options.format(a))
  }).annotations({ message: expected(options.expected) })

/**
 * Strings only.
 *
 * @since 0.1.0
 * @category models
 */
export const WireString = Schema.String

// The two unions below are written as guards: Schema's general union matching costs more than the
// rest of a parameter's decoding, and the parameter's message replaces the union's anyway.

/**
 * A number or its decimal string (SDKs send both).
 *
 * @since 0.1.0
 * @category models
 */
export const WireNumber: Schema.Schema<string | number> = Schema.declare(
  (u): u is string | number => typeof u === "string" || typeof u === "number",
  {
    identifier: "NumberOrString",
    jsonSchema: { anyOf: [{ type: "number" }, { type: "string" }] },
    arbitrary: () => (fc) => fc.oneof(fc.integer(), fc.string())
  }
)
/**
 * A boolean or the string `true` / `false` (SDKs send both).
 *
 * @since 0.1.0
 * @category models
 */
export const WireBoolean: Schema.Schema<string | boolean> = Schema.declare(
  (u): u is string | boolean => typeof u === "string" || typeof u === "boolean",
  {
    identifier: "BooleanOrString",
    jsonSchema: { anyOf: [{ type: "boolean" }, { type: "string" }] },
    arbitrary: () => (fc) => fc.oneof(fc.boolean(), fc.constantFrom("true", "false"))
  }
)

const digits = /^[0-9]{1,9}$/

/**
 * An integer from a number or a string of decimal digits; `undefined` otherwise.
 *
 * @since 0.1.0
 * @category decoding
 */
export const toInt = (i: string | number): number | undefined => {
  if (typeof i === "number") return Number.isSafeInteger(i) ? i : undefined
  return digits.test(i) ? Number(i) : undefined
}

/**
 * PARAM-8, PARAM-9, PARAM-10, PARAM-11, PARAM-13: an integer in `[min, max]`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const intParam = <A extends number, T>(type: Schema.Schema<A, T>, min: number, max: number) =>
  param<A, string | number, T>({
    expected: `an integer from ${min} to ${max}`,
    encoded: WireNumber,
    type,
    parse: (i) => {
      const n = toInt(i)
      return n !== undefined && n >= min && n <= max ? (n as A) : undefined
    },
    format: (a) => a
  })

/**
 * PARAM-8, PARAM-9: one integer in `[min, max]`, or several joined by `<` (one per destination;
 * their count is checked against the destinations once `to` is known).
 *
 * @since 0.1.0
 * @category decoding
 */
export const intListParam = <T>(type: Schema.Schema<number, T>, min: number, max: number) =>
  param<readonly [number, ...Array<number>], string | number, readonly [T, ...Array<T>]>({
    expected: `an integer from ${min} to ${max}, or one per destination joined by '<'`,
    encoded: WireNumber,
    type: Schema.NonEmptyArray(type),
    parse: (i) => {
      const parts = typeof i === "number" ? [i] : i.split("<")
      const out: Array<number> = []
      for (let k = 0; k < parts.length; k++) {
        const n = toInt(parts[k]!)
        if (n === undefined || n < min || n > max) {
          return parts.length === 1
            ? undefined
            : new Invalid(`value ${k + 1} (${describeValue(parts[k])}) is out of range`)
        }
        out.push(n)
      }
      return out as unknown as readonly [number, ...Array<number>]
    },
    format: (a) => (a.length === 1 ? a[0] : a.join("<"))
  })

/**
 * PARAM-15 and the other booleans: `true` / `false`, native or as a string in any case.
 *
 * @since 0.1.0
 * @category decoding
 */
export const BooleanParam = param<boolean, boolean | string>({
  expected: "true or false",
  encoded: WireBoolean,
  type: Schema.Boolean,
  parse: (i) => {
    if (typeof i === "boolean") return i
    const s = i.toLowerCase()
    return s === "true" ? true : s === "false" ? false : undefined
  },
  format: (a) => a
})

/**
 * A closed set of words matched case-insensitively and spelled canonically once decoded
 * (PARAM-1 roles, PARAM-6 verbs, PARAM-12 formats).
 *
 * @since 0.1.0
 * @category decoding
 */
export const wordParam = <const W extends ReadonlyArray<string>>(words: W) => {
  const byLower = new Map<string, W[number]>(words.map((w) => [w.toLowerCase(), w]))
  return param<W[number], string>({
    expected: `one of ${words.join(", ")}`,
    encoded: WireString,
    type: Schema.Literal(...words),
    parse: (i) => byLower.get(i.toLowerCase()),
    format: (a) => a
  })
}
