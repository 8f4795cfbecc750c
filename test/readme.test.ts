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

const examples = [...readme.matchAll(/<!-- example: (\S+) -->/g)].map((m) => m[1]!)

describe("README", () => {
  it("shows at least the two examples", () => {
    assert.includeMembers(examples, ["test/examples/decode-request.ts", "test/examples/embed-step.ts"])
  })

  for (const path of examples) {
    it(`shows ${path} verbatim`, () => {
      assert.strictEqual(blockAfter(`example: ${path}`), readFileSync(`${root}${path}`, "utf8"))
    })

    it(`${path} prints exactly what the README says`, async () => {
      const lines: Array<string> = []
      const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
        lines.push(args.join(" "))
      })
      try {
        await import(/* @vite-ignore */ `${root}${path}`)
      } finally {
        spy.mockRestore()
      }
      assert.strictEqual(`${lines.join("\n")}\n`, blockAfter(`output: ${path}`))
    })
  }

  it("shows the main command as EMULATOR.md asks, and the page's curl example decodes", () => {
    assert.include(readme, "npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 start\n")
    const m = /-d '([^']+)'/.exec(readme)
    assert.isNotNull(m, "README shows no curl example")
    const out = DecodeCli.run([m![1]!], () => "")
    assert.strictEqual(out.exitCode, 0, out.stdout)
  })
})
