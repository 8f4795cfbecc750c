/**
 * Every `notebooks/*.ipynb` runs headless, top to bottom, as a newcomer would run it: Jupyter's
 * nbconvert executes it with the kernel its metadata names (Deno), a cell error fails the test, and
 * the executed notebook must show a table and an SVG. Missing Jupyter or a missing kernel is a
 * failure, not a skip: `bash scripts/notebook-deps.sh` installs both.
 */
import { execFile, spawnSync } from "node:child_process"
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const dir = join(root, "notebooks")
const notebooks = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort()
const SETUP = "run `bash scripts/notebook-deps.sh` (Jupyter's nbconvert from Debian, the Deno kernel)"
/** nbconvert's own limit per cell, and ours for the whole notebook (kernel start included). */
const CELL_TIMEOUT_S = 120
const TEST_TIMEOUT_MS = 180_000

interface Output {
  readonly output_type: string
  readonly data?: Record<string, unknown>
  readonly ename?: string
  readonly evalue?: string
}
interface Cell {
  readonly cell_type: string
  readonly source: string | ReadonlyArray<string>
  readonly outputs?: ReadonlyArray<Output>
  readonly execution_count?: number | null
}
interface Notebook {
  readonly cells: ReadonlyArray<Cell>
  readonly metadata: { readonly kernelspec?: { readonly name?: string } }
}

const read = (path: string): Notebook => JSON.parse(readFileSync(path, "utf8")) as Notebook
const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "")

/** Why the notebook cannot run here (Jupyter, the kernel or the compiled packages missing), if so. */
const missing = (kernel: string): string | undefined => {
  const nbconvert = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" })
  if (nbconvert.error !== undefined || nbconvert.status !== 0)
    return `\`jupyter nbconvert\` is not installed: ${SETUP}`
  const list = spawnSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" })
  if (list.status !== 0) return `\`jupyter kernelspec list\` failed (${list.stderr.trim()}): ${SETUP}`
  const specs = (JSON.parse(list.stdout) as { kernelspecs?: Record<string, { spec?: { argv?: string[] } }> })
    .kernelspecs
  const exe = specs?.[kernel]?.spec?.argv?.[0]
  if (exe === undefined) return `the Jupyter kernel "${kernel}" is not registered: ${SETUP}`
  try {
    accessSync(exe, constants.X_OK)
  } catch {
    return `the Jupyter kernel "${kernel}" starts ${exe}, which is gone: ${SETUP}`
  }
  // The notebooks import the compiled packages, as a user of them would.
  for (const pkg of ["domain", "sim"]) {
    if (!existsSync(join(root, "packages", pkg, "dist", "index.js")))
      return `packages/${pkg}/dist is missing: run \`npx tsc -b\` first`
  }
  return undefined
}

describe("notebooks", () => {
  it("there is at least one", () => {
    assert.include(notebooks, "simulate.ipynb")
  })

  for (const name of notebooks) {
    const path = join(dir, name)

    it(`${name} is committed with its outputs cleared`, () => {
      for (const [k, cell] of read(path).cells.entries()) {
        if (cell.cell_type !== "code") continue
        assert.deepStrictEqual(cell.outputs, [], `cell ${k} has outputs`)
        assert.isNull(cell.execution_count ?? null, `cell ${k} has an execution count`)
      }
    })

    it(
      `${name} runs headless with no cell error and shows a table and an SVG`,
      async () => {
        const kernel = read(path).metadata.kernelspec?.name ?? "deno"
        const why = missing(kernel)
        if (why !== undefined) assert.fail(why)

        const out = mkdtempSync(join(tmpdir(), "mpc-kit-notebook-"))
        try {
          const run = await promisify(execFile)(
            "jupyter",
            [
              "nbconvert",
              "--to",
              "notebook",
              "--execute",
              `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_S}`,
              "--output-dir",
              out,
              "--output",
              basename(name, ".ipynb"),
              path
            ],
            { cwd: root, timeout: TEST_TIMEOUT_MS - 10_000, maxBuffer: 64 * 1024 * 1024 }
          ).catch((e: { code?: unknown; stderr?: string; message: string }) => {
            // nbconvert exits non-zero on the first cell that raises; its stderr has the traceback.
            assert.fail(
              `nbconvert failed on ${name} (exit ${String(e.code)}):\n${(e.stderr ?? e.message).slice(-4000)}`
            )
          })
          assert.isDefined(run)

          const executed = read(join(out, name))
          const outputs = executed.cells.flatMap((c) => c.outputs ?? [])
          const errors = outputs.filter((o) => o.output_type === "error")
          assert.deepStrictEqual(
            errors.map((e) => `${e.ename}: ${e.evalue}`),
            [],
            "cells raised errors"
          )
          const shown = outputs.flatMap((o) =>
            o.output_type === "display_data" || o.output_type === "execute_result"
              ? Object.entries(o.data ?? {}).map(([mime, v]) => ({ mime, body: text(v) }))
              : []
          )
          const tables = shown.filter(
            ({ mime, body }) =>
              (mime === "text/markdown" && /^\s*\|[\s:|-]*-{3}[\s:|-]*\|\s*$/m.test(body)) ||
              (mime === "text/html" && /<table[\s>]/i.test(body))
          )
          assert.isAbove(tables.length, 0, "no cell displays a table (text/markdown or text/html)")
          const svgs = shown.filter(({ mime, body }) => mime === "image/svg+xml" && body.includes("<svg"))
          assert.isAbove(svgs.length, 0, "no cell displays an image/svg+xml output")
        } finally {
          rmSync(out, { recursive: true, force: true })
        }
      },
      TEST_TIMEOUT_MS
    )
  }
})
