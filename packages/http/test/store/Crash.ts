/**
 * STORE-1, STORE-3, DLV-1, DLV-2, DLV-4: the emulator (the built binary, in a child process) is
 * killed with SIGKILL at many points of a scripted run: right after a commit and before the answer
 * (a fault switch of the binary), while a callback is being delivered (the receiver kills it), and
 * between requests. It is restarted on the same store each time and the run goes on. Then: every
 * request that got a 2xx is reflected, no MPC name got two MPCs, every callback arrived at least
 * once, in SequenceNumber order per (MPC, URL) and with a stable idempotency key, and the whole
 * log replays with the domain's invariants holding at every step. On SQLite and on PostgreSQL.
 *
 * Needs the compiled binary (`tsc -b`, which `pnpm test` runs first). The tests are
 * CrashSqlite.test.ts and CrashPostgres.test.ts (separate files so they run side by side).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Invariants, Step } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { expect } from "vitest"
import { idempotencyHeader } from "../../src/delivery/Attempt.js"
import { Store } from "../../src/store/Store.js"

export const bin = fileURLToPath(new URL("../../dist/bin/emulator.js", import.meta.url))
const AUTH_ID = "MACRASH0000000000000"
const TOKEN = "crash-token"
const auth = `Basic ${Buffer.from(`${AUTH_ID}:${TOKEN}`).toString("base64")}`

interface Received {
  readonly mpc: string
  readonly path: string
  readonly seq: number
  readonly event: string
  readonly key: string
}

/** The receiver: records every callback; `killOn` lets a test kill the emulator mid-delivery. */
const startReceiver = async () => {
  const received: Array<Received> = []
  let killOn: (() => boolean) | undefined
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (c: string) => {
      body += c
    })
    req.on("end", () => {
      const p = new URLSearchParams(body)
      received.push({
        mpc: p.get("MPCUUID") ?? "",
        path: req.url ?? "",
        seq: Number(p.get("SequenceNumber") ?? "0"),
        event: p.get("EventName") ?? "",
        key: String(req.headers[idempotencyHeader.toLowerCase()] ?? "")
      })
      // DLV-2: killed while this callback is in flight, the emulator never sees an answer.
      if (killOn?.() === true) {
        res.destroy()
        return
      }
      res.writeHead(200).end("ok")
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setKillOn: (f: (() => boolean) | undefined) => {
      killOn = f
    },
    close: () => new Promise<void>((r) => server.close(() => r()))
  }
}

interface Child {
  readonly proc: ChildProcess
  readonly base: string
  readonly exited: Promise<void>
  /** The fault the binary killed itself at (`before` or `after` a commit), if it did. */
  readonly fault: () => "before" | "after" | undefined
}

const startChild = (env: Record<string, string>): Promise<Child> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bin], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    // "close": the process exited and its output was all read (a fault line included).
    const exited = new Promise<void>((r) => proc.once("close", () => r()))
    let out = ""
    let err = ""
    let fault: "before" | "after" | undefined
    proc.stderr!.setEncoding("utf8")
    proc.stderr!.on("data", (c: string) => {
      err = (err + c).slice(-4000)
      const m = /mpc-kit fault: SIGKILL (before|after) commit/.exec(c)
      if (m !== null) fault = m[1] as "before" | "after"
    })
    proc.stdout!.setEncoding("utf8")
    proc.stdout!.on("data", (c: string) => {
      if (out === null) return
      out += c
      const m = /listening on (http:\/\/[^\s]+)/.exec(out)
      if (m !== null) {
        out = ""
        resolve({ proc, base: m[1]!, exited, fault: () => fault })
      } else if (out.length > 100_000) out = out.slice(-1000)
    })
    proc.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening: ${err}`)))
  })

/** A request; `undefined` when the emulator died before answering. */
const call = async (
  base: string,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; json: Record<string, unknown> } | undefined> => {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await res.text()
    return { status: res.status, json: text === "" ? {} : JSON.parse(text) }
  } catch {
    return undefined
  }
}

/** Deterministic choices (a fixed seed: a failure replays the same run). */
const rng = (seed: number) => () => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) | 0
  return ((seed >>> 0) % 1_000_000) / 1_000_000
}

interface CallRow {
  readonly call_uuid: string
  readonly state: string
  readonly mpc_uuid: string | null
}

/** The scripted run with its kills and checks; `storeLayer` opens the same store in this process. */
export const crashRun = async (storeEnv: Record<string, string>, storeLayer: () => Layer.Layer<Store>) => {
  const receiver = await startReceiver()
  const caDir = mkdtempSync(join(tmpdir(), "mpc-kit-crash-ca-"))
  const random = rng(20261130)
  const env = {
    ...storeEnv,
    PLIVO_AUTH_ID: AUTH_ID,
    PLIVO_AUTH_TOKEN: TOKEN,
    PORT: "0",
    MPC_CLOCK: "virtual",
    MPC_CPS: "1000",
    MPC_CA_DIR: caDir,
    MPC_SNAPSHOT_EVERY: "7",
    MPC_RETRY_INITIAL_MS: "20",
    MPC_RETRY_MAX_MS: "200",
    MPC_DRAIN_SECONDS: "1"
  }
  const kills = { before: 0, after: 0, delivery: 0, between: 0 }
  const total = () => kills.before + kills.after + kills.delivery + kills.between
  let child: Child | undefined
  const kill = async () => {
    if (child === undefined) return
    child.proc.kill("SIGKILL")
    await child.exited
    child = undefined
  }
  /** Starts the emulator with one kill armed (or none for the final checks). */
  const life = async (armed: boolean) => {
    receiver.setKillOn(undefined)
    const mode = armed ? ["before", "after", "delivery", "between"][Math.floor(random() * 4)]! : "none"
    const nth = String(1 + Math.floor(random() * 3))
    const extra: Record<string, string> =
      mode === "before"
        ? { MPC_FAULT_KILL_BEFORE_COMMIT: nth }
        : mode === "after"
          ? { MPC_FAULT_KILL_AFTER_COMMIT: nth }
          : {}
    child = await startChild({ ...env, ...extra })
    const current = child
    void current.exited.then(() => {
      if (child === current) child = undefined
    })
    void current.exited.then(() => {
      const fault = current.fault()
      if (fault !== undefined) kills[fault]++
    })
    if (mode === "delivery") {
      let left = 1 + Math.floor(random() * 4)
      receiver.setKillOn(() => {
        if (--left !== 0 || child !== current) return false
        kills.delivery++
        current.proc.kill("SIGKILL")
        return true
      })
    }
    return mode
  }

  const mpcs = 8
  const obligations: Array<() => Promise<void>> = []
  const callsOf = async (name: string): Promise<ReadonlyArray<CallRow> | undefined> => {
    const r = await call(child!.base, "GET", `/emulator/v1/calls?mpc=${name}`)
    return r === undefined ? undefined : (r.json.calls as ReadonlyArray<CallRow>)
  }
  type Step = { readonly done: () => Promise<boolean | undefined>; readonly run: () => Promise<boolean> }
  const steps: Array<Step> = []
  for (let i = 0; i < mpcs; i++) {
    const name = `crash${i}`
    /** The MPC's leg; once its add got a 201 (or was seen applied), it must be there after any crash. */
    const leg = async () => {
      const calls = await callsOf(name)
      if (calls === undefined) return undefined
      if (calls[0] === undefined)
        throw new Error(`STORE-1: the add for ${name} was accepted, its call is gone`)
      return calls[0]
    }
    steps.push({
      done: async () => {
        const calls = await callsOf(name)
        return calls === undefined ? undefined : calls.length > 0
      },
      run: async () => {
        const r = await call(
          child!.base,
          "POST",
          `/v1/Account/${AUTH_ID}/MultiPartyCall/name_${name}/Participant`,
          {
            role: "Agent",
            from: "+12025550100",
            to: `+1202555${String(1000 + i)}`,
            end_mpc_on_exit: true,
            status_callback_url: `${receiver.url}/status/${i}`,
            status_callback_events: "mpc-state-changes,participant-state-changes"
          }
        )
        if (r === undefined) return false
        expect(r.status).toBe(201)
        const uuid = (r.json.calls as Array<{ call_uuid: string }>)[0]!.call_uuid
        // STORE-1: an add that got its 201 is found after any crash.
        obligations.push(async () => {
          const calls = (await callsOf(name))!
          expect(calls.map((c) => c.call_uuid)).toContain(uuid)
        })
        return true
      }
    })
    for (const [what, after] of [
      ["answer", (s: string) => s !== "ringing"],
      ["hangup", (s: string) => s === "ended"]
    ] as const) {
      steps.push({
        done: async () => {
          const c = await leg()
          return c === undefined ? undefined : after(c.state)
        },
        run: async () => {
          const c = await leg()
          if (c === undefined) return false
          const r = await call(child!.base, "POST", `/emulator/v1/calls/${c.call_uuid}/${what}`)
          if (r === undefined) return false
          expect(r.status).toBe(204)
          obligations.push(async () => {
            const now = (await callsOf(name))!.find((x) => x.call_uuid === c.call_uuid)
            expect(after(now!.state)).toBe(true)
          })
          return true
        }
      })
    }
  }

  try {
    let armedMode = await life(true)
    for (let k = 0; k < steps.length; ) {
      const step = steps[k]!
      const finished = child === undefined ? undefined : await step.done()
      if (finished === true) {
        k++
        continue
      }
      if (armedMode === "between" && child !== undefined && random() < 0.5) {
        kills.between++
        await kill()
      }
      const ok = finished === undefined || child === undefined ? false : await step.run()
      if (ok) k++
      if (!ok || child === undefined) {
        await kill()
        armedMode = await life(true)
      }
    }
    // Go on crashing (without new requests) until at least 20 kills happened; then a calm life.
    while (total() < 20) {
      kills.between++
      await kill()
      await life(false)
    }
    await kill()
    await life(false)
    // DLV-2: wait (bounded) for the outbox to drain in the calm life.
    for (let t = 0; t < 600; t++) {
      const r = await call(child!.base, "GET", "/emulator/v1/dead-letters")
      expect(r).toBeDefined()
      expect(r!.json.meta).toMatchObject({ total: 0 })
      if (r!.json.pending === 0) break
      await new Promise((d) => setTimeout(d, 100))
    }
    const final = await call(child!.base, "GET", "/emulator/v1/dead-letters")
    expect(final!.json.pending).toBe(0)
    for (const o of obligations) await o()

    // No name got two MPCs; every MPC ended.
    const all = (await call(child!.base, "GET", "/emulator/v1/calls?limit=1000"))!.json
      .calls as Array<CallRow>
    const mpcOf = new Map<string, Set<string>>()
    for (let i = 0; i < mpcs; i++) {
      const calls = (await callsOf(`crash${i}`))!
      mpcOf.set(`crash${i}`, new Set(calls.map((c) => c.mpc_uuid!)))
    }
    for (const [, uuids] of mpcOf) expect(uuids.size).toBe(1)
    expect(all.every((c) => c.state === "ended")).toBe(true)

    // DLV-2, DLV-3, DLV-4: at least once, in order per (MPC, URL), one key per callback.
    const lanes = new Map<string, Array<Received>>()
    for (const r of receiver.received) {
      const key = `${r.mpc} ${r.path}`
      const lane = lanes.get(key) ?? []
      lane.push(r)
      lanes.set(key, lane)
    }
    expect(lanes.size).toBe(mpcs)
    for (const [, lane] of lanes) {
      for (let j = 1; j < lane.length; j++) expect(lane[j]!.seq).toBeGreaterThanOrEqual(lane[j - 1]!.seq)
      const seqs = [...new Set(lane.map((r) => r.seq))]
      expect(seqs).toEqual(seqs.map((_, j) => j + 1))
      const keyOf = new Map<number, string>()
      for (const r of lane) {
        expect(keyOf.get(r.seq) ?? r.key).toBe(r.key)
        keyOf.set(r.seq, r.key)
      }
      expect(new Set(keyOf.values()).size).toBe(keyOf.size)
      expect(lane.at(-1)!.event).toBe("MPCEnd")
    }
    expect(total()).toBeGreaterThanOrEqual(20)
    expect(kills.before).toBeGreaterThan(0)
    expect(kills.after).toBeGreaterThan(0)
    expect(kills.delivery).toBeGreaterThan(0)
    await kill()

    // STORE-3 and the domain's invariants over the whole log, from the initial state.
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* Store
        const first = Option.getOrThrow(yield* store.firstSnapshot(AUTH_ID))
        let state = first.state
        for (const { event } of yield* store.eventsAfter(AUTH_ID, 0)) {
          const result = Step.step(state, event)
          expect(Invariants.check({ before: state, event, result })).toEqual([])
          state = result.state
        }
      }).pipe(Effect.provide(storeLayer()), Effect.scoped)
    )
    return kills
  } finally {
    await kill()
    await receiver.close()
    rmSync(caDir, { recursive: true, force: true })
  }
}
