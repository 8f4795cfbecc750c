/**
 * The rules report: which rules of `RULES.md` are named by code (`packages/<pkg>/src/`) and by tests
 * (`test/`, `packages/<pkg>/test/`, `*.test.ts`). Fails when a rule has no test naming it, unless its
 * family is `--pending`.
 *
 *   pnpm rules -- [--pending API,ADDR] [--family PARAM] [--json]
 *
 * `RULES.md` is `$MPC_RULES` when set, else `../shared/spec/RULES.md` beside the repository root.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import {
  classify,
  exitStatus,
  findIds,
  type Options,
  parseArgs,
  parseRules,
  type Rule,
  type Status,
  statusOf
} from "./rules.js"

const usage = `usage: node build/scripts/scripts/rules-report.js [--pending FAMILY[,FAMILY]] [--family FAMILY[,FAMILY]] [--json]

  --pending API,ADDR  rules of these families without a test are reported as pending, not failing
  --family PARAM      report only these families
  --json              print [{id, family, tags, title, code, tests, status}] instead of a table

Exit status: 0 when every reported rule is named by a test (or pending), 1 when not, 2 on a usage error.
RULES.md is read from $MPC_RULES when set, else from ../shared/spec/RULES.md beside the repository root.`

/** Directories never scanned, at any depth. */
const skippedDirectories = new Set(["node_modules", "dist", "build", ".git"])

/**
 * Files whose rule IDs are fixtures, not claims: the report's own tests name rules (`PARAM-1`,
 * `CB-20`, …) to test the matching, which must not count as testing those rules.
 */
const ignoredFiles = new Set(["test/rulesReport.test.ts"])

/** A report row: a rule and the files naming it. */
interface Row extends Rule {
  readonly code: ReadonlyArray<string>
  readonly tests: ReadonlyArray<string>
  readonly status: Status
}

/** The nearest directory at or above `from` holding `pnpm-workspace.yaml`. */
const findRoot = (from: string): string | undefined => {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** The path of `RULES.md`, or an error message naming where it was looked for. */
const locateRules = (root: string): string | { readonly error: string } => {
  const fromEnv = process.env.MPC_RULES
  if (fromEnv !== undefined && fromEnv !== "") {
    const path = resolve(fromEnv)
    return existsSync(path) ? path : { error: `RULES.md not found at $MPC_RULES=${fromEnv} (${path})` }
  }
  const path = resolve(root, "..", "shared", "spec", "RULES.md")
  return existsSync(path)
    ? path
    : { error: `RULES.md not found at ${path}: check out shared/ beside the repository, or set MPC_RULES` }
}

/** Every TypeScript file under `dir`, as `/`-separated paths relative to `root`, sorted. */
const typeScriptFiles = (root: string, dir: string = root): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((entry): ReadonlyArray<string> => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return skippedDirectories.has(entry.name) ? [] : typeScriptFiles(root, path)
      return entry.isFile() && /\.[cm]?tsx?$/.test(entry.name)
        ? [relative(root, path).split(sep).join("/")]
        : []
    })
    .sort()

/** For each code and test file, the rule IDs it names. */
const scan = (
  root: string
): ReadonlyArray<{ path: string; kind: "code" | "test"; ids: ReadonlySet<string> }> =>
  typeScriptFiles(root).flatMap((path) => {
    const kind = classify(path)
    if (kind === "other" || ignoredFiles.has(path)) return []
    return [{ path, kind, ids: findIds(readFileSync(join(root, path), "utf8")) }]
  })

/** The report rows, one per rule in `RULES.md` order. */
const buildRows = (
  rules: ReadonlyArray<Rule>,
  files: ReturnType<typeof scan>,
  options: Options
): Array<Row> =>
  rules.map((rule) => {
    const naming = (kind: "code" | "test") =>
      files.filter((f) => f.kind === kind && f.ids.has(rule.id)).map((f) => f.path)
    const tests = naming("test")
    return { ...rule, code: naming("code"), tests, status: statusOf(rule, tests.length, options.pending) }
  })

/** A test file's path, shortened for the table: `packages/domain/test/X.test.ts` → `domain/X.test.ts`. */
const shorten = (path: string): string => path.replace(/^packages\/([^/]+)\/test\//, "$1/")

/** Pads every column but the last to its widest cell. */
const formatTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** The human-readable report: the table, then the missing rules, then the summary line. */
const formatReport = (rows: ReadonlyArray<Row>): string => {
  const table = formatTable(
    ["ID", "tags", "status", "code", "tests", "test files"],
    rows.map((r) => [
      r.id,
      r.tags.join(","),
      r.status === "missing" ? "MISSING" : r.status,
      String(r.code.length),
      String(r.tests.length),
      r.tests.map(shorten).join(", ")
    ])
  )
  const count = (status: Status) => rows.filter((r) => r.status === status).length
  const missing = rows.filter((r) => r.status === "missing")
  const pendingFamilies = [...new Set(rows.filter((r) => r.status === "pending").map((r) => r.family))]
  const summary =
    `${count("ok")} of ${rows.length} rules named by a test; ${rows.filter((r) => r.code.length > 0).length} by code` +
    (pendingFamilies.length > 0 ? `; ${count("pending")} pending (${pendingFamilies.join(", ")})` : "") +
    (missing.length > 0 ? `; ${missing.length} missing a test` : "")
  const missingList =
    missing.length > 0
      ? `\n\nNo test names these rules:\n${missing.map((r) => `  ${r.id.padEnd(10)} ${r.title}`).join("\n")}`
      : ""
  return `${table}${missingList}\n\n${summary}`
}

/** The JSON report: the rows as plain objects, in a stable key order. */
const formatJson = (rows: ReadonlyArray<Row>): string =>
  JSON.stringify(
    rows.map(({ id, family, tags, title, code, tests, status }) => ({
      id,
      family,
      tags,
      title,
      code,
      tests,
      status
    })),
    null,
    2
  )

/** Runs the report; returns the exit status. */
const main = (argv: ReadonlyArray<string>): number => {
  const options = parseArgs(argv)
  if (typeof options === "string") {
    console.error(`rules-report: ${options}\n\n${usage}`)
    return 2
  }
  if (options.help) {
    console.log(usage)
    return 0
  }
  const root = findRoot(import.meta.dirname)
  if (root === undefined) {
    console.error(`rules-report: no pnpm-workspace.yaml at or above ${import.meta.dirname}`)
    return 2
  }
  const rulesPath = locateRules(root)
  if (typeof rulesPath !== "string") {
    console.error(`rules-report: ${rulesPath.error}`)
    return 2
  }
  const allRules = parseRules(readFileSync(rulesPath, "utf8"))
  if (allRules.length === 0) {
    console.error(`rules-report: no rule (a line "- ID [tag] …") in ${rulesPath}`)
    return 2
  }
  const unknown = options.families.filter((f) => !allRules.some((r) => r.family === f))
  if (unknown.length > 0) {
    const known = [...new Set(allRules.map((r) => r.family))].join(", ")
    console.error(`rules-report: --family ${unknown.join(",")}: no such family in RULES.md (${known})`)
    return 2
  }
  const rules =
    options.families.length > 0 ? allRules.filter((r) => options.families.includes(r.family)) : allRules
  const rows = buildRows(rules, scan(root), options)
  console.log(options.json ? formatJson(rows) : formatReport(rows))
  return exitStatus(rows.map((r) => r.status))
}

process.exitCode = main(process.argv.slice(2))
