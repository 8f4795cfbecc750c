/**
 * The consumer test: the three packages as another service gets them. Packs each with pnpm, installs
 * the tarballs with npm into a fresh project in the temp folder (outside this workspace), then:
 *
 *   (a) runs the packages' README examples there as plain Node ESM and compares what they print;
 *   (b) type-checks a consumer file (and the examples) with `strict` under NodeNext and Bundler;
 *   (c) checks that the main entries export no arbitraries and the `/testing` entries do;
 *   (d) starts `npx mpc-emulator` on PORT=0, sends it the README's curl example (201 expected), and
 *       checks that a bad variable stops it with exit code 2 and a line naming it;
 *   (e) runs `npx mpc-sim run` on a scenario the package ships.
 *
 * @mpc-kit/http is installed first, without @mpc-kit/sim: its tree must hold no vega or d3. Prints
 * the tarball and installed sizes and `npm ls effect` (one copy). npm fetches effect and the other
 * third-party packages from its registry. Exit status 0 when every check passes, 1 when one fails.
 *
 *   node build/scripts/scripts/consumer-test.js [--keep]   (--keep leaves the scratch project)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)))
const packages = ["domain", "http", "sim"] as const
type Pkg = (typeof packages)[number]

const { values } = parseArgs({
  options: { keep: { type: "boolean" }, help: { type: "boolean", short: "h" } }
})
if (values.help === true) {
  console.log("usage: node build/scripts/scripts/consumer-test.js [--keep]")
  process.exit(0)
}

const started = Date.now()
const failures: Array<string> = []
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what} [${Math.round((Date.now() - started) / 1000)} s]`)
  if (!ok) failures.push(what)
}

/** The environment for npm and pnpm: none of the `npm_*` variables a `pnpm test` run sets. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_"))),
  ...extra
})

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string, env = cleanEnv()) => {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" }
}
const runAsync = (cmd: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ code: number; stdout: string }>((ok) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv() })
    let stdout = ""
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on("data", (c: Buffer) => {
      stdout += c.toString()
    })
    child.on("close", (code) => ok({ code: code ?? 1, stdout }))
  })
const mustRun = (cmd: string, args: ReadonlyArray<string>, cwd: string) => {
  const r = run(cmd, args, cwd)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}):\n${r.stdout}${r.stderr}`)
  return r.stdout
}

/** Bytes of a file or of a folder's files (symbolic links not followed). */
const sizeOf = (path: string): number => {
  const s = statSync(path, { throwIfNoEntry: false })
  if (s === undefined) return 0
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0)
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

/** Every package folder under node_modules (scoped ones included). */
const installed = (nodeModules: string): Array<string> =>
  readdirSync(nodeModules).flatMap((d) =>
    d.startsWith("@")
      ? readdirSync(join(nodeModules, d)).map((s) => `${d}/${s}`)
      : d.startsWith(".")
        ? []
        : [d]
  )

const scratch = mkdtempSync(join(tmpdir(), "mpc-kit-consumer-"))
if (!relative(root, scratch).startsWith(".."))
  throw new Error(`the scratch project ${scratch} is inside the workspace`)

const main = async () => {
  // 1. Pack.
  const tarballs = join(scratch, "tarballs")
  mkdirSync(tarballs)
  const tarball = {} as Record<Pkg, string>
  for (const p of packages) {
    mustRun("npx", ["-y", "pnpm@10.34.9", "pack", "--pack-destination", tarballs], join(root, "packages", p))
    const file = readdirSync(tarballs).find((f) => f.startsWith(`mpc-kit-${p}-`) && f.endsWith(".tgz"))
    if (file === undefined) throw new Error(`pnpm pack wrote no tarball for ${p}`)
    tarball[p] = join(tarballs, file)
    const listing = mustRun("tar", ["-tzf", tarball[p]], scratch).split("\n").filter(Boolean)
    const stray = listing.filter(
      (f) => !/^package\/(dist\/|scenarios\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(f)
    )
    check(
      stray.length === 0,
      `${p}: the tarball holds only dist, the docs${p === "sim" ? ", scenarios" : ""}`
    )
    console.log(`     @mpc-kit/${p} tarball: ${kb(sizeOf(tarball[p]))}, ${listing.length} files`)
  }

  // 2. A fresh project; @mpc-kit/http first, without the simulator.
  const project = join(scratch, "consumer")
  mkdirSync(project)
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`
  )
  const npmInstall = (...files: Array<string>) =>
    mustRun("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...files], project)
  npmInstall(tarball.domain, tarball.http)
  const nm = join(project, "node_modules")
  const charts = installed(nm).filter((n) => /^(vega|d3)(-|$)/.test(n))
  check(
    charts.length === 0,
    `@mpc-kit/http's installed tree has no vega or d3 (found: ${charts.join(", ") || "none"})`
  )
  console.log(
    `     installed @mpc-kit/domain ${kb(sizeOf(join(nm, "@mpc-kit/domain")))}, @mpc-kit/http ${kb(sizeOf(join(nm, "@mpc-kit/http")))}; node_modules with http and its peers: ${mb(sizeOf(nm))} (${installed(nm).length} packages)`
  )
  const before = sizeOf(nm)
  npmInstall(tarball.sim)
  console.log(
    `     installed @mpc-kit/sim ${kb(sizeOf(join(nm, "@mpc-kit/sim")))}; node_modules with all three: ${mb(sizeOf(nm))} (the simulator's charts add ${mb(sizeOf(nm) - before)})`
  )
  const ls = run("npm", ["ls", "effect", "--all"], project)
  console.log(`     npm ls effect:\n${ls.stdout.trimEnd().replace(/^/gm, "       ")}`)
  const copies = new Set(
    run("npm", ["ls", "effect", "--all", "--parseable"], project)
      .stdout.split("\n")
      .filter((l) => l.trim() !== "")
  )
  check(ls.code === 0 && copies.size === 1, `one copy of effect in the consumer (${copies.size})`)

  // (a) The README examples, as plain Node ESM (the workspace's compiled copies of the shown files).
  const readmeOf = (p: Pkg) => readFileSync(join(root, "packages", p, "README.md"), "utf8")
  for (const p of packages) {
    const readme = readmeOf(p)
    for (const m of readme.matchAll(/<!-- example: (\S+)\.ts -->/g)) {
      const source = m[1]!
      const name = source.split("/").pop()!
      cpSync(join(root, `${source}.ts`), join(project, `${name}.ts`))
      cpSync(join(root, "test/build", `${source.replace(/^test\//, "")}.js`), join(project, `${name}.mjs`))
      const expected = /```[a-z]*\n([\s\S]*?)```/.exec(
        readme.slice(readme.indexOf(`<!-- output: ${source}.ts -->`))
      )
      const r = run("node", [`${name}.mjs`], project)
      check(
        r.code === 0 && r.stdout === expected?.[1],
        `(a) ${p}'s README example ${name} runs as plain Node ESM and prints what the README says${r.code === 0 ? "" : `\n${r.stderr}`}`
      )
    }
  }

  // (b) Type-check a consumer under NodeNext and Bundler, strict. Both compilers run in the
  // background while (c), (d) and (e) go on. NodeNext also checks every declaration file (ours and
  // the dependencies'); Bundler trusts them, as most projects do (skipLibCheck).
  writeFileSync(join(project, "consumer.ts"), consumerSource)
  const tsc = join(root, "node_modules/typescript/bin/tsc")
  const typeChecks = (
    [
      ["NodeNext", "NodeNext", false],
      ["ESNext", "Bundler", true]
    ] as const
  ).map(async ([module, resolution, skipLibCheck]) => {
    const config = `tsconfig.${resolution.toLowerCase()}.json`
    writeFileSync(
      join(project, config),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module,
          moduleResolution: resolution,
          strict: true,
          noEmit: true,
          skipLibCheck,
          types: ["node"],
          typeRoots: [join(root, "node_modules/@types")]
        },
        include: ["*.ts"]
      })
    )
    const r = await runAsync("node", [tsc, "-p", config], project)
    return () =>
      check(
        r.code === 0,
        `(b) the consumer type-checks with strict under ${resolution}${skipLibCheck ? "" : " (skipLibCheck off)"}${r.code === 0 ? "" : `\n${r.stdout}`}`
      )
  })

  // (c) No arbitraries in the main entries; the /testing entries have them.
  const probe = run(
    "node",
    [
      "--input-type=module",
      "-e",
      `const d = await import("@mpc-kit/domain"), s = await import("@mpc-kit/sim")
const dt = await import("@mpc-kit/domain/testing"), st = await import("@mpc-kit/sim/testing")
console.log(JSON.stringify({ main: [...Object.keys(d), ...Object.keys(s)], testing: [...Object.keys(dt), ...Object.keys(st)],
  step: typeof (await import("@mpc-kit/domain/Step")).step, trace: (await import("@mpc-kit/sim")).Trace.toLine === d.Trace.toLine }))`
    ],
    project
  )
  const seen = probe.code === 0 ? (JSON.parse(probe.stdout) as Record<string, unknown>) : {}
  const mainKeys = (seen.main ?? []) as Array<string>
  check(
    mainKeys.length > 0 && !mainKeys.some((k) => /arbitrar/i.test(k)),
    `(c) the main entries export no arbitraries (${mainKeys.join(" ")})${probe.stderr}`
  )
  check(
    JSON.stringify(seen.testing) === JSON.stringify(["AddParticipantArbitrary", "Arbitrary"]),
    `(c) @mpc-kit/domain/testing and @mpc-kit/sim/testing export them (${JSON.stringify(seen.testing)})`
  )
  check(seen.step === "function", "(c) @mpc-kit/domain/Step is an entry point of its own")
  check(seen.trace === true, "(c) @mpc-kit/sim's Trace is the domain's")

  // (d) The emulator from its bin, and the README's curl example against it.
  const curl = /curl -i --user ([^ ]+):([^ ]+) [\s\S]*?-d '([^']+)'[\s\S]*?(http:\/\/\S+)/.exec(
    readmeOf("http")
  )
  if (curl === null) throw new Error("packages/http/README.md shows no curl example")
  const [, authId, authToken, body, url] = curl as unknown as [string, string, string, string, string]
  const status = await withEmulator(
    project,
    { PORT: "0", PLIVO_AUTH_ID: authId, PLIVO_AUTH_TOKEN: authToken, MPC_CA_DIR: join(scratch, "ca") },
    async (base) => {
      const r = await fetch(url.replace(/^http:\/\/[^/]+/, base), {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString("base64")}`,
          "content-type": "application/json"
        },
        body
      })
      return `${r.status} ${await r.text()}`
    }
  )
  check(
    status.startsWith("201 "),
    `(d) npx mpc-emulator answers the README's curl example with 201 (${status})`
  )
  const bad = run(
    "npx",
    ["mpc-emulator"],
    project,
    cleanEnv({ PORT: "abc", MPC_CLOCK: "fast", MPC_CPS: "0" })
  )
  check(
    bad.code === 2 &&
      ["PORT", "MPC_CLOCK", "MPC_CPS"].every((v) => bad.stderr.includes(`mpc-emulator: ${v} `)),
    `(d) PORT=abc MPC_CLOCK=fast MPC_CPS=0 npx mpc-emulator exits 2 naming each variable (${bad.code})`
  )
  const help = run("npx", ["mpc-emulator", "--help"], project)
  check(help.code === 0 && help.stdout.startsWith("usage: mpc-emulator"), "(d) npx mpc-emulator --help")

  // (e) The simulator's bin on a scenario it ships.
  const scenario = "node_modules/@mpc-kit/sim/scenarios/parallel-dial.json"
  const sim = run("npx", ["mpc-sim", "run", scenario, "--seed", "1"], project)
  check(
    sim.code === 0 && /^scenario +parallel-dial$/m.test(sim.stdout) && /^joins +2$/m.test(sim.stdout),
    `(e) npx mpc-sim run ${scenario} --seed 1${sim.code === 0 ? "" : `\n${sim.stderr}`}`
  )
  const list = run("npx", ["mpc-sim", "list"], project)
  check(
    list.code === 0 && /^contact-centre\.json$/m.test(list.stdout),
    "(e) npx mpc-sim list shows the scenarios"
  )

  for (const report of await Promise.all(typeChecks)) report()
}

/** Runs `npx mpc-emulator` with `env`, waits for its address, runs `use`, and stops it. */
const withEmulator = async (
  cwd: string,
  env: Record<string, string>,
  use: (base: string) => Promise<string>
): Promise<string> => {
  // Its own process group, so stopping it also stops the node process npx started.
  const child: ChildProcess = spawn("npx", ["mpc-emulator"], { cwd, env: cleanEnv(env), detached: true })
  let output = ""
  try {
    const base = await new Promise<string>((ok, ko) => {
      const timer = setTimeout(() => ko(new Error(`the emulator did not start in 30 s:\n${output}`)), 30_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const m = /listening on (http:\/\/\S+)/.exec(output)
        if (m !== null) {
          clearTimeout(timer)
          ok(m[1]!)
        }
      }
      child.stdout?.on("data", onData)
      child.stderr?.on("data", onData)
      child.on("exit", (code) => {
        clearTimeout(timer)
        ko(new Error(`the emulator exited (${code}):\n${output}`))
      })
    })
    return await use(base)
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  } finally {
    if (child.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((ok) => child.on("exit", ok))
      process.kill(-child.pid, "SIGTERM")
      await exited
    }
  }
}

/** What a consumer writes: every entry point, used so that a wrong declaration fails to compile. */
const consumerSource = `import { AddParticipantParams, State, Step, Timers, Trace } from "@mpc-kit/domain"
import { step } from "@mpc-kit/domain/Step"
import type { TraceEntry } from "@mpc-kit/domain/Trace"
import { AddParticipantArbitrary } from "@mpc-kit/domain/testing"
import { EmulatorConfig, Signature } from "@mpc-kit/http"
import * as Server from "@mpc-kit/http/Server"
import { Scenario, Simulation } from "@mpc-kit/sim"
import { Arbitrary } from "@mpc-kit/sim/testing"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"

const request = Either.getOrThrow(AddParticipantParams.decode({ role: "Agent", from: "+12025550000", to: "+12025551111" }))
const state = State.make({ authId: "MA0000000000000000000", cps: 2 }, 0)
const out: Step.StepResult = step(state, { _tag: "AddParticipant", at: 0, apiId: "a", mpc: { _tag: "ByName", name: "x" }, request })
const timers = Timers.apply(Timers.empty, out.commands)
const entries: ReadonlyArray<TraceEntry> = out.commands.map((c) => Trace.commandEntry(0, c))
const scenario: Scenario.Scenario = FastCheck.sample(Arbitrary.scenario(), { numRuns: 1, seed: 1 })[0]!
const trace: ReadonlyArray<TraceEntry> = Simulation.run(scenario, { seed: 1, trace: true }).trace
const wire: FastCheck.Arbitrary<AddParticipantArbitrary.WireRequest> = AddParticipantArbitrary.validWireRequest
const env: Either.Either<EmulatorConfig.EmulatorEnv, ReadonlyArray<string>> = EmulatorConfig.fromEnv({ PORT: "0" })
const signature: string = Signature.signV3("token", "POST", "https://example.com/", {}, "nonce")
const layer: typeof Server.layer = Server.layer
// @ts-expect-error the main entry exports no arbitraries
import("@mpc-kit/domain").then((d) => d.AddParticipantArbitrary)
export { entries, env, layer, signature, timers, trace, wire }
`

try {
  await main()
} catch (e) {
  failures.push(e instanceof Error ? e.message : String(e))
  console.log(`FAIL ${e instanceof Error ? e.message : String(e)}`)
}
if (values.keep === true) console.log(`     scratch project kept in ${scratch}`)
else rmSync(scratch, { recursive: true, force: true })
console.log(
  `consumer test: ${failures.length === 0 ? "passed" : `${failures.length} failed`} in ${Math.round((Date.now() - started) / 1000)} s`
)
process.exitCode = failures.length === 0 ? 0 : 1
