/**
 * The `mpc-sim` command (`pnpm sim` in the repository): runs a scenario file on virtual time with a seed, streams its trace to a file,
 * draws timelines and charts, and prints what the run measured. `parseArgs` (on node's
 * `util.parseArgs`) and `formatSummary` are pure; `main` does the reading and writing, through the streams it is given.
 *
 * @since 0.1.0
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs as nodeParseArgs } from "node:util"
import * as Either from "effect/Either"
import * as Charts from "./Charts.js"
import type { Summary } from "./Metrics.js"
import * as Scenario from "./Scenario.js"
import * as Simulation from "./Simulation.js"
import * as Timeline from "./Timeline.js"
import * as Trace from "./Trace.js"

/**
 * `sim run`: what to run and what to write.
 *
 * @since 0.1.0
 * @category cli
 */
export interface RunArgs {
  readonly _tag: "Run"
  readonly scenario: string
  readonly seed: number
  /** The trace file: NDJSON, or one JSON array when the name ends with `.json`. */
  readonly out?: string
  /** The folder for the timelines and charts. */
  readonly svg?: string
  /** Keep no trace at all (the default already keeps none unless `--out` or `--svg` needs it). */
  readonly noTrace: boolean
  /** Print the metrics as JSON instead of the table. */
  readonly json: boolean
  /** Draw the progress bar even when stderr is not a terminal. */
  readonly progress: boolean
}

/**
 * What the command line asks for.
 *
 * @since 0.1.0
 * @category cli
 */
export type Args = RunArgs | { readonly _tag: "List" } | { readonly _tag: "Help" }

/**
 * The `mpc-sim` command's help text.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage = `usage: mpc-sim run <scenario.json> [--seed N] [--out trace.ndjson | trace.json] [--svg DIR]
                    [--no-trace] [--json] [--progress]
       mpc-sim list
       mpc-sim --help

run   runs a scenario on virtual time and prints a summary of what it measured
        --seed N     seeds every random draw (default 1); same scenario and seed, same trace
        --out FILE   writes the trace: NDJSON, or one JSON array when FILE ends with .json
        --svg DIR    writes DIR/<mpc-name>.svg timelines (the first 50 MPCs) and DIR/<chart>.svg charts
        --no-trace   keeps no trace (not with --out or --svg)
        --json       prints the metrics as JSON instead of the table
        --progress   draws the progress bar on stderr even when it is not a terminal
list  lists the shipped scenarios (their files are in the package's scenarios/ folder)

Exit codes: 0 done, 1 the run or a write failed, 2 bad arguments or a bad scenario.`

/**
 * At most this many MPC timelines are drawn.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTimelines = 50

const MAX_SEED = 4_294_967_295

const options = {
  help: { type: "boolean", short: "h" },
  seed: { type: "string" },
  out: { type: "string" },
  svg: { type: "string" },
  "no-trace": { type: "boolean" },
  json: { type: "boolean" },
  progress: { type: "boolean" }
} as const satisfies NodeParseArgsConfig["options"]

type NodeParseArgsConfig = NonNullable<Parameters<typeof nodeParseArgs>[0]>

/**
 * Node's `parseArgs` errors, in one line and the words of this command.
 *
 * @since 0.1.0
 * @category errors
 */
export const argsError = (e: unknown): string => {
  const text = (e instanceof Error ? e.message : String(e)).split("\n")[0]!
  const unknown = /^Unknown option '([^']+)'/.exec(text)
  if (unknown !== null) return `unknown option ${unknown[1]}`
  const missing = /^Option '(--[a-z-]+)[^']*' argument missing/.exec(text)
  if (missing !== null) return `${missing[1]} needs a value`
  const ambiguous = /^Option '(--[a-z-]+)' argument is ambiguous/.exec(text)
  if (ambiguous !== null) return `${ambiguous[1]} needs a value (not an option)`
  return text.replace(/\.$/, "")
}

/**
 * Reads the command line (without `node` and the script) with node's `util.parseArgs`. The error is one line.
 *
 * @since 0.1.0
 * @category cli
 */
export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<Args, string> => {
  const read = Either.try({
    try: () =>
      nodeParseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true }),
    catch: argsError
  })
  if (Either.isLeft(read)) return Either.left(read.left)
  const { values, positionals, tokens } = read.right
  const [command, ...rest] = positionals
  if (values.help === true || command === "help") return Either.right({ _tag: "Help" })
  if (command === undefined)
    return Either.left("no command given (mpc-sim run <scenario.json> or mpc-sim list)")
  const given = tokens.flatMap((t) => (t.kind === "option" ? [t.rawName] : []))
  const twice = given.find((name, k) => given.indexOf(name) !== k)
  if (twice !== undefined) return Either.left(`${twice} given twice`)
  if (command === "list") {
    const extra = rest[0] ?? given[0]
    return extra === undefined
      ? Either.right({ _tag: "List" })
      : Either.left(`list takes no arguments: ${extra}`)
  }
  if (command !== "run")
    return Either.left(`unknown command ${JSON.stringify(command)} (expected run or list)`)
  const [scenario, ...more] = rest
  if (scenario === undefined) return Either.left("run needs a scenario file (mpc-sim run <scenario.json>)")
  if (more.length > 0) return Either.left(`unexpected argument ${JSON.stringify(more[0])}`)

  let seed = 1
  if (values.seed !== undefined) {
    const n = /^[0-9]+$/.test(values.seed) ? Number(values.seed) : Number.NaN
    if (!Number.isSafeInteger(n) || n > MAX_SEED)
      return Either.left(
        `--seed must be a whole number from 0 to ${MAX_SEED}, not ${JSON.stringify(values.seed)}`
      )
    seed = n
  }
  const { out, svg } = values
  if (out === "") return Either.left("--out needs a file name")
  if (svg === "") return Either.left("--svg needs a folder")
  const noTrace = values["no-trace"] === true
  if (noTrace && out !== undefined) return Either.left("--no-trace and --out contradict each other")
  if (noTrace && svg !== undefined) return Either.left("--no-trace and --svg contradict each other")
  return Either.right({
    _tag: "Run",
    scenario,
    seed,
    ...(out === undefined ? {} : { out }),
    ...(svg === undefined ? {} : { svg }),
    noTrace,
    json: values.json === true,
    progress: values.progress === true
  })
}

// ---------------------------------------------------------------------------------------------
// The summary table

/**
 * `45s`, `8m 40s`, `2h 05m 00s`.
 *
 * @since 0.1.0
 * @category cli
 */
export const formatDuration = (seconds: number): string => {
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  const two = (n: number) => String(n).padStart(2, "0")
  if (h > 0) return `${h}h ${two(m)}m ${two(r)}s`
  if (m > 0) return `${m}m ${two(r)}s`
  return `${r}s`
}

type Row = readonly [label: string, value: string]

const counts = (title: string, total: string, byKey: Readonly<Record<string, number>>): Array<Row> => [
  [title, total],
  ...Object.entries(byKey).map(([k, n]): Row => [`  ${k}`, String(n)])
]

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0)

/**
 * The run's figures as a plain-text table (no trailing newline).
 *
 * @since 0.1.0
 * @category cli
 */
export const formatSummary = (result: Simulation.RunResult): string => {
  const m = result.metrics
  const rows: Array<Row> = [
    ["scenario", result.scenario.name],
    ["seed", String(result.seed)],
    [
      "virtual duration",
      m.virtualSeconds >= 60
        ? `${formatDuration(m.virtualSeconds)} (${m.virtualSeconds} s)`
        : formatDuration(m.virtualSeconds)
    ],
    ["events", String(m.events)],
    ["commands", String(m.commands)],
    ["refused", String(m.refused)],
    ["MPCs", `${m.mpcs} (${m.mpcsEnded} ended)`],
    ["joins", String(m.joins)],
    ...counts("legs", String(m.legs), m.legsByCause),
    ["recordings started", String(m.recordingsStarted)],
    ...counts("callbacks", String(sum(m.callbacksByEvent)), m.callbacksByEvent),
    ...counts("MPC terminations", String(sum(m.mpcTerminations)), m.mpcTerminations)
  ]
  const distributions: ReadonlyArray<readonly [string, Summary]> = [
    ["time to answer (s)", m.timeToAnswer],
    ["CPS queue wait (s)", m.cpsQueueWait]
  ]
  const labelWidth = Math.max(...rows.map((r) => r[0].length), ...distributions.map((d) => d[0].length)) + 2
  const lines = rows.map(([label, value]) => `${label.padEnd(labelWidth)}${value}`.trimEnd())

  const cells = distributions.map(([label, s]) => [
    label,
    String(s.count),
    ...[s.mean, s.p50, s.p90, s.max].map((x) => (s.count === 0 ? "-" : x.toFixed(3)))
  ])
  const header = ["", "count", "mean", "p50", "p90", "max"]
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    (
      c[0]!.padEnd(labelWidth) +
      c
        .slice(1)
        .map((x, j) => x.padStart(widths[j + 1]!))
        .join("  ")
    ).trimEnd()
  // The distributions go after the legs, where they belong.
  const legsEnd = rows.findIndex((r) => r[0] === "recordings started")
  return [...lines.slice(0, legsEnd), line(header), ...cells.map(line), ...lines.slice(legsEnd)].join("\n")
}

// ---------------------------------------------------------------------------------------------
// Progress

/**
 * A one-line progress bar redrawn with `\r`, at most every `intervalMs`.
 *
 * @since 0.1.0
 * @category cli
 */
export const progressBar = (write: (s: string) => void, now: () => number, intervalMs = 100) => {
  const width = 30
  let last = Number.NEGATIVE_INFINITY
  let drawn = false
  return {
    /** Redraws the bar for `done` (0 to 1), at most every `intervalMs`. */
    update: (done: number) => {
      // A short run finishes before it needs a bar.
      if (done >= 1 && !drawn) return
      const t = now()
      if (done < 1 && t - last < intervalMs) return
      last = t
      drawn = true
      const n = Math.max(0, Math.min(width, Math.round(done * width)))
      write(`\r[${"#".repeat(n)}${"-".repeat(width - n)}] ${String(Math.floor(done * 100)).padStart(3)}%`)
    },
    /** Erases the bar. */
    clear: () => {
      if (drawn) write(`\r${" ".repeat(width + 7)}\r`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Files

/** Writes trace entries as they come, in chunks, so a long run's trace never sits in memory. */
const traceFile = (path: string) => {
  const asArray = path.toLowerCase().endsWith(".json")
  const fd = openSync(path, "w")
  let buffer = asArray ? "[" : ""
  let count = 0
  const flush = () => {
    if (buffer !== "") writeSync(fd, buffer)
    buffer = ""
  }
  return {
    write: (entry: Trace.TraceEntry) => {
      const line = Trace.toLine(entry)
      buffer += asArray ? `${count === 0 ? "\n" : ",\n"}${line}` : `${line}\n`
      count++
      if (buffer.length >= 1 << 16) flush()
    },
    close: () => {
      if (asArray) buffer += count === 0 ? "]\n" : "\n]\n"
      try {
        flush()
      } finally {
        closeSync(fd)
      }
    },
    get count() {
      return count
    }
  }
}

/**
 * A file name from an MPC or chart name: no folders, no characters a file system refuses.
 *
 * @since 0.1.0
 * @category cli
 */
export const fileNameOf = (name: string, taken: Set<string>): string => {
  const base =
    name
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .replace(/^\.+/, "_")
      .slice(0, 100) || "_"
  let candidate = base
  for (let k = 2; taken.has(candidate.toLowerCase()); k++) candidate = `${base}-${k}`
  taken.add(candidate.toLowerCase())
  return `${candidate}.svg`
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!

// ---------------------------------------------------------------------------------------------
// The command

/**
 * Where the command reads and writes.
 *
 * @since 0.1.0
 * @category cli
 */
export interface Env {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void
  /** Writes to standard error. */
  readonly stderr: (text: string) => void
  /** Whether stderr is a terminal: the progress bar is drawn only then (or with `--progress`). */
  readonly stderrIsTty: boolean
  /** The shipped scenarios' folder (`packages/sim/scenarios/`). */
  readonly scenariosDir: URL | string
  /** The wall clock, for the progress bar's pace (default `Date.now`). */
  readonly now?: () => number
}

/**
 * The CLI's exit codes: 0 success, 1 a run or its output failed, 2 bad usage or an unreadable scenario.
 *
 * @since 0.1.0
 * @category cli
 */
export type ExitCode = 0 | 1 | 2

/**
 * Runs the command. Never throws: errors are one line on stderr and an exit code.
 *
 * @since 0.1.0
 * @category cli
 */
export const main = async (argv: ReadonlyArray<string>, env: Env): Promise<ExitCode> => {
  const fail = (code: 1 | 2, text: string): ExitCode => {
    env.stderr(`mpc-sim: ${text}\n`)
    return code
  }
  const parsed = parseArgs(argv)
  if (Either.isLeft(parsed)) return fail(2, `${parsed.left} (mpc-sim --help for usage)`)
  const args = parsed.right
  try {
    switch (args._tag) {
      case "Help":
        env.stdout(`${usage}\n`)
        return 0
      case "List":
        return list(env, fail)
      case "Run":
        return await runCommand(args, env, fail)
    }
  } catch (e) {
    return fail(1, message(e))
  }
}

const list = (env: Env, fail: (code: 1 | 2, text: string) => ExitCode): ExitCode => {
  const dir = typeof env.scenariosDir === "string" ? env.scenariosDir : fileURLToPath(env.scenariosDir)
  let files: Array<string>
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
  } catch (e) {
    return fail(1, `cannot list the scenarios in ${dir}: ${message(e)}`)
  }
  const entries = files.map((file) => {
    const decoded = Scenario.decodeJson(readFileSync(join(dir, file), "utf8"))
    return Either.isRight(decoded)
      ? { file, text: decoded.right.description ?? "(no description)" }
      : { file, text: `(not a valid scenario: ${decoded.left.split("\n")[0]})` }
  })
  const out: Array<string> = []
  for (const { file, text } of entries) {
    out.push(file, ...wrap(text, 96).map((l) => `  ${l}`))
  }
  env.stdout(`${out.join("\n")}\n`)
  return 0
}

const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines
}

const runCommand = async (
  args: RunArgs,
  env: Env,
  fail: (code: 1 | 2, text: string) => ExitCode
): Promise<ExitCode> => {
  let text: string
  try {
    text = readFileSync(args.scenario, "utf8")
  } catch (e) {
    return fail(2, `cannot read ${args.scenario}: ${message(e)}`)
  }
  const decoded = Either.flatMap(Scenario.decodeJson(text), Simulation.validate)
  if (Either.isLeft(decoded)) {
    // One line per path at fault.
    env.stderr(
      decoded.left
        .split("\n")
        .map((issue) => `mpc-sim: ${args.scenario}: ${issue}\n`)
        .join("")
    )
    return 2
  }
  const scenario = decoded.right

  const file = args.out === undefined ? undefined : openTrace(args.out)
  if (file !== undefined && "error" in file) return fail(1, file.error)
  const bar =
    args.progress || env.stderrIsTty ? progressBar(env.stderr, env.now ?? (() => Date.now())) : undefined
  let result: Simulation.RunResult
  try {
    result = Simulation.run(scenario, {
      seed: args.seed,
      // The trace is kept only for the timelines; the file gets it entry by entry.
      trace: args.svg !== undefined,
      ...(file === undefined ? {} : { onEntry: file.write }),
      ...(bar === undefined ? {} : { onProgress: bar.update })
    })
  } catch (e) {
    bar?.clear()
    try {
      file?.close()
    } catch {
      // the run's error is the one to report
    }
    return fail(1, `the run failed: ${message(e)}`)
  }
  bar?.clear()
  if (file !== undefined) {
    try {
      file.close()
    } catch (e) {
      return fail(1, `cannot write ${args.out}: ${message(e)}`)
    }
  }

  if (args.svg !== undefined) {
    const dir = args.svg
    try {
      mkdirSync(dir, { recursive: true })
      const taken = new Set<string>()
      const mpcs = Timeline.mpcsOf(result)
      const drawn = mpcs.slice(0, maxTimelines)
      for (const mpc of drawn)
        writeFileSync(join(dir, fileNameOf(mpc.name, taken)), Timeline.svg(result, mpc.uuid))
      const charts = await Charts.all(result)
      for (const chart of charts) writeFileSync(join(dir, fileNameOf(chart.name, taken)), chart.svg)
      env.stderr(
        `mpc-sim: wrote ${drawn.length} timeline${drawn.length === 1 ? "" : "s"}${
          drawn.length < mpcs.length ? ` (the first ${drawn.length} of ${mpcs.length} MPCs)` : ""
        } and ${charts.length} chart${charts.length === 1 ? "" : "s"} to ${dir}\n`
      )
    } catch (e) {
      return fail(1, `cannot write the SVGs to ${dir}: ${message(e)}`)
    }
  }
  if (file !== undefined) env.stderr(`mpc-sim: wrote ${file.count} trace entries to ${args.out}\n`)

  env.stdout(args.json ? `${JSON.stringify(result.metrics, null, 2)}\n` : `${formatSummary(result)}\n`)
  return 0
}

const openTrace = (path: string): ReturnType<typeof traceFile> | { readonly error: string } => {
  try {
    return traceFile(path)
  } catch (e) {
    return { error: `cannot write ${path}: ${message(e)}` }
  }
}
