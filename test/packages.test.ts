/**
 * The packages as libraries: every module has its own entry point (`@mpc-kit/domain/Step`, ...), the
 * arbitraries live only under `/testing`, nothing ships but `dist` and the docs, effect is a peer, and
 * @mpc-kit/http does not depend on the simulator. (`scripts/consumer-test.ts` installs the packed
 * tarballs for real.)
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import * as Domain from "@mpc-kit/domain"
import * as DomainTesting from "@mpc-kit/domain/testing"
import * as Sim from "@mpc-kit/sim"
import * as SimTesting from "@mpc-kit/sim/testing"

const root = fileURLToPath(new URL("..", import.meta.url))
const names = ["domain", "sim", "http"] as const
const manifest = (pkg: string) =>
  JSON.parse(readFileSync(`${root}packages/${pkg}/package.json`, "utf8")) as {
    private?: boolean
    exports: Record<string, string | Record<string, string>>
    files: Array<string>
    bin?: Record<string, string>
    dependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
    devDependencies?: Record<string, string>
  }
/** Modules that are not entry points of their own: the barrel, and the arbitraries (under `/testing`). */
const notEntries = new Set(["index", "testing", "AddParticipantArbitrary", "Arbitrary"])

describe("the packages as libraries", () => {
  for (const pkg of names) {
    const m = manifest(pkg)
    it(`@mpc-kit/${pkg} exports each module of src/ on its own, in dist, with its types`, () => {
      const modules = readdirSync(`${root}packages/${pkg}/src`)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.slice(0, -3))
        .filter((f) => !notEntries.has(f))
      const subpaths = Object.keys(m.exports).filter((k) => !["."].includes(k))
      for (const module of modules)
        assert.include(subpaths, `./${module}`, `add "./${module}" to its exports`)
      for (const [subpath, target] of Object.entries(m.exports)) {
        if (subpath === "./package.json") continue
        assert.isObject(target, subpath)
        const t = target as Record<string, string>
        const file = subpath === "." ? "index" : subpath.slice(2)
        // Conditions in order: our own source condition first, then types, then the JavaScript.
        assert.deepStrictEqual(Object.keys(t), ["@mpc-kit/source", "types", "default"], subpath)
        assert.deepStrictEqual(
          [t["@mpc-kit/source"], t.types, t.default],
          [`./src/${file}.ts`, `./dist/${file}.d.ts`, `./dist/${file}.js`],
          subpath
        )
      }
    })

    it(`@mpc-kit/${pkg} ships dist and its docs only, and has effect as a peer`, () => {
      assert.isUndefined(m.private)
      assert.deepStrictEqual(
        m.files.filter((f) => !["README.md", "LICENSE", "CHANGELOG.md"].includes(f)),
        pkg === "sim" ? ["dist", "scenarios"] : ["dist"]
      )
      assert.strictEqual(m.peerDependencies?.effect, "^3.22.4")
      assert.isUndefined(m.dependencies?.effect)
      for (const peer of Object.keys(m.peerDependencies ?? {}))
        assert.isDefined(m.devDependencies?.[peer], `${peer}: pinned as a devDependency for the workspace`)
      for (const bin of Object.values(m.bin ?? {}))
        assert.strictEqual(
          readFileSync(`${root}packages/${pkg}/src/${bin.slice("./dist/".length, -3)}.ts`, "utf8").split(
            "\n"
          )[0],
          "#!/usr/bin/env node"
        )
    })
  }

  it("@mpc-kit/http depends on neither the simulator nor anything that draws", () => {
    const m = manifest("http")
    const deps = Object.keys({ ...m.dependencies, ...m.peerDependencies })
    assert.notInclude(deps, "@mpc-kit/sim")
    assert.isFalse(deps.some((d) => /^(vega|d3)/.test(d)))
    const sources = readdirSync(`${root}packages/http/src`, { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts")
    )
    for (const f of sources)
      assert.notMatch(readFileSync(`${root}packages/http/src/${f}`, "utf8"), /from "@mpc-kit\/sim/, f)
    assert.deepStrictEqual(manifest("http").bin, { "mpc-emulator": "./dist/bin/emulator.js" })
    assert.deepStrictEqual(manifest("sim").bin, { "mpc-sim": "./dist/bin/sim.js" })
  })

  it("the main entries export no arbitraries; /testing does", () => {
    const main = [...Object.keys(Domain), ...Object.keys(Sim)]
    assert.isFalse(
      main.some((k) => /arbitrar/i.test(k)),
      main.join(" ")
    )
    assert.deepStrictEqual(Object.keys(DomainTesting), ["AddParticipantArbitrary"])
    assert.deepStrictEqual(Object.keys(SimTesting), ["Arbitrary"])
    assert.strictEqual(Sim.Trace.toLine, Domain.Trace.toLine)
  })
})
