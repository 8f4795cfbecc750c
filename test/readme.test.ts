import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it, vi } from "@effect/vitest"
import { DecodeCli } from "@mpc-kit/http"

const root = fileURLToPath(new URL("..", import.meta.url))
const readme = readFileSync(`${root}README.md`, "utf8")

/** The fenced block that follows a `<!-- marker -->` line. */
const blockAfter = (marker: string): string => {
  const at = readme.indexOf(`<!-- ${marker} -->`)
  assert.isAbove(at, -1, `README has no <!-- ${marker} --> block`)
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))
  assert.isNotNull(m, `no fenced block after ${marker}`)
  return m![1]!
}

describe("README", () => {
  it("shows the example file verbatim", () => {
    const file = readFileSync(`${root}test/examples/decode-request.ts`, "utf8")
    assert.strictEqual(blockAfter("example: test/examples/decode-request.ts"), file)
  })

  it("the example prints exactly what the README says", async () => {
    const lines: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
      lines.push(args.join(" "))
    })
    try {
      await import("./examples/decode-request.js")
    } finally {
      spy.mockRestore()
    }
    assert.strictEqual(`${lines.join("\n")}\n`, blockAfter("output: test/examples/decode-request.ts"))
  })

  it("the main command's request decodes", () => {
    const m = /pnpm@[0-9.]+ start '([^']+)'/.exec(readme)
    assert.isNotNull(m, "README shows no start command")
    const out = DecodeCli.run([m![1]!], () => "")
    assert.strictEqual(out.exitCode, 0, out.stdout)
  })
})
