import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it, vi } from "@effect/vitest"
import { DecodeCli } from "@mpc-kit/http"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The repository's README and each package's: every `<!-- example: path -->` runs here. */
const readmes = [
  "README.md",
  "packages/domain/README.md",
  "packages/sim/README.md",
  "packages/http/README.md"
]

/** The fenced block that follows a `<!-- marker -->` line. */
const blockAfter = (readme: string, marker: string): string => {
  const at = readme.indexOf(`<!-- ${marker} -->`)
  assert.isAbove(at, -1, `README has no <!-- ${marker} --> block`)
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))
  assert.isNotNull(m, `no fenced block after ${marker}`)
  return m![1]!
}

const examplesOf = (readme: string) => [...readme.matchAll(/<!-- example: (\S+) -->/g)].map((m) => m[1]!)

for (const [n, file] of readmes.entries()) {
  const readme = readFileSync(`${root}${file}`, "utf8")
  const examples = examplesOf(readme)

  describe(file, () => {
    it("shows at least one example that runs", () => {
      assert.isAbove(examples.length, 0)
      if (file === "README.md")
        assert.includeMembers(examples, ["test/examples/decode-request.ts", "test/examples/embed-step.ts"])
    })

    for (const path of examples) {
      it(`shows ${path} verbatim`, () => {
        assert.strictEqual(blockAfter(readme, `example: ${path}`), readFileSync(`${root}${path}`, "utf8"))
      })

      it(`${path} prints exactly what the README says`, async () => {
        const lines: Array<string> = []
        const spy = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
          lines.push(args.join(" "))
        })
        try {
          // A query per README: the module runs again for each README that shows it.
          await import(/* @vite-ignore */ `${root}${path}?readme=${n}`)
        } finally {
          spy.mockRestore()
        }
        assert.strictEqual(`${lines.join("\n")}\n`, blockAfter(readme, `output: ${path}`))
      })
    }
  })
}

describe("README.md and packages/http/README.md", () => {
  it("show the main command as EMULATOR.md asks, and the page's curl example decodes", () => {
    const readme = readFileSync(`${root}README.md`, "utf8")
    assert.include(readme, "npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 start\n")
    for (const file of ["README.md", "packages/http/README.md"]) {
      const m = /-d '([^']+)'/.exec(readFileSync(`${root}${file}`, "utf8"))
      assert.isNotNull(m, `${file} shows no curl example`)
      const out = DecodeCli.run([m![1]!], () => "")
      assert.strictEqual(out.exitCode, 0, out.stdout)
    }
  })
})
