/**
 * Soak benchmark (not a test): the built emulator in a child process on a store, MPCs created and
 * ended (add → answer → hang up, `end_mpc_on_exit`) with every status callback sent to a local
 * receiver; RSS of the emulator sampled every second. Prints one JSON summary.
 *
 *   node packages/http/build/test/bench/soak.bench.js [--store sqlite|pg|memory] [--mpcs N]
 *     [--rate MPCs/s (0: as fast as --concurrency allows)] [--concurrency C] [--receiver up|down]
 *     [--database-url URL] [--callbacks on|off] [--list on|off] [--lag-window seconds]
 *
 * `memory` is SQLite in memory (`MPC_DATA_DIR=:memory:`). With `--receiver down` the receiver
 * refuses connections during the run and comes up after it; the summary says how long the outbox
 * took to drain. After the run the emulator is stopped (SIGTERM) and started again on the same store:
 * the restart time is measured, and the bytes on disk per ended MPC.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { Agent, createServer, request, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}
const store = arg("store", "sqlite")
const mpcs = Number(arg("mpcs", "2000"))
const rate = Number(arg("rate", "0"))
const concurrency = Number(arg("concurrency", "16"))
const receiverMode = arg("receiver", "up")
const databaseUrl = arg("database-url", "")
const withCallbacks = arg("callbacks", "on") !== "off"
// `--list on` adds a fourth request per MPC (the network's calls list filtered by MPC).
const withList = arg("list", "off") === "on"
// The window of the lag's per-window percentiles, in seconds.
const lagWindow = Number(arg("lag-window", "60"))
const bin = fileURLToPath(new URL("../../../dist/bin/emulator.js", import.meta.url))
const AUTH = `Basic ${Buffer.from("MASOAK00000000000000:soak").toString("base64")}`

const pct = (xs: Array<number>, p: number) => {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const rssOf = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}
const du = (dir: string): number => {
  let n = 0
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size
  return n
}

const dataDir = mkdtempSync(join(tmpdir(), "mpc-kit-soak-"))
const env: Record<string, string> = {
  PLIVO_AUTH_ID: "MASOAK00000000000000",
  PLIVO_AUTH_TOKEN: "soak",
  PORT: "0",
  MPC_CLOCK: "real",
  MPC_CPS: "100000",
  MPC_CA_DIR: join(dataDir, "ca"),
  ...(store === "pg"
    ? { DATABASE_URL: databaseUrl }
    : store === "none"
      ? { MPC_DATA_DIR: "none" }
      : { MPC_DATA_DIR: store === "memory" ? ":memory:" : join(dataDir, "db") })
}

const start = (): Promise<{ proc: ChildProcess; base: string; ms: number }> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now()
    const proc = spawn(
      process.execPath,
      [...(process.env.SOAK_NODE_ARGS ?? "").split(" ").filter((s) => s !== ""), bin],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", process.env.SOAK_STDERR === "1" ? "inherit" : "ignore"]
      }
    )
    let out = ""
    proc.stdout!.setEncoding("utf8")
    proc.stdout!.on("data", (c: string) => {
      if (out === "done") return
      out += c
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) {
        out = "done"
        resolve({ proc, base: m[1]!, ms: performance.now() - t0 })
      }
    })
    proc.once("exit", (code) => reject(new Error(`emulator exited ${code}`)))
  })

const lagOf = new Map<string, number>() // MPC name -> when its hangup was answered
const lags: Array<number> = []
/** [seconds since the run started, lag ms] of every MPCEnd. */
const lagAt: Array<readonly [number, number]> = []
let callbacks = 0
const receiver: Server = createServer((req, res) => {
  let body = ""
  req.setEncoding("utf8")
  req.on("data", (c: string) => {
    body += c
  })
  req.on("end", () => {
    callbacks++
    const p = new URLSearchParams(body)
    if (p.get("EventName") === "MPCEnd") {
      const name = p.get("MPCName") ?? ""
      const at = lagOf.get(name)
      if (at !== undefined) {
        lagOf.delete(name)
        lags.push(performance.now() - at)
        lagAt.push([(performance.now() - runStart) / 1000, performance.now() - at])
      }
    }
    res.writeHead(200).end()
  })
})
const receiverPort = await new Promise<number>((r) =>
  receiver.listen(0, "127.0.0.1", () => r((receiver.address() as { port: number }).port))
)
if (receiverMode === "down") receiver.close()

// The client: node:http on a keep-alive agent (cheaper than fetch, so the load generator, which
// shares the machine, takes less of it from the emulator).
const agent = new Agent({ keepAlive: true, maxSockets: 256 })
let staleRetries = 0
const call = (
  base: string,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; text: string }> =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: AUTH,
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) })
        }
      },
      (res) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (c: string) => {
          text += c
        })
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
        res.on("error", reject)
      }
    )
    req.on("error", (e: NodeJS.ErrnoException) => {
      // The server closed this kept-alive connection as it was reused (Node's documented race):
      // the request never reached it; send it again on a new connection.
      if (req.reusedSocket && e.code === "ECONNRESET") {
        staleRetries++
        call(base, method, path, body).then(resolve, reject)
      } else reject(e)
    })
    req.end(payload)
  })
const post = async (base: string, path: string, body?: unknown) => {
  const { status, text } = await call(base, "POST", path, body ?? {})
  if (status >= 300) throw new Error(`${path}: ${status} ${text}`)
  return text === "" ? {} : JSON.parse(text)
}
const get = async (base: string, path: string) => JSON.parse((await call(base, "GET", path)).text)

let runStart = performance.now()
const first = await start()
runStart = performance.now()
const { proc, base } = first
const rss: Array<[number, number]> = []
const t0 = performance.now()
const sampler = setInterval(
  () => rss.push([Math.round((performance.now() - t0) / 1000), rssOf(proc.pid!)]),
  1000
)
const addMs: Array<number> = []
let next = 0
let done = 0
const failures: Array<string> = []
let exited: string | undefined
let stopping = false
proc.once("exit", (code, signal) => {
  if (!stopping) exited = `emulator exited (code ${code}, signal ${signal}) during the run`
})
const one = async (i: number) => {
  const a = performance.now()
  const r = await post(base, `/v1/Account/MASOAK00000000000000/MultiPartyCall/name_soak${i}/Participant`, {
    role: "Agent",
    from: "+12025550100",
    to: "+12025551111",
    end_mpc_on_exit: true,
    ...(withCallbacks
      ? {
          status_callback_url: `http://127.0.0.1:${receiverPort}/status`,
          status_callback_events: "mpc-state-changes,participant-state-changes"
        }
      : {})
  })
  addMs.push(performance.now() - a)
  const leg = r.calls[0].call_uuid as string
  await post(base, `/emulator/v1/calls/${leg}/answer`)
  if (withList) {
    const list = (await get(base, `/emulator/v1/calls?mpc=soak${i}&limit=1`)) as {
      calls: Array<{ mpc_uuid: string }>
    }
    if (list.calls.length !== 1) throw new Error(`soak${i}: not listed`)
  }
  await post(base, `/emulator/v1/calls/${leg}/hangup`)
  lagOf.set(`soak${i}`, performance.now())
  done++
}
const worker = async () => {
  for (;;) {
    const i = next++
    if (i >= mpcs) return
    if (rate > 0) {
      const due = t0 + (i / rate) * 1000
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
    try {
      await one(i)
    } catch (e) {
      // Counted and reported, not fatal: the summary says how many MPCs failed and why.
      failures.push(`soak${i}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))
const runS = (performance.now() - t0) / 1000
let drainS = 0
if (exited !== undefined) {
  // Nothing to drain: the summary below reports the exit.
} else if (receiverMode === "down") {
  const d0 = performance.now()
  await new Promise<void>((r) => receiver.listen(receiverPort, "127.0.0.1", r))
  for (;;) {
    if (((await get(base, "/emulator/v1/dead-letters?limit=1")) as { pending: number }).pending === 0) break
    await new Promise((r) => setTimeout(r, 200))
  }
  drainS = (performance.now() - d0) / 1000
} else {
  for (let k = 0; k < 600; k++) {
    if (((await get(base, "/emulator/v1/dead-letters?limit=1")) as { pending: number }).pending === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
}
clearInterval(sampler)
agent.destroy()
stopping = true
if (proc.exitCode === null && proc.signalCode === null) {
  proc.kill("SIGTERM")
  await new Promise((r) => proc.once("exit", r))
}
const bytes = store === "sqlite" ? du(join(dataDir, "db")) : 0
const again = await start()
again.proc.kill("SIGTERM")
await new Promise((r) => again.proc.once("exit", r))
receiver.close()
rmSync(dataDir, { recursive: true, force: true })
const mb = (b: number) => Math.round(b / 1e5) / 10
console.log(
  JSON.stringify({
    store,
    receiver: receiverMode,
    requestsPerMpc: withList ? 4 : 3,
    failedMpcs: failures.length,
    staleConnectionRetries: staleRetries,
    firstFailures: failures.slice(0, 3),
    ...(exited === undefined ? {} : { exited }),
    mpcs: done,
    seconds: Math.round(runS * 10) / 10,
    mpcsPerSecond: Math.round(done / runS),
    addP50ms: Math.round(pct(addMs, 50) * 10) / 10,
    addP99ms: Math.round(pct(addMs, 99) * 10) / 10,
    callbacks,
    deliveryLagP99ms: Math.round(pct(lags, 99)),
    // The lag's p50 and p99 per window of the run ([window start s, p50, p99]).
    lagWindowSeconds: lagWindow,
    lagByWindow: Array.from({ length: Math.ceil(runS / lagWindow) }, (_, m) => {
      const xs = lagAt.filter(([t]) => t >= m * lagWindow && t < (m + 1) * lagWindow).map(([, l]) => l)
      return [m * lagWindow, Math.round(pct(xs, 50)), Math.round(pct(xs, 99))]
    }),
    drainSeconds: Math.round(drainS * 10) / 10,
    rssMB: rss
      .filter((_, k) => k % Math.max(1, Math.floor(rss.length / 12)) === 0)
      .map(([t, b]) => [t, mb(b)]),
    restartMs: Math.round(again.ms),
    firstStartMs: Math.round(first.ms),
    bytesOnDiskPerMpc: bytes === 0 ? null : Math.round(bytes / done)
  })
)
