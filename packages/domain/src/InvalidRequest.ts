/**
 * The refusal of a request: which parameters were wrong and what was expected of each, in words a
 * Plivo user understands, plus Plivo's one-line `error` string.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * One refused parameter: its wire name and what was expected of it.
 *
 * @since 0.1.0
 * @category models
 */
export const ParameterIssue = Schema.Struct({ parameter: Schema.String, message: Schema.String })
/**
 * The type of {@link ParameterIssue}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type ParameterIssue = typeof ParameterIssue.Type

/**
 * A request refused before it changed anything (PARAM-*, API-2). `error` is the one-line form Plivo
 * puts in `{api_id, error}`.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  issues: Schema.NonEmptyArray(ParameterIssue)
}) {
  /** One line naming every refused parameter, e.g. `ring_timeout: expected ... , got "14"`. */
  get error(): string {
    return formatIssues(this.issues)
  }
  override get message(): string {
    return this.error
  }
}

/**
 * `parameter: message` joined by `; `.
 *
 * @since 0.1.0
 * @category errors
 */
export const formatIssues = (issues: ReadonlyArray<ParameterIssue>): string =>
  issues.map((i) => (i.parameter === "" ? i.message : `${i.parameter}: ${i.message}`)).join("; ")

/**
 * Makes an `InvalidRequest` of a single issue.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidParameter = (parameter: string, message: string): InvalidRequest =>
  new InvalidRequest({ issues: [{ parameter, message }] })

/**
 * Turns a Schema parse error into parameter issues: the first path element names the parameter.
 * Issues without a path (the whole body was wrong) are reported under `body`.
 *
 * @since 0.1.0
 * @category errors
 */
export const fromParseError = (error: ParseResult.ParseError, root = "body"): InvalidRequest => {
  const flat = ParseResult.ArrayFormatter.formatErrorSync(error)
  const seen = new Set<string>()
  const issues: Array<ParameterIssue> = []
  for (const item of flat) {
    const head = item.path[0]
    const parameter = head === undefined ? root : String(head)
    const key = `${parameter}\u0000${item.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push({ parameter, message: item.message })
  }
  const [first, ...rest] = issues
  return new InvalidRequest({
    issues: first === undefined ? [{ parameter: root, message: "is invalid" }] : [first, ...rest]
  })
}

/**
 * Describes a received value briefly, for messages: `"14"`, `14`, `null`, `a list`, `an object`.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeValue = (u: unknown): string => {
  switch (typeof u) {
    case "string":
      return JSON.stringify(u.length > 60 ? `${u.slice(0, 57)}...` : u)
    case "number":
    case "boolean":
    case "bigint":
      return String(u)
    case "undefined":
      return "nothing"
    case "object":
      if (u === null) return "null"
      return Array.isArray(u) ? `a list of ${u.length} values (a parameter takes one value)` : "an object"
    default:
      return `a ${typeof u}`
  }
}
