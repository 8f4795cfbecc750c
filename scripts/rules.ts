/**
 * The pure half of the rules report: parsing the spec's Markdown (`spec/*.md`), finding rule IDs in a
 * text, classifying files, matching rules to code lines and test results, and deciding the exit
 * status. No I/O here, so all of it is unit-tested (`test/rulesReport.test.ts`); `rules-run.ts` does
 * the reading and writing.
 */

/** One numbered rule of a spec file. */
export interface Rule {
  /** `PARAM-8`, `RACE-2`, … */
  readonly id: string
  /** The ID's prefix: `PARAM`, `RACE`, … */
  readonly family: string
  /** Every `[tag]` of the rule, in order of first appearance, without brackets: `seed`, `plivo`, … */
  readonly tags: ReadonlyArray<string>
  /** The rule's first sentence, tags removed, at most {@link TitleLength} characters. */
  readonly title: string
  /** The rule's whole text after its ID, continuation lines joined with one space. */
  readonly text: string
  /** The spec file that states it, relative to the repository root: `spec/RULES.md`. */
  readonly file: string
  /** The `## ` heading the rule sits under, without the hashes; empty when there is none. */
  readonly section: string
}

/** The tags a rule may carry: the API page says so, Plivo's docs or SDKs say so, or the project decides. */
export const knownTags: ReadonlyArray<string> = ["seed", "plivo", "decision"]

/** One line of source code that names rule IDs. */
export interface CodeRef {
  /** Relative to the repository root, `/`-separated. */
  readonly path: string
  /** 1-based. */
  readonly line: number
}

/** One test of the run, as vitest reported it. */
export interface TestRef {
  /** The test file, relative to the repository root, `/`-separated. */
  readonly file: string
  /** The describe blocks and the test's own name, joined by ` > `. */
  readonly name: string
  /** vitest's status: `passed`, `failed`, `skipped`, `todo`, … */
  readonly status: string
}

/**
 * A rule's status: `ok` when tests name it and all of them passed, `failed` when one of them did not
 * pass, else (no test) `pending` when its family is pending, else `missing`.
 */
export type Status = "ok" | "failed" | "missing" | "pending"

/** A rule with the code lines and the tests that name it. */
export interface Row extends Rule {
  readonly code: ReadonlyArray<CodeRef>
  readonly tests: ReadonlyArray<TestRef>
  readonly status: Status
}

/** What a repository file counts as for the report. */
export type FileKind = "code" | "test" | "other"

/** The options of the command line. */
export interface Options {
  readonly json: boolean
  /** Write `docs/CONFORMANCE.md` instead of checking that the committed one is fresh. */
  readonly write: boolean
  /** The vitest JSON results to read, relative to the repository root unless absolute. */
  readonly results: string
  /** Families whose untested rules are reported as pending rather than failing. */
  readonly pending: ReadonlyArray<string>
  /** Families the report is restricted to; empty for all. */
  readonly families: ReadonlyArray<string>
  readonly help: boolean
}

/** The longest title kept, ellipsis included. */
export const TitleLength = 80

/** The shape of a rule ID, as a regular expression source (no anchors, no flags). */
const idSource = "[A-Z][A-Z0-9]*-[0-9]+"

/** A rule line: `- ID rest`, at the very start of the line. */
const ruleLine = new RegExp(`^- (${idSource})(?:\\s+(.*))?$`)

/** A `[tag]`: lowercase letters in brackets, not a Markdown link `[text](url)`. */
const tagPattern = /\[([a-z]+)\](?!\()/g

/** An inline code span, whose brackets are never tags. */
const codeSpan = /`[^`]*`/g

/** The family of a rule ID: everything before its last `-`. */
export const familyOf = (id: string): string => id.slice(0, id.lastIndexOf("-"))

/** The tags of a rule's text, in order of first appearance, ignoring code spans. */
export const tagsOf = (text: string): ReadonlyArray<string> => {
  const tags: Array<string> = []
  for (const m of text.replace(codeSpan, "").matchAll(tagPattern)) {
    const tag = m[1]!
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}

/** The text up to and including its first `.`, `!` or `?` that ends a sentence outside a code span. */
export const firstSentence = (text: string): string => {
  let inCode = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "`") inCode = !inCode
    else if (
      !inCode &&
      (c === "." || c === "!" || c === "?") &&
      (i + 1 === text.length || /\s/.test(text[i + 1]!))
    )
      return text.slice(0, i + 1)
  }
  return text
}

/** Shortens a text to at most `max` characters, ending it with `…` when cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`

/** A rule's title: its first sentence with the `[tag]` markers removed, truncated. */
export const titleOf = (text: string): string =>
  truncate(
    firstSentence(text.replace(tagPattern, "").replace(/\s+/g, " ").trim()).replace(/\(\s+/g, "(").trim(),
    TitleLength
  )

/** A fence line of Markdown: three or more backticks or tildes. */
const fence = /^\s*(```|~~~)/

/**
 * Parses the rules of one spec file, in order: every line starting `- ID`, plus the indented lines
 * that continue it. Other lines (headings, prose, blank lines, fenced code blocks) are ignored.
 */
export const parseRules = (markdown: string, file = ""): ReadonlyArray<Rule> => {
  const found: Array<{ id: string; text: string; section: string }> = []
  let current: { id: string; text: string; section: string } | undefined
  let section = ""
  let inFence = false
  for (const line of markdown.split(/\r?\n/)) {
    if (fence.test(line)) {
      inFence = !inFence
      current = undefined
      continue
    }
    if (inFence) continue
    const heading = /^## +(.*?)\s*$/.exec(line)
    if (heading) section = heading[1]!
    const m = ruleLine.exec(line)
    if (m) {
      current = { id: m[1]!, text: (m[2] ?? "").trim(), section }
      found.push(current)
    } else if (current && /^\s+\S/.test(line)) {
      current.text = `${current.text} ${line.trim()}`
    } else {
      current = undefined
    }
  }
  return found.map(({ id, text, section }) => ({
    id,
    family: familyOf(id),
    tags: tagsOf(text),
    title: titleOf(text),
    text: text.replace(/\s+/g, " "),
    file,
    section
  }))
}

/**
 * What is wrong with a set of rules, one message each: an ID stated twice (in one file or two), a
 * rule with no tag, a tag that is not one of {@link knownTags}.
 */
export const checkRules = (rules: ReadonlyArray<Rule>): ReadonlyArray<string> => {
  const errors: Array<string> = []
  const first = new Map<string, Rule>()
  for (const r of rules) {
    const seen = first.get(r.id)
    if (seen !== undefined) errors.push(`${r.id} is stated twice: in ${seen.file} and in ${r.file}`)
    else first.set(r.id, r)
    if (r.tags.length === 0) errors.push(`${r.id} (${r.file}) has no tag: one of [${knownTags.join("], [")}]`)
    for (const t of r.tags)
      if (!knownTags.includes(t))
        errors.push(`${r.id} (${r.file}) has an unknown tag [${t}]: one of [${knownTags.join("], [")}]`)
  }
  return errors
}

/**
 * Every rule-ID-shaped word of a text: an ID neither preceded nor followed by a letter, digit or `_`
 * (`PARAM-1` is not found in `PARAM-10`; `PARAM-1..PARAM-19` gives the two endpoints only).
 */
export const findIds = (text: string): ReadonlySet<string> =>
  new Set(
    Array.from(text.matchAll(new RegExp(`(?<![A-Za-z0-9_])${idSource}(?![A-Za-z0-9_])`, "g")), (m) => m[0])
  )

/** True when the text names that rule ID as a whole word. */
export const namesId = (text: string, id: string): boolean => findIds(text).has(id)

/**
 * What a file counts as, from its path relative to the repository root (`/`-separated): a test under
 * `test/` or `packages/<pkg>/test/`, or named `*.test.ts`; code under `packages/<pkg>/src/`.
 */
export const classify = (relativePath: string): FileKind => {
  const parts = relativePath.split("/")
  const underTest =
    parts[0] === "test" || (parts[0] === "packages" && parts[2] === "test" && parts.length > 3)
  if (underTest || relativePath.endsWith(".test.ts")) return "test"
  if (parts[0] === "packages" && parts[2] === "src" && parts.length > 3) return "code"
  return "other"
}

/** The lines of a source file that name rule IDs, with the IDs each names. */
export const codeLines = (
  path: string,
  text: string
): ReadonlyArray<{ readonly ref: CodeRef; readonly ids: ReadonlySet<string> }> =>
  text.split(/\r?\n/).flatMap((line, i) => {
    const ids = findIds(line)
    return ids.size > 0 ? [{ ref: { path, line: i + 1 }, ids }] : []
  })

/** A rule's status from the tests naming it: see {@link Status}. */
export const statusOf = (
  rule: Rule,
  tests: ReadonlyArray<TestRef>,
  pending: ReadonlyArray<string>
): Status =>
  tests.length > 0
    ? tests.every((t) => t.status === "passed")
      ? "ok"
      : "failed"
    : pending.includes(rule.family)
      ? "pending"
      : "missing"

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The report's rows, one per rule in spec order: the code lines naming the rule (by path, then line),
 * and the tests whose name names it (by file, then name; each once).
 */
export const buildRows = (
  rules: ReadonlyArray<Rule>,
  code: ReadonlyArray<{ readonly path: string; readonly text: string }>,
  tests: ReadonlyArray<TestRef>,
  pending: ReadonlyArray<string>
): Array<Row> => {
  const lines = code.flatMap(({ path, text }) => codeLines(path, text))
  const named = tests.map((t) => ({ test: t, ids: findIds(t.name) }))
  return rules.map((rule) => {
    const refs = lines
      .filter((l) => l.ids.has(rule.id))
      .map((l) => l.ref)
      .sort((a, b) => byText(a.path, b.path) || a.line - b.line)
    const unique = new Map<string, TestRef>()
    for (const { test, ids } of named) {
      if (!ids.has(rule.id)) continue
      const key = `${test.file}\u0000${test.name}`
      const seen = unique.get(key)
      // The same name twice in one file: the rule is only as good as the worse of the two.
      if (seen === undefined || seen.status === "passed") unique.set(key, test)
    }
    const ruleTests = [...unique.values()].sort((a, b) => byText(a.file, b.file) || byText(a.name, b.name))
    return { ...rule, code: refs, tests: ruleTests, status: statusOf(rule, ruleTests, pending) }
  })
}

/** The process exit status of a report: 1 when some rule is missing a test or has a test that did not pass. */
export const exitStatus = (statuses: Iterable<Status>): 0 | 1 => {
  for (const s of statuses) if (s === "missing" || s === "failed") return 1
  return 0
}

/** Splits a `A,B , C` list into its non-empty, trimmed, upper-cased items. */
const families = (value: string): ReadonlyArray<string> =>
  value
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "")

/** Parses the command line (without `node` and the script): an {@link Options}, or an error message. */
export const parseArgs = (argv: ReadonlyArray<string>): Options | string => {
  let json = false
  let write = false
  let help = false
  let results = "build/vitest.json"
  const pending: Array<string> = []
  const only: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined]
    if (name === "--") continue
    if (name === "--json" && inline === undefined) json = true
    else if (name === "--write" && inline === undefined) write = true
    else if (name === "--results") {
      const value = inline ?? argv[++i]
      if (value === undefined || value === "" || value.startsWith("--"))
        return "--results needs a value: --results PATH"
      results = value
    } else if ((name === "--help" || name === "-h") && inline === undefined) help = true
    else if (name === "--pending" || name === "--family") {
      const value = inline ?? argv[++i]
      if (value === undefined || value.startsWith("--"))
        return `${name} needs a value: ${name} FAMILY[,FAMILY]`
      const list = families(value)
      if (list.length === 0) return `${name} needs at least one family`
      ;(name === "--pending" ? pending : only).push(...list)
    } else return `unknown argument: ${arg}`
  }
  return { json, write, results, pending, families: only, help }
}
