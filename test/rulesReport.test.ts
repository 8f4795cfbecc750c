import { assert, describe, it } from "@effect/vitest"
import {
  classify,
  exitStatus,
  findIds,
  firstSentence,
  namesId,
  type Options,
  parseArgs,
  parseRules,
  type Rule,
  statusOf
} from "../scripts/rules.js"

const rulesText = `# The rules catalogue

Tags: **[seed]** the API page says so.

## PARAM: parameters
- PARAM-1 [seed] \`role\` required ([plivo] SDK examples send \`agent\`). More text.
- PARAM-17 [seed] \`sip_headers\` keys only \`[A-Za-z0-9]\`. [plivo] names at most 24. [decision] a malformed pair is a 400.
- PARAM-19 [decision] Unknown parameters are ignored (see PARAM-1 and CB-2); wrong types are not.
not a rule: - PARAM-20 [seed] mid-line
  - PARAM-21 [seed] indented, so not a rule line

## CB: callbacks
- CB-2 [seed] \`SequenceNumber\` increases by one with each callback of one MPC's stream, starting at 1, and this sentence goes on well past eighty characters.
- CB-3 [seed] Timestamps are \`YYYY-MM-DD HH:mm:ss+hh:mm\` as in \`a.b\`. Second sentence.
`

/** The options for a report run with these arguments; fails the test on a usage error. */
const options = (...argv: Array<string>): Options => {
  const parsed = parseArgs(argv)
  if (typeof parsed === "string") assert.fail(parsed)
  return parsed
}

/** A rule of that ID, for the status tests. */
const rule = (id: string): Rule => ({ id, family: id.split("-")[0]!, tags: ["seed"], title: id })

describe("parseRules", () => {
  const rules = parseRules(rulesText)
  const byId = (id: string) => rules.find((r) => r.id === id)

  it("finds every `- ID` line, in order, and nothing else", () => {
    assert.deepStrictEqual(
      rules.map((r) => r.id),
      ["PARAM-1", "PARAM-17", "PARAM-19", "CB-2", "CB-3"]
    )
    assert.deepStrictEqual(
      rules.map((r) => r.family),
      ["PARAM", "PARAM", "PARAM", "CB", "CB"]
    )
  })

  it("collects several tags from one line, in order, once each, ignoring brackets in code", () => {
    assert.deepStrictEqual(byId("PARAM-1")?.tags, ["seed", "plivo"])
    assert.deepStrictEqual(byId("PARAM-17")?.tags, ["seed", "plivo", "decision"])
    assert.deepStrictEqual(byId("PARAM-19")?.tags, ["decision"])
  })

  it("titles a rule with its first sentence, tags removed, at most 80 characters", () => {
    assert.strictEqual(byId("PARAM-1")?.title, "`role` required (SDK examples send `agent`).")
    assert.strictEqual(byId("PARAM-17")?.title, "`sip_headers` keys only `[A-Za-z0-9]`.")
    const long = byId("CB-2")!.title
    assert.strictEqual(long.length, 80)
    assert.isTrue(long.endsWith("…"))
    assert.strictEqual(byId("CB-3")?.title, "Timestamps are `YYYY-MM-DD HH:mm:ss+hh:mm` as in `a.b`.")
  })

  it("keeps a rule whose text names other rules as one rule, with its own ID", () => {
    const r = byId("PARAM-19")!
    assert.strictEqual(r.family, "PARAM")
    assert.strictEqual(r.title, "Unknown parameters are ignored (see PARAM-1 and CB-2); wrong types are not.")
  })

  it("appends indented continuation lines to the rule they follow", () => {
    const rules = parseRules(
      "- RACE-2 [seed] Every other leg\n  is hung up. [plivo] Lost Race.\n- RACE-3 [seed] Next."
    )
    assert.deepStrictEqual(rules[0], {
      id: "RACE-2",
      family: "RACE",
      tags: ["seed", "plivo"],
      title: "Every other leg is hung up."
    })
    assert.strictEqual(rules[1]?.id, "RACE-3")
  })

  it("ends the first sentence outside code spans only", () => {
    assert.strictEqual(firstSentence('Base64(`url + ". " + nonce`). Then.'), 'Base64(`url + ". " + nonce`).')
    assert.strictEqual(firstSentence("no full stop"), "no full stop")
  })
})

describe("findIds / namesId", () => {
  it("PARAM-1 is not named by PARAM-10 or PARAM-19; CB-2 not by CB-20", () => {
    assert.isFalse(namesId("PARAM-10 and PARAM-19", "PARAM-1"))
    assert.isTrue(namesId("PARAM-10 and PARAM-19", "PARAM-10"))
    assert.isFalse(namesId("see CB-20", "CB-2"))
    assert.isTrue(namesId("see CB-2, CB-20", "CB-2"))
  })

  it("does not find an ID inside a longer word", () => {
    assert.isFalse(namesId("XPARAM-1 PARAM-1x PARAM-1_a PARAM-01", "PARAM-1"))
    assert.isFalse(namesId("param-1", "PARAM-1"))
  })

  it("finds an ID at the start and end of a line and of the text", () => {
    assert.isTrue(namesId("PARAM-1 first", "PARAM-1"))
    assert.isTrue(namesId("last PARAM-1", "PARAM-1"))
    assert.isTrue(namesId("a\nPARAM-1\nb", "PARAM-1"))
    assert.isTrue(namesId("PARAM-1", "PARAM-1"))
  })

  it("finds an ID in backticks, a JSDoc comment and a test name string", () => {
    assert.isTrue(namesId("rule `RACE-2` applies", "RACE-2"))
    assert.isTrue(namesId("/** RACE-2: every other leg is hung up. */", "RACE-2"))
    assert.isTrue(namesId('it("RACE-2 hangs up the other legs", () => {})', "RACE-2"))
    assert.isTrue(namesId("it(`CB-2 counts from 1`, () => {})", "CB-2"))
    assert.isTrue(namesId("(PARAM-8)", "PARAM-8"))
  })

  it("names only the endpoints of a range", () => {
    assert.deepStrictEqual([...findIds("PARAM-1..PARAM-19")], ["PARAM-1", "PARAM-19"])
  })

  it("finds every ID of a text, once each", () => {
    assert.deepStrictEqual(
      [...findIds("ADDR-1, PARAM-8; ADDR-1 and LIFE-10.")],
      ["ADDR-1", "PARAM-8", "LIFE-10"]
    )
  })
})

describe("classify", () => {
  it("counts test/, packages/*/test/ and *.test.ts as tests, packages/*/src/ as code", () => {
    assert.strictEqual(classify("test/readme.test.ts"), "test")
    assert.strictEqual(classify("test/examples/decode-request.ts"), "test")
    assert.strictEqual(classify("packages/domain/test/MpcName.test.ts"), "test")
    assert.strictEqual(classify("packages/domain/bench/x.test.ts"), "test")
    assert.strictEqual(classify("packages/domain/src/MpcName.ts"), "code")
    assert.strictEqual(classify("packages/domain/bench/decode.bench.ts"), "other")
    assert.strictEqual(classify("scripts/rules.ts"), "other")
    assert.strictEqual(classify("vitest.config.ts"), "other")
  })
})

describe("exit status", () => {
  it("a rule named by a test is ok, pending or not", () => {
    assert.strictEqual(statusOf(rule("API-1"), 1, []), "ok")
    assert.strictEqual(statusOf(rule("API-1"), 2, ["API"]), "ok")
  })

  it("a rule without a test is missing unless its family is --pending", () => {
    const { pending } = options("--pending", "API,ADDR")
    assert.strictEqual(statusOf(rule("API-3"), 0, pending), "pending")
    assert.strictEqual(statusOf(rule("ADDR-5"), 0, pending), "pending")
    assert.strictEqual(statusOf(rule("CB-2"), 0, pending), "missing")
    assert.strictEqual(statusOf(rule("API-3"), 0, []), "missing")
  })

  it("fails (1) only when some rule is missing", () => {
    const { pending } = options("--", "--pending=api, addr")
    const run = (ids: Array<[string, number]>) =>
      exitStatus(ids.map(([id, tests]) => statusOf(rule(id), tests, pending)))
    assert.strictEqual(
      run([
        ["PARAM-1", 1],
        ["API-3", 0],
        ["ADDR-3", 0]
      ]),
      0
    )
    assert.strictEqual(
      run([
        ["PARAM-1", 1],
        ["API-3", 0],
        ["RACE-2", 0]
      ]),
      1
    )
    assert.strictEqual(exitStatus([]), 0)
  })
})

describe("parseArgs", () => {
  it("reads --json, --family and --pending, with or without =", () => {
    assert.deepStrictEqual(options("--json", "--family", "PARAM", "--pending=API,ADDR"), {
      json: true,
      pending: ["API", "ADDR"],
      families: ["PARAM"],
      help: false
    })
  })

  it("refuses an unknown argument or a missing value", () => {
    assert.isString(parseArgs(["--pendin", "API"]))
    assert.isString(parseArgs(["--pending"]))
    assert.isString(parseArgs(["--family", "--json"]))
    assert.isString(parseArgs(["--pending", ","]))
  })
})
