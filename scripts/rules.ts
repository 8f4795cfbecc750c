/**
 * The pure half of the rules report: parsing `RULES.md`, finding rule IDs in a text, classifying
 * files and deciding the exit status. No I/O here, so all of it is unit-tested
 * (`test/rulesReport.test.ts`); `rules-report.ts` does the reading and printing.
 */

/** One numbered rule of `RULES.md`. */
export interface Rule {
  /** `PARAM-8`, `RACE-2`, … */
  readonly id: string
  /** The ID's prefix: `PARAM`, `RACE`, … */
  readonly family: string
  /** Every `[tag]` of the rule, in order of first appearance, without brackets: `seed`, `plivo`, … */
  readonly tags: ReadonlyArray<string>
  /** The rule's first sentence, tags removed, at most {@link TitleLength} characters. */
  readonly title: string
}

/** Whether a rule is named by a test, or not but its family is pending, or neither. */
export type Status = "ok" | "missing" | "pending"

/** What a repository file counts as for the report. */
export type FileKind = "code" | "test" | "other"

/** The options of the command line. */
export interface Options {
  readonly json: boolean
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

/**
 * Parses the rules of a `RULES.md`-like text, in order: every line starting `- ID`, plus the indented
 * lines that continue it. Other lines (headings, prose, blank lines) are ignored.
 */
export const parseRules = (markdown: string): ReadonlyArray<Rule> => {
  const found: Array<{ id: string; text: string }> = []
  let current: { id: string; text: string } | undefined
  for (const line of markdown.split(/\r?\n/)) {
    const m = ruleLine.exec(line)
    if (m) {
      current = { id: m[1]!, text: (m[2] ?? "").trim() }
      found.push(current)
    } else if (current && /^\s+\S/.test(line)) {
      current.text = `${current.text} ${line.trim()}`
    } else {
      current = undefined
    }
  }
  return found.map(({ id, text }) => ({ id, family: familyOf(id), tags: tagsOf(text), title: titleOf(text) }))
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

/** A rule's status: `ok` when a test names it, else `pending` when its family is pending, else `missing`. */
export const statusOf = (rule: Rule, testCount: number, pending: ReadonlyArray<string>): Status =>
  testCount > 0 ? "ok" : pending.includes(rule.family) ? "pending" : "missing"

/** The process exit status of a report: 1 when some rule is missing a test, else 0. */
export const exitStatus = (statuses: Iterable<Status>): 0 | 1 => {
  for (const s of statuses) if (s === "missing") return 1
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
  let help = false
  const pending: Array<string> = []
  const only: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined]
    if (name === "--") continue
    if (name === "--json" && inline === undefined) json = true
    else if ((name === "--help" || name === "-h") && inline === undefined) help = true
    else if (name === "--pending" || name === "--family") {
      const value = inline ?? argv[++i]
      if (value === undefined || value.startsWith("--"))
        return `${name} needs a value: ${name} FAMILY[,FAMILY]`
      const list = families(value)
      if (list.length === 0) return `${name} needs at least one family`
      ;(name === "--pending" ? pending : only).push(...list)
    } else return `unknown argument: ${arg}`
  }
  return { json, pending, families: only, help }
}
