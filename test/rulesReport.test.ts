import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import {
  buildRows,
  checkRules,
  classify,
  codeLines,
  exitStatus,
  findIds,
  firstSentence,
  namesId,
  type Options,
  parseArgs,
  parseRules,
  type Rule,
  statusOf,
  type TestRef
} from "../scripts/rules.js"
import { escapeText, firstDifference, markdownTable, pagePath, renderPage } from "../scripts/rules-page.js"
import { relativeTo, testsOf } from "../scripts/rules-results.js"
import { readSpec, run } from "../scripts/rules-run.js"

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
const rule = (id: string): Rule => ({
  id,
  family: id.split("-")[0]!,
  tags: ["seed"],
  title: id,
  text: `[seed] ${id}.`,
  file: "spec/RULES.md",
  section: ""
})

/** `n` tests of one file, all with that status. */
const tests = (n: number, status = "passed"): Array<TestRef> =>
  Array.from({ length: n }, (_, i) => ({ file: "test/x.test.ts", name: `t${i}`, status }))

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
      title: "Every other leg is hung up.",
      text: "[seed] Every other leg is hung up. [plivo] Lost Race.",
      file: "",
      section: ""
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
  it("a rule named by tests that all passed is ok, pending or not", () => {
    assert.strictEqual(statusOf(rule("API-1"), tests(1), []), "ok")
    assert.strictEqual(statusOf(rule("API-1"), tests(2), ["API"]), "ok")
  })

  it("a rule with one test that failed, was skipped or is a todo has failed, pending or not", () => {
    for (const status of ["failed", "skipped", "todo", "pending"]) {
      assert.strictEqual(statusOf(rule("API-1"), [...tests(2), ...tests(1, status)], []), "failed")
      assert.strictEqual(statusOf(rule("API-1"), tests(1, status), ["API"]), "failed")
    }
    assert.strictEqual(exitStatus(["ok", "failed", "pending"]), 1)
  })

  it("a rule without a test is missing unless its family is --pending", () => {
    const { pending } = options("--pending", "API,ADDR")
    assert.strictEqual(statusOf(rule("API-3"), [], pending), "pending")
    assert.strictEqual(statusOf(rule("ADDR-5"), [], pending), "pending")
    assert.strictEqual(statusOf(rule("CB-2"), [], pending), "missing")
    assert.strictEqual(statusOf(rule("API-3"), [], []), "missing")
  })

  it("fails (1) only when some rule is missing", () => {
    const { pending } = options("--", "--pending=api, addr")
    const run = (ids: Array<[string, number]>) =>
      exitStatus(ids.map(([id, n]) => statusOf(rule(id), tests(n), pending)))
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
      write: false,
      results: "build/vitest.json",
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
    assert.isString(parseArgs(["--results"]))
    assert.isString(parseArgs(["--write=yes"]))
  })
})

describe("parseRules: files and fences", () => {
  it("skips fenced code blocks, so a format example is not a rule", () => {
    const rules = parseRules(
      "- A-1 [seed] Real.\n```md\n- B-1 [seed] Example.\n```\n~~~\n- C-1 [seed] Also.\n~~~\n- D-1 [plivo] Real too."
    )
    assert.deepStrictEqual(
      rules.map((r) => r.id),
      ["A-1", "D-1"]
    )
  })

  it("records the spec file and the `## ` section of each rule", () => {
    const rules = parseRules(
      "## ADDR: addressing\n- ADDR-1 [seed] One.\n\n## CB: callbacks\n- CB-1 [seed] Two.",
      "spec/X.md"
    )
    assert.deepStrictEqual(
      rules.map((r) => [r.id, r.file, r.section]),
      [
        ["ADDR-1", "spec/X.md", "ADDR: addressing"],
        ["CB-1", "spec/X.md", "CB: callbacks"]
      ]
    )
  })

  it("checkRules refuses an ID stated twice, a rule with no tag and an unknown tag", () => {
    const ok = parseRules("- A-1 [seed] One. [decision] Two.", "spec/A.md")
    assert.deepStrictEqual(checkRules(ok), [])
    const twice = [...ok, ...parseRules("- A-1 [plivo] Again.", "spec/B.md")]
    assert.deepStrictEqual(checkRules(twice), ["A-1 is stated twice: in spec/A.md and in spec/B.md"])
    assert.match(checkRules(parseRules("- A-2 No tag."))[0]!, /A-2 .*has no tag/)
    assert.match(checkRules(parseRules("- A-3 [desicion] Typo."))[0]!, /A-3 .*unknown tag \[desicion\]/)
  })
})

describe("codeLines / buildRows", () => {
  const code = [
    { path: "packages/b/src/B.ts", text: "// nothing\n/** A-1 and A-2 */\nconst x = 1 // A-1\n" },
    { path: "packages/a/src/A.ts", text: "// A-10 only\n// A-1\n" }
  ]
  const results: Array<TestRef> = [
    { file: "test/z.test.ts", name: "suite > A-1 works", status: "passed" },
    { file: "test/a.test.ts", name: "A-1 also (A-2)", status: "passed" },
    { file: "test/a.test.ts", name: "A-1 also (A-2)", status: "failed" },
    { file: "test/a.test.ts", name: "A-10 only", status: "passed" }
  ]
  const rows = buildRows(
    parseRules("- A-1 [seed] One.\n- A-2 [seed] Two.\n- A-3 [seed] Three."),
    code,
    results,
    []
  )

  it("finds each line naming an ID, 1-based", () => {
    assert.deepStrictEqual(
      codeLines("f.ts", "a\nA-1 x A-2\nb").map((l) => [l.ref.line, [...l.ids]]),
      [[2, ["A-1", "A-2"]]]
    )
  })

  it("lists a rule's code lines sorted by path then line, and never a longer ID's lines", () => {
    assert.deepStrictEqual(rows[0]!.code, [
      { path: "packages/a/src/A.ts", line: 2 },
      { path: "packages/b/src/B.ts", line: 2 },
      { path: "packages/b/src/B.ts", line: 3 }
    ])
    assert.deepStrictEqual(rows[1]!.code, [{ path: "packages/b/src/B.ts", line: 2 }])
  })

  it("lists the tests whose names name the rule, sorted, once each, a repeated name keeping its failure", () => {
    assert.deepStrictEqual(
      rows[0]!.tests.map((t) => [t.file, t.name, t.status]),
      [
        ["test/a.test.ts", "A-1 also (A-2)", "failed"],
        ["test/z.test.ts", "suite > A-1 works", "passed"]
      ]
    )
    assert.deepStrictEqual(
      rows.map((r) => r.status),
      ["failed", "failed", "missing"]
    )
  })
})

describe("testsOf (vitest JSON results)", () => {
  it("gives each test's file relative to the root, full name and status", () => {
    const report = {
      testResults: [
        {
          name: "/repo/test/a.test.ts",
          assertionResults: [
            { ancestorTitles: ["outer", "inner"], title: "A-1 works", status: "passed" },
            { ancestorTitles: [], title: "A-2 top level", status: "skipped" }
          ]
        }
      ]
    }
    assert.deepStrictEqual(testsOf(report, "/repo/"), [
      { file: "test/a.test.ts", name: "outer > inner > A-1 works", status: "passed" },
      { file: "test/a.test.ts", name: "A-2 top level", status: "skipped" }
    ])
  })

  it("names the part of a malformed report", () => {
    assert.match(String(testsOf({}, "/r")), /testResults/)
    assert.match(String(testsOf({ testResults: [{ name: "x" }] }, "/r")), /testResults\.0/)
    assert.match(
      String(testsOf({ testResults: [{ name: "x", assertionResults: [{ title: 1 }] }] }, "/r")),
      /testResults\.0\.assertionResults\.0/
    )
  })

  it("keeps a path outside the root as given, and handles Windows separators", () => {
    assert.strictEqual(relativeTo("/repo", "/elsewhere/a.test.ts"), "/elsewhere/a.test.ts")
    assert.strictEqual(relativeTo("C:\\repo", "C:\\repo\\test\\a.test.ts"), "test/a.test.ts")
  })
})

describe("renderPage", () => {
  const rules = parseRules(
    "## FOO: foo things\n- FOO-1 [decision] Do `a|b`. Because.\n- FOO-2 [seed] Two.",
    "spec/FOO.md"
  )
  const code = [{ path: "packages/a/src/A.ts", text: "// FOO-1\n\n// FOO-1 again\n" }]
  const passing: Array<TestRef> = [{ file: "test/f.test.ts", name: "s > FOO-1 <x> *y*", status: "passed" }]
  const page = renderPage(buildRows(rules, code, passing, []))

  it("shows each rule's text, linked code lines and tests with their result", () => {
    assert.include(page, "### FOO-1\n\n- FOO-1 [decision] Do `a|b`. Because.\n")
    assert.include(
      page,
      "  - `packages/a/src/A.ts` lines [1](../packages/a/src/A.ts#L1), [3](../packages/a/src/A.ts#L3)"
    )
    assert.include(page, "    - passed: s > FOO-1 \\<x> \\*y\\*")
    assert.include(page, "## FOO: foo things\n\nStated in [`spec/FOO.md`](../spec/FOO.md).")
    assert.include(
      page,
      "2 rules; 1 named by tests that all passed in this run, 1 named by no test; 1 named in the code."
    )
    assert.include(
      page,
      "### FOO-2\n\n- FOO-2 [seed] Two.\n\n- Status: NO TEST.\n- Enforced: not named in the code.\n- Tests: none."
    )
  })

  it("changes when a test's result changes, and is the same for the same input", () => {
    const failing = renderPage(buildRows(rules, code, [{ ...passing[0]!, status: "failed" }], []))
    assert.notStrictEqual(failing, page)
    assert.include(failing, "- Status: A TEST DID NOT PASS.")
    assert.strictEqual(renderPage(buildRows(rules, code, [...passing].reverse(), [])), page)
  })

  it("pads a table's columns to their widest cell, numbers to the right", () => {
    assert.strictEqual(
      markdownTable(
        ["a", "count"],
        [false, true],
        [
          ["long cell", "7"],
          ["x", "12"]
        ]
      ),
      "| a         | count |\n| --------- | ----: |\n| long cell |     7 |\n| x         |    12 |"
    )
  })

  it("has no absolute path and no time", () => {
    assert.notMatch(page, /\]\(\/|file:|\d{4}-\d{2}-\d{2}/)
  })

  it("escapes Markdown in test names, and finds the first differing line", () => {
    assert.strictEqual(escapeText("a_b `c` [d] <e> | x > y"), "a\\_b \\`c\\` \\[d\\] \\<e> \\| x > y")
    assert.strictEqual(firstDifference("a\nb\nc", "a\nb\nc"), undefined)
    assert.strictEqual(firstDifference("a\nb\nc", "a\nX\nc"), 2)
    assert.strictEqual(firstDifference("a\nb", "a\nb\nc"), 3)
  })
})

describe("run (the report on a repository)", () => {
  /** A scratch repository: a spec file per entry, one source file, a results file. */
  const scratch = (spec: Record<string, string>, testsRun: Array<TestRef>) => {
    const root = mkdtempSync(join(tmpdir(), "mpc-kit-rules-"))
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), text)
    }
    for (const [name, text] of Object.entries(spec)) write(`spec/${name}`, text)
    write("packages/a/src/A.ts", "// FOO-1 BAR-1\n")
    write("test/a.test.ts", "// FOO-2 in a comment only: not a test name\n")
    write(
      "build/vitest.json",
      JSON.stringify({
        testResults: [
          {
            name: join(root, "test/a.test.ts"),
            assertionResults: testsRun.map((t) => ({ ancestorTitles: [], title: t.name, status: t.status }))
          }
        ]
      })
    )
    return root
  }
  const report = (root: string, ...argv: Array<string>) => {
    const out: Array<string> = []
    const err: Array<string> = []
    const status = run(root, argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
    return { status, out: out.join("\n"), err: err.join("\n") }
  }
  const spec = {
    "RULES.md": "# Rules\n\n## FOO\n- FOO-1 [seed] One.\n- FOO-2 [decision] Two. Why: so.\n",
    "README.md": "# Spec\n\n```md\n- ID-1 [seed] an example, not a rule\n```\n"
  }
  const passed = (name: string): TestRef => ({ file: "test/a.test.ts", name, status: "passed" })

  it("picks up a new spec/<FAMILY>.md: its rules are reported and need tests", () => {
    const root = scratch({ ...spec, "BAR.md": "## BAR\n- BAR-1 [decision] New family. Why: because.\n" }, [
      passed("FOO-1 one"),
      passed("FOO-2 two")
    ])
    try {
      const rules = readSpec(root)
      assert.deepStrictEqual(typeof rules === "string" ? rules : rules.map((r) => `${r.file} ${r.id}`), [
        "spec/BAR.md BAR-1",
        "spec/RULES.md FOO-1",
        "spec/RULES.md FOO-2"
      ])
      const r = report(root, "--write")
      assert.strictEqual(r.status, 1)
      assert.match(r.out, /No test names these rules:\n {2}BAR-1/)
      assert.include(
        readFileSync(join(root, pagePath), "utf8"),
        "### BAR-1\n\n- BAR-1 [decision] New family. Why: because."
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("fails on a missing or stale page, writes it with --write, then passes; fails again when a test fails", () => {
    const root = scratch(spec, [passed("FOO-1 one"), passed("suite FOO-2 two")])
    try {
      const missing = report(root)
      assert.strictEqual(missing.status, 1)
      assert.include(missing.err, `${pagePath} is missing`)
      assert.include(missing.err, "rules --write")

      assert.strictEqual(report(root, "--write").status, 0)
      const page = readFileSync(join(root, pagePath), "utf8")
      assert.include(page, "FOO-1")
      assert.notInclude(page, root)
      assert.strictEqual(report(root).status, 0)

      writeFileSync(join(root, pagePath), page.replace("One.", "One!"))
      const stale = report(root)
      assert.strictEqual(stale.status, 1)
      assert.include(stale.err, "out of date")

      writeFileSync(join(root, pagePath), page)
      const results = join(root, "build/vitest.json")
      writeFileSync(results, readFileSync(results, "utf8").replace('"passed"', '"failed"'))
      const failed = report(root)
      assert.strictEqual(failed.status, 1)
      assert.include(failed.out, "A test naming these rules did not pass:")
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("counts test names only, not IDs in a test file's comments; refuses missing results and duplicate IDs", () => {
    const root = scratch(spec, [passed("FOO-1 one")])
    try {
      const r = report(root, "--write")
      assert.strictEqual(r.status, 1)
      assert.match(r.out, /No test names these rules:\n {2}FOO-2/)
      rmSync(join(root, "build/vitest.json"))
      const none = report(root)
      assert.strictEqual(none.status, 2)
      assert.include(none.err, "no test results at build/vitest.json")
      writeFileSync(join(root, "spec/DUP.md"), "- FOO-1 [seed] Again.\n")
      assert.include(report(root).err, "FOO-1 is stated twice: in spec/DUP.md and in spec/RULES.md")
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe("the project's own spec", () => {
  const root = fileURLToPath(new URL("..", import.meta.url))
  const rules = readSpec(root)

  it("states the rules of every family, each ID once, each tag known", () => {
    assert.isArray(rules, String(rules))
    const list = rules as ReadonlyArray<Rule>
    const families = new Set(list.map((r) => r.family))
    for (const f of [
      "ADDR",
      "PARAM",
      "API",
      "DIAL",
      "RACE",
      "CPS",
      "XFER",
      "CONFIRM",
      "LIFE",
      "REC",
      "SOUND",
      "DTMF",
      "EXIT",
      "CB"
    ])
      assert.isTrue(families.has(f), `no ${f} rule in spec/`)
    assert.isAtLeast(list.filter((r) => r.file === "spec/RULES.md").length, 70)
  })

  it("gives every [decision] of spec/RULES.md its reason", () => {
    for (const r of (rules as ReadonlyArray<Rule>).filter(
      (r) => r.file === "spec/RULES.md" && r.tags.includes("decision")
    ))
      assert.match(r.text, /Why: \S/, `${r.id} states no reason`)
  })
})
