/**
 * Store benchmark (not a test): add-participant throughput and latency of the built emulator with no
 * store (in memory, the baseline), SQLite in a file and PostgreSQL (a throwaway server with fsync
 * on), side by side in one run, each in its own child process. Each add names a new MPC (the
 * journal commits every one), no callbacks. Prints one line per store and the ratio to in memory.
 *
 *   node packages/http/build/test/bench/stores.bench.js [--adds N] [--connections C] [--skip-pg]
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { startPostgres } from "../test/store/Postgres.js"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}
const adds = Number(arg("adds", "6000"))
const connections = Number(arg("connections", "16"))
const bin = fileURLToPath(new URL("../../../dist/bin/emulator.js", import.meta.url))
const AUTH = `Basic ${Buffer.from("MASTORES000000000000:bench").toString("base64")}`

const pct = (xs: Array<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

const start = (env: Record<string, string>): Promise<{ proc: ChildProcess; base: string }> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin], {
      env: {
        ...process.env,
        PLIVO_AUTH_ID: "MASTORES000000000000",
        PLIVO_AUTH_TOKEN: "bench",
        PORT: "0",
        MPC_CPS: "100000",
        ...env
      },
      stdio: ["ignore", "pipe", "ignore"]
    })
    let out = ""
    proc.stdout!.setEncoding("utf8")
    proc.stdout!.on("data", (c: string) => {
      out += c
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) resolve({ proc, base: m[1]! })
    })
    proc.once("exit", (code) => reject(new Error(`emulator exited ${code}: ${out}`)))
  })

const run = async (label: string, env: Record<string, string>) => {
  const { proc, base } = await start(env)
  const latencies: Array<number> = []
  let next = 0
  const one = async (i: number) => {
    const t = performance.now()
    const res = await fetch(`${base}/v1/Account/MASTORES000000000000/MultiPartyCall/name_b${i}/Participant`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body: JSON.stringify({ role: "Agent", from: "+12025550100", to: "+12025551111" })
    })
    await res.text()
    if (res.status !== 201) throw new Error(`${label}: add answered ${res.status}`)
    latencies.push(performance.now() - t)
  }
  // Warm up (JIT, connections), then measure.
  for (let i = 0; i < 200; i++) await one(-1 - i)
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < adds; i = next++) await one(i)
    })
  )
  const seconds = (performance.now() - t0) / 1000
  proc.kill("SIGTERM")
  await new Promise((r) => proc.once("exit", r))
  const measured = latencies.slice(200)
  return {
    store: label,
    addsPerSecond: Math.round(adds / seconds),
    p50ms: Math.round(pct(measured, 50) * 10) / 10,
    p99ms: Math.round(pct(measured, 99) * 10) / 10
  }
}

const dir = mkdtempSync(join(tmpdir(), "mpc-kit-stores-"))
const results = [await run("memory", { MPC_DATA_DIR: "none" })]
results.push(await run("sqlite", { MPC_DATA_DIR: join(dir, "db") }))
if (!process.argv.includes("--skip-pg")) {
  const pg = await startPostgres({ fsync: true })
  try {
    results.push(await run("postgresql", { DATABASE_URL: pg.createDatabase("bench") }))
  } finally {
    pg.stop()
  }
}
rmSync(dir, { recursive: true, force: true })
const base = results[0]!.addsPerSecond
for (const r of results)
  console.log(
    JSON.stringify({
      ...r,
      adds,
      connections,
      ratioToMemory: Math.round((r.addsPerSecond / base) * 100) / 100
    })
  )
