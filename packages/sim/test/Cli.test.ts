import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Charts from "../src/Charts.js"
import * as Cli from "../src/Cli.js"
import * as Scenario from "../src/Scenario.js"
import * as Simulation from "../src/Simulation.js"
import * as Timeline from "../src/Timeline.js"
import * as Trace from "../src/Trace.js"

const scenariosDir = new URL("../scenarios/", import.meta.url)
const scenarioPath = (name: string) => fileURLToPath(new URL(`${name}.json`, scenariosDir))
const worked = readdirSync(scenariosDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .sort()

const tmp = mkdtempSync(join(tmpdir(), "mpc-kit-sim-cli-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Runs the command in-process and captures what it prints. */
const sim = async (argv: ReadonlyArray<string>, options: { tty?: boolean; now?: () => number } = {}) => {
  let stdout = ""
  let stderr = ""
  const code = await Cli.main(argv, {
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
    stderrIsTty: options.tty ?? false,
    scenariosDir,
    ...(options.now === undefined ? {} : { now: options.now })
  })
  return { code, stdout, stderr }
}

const parsed = (argv: ReadonlyArray<string>) => {
  const r = Cli.parseArgs(argv)
  if (Either.isLeft(r)) assert.fail(r.left)
  return r.right
}
const refused = (argv: ReadonlyArray<string>) => {
  const r = Cli.parseArgs(argv)
  if (Either.isRight(r)) assert.fail(`accepted ${JSON.stringify(r.right)}`)
  return r.left
}

describe("parseArgs", () => {
  it("defaults: seed 1, no trace file, no SVGs, the table", () => {
    assert.deepStrictEqual(parsed(["run", "s.json"]), {
      _tag: "Run",
      scenario: "s.json",
      seed: 1,
      noTrace: false,
      json: false,
      progress: false
    })
  })

  it("reads every flag, as `--flag value` or `--flag=value`, before or after the file", () => {
    assert.deepStrictEqual(
      parsed(["run", "--seed", "42", "s.json", "--out", "t.ndjson", "--svg", "out/", "--json", "--progress"]),
      {
        _tag: "Run",
        scenario: "s.json",
        seed: 42,
        out: "t.ndjson",
        svg: "out/",
        noTrace: false,
        json: true,
        progress: true
      }
    )
    assert.deepStrictEqual(parsed(["run", "s.json", "--seed=0", "--out=t.json", "--svg=d"]), {
      _tag: "Run",
      scenario: "s.json",
      seed: 0,
      out: "t.json",
      svg: "d",
      noTrace: false,
      json: false,
      progress: false
    })
    assert.deepStrictEqual(parsed(["run", "s.json", "--no-trace"]), {
      _tag: "Run",
      scenario: "s.json",
      seed: 1,
      noTrace: true,
      json: false,
      progress: false
    })
    assert.deepStrictEqual(parsed(["run", "s.json", "--seed", "4294967295"]), {
      _tag: "Run",
      scenario: "s.json",
      seed: 4294967295,
      noTrace: false,
      json: false,
      progress: false
    })
  })

  it("list and help", () => {
    assert.deepStrictEqual(parsed(["list"]), { _tag: "List" })
    assert.deepStrictEqual(parsed(["--help"]), { _tag: "Help" })
    assert.deepStrictEqual(parsed(["run", "-h"]), { _tag: "Help" })
  })

  it("refuses what it does not know, in one line", () => {
    const errors = [
      refused(["run", "s.json", "--fast"]),
      refused([]),
      refused(["walk", "s.json"]),
      refused(["run"]),
      refused(["run", "a.json", "b.json"]),
      refused(["run", "s.json", "--seed"]),
      refused(["run", "s.json", "--seed", "-1"]),
      refused(["run", "s.json", "--seed", "1.5"]),
      refused(["run", "s.json", "--seed", "4294967296"]),
      refused(["run", "s.json", "--seed", "1", "--seed", "2"]),
      refused(["run", "s.json", "--out"]),
      refused(["run", "s.json", "--out", "--json"]),
      refused(["run", "s.json", "--json=yes"]),
      refused(["run", "s.json", "--no-trace", "--out", "t.ndjson"]),
      refused(["run", "s.json", "--no-trace", "--svg", "d"]),
      refused(["list", "extra"])
    ]
    assert.strictEqual(errors[0], "unknown option --fast")
    for (const e of errors) assert.notInclude(e, "\n")
  })
})

describe("formatSummary", () => {
  it("lays out every figure, distributions in seconds", () => {
    const result = Simulation.run(
      Either.getOrThrow(Scenario.decodeJson(readFileSync(scenarioPath("parallel-dial"), "utf8"))),
      { seed: 1 }
    )
    const table = Cli.formatSummary(result)
    for (const label of [
      "scenario",
      "seed",
      "virtual duration",
      "events",
      "commands",
      "refused",
      "MPCs",
      "joins",
      "legs",
      "time to answer (s)",
      "CPS queue wait (s)",
      "recordings started",
      "callbacks",
      "MPC terminations"
    ])
      assert.match(table, new RegExp(`^${label.replace(/[()]/g, "\\$&")} `, "m"), label)
    assert.match(table, /^ +count +mean +p50 +p90 +max$/m)
    for (const cause of Object.keys(result.metrics.legsByCause)) assert.include(table, `  ${cause} `)
    for (const event of Object.keys(result.metrics.callbacksByEvent)) assert.include(table, `  ${event} `)
    assert.strictEqual(Cli.formatDuration(45), "45s")
    assert.strictEqual(Cli.formatDuration(520), "8m 40s")
    assert.strictEqual(Cli.formatDuration(7500), "2h 05m 00s")
  })
})

describe("sim run", () => {
  for (const name of worked) {
    it(`runs the worked scenario ${name} and prints its table`, async () => {
      const { code, stdout, stderr } = await sim(["run", scenarioPath(name), "--seed", "1"])
      assert.strictEqual(code, 0, stderr)
      assert.match(stdout, new RegExp(`^scenario +${name}$`, "m"))
      assert.match(stdout, /^seed +1$/m)
      assert.strictEqual(stderr, "")
    })
  }

  it("--json prints the metrics instead of the table", async () => {
    const { code, stdout } = await sim(["run", scenarioPath("stay-alone"), "--json"])
    assert.strictEqual(code, 0)
    const metrics = JSON.parse(stdout)
    const scenario = Either.getOrThrow(Scenario.decodeJson(readFileSync(scenarioPath("stay-alone"), "utf8")))
    assert.deepStrictEqual(metrics, Simulation.run(scenario, { seed: 1 }).metrics)
  })

  it("the same scenario and seed write byte-identical traces; another seed, another trace", async () => {
    const file = (n: string) => join(tmp, n)
    for (const [out, seed] of [
      ["a.ndjson", "3"],
      ["b.ndjson", "3"],
      ["c.ndjson", "4"]
    ] as const) {
      const r = await sim(["run", scenarioPath("cps-burst"), "--seed", seed, "--out", file(out)])
      assert.strictEqual(r.code, 0, r.stderr)
      assert.match(r.stdout, /^scenario +cps-burst$/m)
    }
    const a = readFileSync(file("a.ndjson"))
    assert.isAbove(a.length, 0)
    assert.isTrue(a.equals(readFileSync(file("b.ndjson"))), "same seed, different bytes")
    assert.isFalse(a.equals(readFileSync(file("c.ndjson"))), "another seed, same trace")
    // What was streamed is the run's trace, entry for entry.
    const scenario = Either.getOrThrow(Scenario.decodeJson(readFileSync(scenarioPath("cps-burst"), "utf8")))
    assert.strictEqual(a.toString("utf8"), Trace.toNdjson(Simulation.run(scenario, { seed: 3 }).trace))
  })

  it("a .json --out is one JSON array of the same entries", async () => {
    const nd = join(tmp, "cc.ndjson")
    const js = join(tmp, "cc.json")
    const path = scenarioPath("confirm-timeout")
    assert.strictEqual((await sim(["run", path, "--out", nd])).code, 0)
    assert.strictEqual((await sim(["run", path, "--out", js])).code, 0)
    const array = JSON.parse(readFileSync(js, "utf8"))
    assert.isArray(array)
    assert.deepStrictEqual(array, Trace.fromNdjson(readFileSync(nd, "utf8")))
  })

  it("a different seed on the contact centre gives a different trace", async () => {
    const [one, two] = [join(tmp, "cc-1.ndjson"), join(tmp, "cc-2.ndjson")]
    assert.strictEqual((await sim(["run", scenarioPath("contact-centre"), "--out", one])).code, 0)
    assert.strictEqual(
      (await sim(["run", scenarioPath("contact-centre"), "--seed", "2", "--out", two])).code,
      0
    )
    assert.notStrictEqual(readFileSync(one, "utf8"), readFileSync(two, "utf8"))
  })

  const bad = (name: string, text: string) => {
    const path = join(tmp, name)
    writeFileSync(path, text)
    return path
  }

  it("a wrong type at actions.0.at exits 2 naming the path", async () => {
    const path = bad(
      "wrong-type.json",
      JSON.stringify({ name: "x", actions: [{ at: "soon", do: "end", mpc: "m" }] })
    )
    const { code, stdout, stderr } = await sim(["run", path])
    assert.strictEqual(code, 2)
    assert.strictEqual(stdout, "")
    assert.include(stderr, `${path}: actions.0.at: `)
    assert.notInclude(stderr, "    at ")
  })

  it("an unknown field exits 2 naming it", async () => {
    const path = bad("unknown-field.json", JSON.stringify({ name: "x", colour: "blue" }))
    const { code, stderr } = await sim(["run", path])
    assert.strictEqual(code, 2)
    assert.include(stderr, `${path}: colour: `)
  })

  it("a file that is not JSON exits 2 naming the file", async () => {
    const path = bad("not-json.json", "{ name: x")
    const { code, stderr } = await sim(["run", path])
    assert.strictEqual(code, 2)
    assert.include(stderr, `${path}: not JSON`)
    assert.strictEqual(stderr.trim().split("\n").length, 1)
  })

  it("an add action's bad parameter (Simulation.validate) exits 2 naming it", async () => {
    const path = bad(
      "bad-param.json",
      JSON.stringify({
        name: "x",
        actions: [
          { at: 0, do: "add", mpc: "m", params: { role: "Agent", from: "1", to: "2", ring_timeout: 5 } }
        ]
      })
    )
    const { code, stderr } = await sim(["run", path])
    assert.strictEqual(code, 2)
    assert.include(stderr, `${path}: actions.0.params.ring_timeout: `)
  })

  it("a missing file and bad arguments exit 2 with one line", async () => {
    const missing = await sim(["run", join(tmp, "nowhere.json")])
    assert.strictEqual(missing.code, 2)
    assert.match(missing.stderr, /^mpc-sim: cannot read .*nowhere\.json: ENOENT[^\n]*\n$/)
    const unknown = await sim(["run", scenarioPath("stay-alone"), "--fast"])
    assert.strictEqual(unknown.code, 2)
    assert.match(unknown.stderr, /^mpc-sim: unknown option --fast[^\n]*\n$/)
  })

  it("a trace file that cannot be written exits 1 with one line", async () => {
    const r = await sim(["run", scenarioPath("stay-alone"), "--out", join(tmp, "no-such-dir", "t.ndjson")])
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /^mpc-sim: cannot write [^\n]*\n$/)
  })

  it("--svg writes one timeline per MPC and the charts", async () => {
    const dir = join(tmp, "svg")
    const { code, stderr } = await sim(["run", scenarioPath("parallel-dial"), "--svg", dir])
    assert.strictEqual(code, 0, stderr)
    const scenario = Either.getOrThrow(
      Scenario.decodeJson(readFileSync(scenarioPath("parallel-dial"), "utf8"))
    )
    const result = Simulation.run(scenario, { seed: 1 })
    const mpcs = Timeline.mpcsOf(result)
    const charts = await Charts.all(result)
    assert.isAbove(mpcs.length, 0)
    assert.isAbove(charts.length, 0)
    const files = readdirSync(dir).sort()
    assert.deepStrictEqual(
      files,
      [...mpcs.map((m) => `${m.name}.svg`), ...charts.map((c) => `${c.name}.svg`)].sort()
    )
    for (const f of files) assert.include(readFileSync(join(dir, f), "utf8"), "<svg")
    assert.strictEqual(
      readFileSync(join(dir, `${mpcs[0]!.name}.svg`), "utf8"),
      Timeline.svg(result, mpcs[0]!.uuid)
    )
  })

  it("the progress bar is drawn with --progress (or on a terminal), never otherwise", async () => {
    let clock = 0
    const now = () => (clock += 1000)
    const drawn = await sim(["run", scenarioPath("contact-centre"), "--progress"], { now })
    assert.strictEqual(drawn.code, 0)
    assert.match(drawn.stderr, /^\r\[#+-*\] +\d+%/)
    assert.isTrue(drawn.stderr.endsWith("\r"), "the bar is cleared at the end")
    const quiet = await sim(["run", scenarioPath("contact-centre")], { now })
    assert.strictEqual(quiet.stderr, "")
  })
})

describe("progressBar", () => {
  it("redraws at most every 100 ms and skips a run that ends before its first draw", () => {
    let out = ""
    let t = 0
    const bar = Cli.progressBar(
      (s) => {
        out += s
      },
      () => t
    )
    bar.update(0.1)
    t = 50
    bar.update(0.2)
    t = 150
    bar.update(0.5)
    bar.update(1)
    bar.clear()
    assert.strictEqual(out.split("\r[").length - 1, 3)
    assert.include(out, "100%")
    let none = ""
    const short = Cli.progressBar(
      (s) => {
        none += s
      },
      () => 0
    )
    short.update(1)
    short.clear()
    assert.strictEqual(none, "")
  })
})

describe("sim list", () => {
  it("prints every shipped scenario with its description", async () => {
    const { code, stdout } = await sim(["list"])
    assert.strictEqual(code, 0)
    for (const name of worked) assert.match(stdout, new RegExp(`^${name}\\.json$`, "m"))
    assert.include(stdout, "  A customer calls in")
  })

  it("--help prints the usage", async () => {
    const { code, stdout } = await sim(["--help"])
    assert.strictEqual(code, 0)
    assert.include(stdout, "usage: mpc-sim run <scenario.json>")
  })
})
