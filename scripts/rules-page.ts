/**
 * The conformance page, `docs/CONFORMANCE.md`: every rule of `spec/*.md` with its text, the source
 * lines that name it and the tests whose names name it, with their result in the run. Pure and
 * deterministic (spec order, sorted references, no time, no absolute path), so the committed page can
 * be checked against a fresh one.
 */
import type { CodeRef, Row, Status } from "./rules.js"

/** Where the page lives, relative to the repository root. */
export const pagePath = "docs/CONFORMANCE.md"

/** The command that rewrites the page from the last test run. */
export const refreshCommand = "npx -y pnpm@10.34.9 rules --write"

/** Escapes the characters Markdown or HTML would read in a plain-text name. */
export const escapeText = (text: string): string => text.replace(/[\\`*_[\]<|~]/g, (c) => `\\${c}`)

const statusWords: Record<Status, string> = {
  ok: "every test passed",
  failed: "A TEST DID NOT PASS",
  missing: "NO TEST",
  pending: "no test yet (family pending)"
}

/** A link from `docs/` to a source line. */
const lineLink = (ref: CodeRef): string => `[${ref.line}](../${ref.path}#L${ref.line})`

/** The source lines naming a rule, grouped by file: `` `path` lines 3, 40 `` with each line linked. */
const codeList = (refs: ReadonlyArray<CodeRef>): string => {
  if (refs.length === 0) return "- Enforced: not named in the code."
  const files = [...new Set(refs.map((r) => r.path))]
  return [
    "- Enforced:",
    ...files.map((f) => {
      const lines = refs.filter((r) => r.path === f)
      return `  - \`${f}\` ${lines.length === 1 ? "line" : "lines"} ${lines.map(lineLink).join(", ")}`
    })
  ].join("\n")
}

/** The tests naming a rule, grouped by file, each with its result. */
const testList = (row: Row): string => {
  if (row.tests.length === 0) return "- Tests: none."
  const files = [...new Set(row.tests.map((t) => t.file))]
  return [
    "- Tests:",
    ...files.flatMap((f) => [
      `  - \`${f}\``,
      ...row.tests.filter((t) => t.file === f).map((t) => `    - ${t.status}: ${escapeText(t.name)}`)
    ])
  ].join("\n")
}

/** One rule's entry. */
const entry = (row: Row): string =>
  [
    `### ${row.id}`,
    "",
    `- ${row.id} ${row.text}`,
    "",
    `- Status: ${statusWords[row.status]}.`,
    codeList(row.code),
    testList(row)
  ].join("\n")

/** A Markdown table padded as the formatter pads it: each column to its widest cell. */
export const markdownTable = (
  header: ReadonlyArray<string>,
  right: ReadonlyArray<boolean>,
  rows: ReadonlyArray<ReadonlyArray<string>>
): string => {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)))
  const cell = (text: string, i: number) => (right[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
  return [
    line(header.map(cell)),
    line(widths.map((w, i) => (right[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w)))),
    ...rows.map((r) => line(header.map((_, i) => cell(r[i] ?? "", i))))
  ].join("\n")
}

/** The table of families: where each is stated and how many of its rules are tested and in the code. */
const familyTable = (rows: ReadonlyArray<Row>): string =>
  markdownTable(
    ["family", "stated in", "rules", "tested, all passed", "named in the code"],
    [false, false, true, true, true],
    [...new Set(rows.map((r) => r.family))].map((family) => {
      const of = rows.filter((r) => r.family === family)
      return [
        `[${family}](#${of[0]!.id.toLowerCase()})`,
        `\`${of[0]!.file}\``,
        String(of.length),
        String(of.filter((r) => r.status === "ok").length),
        String(of.filter((r) => r.code.length > 0).length)
      ]
    })
  )

/** The whole page. */
export const renderPage = (rows: ReadonlyArray<Row>): string => {
  const count = (status: Status) => rows.filter((r) => r.status === status).length
  const sections: Array<string> = []
  let heading = ""
  for (const row of rows) {
    const h = `${row.file}${row.section === "" ? "" : `: ${row.section}`}`
    if (h !== heading) {
      heading = h
      sections.push(
        `## ${row.section === "" ? row.file : row.section}\n\nStated in [\`${row.file}\`](../${row.file}).`
      )
    }
    sections.push(entry(row))
  }
  const summary =
    `${rows.length} rules; ${count("ok")} named by tests that all passed in this run` +
    (count("failed") > 0 ? `, ${count("failed")} with a test that did not pass` : "") +
    (count("missing") > 0 ? `, ${count("missing")} named by no test` : "") +
    (count("pending") > 0 ? `, ${count("pending")} pending` : "") +
    `; ${rows.filter((r) => r.code.length > 0).length} named in the code.`
  return `${[
    "# Conformance",
    "",
    "<!-- Generated from spec/*.md, the sources and the test results by the rules report; do not edit. -->",
    "",
    "Every rule of the [spec](../spec/README.md), with the source lines that name its ID (where it is",
    "enforced) and the tests whose names name it, with their result in the run that generated this page.",
    `\`pnpm test\` regenerates the page and fails when this copy differs; \`${refreshCommand}\` rewrites it`,
    "from the last test run (`build/vitest.json`).",
    "",
    summary,
    "",
    familyTable(rows),
    "",
    sections.join("\n\n")
  ].join("\n")}\n`
}

/** The 1-based number of the first line where two texts differ, or undefined when they are equal. */
export const firstDifference = (a: string, b: string): number | undefined => {
  if (a === b) return undefined
  const x = a.split("\n")
  const y = b.split("\n")
  for (let i = 0; ; i++) if (x[i] !== y[i]) return i + 1
}
