/** Checks a JSON value against a reference shape; returns what differs, in words (empty when it matches). */
import type { Kind, ObjectShape } from "./shapes.js"

export const kindOf = (v: unknown): Kind => {
  if (v === null) return "null"
  if (Array.isArray(v)) return v.every((x) => typeof x === "string") && v.length > 0 ? "string[]" : "array"
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number"
  if (typeof v === "string") return "string"
  if (typeof v === "boolean") return "boolean"
  return "object"
}

const fits = (v: unknown, kinds: ReadonlyArray<Kind>): boolean => {
  const k = kindOf(v)
  return (
    kinds.includes(k) ||
    (k === "integer" && kinds.includes("number")) ||
    (k === "string[]" && kinds.includes("array"))
  )
}

export const check = (value: unknown, shape: ObjectShape, at = "body"): Array<string> => {
  if (kindOf(value) !== "object") return [`${at} is ${kindOf(value)}, not an object`]
  const o = value as Record<string, unknown>
  const problems: Array<string> = []
  const allowed = { ...shape.required, ...shape.optional }
  for (const key of Object.keys(shape.required)) if (!(key in o)) problems.push(`${at}.${key} is missing`)
  for (const [key, v] of Object.entries(o)) {
    const kinds = allowed[key]
    if (kinds === undefined) problems.push(`${at}.${key} is not in Plivo's shape`)
    else if (!fits(v, kinds))
      problems.push(`${at}.${key} is ${kindOf(v)} (${JSON.stringify(v)}), not ${kinds.join("|")}`)
    const form = shape.values?.[key]
    if (form !== undefined && typeof v === "string" && !form.test(v))
      problems.push(`${at}.${key} is ${JSON.stringify(v)}, not of the form ${form.source}`)
    const inner = shape.nested?.[key]
    if (inner === undefined) continue
    if (Array.isArray(v)) {
      v.forEach((x, k) => {
        problems.push(...check(x, inner, `${at}.${key}[${k}]`))
      })
    } else problems.push(...check(v, inner, `${at}.${key}`))
  }
  for (const invariant of shape.invariants ?? []) problems.push(...invariant(o).map((p) => `${at}: ${p}`))
  return problems
}

/** The SDK's renaming of response keys (lodash `camelCase` on snake_case keys). */
export const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
