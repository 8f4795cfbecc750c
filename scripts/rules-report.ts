/**
 * The rules report: which rules of `spec/*.md` are named by code (`packages/<pkg>/src/`) and by the
 * names of tests that passed in the last run (vitest's JSON results, `build/vitest.json`). Fails when
 * a rule has no test naming it (unless its family is `--pending`), when such a test did not pass, or
 * when `docs/CONFORMANCE.md` differs from the page this run generates (`--write` rewrites it).
 *
 *   pnpm rules -- [--write] [--results PATH] [--pending API,ADDR] [--family PARAM] [--json]
 */
import { findRoot, run } from "./rules-run.js"

const root = findRoot(import.meta.dirname)
if (root === undefined) {
  console.error(`rules-report: no pnpm-workspace.yaml at or above ${import.meta.dirname}`)
  process.exitCode = 2
} else {
  process.exitCode = run(root, process.argv.slice(2), {
    out: (text) => console.log(text),
    err: (text) => console.error(text)
  })
}
