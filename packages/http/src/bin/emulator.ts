#!/usr/bin/env node
/**
 * `mpc-emulator` (`pnpm start` in the repository): starts the Plivo-compatible MPC emulator
 * (spec/EMULATOR.md). Its settings come from the environment, read by `EmulatorConfig`; a bad value
 * stops it with exit code 2 and a line naming the variable.
 * The store (spec/STORE.md): DATABASE_URL (PostgreSQL) or MPC_DATA_DIR (SQLite, default `mpc-data`,
 * `:memory:` for a throwaway run), MPC_SNAPSHOT_EVERY, MPC_RETRY_HORIZON_SECONDS (DLV-7),
 * MPC_RETRY_INITIAL_MS and MPC_RETRY_MAX_MS (DLV-6), MPC_DRAIN_SECONDS (DLV-12),
 * MPC_DELIVERY_CONCURRENCY, MPC_OUTBOX_LIMIT (DLV-14).
 */
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { NodeRuntime } from "@effect/platform-node"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Announce from "../Announce.js"
import type * as Durable from "../Durable.js"
import * as EmulatorConfig from "../EmulatorConfig.js"
import * as ConnectProxy from "../Proxy.js"
import * as Server from "../Server.js"

const usage = `usage: mpc-emulator
       mpc-emulator --help

Starts the Plivo-compatible multiparty-call emulator. It takes no arguments: the environment sets it.

  HOST              address to listen on (default 127.0.0.1)
  PORT              port to listen on, 0 picks a free one (default 8080)
  PLIVO_AUTH_ID     the account's auth id    } made up and printed when either is unset
  PLIVO_AUTH_TOKEN  the account's auth token }
  MPC_CLOCK         real, or virtual: time stands still until POST /emulator/v1/clock/advance (default real)
  MPC_CPS           calls per second the account may dial, at least 1 (default 2)
  MPC_SUBACCOUNTS   subaccounts as SAID:token,SAID2:token2, each with its own MPC names
  MPC_CA_DIR        where the local CA for the official SDKs' proxy is kept (default: a folder of the
                    user's own data directory, mode 0700)
  MPC_DATA_DIR      the SQLite store's folder (default mpc-data in the working directory; :memory: for
                    SQLite in memory; none: no store, state in memory and lost on exit)
  DATABASE_URL      keep the state in PostgreSQL instead
  MPC_HISTORY_LIMIT  without a store, how many ended MPCs stay readable (default 10000)
  MPC_SNAPSHOT_EVERY  events between snapshots (default 1000, or 10 per live MPC when that is more)
  MPC_RETRY_HORIZON_SECONDS, MPC_RETRY_INITIAL_MS, MPC_RETRY_MAX_MS  callback retries (DLV-6, DLV-7)
  MPC_DRAIN_SECONDS  how long SIGTERM lets deliveries in flight finish (DLV-12)
  MPC_DELIVERY_CONCURRENCY  callbacks in flight per receiver origin
  MPC_OUTBOX_LIMIT          without a store: callbacks waiting in memory at most (default 50000)

Exit codes: 2 for bad arguments or a bad variable; otherwise it runs until stopped (Ctrl-C).`

const fail = (lines: ReadonlyArray<string>): never => {
  for (const line of lines) console.error(`mpc-emulator: ${line}`)
  console.error("mpc-emulator: see mpc-emulator --help")
  process.exit(2)
}

let help = false
try {
  help =
    parseArgs({ args: process.argv.slice(2), options: { help: { type: "boolean", short: "h" } } }).values
      .help === true
} catch (e) {
  fail([(e instanceof Error ? e.message : String(e)).split("\n")[0]!])
}
if (help) {
  console.log(usage)
  process.exit(0)
}

const settings = Either.getOrElse(EmulatorConfig.fromEnv(process.env), fail)
const alnum = (n: number) =>
  Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]).join("")
const authId = Option.getOrElse(settings.authId, () => `MA${alnum(18)}`)
const authToken = Option.getOrElse(settings.authToken, () => alnum(40))
if (Option.isNone(settings.authId) || Option.isNone(settings.authToken)) {
  console.log(`account: PLIVO_AUTH_ID=${authId} PLIVO_AUTH_TOKEN=${authToken}`)
}
const { host, port, clock, cps, subaccounts } = settings
// The local CA the SDKs trust to reach the emulator through their `proxy` option (kept across restarts).
const proxyCaDir = Option.getOrElse(settings.caDir, () => ConnectProxy.defaultCaDir())
const positive = (name: string): number | undefined => {
  const raw = process.env[name]
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`${name} must be a positive number`)
    process.exit(2)
  }
  return n
}
const horizon = positive("MPC_RETRY_HORIZON_SECONDS")
const initialDelay = positive("MPC_RETRY_INITIAL_MS")
const maxDelay = positive("MPC_RETRY_MAX_MS")
const drain = positive("MPC_DRAIN_SECONDS")
const lane = positive("MPC_DELIVERY_CONCURRENCY")
// Testing only (the crash tests): the process kills itself at the start of its n-th commit, or
// right after it (before the answers waiting on it are released).
const killBefore = positive("MPC_FAULT_KILL_BEFORE_COMMIT")
const killAfter = positive("MPC_FAULT_KILL_AFTER_COMMIT")
const historyLimit = positive("MPC_HISTORY_LIMIT")
// STORE-7: SQLite under MPC_DATA_DIR (default mpc-data) unless DATABASE_URL names PostgreSQL;
// MPC_DATA_DIR=none, or SQLite's client not installed (an optional peer), keeps the state in memory.
const pg = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""
const dataDir = process.env.MPC_DATA_DIR ?? "mpc-data"
const layers = dataDir === "none" && !pg ? undefined : await import("../store/Layers.js")
let storeLine: string
if (layers === undefined)
  storeLine = "store: none (MPC_DATA_DIR=none): state and pending callbacks in memory, lost on exit"
else if (pg) storeLine = "store: PostgreSQL (DATABASE_URL)"
else if (await layers.sqliteAvailable())
  storeLine = `store: SQLite ${dataDir === ":memory:" ? "in memory" : layers.sqliteFile(dataDir)}`
else if (process.env.MPC_DATA_DIR === undefined)
  storeLine =
    "store: none: SQLite's client is not installed (npm i @effect/sql-sqlite-node); state and pending callbacks in memory, lost on exit"
else
  storeLine = fail([
    `MPC_DATA_DIR is set but SQLite's client cannot be loaded: npm i @effect/sql-sqlite-node`
  ])
const delivery = {
  ...(horizon === undefined ? {} : { horizon: horizon * 1000 }),
  ...(initialDelay === undefined ? {} : { initialDelay }),
  ...(maxDelay === undefined ? {} : { maxDelay }),
  ...(drain === undefined ? {} : { drainTimeout: drain * 1000 }),
  ...(lane === undefined ? {} : { concurrency: Math.floor(lane) })
}
const durable: Durable.DurableOptions | undefined =
  layers === undefined || storeLine.startsWith("store: none")
    ? undefined
    : {
        store: pg ? layers.StoreFromConfig : layers.StoreSqlite(dataDir),
        // STORE-4: an explicit MPC_SNAPSHOT_EVERY is taken exactly; the default adapts to the live state.
        snapshotEvery: positive("MPC_SNAPSHOT_EVERY"),
        snapshotPerLive: process.env.MPC_SNAPSHOT_EVERY === undefined ? undefined : 0,
        fault:
          killBefore === undefined && killAfter === undefined
            ? undefined
            : (where, n) => {
                if (n !== (where === "before" ? killBefore : killAfter)) return
                process.stderr.write(`mpc-kit fault: SIGKILL ${where} commit ${n}\n`)
                process.kill(process.pid, "SIGKILL")
              },
        delivery
      }
// DLV-14: without a store, the same delivery engine on a memory outbox of at most MPC_OUTBOX_LIMIT.
const outboxLimit = positive("MPC_OUTBOX_LIMIT")
const memoryDelivery =
  durable === undefined
    ? { delivery, ...(outboxLimit === undefined ? {} : { limit: Math.floor(outboxLimit) }) }
    : undefined

console.log(storeLine)

NodeRuntime.runMain(
  // One log line per request (logfmt), on stderr's default logger sink.
  Layer.launch(
    // SDK-35: the proxy line names the port listened on (PORT=0 too), once it listens.
    Announce.layer(host, join(proxyCaDir, "ca.pem"), (line) => console.log(line)).pipe(
      Layer.provideMerge(
        Server.layer({
          host,
          port,
          account: { authId, authToken },
          subaccounts,
          clock,
          cps,
          proxyCaDir,
          ...(historyLimit === undefined ? {} : { historyLimit: Math.floor(historyLimit) }),
          ...(durable === undefined ? {} : { durable }),
          ...(memoryDelivery === undefined ? {} : { memoryDelivery })
        })
      ),
      Layer.provide(Logger.logFmt)
    )
  ),
  { disablePrettyLogger: true }
)
