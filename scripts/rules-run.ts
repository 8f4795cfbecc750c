/**
 * The rules report's run: reads every `spec/*.md`, the sources under `packages/<pkg>/src/` and the
 * vitest JSON results, prints which rules are named by code and by tests, and checks (or, with
 * `--write`, rewrites) the conformance page. `rules-report.ts` calls it on the repository; the tests
 * call it on a scratch directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import {
  buildRows,
  checkRules,
  classify,
  exitStatus,
  parseArgs,
  parseRules,
  type Row,
  type Rule,
  type Status
} from "./rules.js"
import { firstDifference, pagePath, refreshCommand, renderPage } from "./rules-page.js"
import { testsOf } from "./rules-results.js"

export const usage = `usage: pnpm rules [--write] [--results PATH] [--pending FAMILY[,FAMILY]] [--family FAMILY[,FAMILY]] [--json]

  --write             rewrite ${pagePath} from this run instead of checking it
  --results PATH      vitest's JSON results (default build/vitest.json, written by pnpm test)
  --pending API,ADDR  rules of these families without a test are reported as pending, not failing
  --family PARAM      print only these families
  --json              print [{id, family, tags, title, file, code, tests, status}] instead of a table

Rules are read from every spec/*.md. Exit status: 0 when every rule is named by a test (or pending),
every such test passed and ${pagePath} is fresh; 1 when not; 2 on a usage or input error.`

/** Where the report writes: standard output and standard error. */
export interface Output {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/** Directories never scanned, at any depth. */
const skippedDirectories = new Set(["node_modules", "dist", "build", ".git"])

/**
 * Files whose rule IDs are fixtures, not claims: the report's own tests name rules (`PARAM-1`,
 * `CB-20`, …) to test the matching, which must not count as testing those rules.
 */
const ignoredFiles = new Set(["test/rulesReport.test.ts"])

/** The nearest directory at or above `from` holding `pnpm-workspace.yaml`. */
export const findRoot = (from: string): string | undefined => {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
    if (dirname(dir) === dir) return undefined
  }
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

/** The rules of every `spec/*.md` under `root`, files in name order, or an error message. */
export const readSpec = (root: string): ReadonlyArray<Rule> | string => {
  const dir = join(root, "spec")
  if (!existsSync(dir)) return `no spec/ directory in ${root}`
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
  const rules = files.flatMap((f) => parseRules(readFileSync(join(dir, f), "utf8"), `spec/${f}`))
  if (rules.length === 0) return `no rule (a line "- ID [tag] text") in spec/*.md`
  const errors = checkRules(rules)
  return errors.length > 0 ? errors.join("\n") : rules
}

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

/** The human-readable report: the table, then the rules at fault, then the summary line. */
const formatReport = (rows: ReadonlyArray<Row>): string => {
  const table = formatTable(
    ["ID", "tags", "status", "code", "tests", "test files"],
    rows.map((r) => [
      r.id,
      r.tags.join(","),
      r.status === "missing" || r.status === "failed" ? r.status.toUpperCase() : r.status,
      String(new Set(r.code.map((c) => c.path)).size),
      String(r.tests.length),
      [...new Set(r.tests.map((t) => shorten(t.file)))].join(", ")
    ])
  )
  const count = (status: Status) => rows.filter((r) => r.status === status).length
  const missing = rows.filter((r) => r.status === "missing")
  const failed = rows.filter((r) => r.status === "failed")
  const pendingFamilies = [...new Set(rows.filter((r) => r.status === "pending").map((r) => r.family))]
  const summary =
    `${count("ok")} of ${rows.length} rules named by passing tests; ${rows.filter((r) => r.code.length > 0).length} by code` +
    (pendingFamilies.length > 0 ? `; ${count("pending")} pending (${pendingFamilies.join(", ")})` : "") +
    (missing.length > 0 ? `; ${missing.length} missing a test` : "") +
    (failed.length > 0 ? `; ${failed.length} with a test that did not pass` : "")
  const missingList =
    missing.length > 0
      ? `\n\nNo test names these rules:\n${missing.map((r) => `  ${r.id.padEnd(10)} ${r.title}`).join("\n")}`
      : ""
  const failedList =
    failed.length > 0
      ? `\n\nA test naming these rules did not pass:\n${failed
          .flatMap((r) =>
            r.tests
              .filter((t) => t.status !== "passed")
              .map((t) => `  ${r.id.padEnd(10)} ${t.status}: ${t.file} > ${t.name}`)
          )
          .join("\n")}`
      : ""
  return `${table}${missingList}${failedList}\n\n${summary}`
}

/** The JSON report: the rows as plain objects, in a stable key order. */
const formatJson = (rows: ReadonlyArray<Row>): string =>
  JSON.stringify(
    rows.map(({ id, family, tags, title, file, code, tests, status }) => ({
      id,
      family,
      tags,
      title,
      file,
      code: code.map((c) => `${c.path}:${c.line}`),
      tests,
      status
    })),
    null,
    2
  )

/** Runs the report on the repository at `root`; returns the exit status. */
export const run = (root: string, argv: ReadonlyArray<string>, output: Output): number => {
  const options = parseArgs(argv)
  if (typeof options === "string") {
    output.err(`rules-report: ${options}\n\n${usage}`)
    return 2
  }
  if (options.help) {
    output.out(usage)
    return 0
  }
  const rules = readSpec(root)
  if (typeof rules === "string") {
    output.err(`rules-report: ${rules}`)
    return 2
  }
  const unknown = options.families.filter((f) => !rules.some((r) => r.family === f))
  if (unknown.length > 0) {
    const known = [...new Set(rules.map((r) => r.family))].join(", ")
    output.err(`rules-report: --family ${unknown.join(",")}: no such family in spec/*.md (${known})`)
    return 2
  }
  const resultsPath = isAbsolute(options.results) ? options.results : resolve(root, options.results)
  if (!existsSync(resultsPath)) {
    output.err(
      `rules-report: no test results at ${options.results}: run \`npx -y pnpm@10.34.9 test\` first ` +
        `(it runs vitest with --reporter=json --outputFile.json=build/vitest.json)`
    )
    return 2
  }
  let report: unknown
  try {
    report = JSON.parse(readFileSync(resultsPath, "utf8"))
  } catch (e) {
    output.err(`rules-report: ${options.results} is not JSON: ${e instanceof Error ? e.message : String(e)}`)
    return 2
  }
  const tests = testsOf(report, root)
  if (typeof tests === "string") {
    output.err(`rules-report: ${options.results}: ${tests}`)
    return 2
  }
  const code = typeScriptFiles(root)
    .filter((path) => classify(path) === "code" && !ignoredFiles.has(path))
    .map((path) => ({ path, text: readFileSync(join(root, path), "utf8") }))
  const rows = buildRows(
    rules,
    code,
    tests.filter((t) => !ignoredFiles.has(t.file)),
    options.pending
  )

  const page = renderPage(rows)
  const pageFile = join(root, pagePath)
  let fresh = true
  if (options.write) {
    mkdirSync(dirname(pageFile), { recursive: true })
    writeFileSync(pageFile, page)
  } else {
    const committed = existsSync(pageFile) ? readFileSync(pageFile, "utf8") : ""
    const line = firstDifference(committed, page)
    if (line !== undefined) {
      fresh = false
      output.err(
        committed === ""
          ? `rules-report: ${pagePath} is missing; write it with \`${refreshCommand}\` and commit it`
          : `rules-report: ${pagePath} is out of date (first difference at line ${line}); ` +
              `refresh it with \`${refreshCommand}\` and commit it`
      )
    }
  }

  const shown = options.families.length > 0 ? rows.filter((r) => options.families.includes(r.family)) : rows
  output.out(options.json ? formatJson(shown) : formatReport(shown))
  if (options.write) output.out(`wrote ${pagePath}`)
  return exitStatus(rows.map((r) => r.status)) === 1 || !fresh ? 1 : 0
}
