/**
 * The emulator over loopback HTTP, each figure next to a baseline measured in the same run.
 *
 * 1. Add-participant: requests per second and p50/p99 latency at 10 and 50 connections (other
 *    levels with `--levels 1,8,32`; an undici `Pool` with one keep-alive connection per client, no
 *    pipelining), every request to one MPC name (`bench`, as the issue measured; its legs pile up
 *    in its CPS queue) or, with `--mpc each`, each to its own new MPC (`bench-<i>`), with a small valid JSON body
 *    (Agent, one destination). After a warm-up, each concurrency runs 3 rounds of 2,000 requests
 *    per server, the emulator and the bare server taking turns, so a neighbour's burst of CPU on
 *    this shared machine hits both sides of a round's ratio alike; the ratio printed is the median
 *    of the rounds', with its range.
 *    - emulator: `Server.layer` on port 0, virtual clock, callbacks and XML fetches disabled
 *      (`EngineOutputs.none`), the per-request log line on (`--no-log` drops it): the figure is HTTP
 *      routing (HttpApi) + Basic auth + body decode + `step` under the engine's lock. CPS is 10 and
 *      virtual time stands still, so after the first 10 legs every leg waits in the CPS queue
 *      (as it would on a busy account); the response is the same 201.
 *    - bare: a `node:http` server that checks the same Basic auth, reads the body, runs the same
 *      `AddParticipantParams.decodeJson` (which is the `JSON.parse`, then the schema) and answers
 *      a JSON of the emulator's shape (`api_id`, `calls`, `message`, `request_uuid`) with fresh
 *      UUIDs. No HttpApi, no Effect, no engine, no step.
 *    The ratio is the emulator's time per request over the bare server's, at each concurrency.
 *
 * 2. Callbacks: 20,000 `SendCallback`s (POST, the 15 parameters of an MPC status callback, 100
 *    MPCs x 1 URL, so 100 ordered lanes) enqueued into `CallbackSender.Live` (16 in flight, its
 *    default) against a `node:http` receiver answering 200; timed from the first `send` to the end
 *    of `flush`. Baseline: the same bodies as plain undici POSTs (the same kind of dispatcher, an
 *    undici `Agent`) from 16 concurrent loops: no signing, no nonce, no lanes, no Effect. 3
 *    rounds each, taking turns. Also printed: what `signV3` + a nonce cost alone.
 *
 * undici is @effect/platform-node's (`@effect/platform-node/Undici`, the one `CallbackSender.Live`
 * runs on), since it is not a dependency of this package of its own.
 *
 * Where the servers run: each server (emulator, bare server, callback receiver) runs in its own
 * child process (this script, compiled, with `--serve <kind>`), the load generator in this one.
 * This machine has 2 cores: in one process the client's own work (undici, timing, promise
 * plumbing) would share the event loop with the server's and the figures would measure both at
 * once; in two processes each side gets a core, as a real client and the emulator would. The
 * server's CPU per request (user + system, read from the child over stdin/stdout) is printed too:
 * it does not depend on how the two processes share the cores. `--in-process` runs the servers in
 * this process instead, for comparison (the CPU column is then client + server).
 *
 * Run: pnpm bench:http  (options: --n 2000 requests per round; --rounds 3; --callbacks 20000;
 * --in-process; --no-log; --levels 10,50; --mpc one|each; --only http|callbacks). About 30 s on 2 idle cores.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server as NodeServer, type ServerResponse } from "node:http"
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import { HttpServer } from "@effect/platform"
import Undici from "@effect/platform-node/Undici"
import { AddParticipantParams, AddParticipantRequest, type Command } from "@mpc-kit/domain"
import { CallbackSender, Engine, Server, Signature } from "@mpc-kit/http"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Scope from "effect/Scope"

const arg = (name: string): string | undefined => {
  const k = process.argv.indexOf(`--${name}`)
  return k < 0 ? undefined : process.argv[k + 1]
}
const flag = (name: string) => process.argv.includes(`--${name}`)
/** The request log is on unless `--no-log` (the emulator as it runs by default). */
const logOn = () => !flag("no-log")
/**
 * Every add to one MPC name (`--mpc one`, the default, as the issue measured it: its legs pile up in
 * that MPC's CPS queue), or each to a new MPC (`--mpc each`).
 */
const oneMpc = () => (arg("mpc") ?? "one") === "one"

const account = { authId: "MABENCH0000000000000", authToken: "bench-secret-token" }
const basicAuth = `Basic ${Buffer.from(`${account.authId}:${account.authToken}`).toString("base64")}`
const addPath = (name: string) => `/v1/Account/${account.authId}/MultiPartyCall/name_${name}/Participant/`
const addBody = JSON.stringify({ role: "Agent", from: "+12025550000", to: "+14155550101" })

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

type Kind = "emulator" | "bare" | "receiver"

/** A running server: its base URL, how many requests it answered, and how to stop it. */
interface Served {
  readonly url: string
  readonly requests: () => number | undefined
  readonly close: () => Promise<void>
}

const listen = (server: NodeServer) =>
  new Promise<string>((resolve) => {
    server.keepAliveTimeout = 60_000
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`)
    })
  })

const readAll = (req: IncomingMessage, done: (text: string) => void) => {
  const chunks: Array<Buffer> = []
  req.on("data", (c: Buffer) => chunks.push(c))
  req.on("end", () =>
    done(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString())
  )
}

const closeServer = (server: NodeServer) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

/** The emulator: engine + HttpApi routes + NodeHttpServer, on a virtual clock, no outputs. */
const serveEmulator = async (log: boolean): Promise<Served> => {
  const scope = Effect.runSync(Scope.make())
  const layer = Server.layer({
    host: "127.0.0.1",
    port: 0,
    account,
    clock: "virtual",
    cps: 10,
    // Per account (Server.Options.outputs): none, so no callback or XML fetch is ever sent.
    outputs: () => Engine.EngineOutputs.none,
    start: 1_767_603_600_000,
    seed: 1
  }).pipe(Layer.provide(log ? Logger.logFmt : Logger.minimumLogLevel(LogLevel.None)))
  const context = await Effect.runPromise(Scope.extend(Layer.build(layer), scope))
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("the emulator has no TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => undefined,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** The bare server: the same auth check and decode, an answer of the same shape, no engine. */
const serveBare = async (): Promise<Served> => {
  let requests = 0
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    res.end(text)
  }
  const server = createServer((req, res) => {
    requests++
    const apiId = randomUUID()
    if (req.headers.authorization !== basicAuth) {
      req.resume()
      return reply(res, 401, { api_id: apiId, error: "authentication failed" })
    }
    readAll(req, (text) => {
      const decoded = AddParticipantParams.decodeJson(text)
      if (Either.isLeft(decoded)) return reply(res, 400, { api_id: apiId, error: decoded.left.error })
      const target = decoded.right.target
      const calls =
        target._tag === "DialOut"
          ? target.destinations.map((d) => ({
              to: AddParticipantRequest.formatAddress(d.address),
              from: target.from,
              call_uuid: randomUUID()
            }))
          : []
      reply(res, 201, {
        api_id: apiId,
        calls,
        message: "add participant action queued",
        request_uuid: randomUUID()
      })
    })
  })
  const url = await listen(server)
  return { url, requests: () => requests, close: () => closeServer(server) }
}

/** The callback receiver: reads the body, answers 200. */
const serveReceiver = async (): Promise<Served> => {
  let requests = 0
  const server = createServer((req, res) => {
    readAll(req, () => {
      requests++
      res.writeHead(200, { "content-length": 0 })
      res.end()
    })
  })
  const url = await listen(server)
  return { url, requests: () => requests, close: () => closeServer(server) }
}

const serveKind = (kind: Kind, log: boolean): Promise<Served> =>
  kind === "emulator" ? serveEmulator(log) : kind === "bare" ? serveBare() : serveReceiver()

/** What the load generator sees of a server, wherever it runs. */
interface Remote {
  readonly url: string
  /** The server's CPU time (user + system, µs) and requests answered so far. */
  readonly stats: () => Promise<{ cpuUs: number; requests: number | undefined }>
  readonly stop: () => Promise<void>
}

const cpuNow = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Child mode: serve, print the URL, answer `stats` lines on stdin until it closes. */
const child = async (kind: Kind) => {
  const served = await serveKind(kind, logOn())
  process.stdout.write(`bench-server ${served.url}\n`)
  let buffered = ""
  process.stdin.setEncoding("utf8")
  process.stdin.on("data", (chunk: string) => {
    buffered += chunk
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line === "stats")
        process.stdout.write(
          `bench-stats ${JSON.stringify({ cpuUs: cpuNow(), requests: served.requests() })}\n`
        )
    }
  })
  process.stdin.on("end", () => {
    void served.close().then(() => process.exit(0))
  })
}

/** Starts a server in a child process (this script with `--serve`). */
const spawnServer = (kind: Kind): Promise<Remote> =>
  new Promise((resolve, reject) => {
    const args = [fileURLToPath(import.meta.url), "--serve", kind, ...(logOn() ? [] : ["--no-log"])]
    const proc: ChildProcess = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] })
    const waiting: Array<(line: string) => void> = []
    let buffered = ""
    proc.on("error", reject)
    proc.on("exit", (code) => {
      if (code !== 0 && code !== null) reject(new Error(`the ${kind} server exited with ${code}`))
    })
    proc.stdout!.setEncoding("utf8")
    proc.stdout!.on("data", (chunk: string) => {
      buffered += chunk
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line.startsWith("bench-server ")) {
          resolve({
            url: line.slice("bench-server ".length),
            stats: () =>
              new Promise((answer) => {
                waiting.push((l) => answer(JSON.parse(l)))
                proc.stdin!.write("stats\n")
              }),
            stop: () =>
              new Promise((done) => {
                proc.once("exit", () => done())
                proc.stdin!.end()
              })
          })
        } else if (line.startsWith("bench-stats ")) {
          waiting.shift()?.(line.slice("bench-stats ".length))
        }
        // Anything else (the emulator's start line, request log lines) is dropped.
      }
    })
  })

/** Starts a server in this process. */
const localServer = async (kind: Kind): Promise<Remote> => {
  const served = await serveKind(kind, logOn())
  return {
    url: served.url,
    stats: async () => ({ cpuUs: cpuNow(), requests: served.requests() }),
    stop: served.close
  }
}

const startServer = (kind: Kind) => (flag("in-process") ? localServer(kind) : spawnServer(kind))

// ---------------------------------------------------------------------------------------------
// 1. Add-participant
// ---------------------------------------------------------------------------------------------

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const median = (xs: ReadonlyArray<number>) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!
const pad = (s: string, w: number) => s.padStart(w)
const int = (x: number) => Math.round(x).toLocaleString("en-US")
const ratioText = (rs: ReadonlyArray<number>) =>
  `${median(rs).toFixed(2)}x [${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}]`

let nextName = 0

/** `n` requests from `concurrency` loops over one connection each; throws on any status but 201. */
const load = async (pool: InstanceType<typeof Undici.Pool>, concurrency: number, n: number) => {
  const latencies = new Float64Array(n)
  let next = 0
  let failure: string | undefined
  const loop = async () => {
    for (;;) {
      const i = next++
      if (i >= n || failure !== undefined) return
      const started = performance.now()
      const r = await pool.request({
        path: addPath(oneMpc() ? "bench" : `bench-${nextName++}`),
        method: "POST",
        headers: { authorization: basicAuth, "content-type": "application/json" },
        body: addBody
      })
      const text = await r.body.text()
      latencies[i] = performance.now() - started
      if (r.statusCode !== 201) failure = `${r.statusCode} ${text}`
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  const seconds = (performance.now() - t0) / 1000
  if (failure !== undefined) throw new Error(`add participant failed: ${failure}`)
  return { seconds, latencies }
}

/** One server's rounds at one concurrency. */
interface Rounds {
  readonly rps: Array<number>
  readonly latencies: Array<Float64Array>
  cpuUs: number
  requests: number
}

/** One measured round: `n` requests, the server's CPU around them. */
const round = async (
  server: Remote,
  pool: InstanceType<typeof Undici.Pool>,
  c: number,
  n: number,
  into: Rounds
) => {
  const before = await server.stats()
  const { seconds, latencies } = await load(pool, c, n)
  const after = await server.stats()
  into.rps.push(n / seconds)
  into.latencies.push(latencies)
  into.cpuUs += after.cpuUs - before.cpuUs
  into.requests += n
}

const summary = (r: Rounds) => {
  const all = new Float64Array(r.requests)
  let k = 0
  for (const l of r.latencies) {
    all.set(l, k)
    k += l.length
  }
  all.sort()
  return { rps: median(r.rps), p50: quantile(all, 0.5), p99: quantile(all, 0.99), cpu: r.cpuUs / r.requests }
}

const benchHttp = async () => {
  const n = Number(arg("n") ?? 2000)
  const rounds = Number(arg("rounds") ?? 3)
  const levels = (arg("levels") ?? "10,50").split(",").map(Number)
  console.log(
    `1. POST .../MultiPartyCall/${oneMpc() ? `name_bench/Participant/ (JSON ${addBody.length} B), all to one MPC (its legs queue)` : `name_bench-<i>/Participant/ (JSON ${addBody.length} B), each to a new MPC`}; per concurrency ${rounds} rounds of ${int(n)} requests per server, emulator and bare taking turns, after a warm-up`
  )
  const emulator = await startServer("emulator")
  const bare = await startServer("bare")
  const cpuLabel = flag("in-process") ? "CPU us/req (all)" : "server CPU us/req"
  const header = `${pad("conc", 5)} | ${pad("emulator req/s", 14)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} | ${pad("bare req/s", 10)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} | ${pad("time ratio [range]", 20)} | ${cpuLabel} emulator / bare`
  try {
    // Warm-up: JIT both servers and this client, at a middling concurrency.
    for (const server of [emulator, bare]) {
      const warm = new Undici.Pool(server.url, { connections: 8, pipelining: 1 })
      await load(warm, 8, 3000)
      await warm.close()
    }
    console.log(`\n${header}`)
    for (const c of levels) {
      const pools = [emulator, bare].map((s) => new Undici.Pool(s.url, { connections: c, pipelining: 1 }))
      // Opens the connections (and lets the JIT see this concurrency) before anything is timed.
      for (const pool of pools) await load(pool, c, Math.max(200, 4 * c))
      const e: Rounds = { rps: [], latencies: [], cpuUs: 0, requests: 0 }
      const b: Rounds = { rps: [], latencies: [], cpuUs: 0, requests: 0 }
      const ratios: Array<number> = []
      for (let r = 0; r < rounds; r++) {
        await round(emulator, pools[0]!, c, n, e)
        await round(bare, pools[1]!, c, n, b)
        ratios.push(b.rps[r]! / e.rps[r]!)
      }
      for (const pool of pools) await pool.close()
      const se = summary(e)
      const sb = summary(b)
      console.log(
        `${pad(String(c), 5)} | ${pad(int(se.rps), 14)} ${pad(se.p50.toFixed(2), 7)} ${pad(se.p99.toFixed(2), 7)} | ${pad(int(sb.rps), 10)} ${pad(sb.p50.toFixed(2), 7)} ${pad(sb.p99.toFixed(2), 7)} | ${pad(ratioText(ratios), 20)} | ${pad(int(se.cpu), 4)} / ${pad(int(sb.cpu), 3)} = ${(se.cpu / sb.cpu).toFixed(2)}x`
      )
    }
  } finally {
    await emulator.stop()
    await bare.stop()
  }
  console.log(
    "req/s: median round; p50/p99: over all rounds; time ratio: emulator time per request / bare's, median over\n" +
      "rounds (each round's emulator and bare runs back to back) [lowest-highest]"
  )
}

// ---------------------------------------------------------------------------------------------
// 2. Callbacks
// ---------------------------------------------------------------------------------------------

const ts = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19)

/** `count` MPC status callbacks over 100 MPCs (one status URL), SequenceNumber 1, 2, ... per MPC. */
const makeCallbacks = (url: string, count: number, prefix: string): Array<Command.SendCallback> => {
  const out: Array<Command.SendCallback> = []
  const seq = new Array<number>(100).fill(0)
  const t0 = 1_767_603_600_000
  for (let i = 0; i < count; i++) {
    const m = i % 100
    const mpcUuid = `${prefix}-${String(m).padStart(4, "0")}-4a5b-8c9d-0123456789ab`
    const s = ++seq[m]!
    out.push({
      _tag: "SendCallback",
      kind: "status",
      url: `${url}/mpc/status`,
      method: "POST",
      mpcUuid,
      event: "ParticipantSpeakStart",
      params: {
        EventName: "ParticipantSpeakStart",
        EventTimestamp: ts(t0 + i * 10),
        MPCBilledAmount: null,
        MPCBilledDuration: null,
        MPCCreationTime: ts(t0),
        MPCDuration: null,
        MPCEndTime: null,
        MPCName: `queue-${m}`,
        MPCStartTime: ts(t0 + 1000),
        MPCTerminationCause: null,
        MPCTerminationCauseCode: null,
        MPCUUID: mpcUuid,
        SequenceNumber: String(s),
        MemberID: String(1 + (s % 3)),
        ParticipantRole: "Agent"
      }
    })
  }
  return out
}

/** Enqueues every callback, then flushes; seconds from the first `send` to the end of `flush`. */
const viaSender = (callbacks: ReadonlyArray<Command.SendCallback>) =>
  Effect.gen(function* () {
    const sender = yield* CallbackSender.CallbackSender
    const before = yield* sender.stats
    const cpu0 = cpuNow()
    const t0 = performance.now()
    for (const cb of callbacks) yield* sender.send(cb)
    const enqueuedMs = performance.now() - t0
    yield* sender.flush
    const seconds = (performance.now() - t0) / 1000
    const cpuUs = cpuNow() - cpu0
    const after = yield* sender.stats
    const delivered = after.delivered - before.delivered
    const attempts = after.attempts - before.attempts
    if (delivered !== callbacks.length || after.pending !== 0)
      throw new Error(`the sender delivered ${delivered} of ${callbacks.length}`)
    return { seconds, cpuUs, enqueuedMs, attempts }
  })

/** The same bodies as plain undici POSTs from `concurrency` loops. */
const viaUndici = async (
  agent: InstanceType<typeof Undici.Agent>,
  callbacks: ReadonlyArray<Command.SendCallback>,
  concurrency: number
) => {
  let next = 0
  const loop = async () => {
    for (;;) {
      const i = next++
      if (i >= callbacks.length) return
      const cb = callbacks[i]!
      const r = await Undici.request(cb.url, {
        dispatcher: agent,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "mpc-kit" },
        body: new URLSearchParams(CallbackSender.wireParams(cb.params)).toString()
      })
      await r.body.dump()
      if (r.statusCode !== 200) throw new Error(`the receiver answered ${r.statusCode}`)
    }
  }
  const cpu0 = cpuNow()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { seconds: (performance.now() - t0) / 1000, cpuUs: cpuNow() - cpu0 }
}

const benchCallbacks = async () => {
  const count = Number(arg("callbacks") ?? 20_000)
  const rounds = Number(arg("rounds") ?? 3)
  const concurrency = 16
  const receiver = await startServer("receiver")
  const received = async <A>(f: () => Promise<A>): Promise<A> => {
    const before = await receiver.stats()
    const a = await f()
    const after = await receiver.stats()
    const got = (after.requests ?? 0) - (before.requests ?? 0)
    if (got !== count) throw new Error(`the receiver got ${got} of ${count}`)
    return a
  }
  try {
    const warmUp = makeCallbacks(receiver.url, 2000, "aaaaaaaa")
    const measured = Array.from({ length: rounds }, (_, r) =>
      makeCallbacks(receiver.url, count, `bbbbbbb${r}`)
    )
    const first = measured[0]!
    const body = new URLSearchParams(CallbackSender.wireParams(first[0]!.params)).toString()
    console.log(
      `\n2. ${int(count)} status callbacks (POST, ${Object.keys(first[0]!.params).length} params, ~${body.length} B form body), 100 MPCs x 1 URL, ${concurrency} in flight; ${rounds} rounds, sender and plain taking turns, after a warm-up`
    )
    // The sender is built once, like the emulator builds it, and used from this async code.
    const scope = Effect.runSync(Scope.make())
    const context = await Effect.runPromise(
      Scope.extend(
        Layer.build(
          CallbackSender.CallbackSender.Live({ authToken: account.authToken, maxConcurrency: concurrency })
        ),
        scope
      )
    )
    const sender = (cbs: ReadonlyArray<Command.SendCallback>) =>
      Effect.runPromise(Effect.provide(viaSender(cbs), context))
    const agent = new Undici.Agent()
    const results: Array<{
      sender: Awaited<ReturnType<typeof sender>>
      plain: Awaited<ReturnType<typeof viaUndici>>
    }> = []
    try {
      await sender(warmUp)
      await viaUndici(agent, warmUp, concurrency)
      for (const cbs of measured) {
        const s = await received(() => sender(cbs))
        const p = await received(() => viaUndici(agent, cbs, concurrency))
        results.push({ sender: s, plain: p })
      }
    } finally {
      await agent.close()
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }

    // What signing alone costs (the same HMAC and a nonce per callback), without sending.
    const s0 = performance.now()
    for (const cb of first)
      Signature.signV3(
        account.authToken,
        "POST",
        cb.url,
        CallbackSender.wireParams(cb.params),
        CallbackSender.makeNonce()
      )
    const signSeconds = (performance.now() - s0) / 1000

    const total = count * rounds
    const senderRate = median(results.map((r) => count / r.sender.seconds))
    const plainRate = median(results.map((r) => count / r.plain.seconds))
    const senderCpu = results.reduce((a, r) => a + r.sender.cpuUs, 0) / total
    const plainCpu = results.reduce((a, r) => a + r.plain.cpuUs, 0) / total
    const attempts = results.reduce((a, r) => a + r.sender.attempts, 0)
    const cpuLabel = flag("in-process") ? "CPU (all)" : "sender-side CPU"
    console.log(
      `  CallbackSender.Live   ${pad(int(senderRate), 8)} callbacks/s   ${cpuLabel} ${pad(int(senderCpu), 3)} us per callback; enqueueing ${int(count)} took ${median(results.map((r) => r.sender.enqueuedMs)).toFixed(0)} ms; ${int(attempts)} attempts for ${int(total)}`
    )
    console.log(
      `  plain undici POSTs    ${pad(int(plainRate), 8)} POSTs/s       ${cpuLabel} ${pad(int(plainCpu), 3)} us per POST`
    )
    console.log(
      `  time ratio (sender / plain)  ${ratioText(results.map((r) => r.sender.seconds / r.plain.seconds))}; CPU ratio ${(senderCpu / plainCpu).toFixed(2)}x`
    )
    console.log(
      `  signV3 + nonce alone  ${pad(int(count / signSeconds), 8)} /s            ${int((signSeconds * 1e6) / count)} us each (${((signSeconds / (count / senderRate)) * 100).toFixed(0)}% of the sender's time)`
    )
    console.log("callbacks/s and POSTs/s: median round; time ratio: median over rounds [lowest-highest]")
  } finally {
    await receiver.stop()
  }
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const serve = arg("serve")
  if (serve !== undefined) return child(serve as Kind)
  const only = arg("only")
  console.log(
    `node ${process.version}, ${cpus().length} cores; servers ${flag("in-process") ? "in this process" : "each in its own child process"}; request log ${logOn() ? "on" : "off"}\n`
  )
  const t0 = performance.now()
  if (only !== "callbacks") await benchHttp()
  if (only !== "http") await benchCallbacks()
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
