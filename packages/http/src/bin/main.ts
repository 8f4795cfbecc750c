#!/usr/bin/env node
/**
 * The `decode` command (`pnpm decode` in the repository; see `DecodeCli.ts`): decodes one
 * add-participant request and prints it with its defaults, or the parameters at fault.
 */
import { readFileSync } from "node:fs"
import { run } from "../DecodeCli.js"

const readStdin = (): string => {
  if (process.stdin.isTTY) return ""
  try {
    return readFileSync(0, "utf8")
  } catch {
    return ""
  }
}

const args = process.argv.slice(2)
const outcome = run(args[0] === "decode" ? args.slice(1) : args, readStdin)
;(outcome.exitCode === 0 ? process.stdout : process.stderr).write(`${outcome.stdout}\n`)
process.exitCode = outcome.exitCode
