/**
 * The `decode` command: reads one add-participant request (a JSON object or a form string) and
 * prints the decoded request with every default applied, or the parameters at fault.
 *
 * @since 0.1.0
 */

import { parseArgs } from "node:util"
import { AddParticipantParams, MpcName } from "@mpc-kit/domain"
import * as Either from "effect/Either"

/**
 * What the command prints and the exit code it ends with.
 *
 * @since 0.1.0
 * @category cli
 */
export interface Outcome {
  readonly stdout: string
  readonly exitCode: 0 | 1 | 2
}

/**
 * The `decode` command's help text.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage = `usage: mpc-kit decode [--name MPC_NAME] [REQUEST | -]
       mpc-kit decode --help

Decodes a Plivo add-participant request and prints it with every default applied,
or prints the parameters at fault (exit code 1).

REQUEST is a JSON object ('{"role":"agent","from":"+12025550000","to":"+12025551111"}')
or a form body ('role=agent&from=%2B12025550000&to=%2B12025551111'); '-' or nothing reads it
from standard input.`

const options = { name: { type: "string" }, help: { type: "boolean", short: "h" } } as const

/** Node's `parseArgs` error in one line. */
const argsError = (e: unknown): string => {
  const text = (e instanceof Error ? e.message : String(e)).split("\n")[0]!
  const unknown = /^Unknown option '([^']+)'/.exec(text)
  if (unknown !== null) return `unknown option ${unknown[1]}`
  const missing = /^Option '(--[a-z-]+)[^']*' argument (missing|is ambiguous)/.exec(text)
  return missing !== null ? `${missing[1]} needs a value` : text
}

/**
 * Runs the command on its arguments (read by node's `util.parseArgs`) and the request text. Never throws.
 *
 * @since 0.1.0
 * @category cli
 */
export const run = (args: ReadonlyArray<string>, readInput: () => string): Outcome => {
  const read = Either.try({
    try: () => parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    catch: argsError
  })
  if (Either.isLeft(read)) return { stdout: `${read.left}\n\n${usage}`, exitCode: 2 }
  const parsed = read.right
  if (parsed.values.help === true) return { stdout: usage, exitCode: 0 }
  const { name } = parsed.values
  const [input, extra] = parsed.positionals
  if (extra !== undefined)
    return { stdout: `unexpected argument ${JSON.stringify(extra)}\n\n${usage}`, exitCode: 2 }
  const text = input === undefined || input === "-" ? readInput() : input
  const trimmed = text.trim()
  const decoded =
    trimmed.startsWith("{") || trimmed.startsWith("[")
      ? AddParticipantParams.decodeJson(trimmed)
      : AddParticipantParams.decodeForm(trimmed)
  const mpcName = name === undefined ? undefined : MpcName.decode(name)
  const issues = [
    ...(mpcName !== undefined && Either.isLeft(mpcName) ? mpcName.left.issues : []),
    ...(Either.isLeft(decoded) ? decoded.left.issues : [])
  ]
  if (issues.length > 0) {
    const error = issues.map((i) => `${i.parameter}: ${i.message}`).join("; ")
    return { stdout: JSON.stringify({ error, issues }, null, 2), exitCode: 1 }
  }
  const request = Either.getOrThrow(decoded)
  return {
    stdout: JSON.stringify(name === undefined ? { request } : { mpc_name: name, request }, null, 2),
    exitCode: 0
  }
}
