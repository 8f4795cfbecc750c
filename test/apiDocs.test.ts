import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"
import {
  checkExamples,
  checkExports,
  entryPoints,
  examplesOf,
  formatProblem,
  sourceFiles
} from "../scripts/api-docs-check.js"

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: []
}

const manifest = {
  name: "@scratch/lib",
  type: "module",
  exports: {
    ".": { "@mpc-kit/source": "./src/index.ts", default: "./dist/index.js" },
    "./Good": { "@mpc-kit/source": "./src/Good.ts", default: "./dist/Good.js" },
    "./parts/*": { "@mpc-kit/source": "./src/parts/*.ts", default: "./dist/parts/*.js" },
    "./package.json": "./package.json"
  }
}

const files: Record<string, string> = {
  "src/Good.ts": `/**
 * A documented module.
 *
 * @since 0.1.0
 */

/**
 * Adds one.
 *
 * @example
 * import { Good } from "@scratch/lib"
 *
 * const two: number = Good.inc(1)
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const inc = (n: number): number => n + 1
`,
  "src/index.ts": `/**
 * The barrel.
 *
 * @since 0.1.0
 */

/**
 * The good module.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Good from "./Good.js"
`,
  "src/parts/Bad.ts": `/**
 * A module with gaps.
 *
 * @since 0.1.0
 */

/**
 * Has a summary but no tags.
 */
export const noTags = 1

/**
 * Has no category.
 *
 * @since 0.1.0
 */
export interface NoCategory {
  readonly a: number
}

export type Bare = string

/**
 * Re-exported from the barrel below, checked where it is declared.
 *
 * @since 0.1.0
 * @category constants
 */
export const fine = 2

/**
 * Does not type-check as shown.
 *
 * @example
 * import { Good } from "@scratch/lib"
 *
 * const s: string = Good.inc(1)
 *
 * @since 0.1.0
 * @category arithmetic
 */
export const badExample = 3
`
}

const scratch = (): string => {
  const root = mkdtempSync(join(tmpdir(), "api-docs-"))
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: [packages/*]\n")
  const pkg = join(root, "packages", "lib")
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(pkg, path)), { recursive: true })
    writeFileSync(join(pkg, path), text)
  }
  return root
}

const check = (root: string) => {
  const entries = entryPoints(root, ["lib"])
  const program = ts.createProgram(
    entries.map((e) => e.file),
    options
  )
  return { entries, ...checkExports(program, root, entries) }
}

describe("api docs checker", () => {
  it("expands the export map, patterns included, into entry points named as a consumer imports them", () => {
    const root = scratch()
    try {
      const entries = entryPoints(root, ["lib"])
      assert.deepStrictEqual(
        entries.map((e) => e.specifier),
        ["@scratch/lib", "@scratch/lib/Good", "@scratch/lib/parts/Bad"]
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("fails naming the file, line and export of each export without a summary, @since or @category", () => {
    const root = scratch()
    try {
      const { problems, exports } = check(root)
      assert.deepStrictEqual(problems.map(formatProblem), [
        "packages/lib/src/parts/Bad.ts:10 @scratch/lib/parts/Bad noTags: missing @since, @category",
        "packages/lib/src/parts/Bad.ts:17 @scratch/lib/parts/Bad NoCategory: missing @category",
        "packages/lib/src/parts/Bad.ts:21 @scratch/lib/parts/Bad Bare: missing a doc comment (summary, @since, @category)"
      ])
      // Good.inc, the Good namespace, and Bad's five exports.
      assert.strictEqual(exports, 7)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("passes a module whose exports are all documented, and fails one without a module comment", () => {
    const root = scratch()
    try {
      const good = join(root, "packages", "lib", "src", "parts", "Bad.ts")
      writeFileSync(good, "/** No tags here. */\nexport {}\n")
      assert.deepStrictEqual(check(root).problems.map(formatProblem), [
        "packages/lib/src/parts/Bad.ts:1 @scratch/lib/parts/Bad: missing a module comment with @since"
      ])
      writeFileSync(good, "/**\n * Nothing.\n *\n * @since 0.1.0\n */\nexport {}\n")
      assert.deepStrictEqual(check(root).problems, [])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("type-checks every @example against the packages' public names and reports errors at the example's line", () => {
    const root = scratch()
    try {
      const examples = examplesOf(sourceFiles(root, ["lib"]))
      assert.strictEqual(examples.length, 2)
      const problems = checkExamples(root, examples, ["lib"], options, join(root, "build", "examples"))
      assert.deepStrictEqual(
        problems.map((p) => `${p.file}:${p.line} ${p.message.split(" ")[0]}`),
        ["packages/lib/src/parts/Bad.ts:37 TS2322"]
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
