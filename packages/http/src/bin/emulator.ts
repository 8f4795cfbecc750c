#!/usr/bin/env node
/**
 * Starts the Plivo-compatible MPC emulator (EMULATOR.md): HOST, PORT, PLIVO_AUTH_ID /
 * PLIVO_AUTH_TOKEN (made and printed when unset), MPC_CLOCK (real | virtual), MPC_CPS; the store
 * (spec/STORE.md): DATABASE_URL (PostgreSQL) or MPC_DATA_DIR (SQLite, default `mpc-data`, `:memory:`
 * for a throwaway run), MPC_SNAPSHOT_EVERY (events between snapshots), MPC_RETRY_HORIZON_SECONDS
 * (DLV-7), MPC_RETRY_INITIAL_MS and MPC_RETRY_MAX_MS (DLV-6), MPC_DRAIN_SECONDS (DLV-12).
 */
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeRuntime } from "@effect/platform-node"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Durable from "../Durable.js"
import * as Server from "../Server.js"
import { StoreFromConfig } from "../store/Layers.js"

const env = process.env
const alnum = (n: number) =>
  Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]).join("")
const authId = env.PLIVO_AUTH_ID ?? `MA${alnum(18)}`
const authToken = env.PLIVO_AUTH_TOKEN ?? alnum(40)
if (env.PLIVO_AUTH_ID === undefined || env.PLIVO_AUTH_TOKEN === undefined) {
  console.log(`account: PLIVO_AUTH_ID=${authId} PLIVO_AUTH_TOKEN=${authToken}`)
}
const port = env.PORT === undefined ? 8080 : Number(env.PORT)
const cps = env.MPC_CPS === undefined ? 2 : Number(env.MPC_CPS)
if (!Number.isInteger(port) || port < 0 || !Number.isInteger(cps) || cps < 1) {
  console.error("PORT must be a port number and MPC_CPS a positive integer")
  process.exit(2)
}
const clock = env.MPC_CLOCK === "virtual" ? "virtual" : "real"
// ADDR-5: subaccounts as "SAID:token,SAID2:token2", each with its own MPC names.
const subaccounts = (env.MPC_SUBACCOUNTS ?? "")
  .split(",")
  .filter((x) => x.includes(":"))
  .map((x) => ({ authId: x.slice(0, x.indexOf(":")), authToken: x.slice(x.indexOf(":") + 1) }))
const host = env.HOST ?? "127.0.0.1"
// The local CA the SDKs trust to reach the emulator through their `proxy` option (kept across restarts).
const proxyCaDir = env.MPC_CA_DIR ?? join(tmpdir(), "mpc-kit-ca")
console.log(
  `official SDKs: proxy http://${host}:${port === 0 ? "<port>" : port} and NODE_EXTRA_CA_CERTS=${join(proxyCaDir, "ca.pem")}`
)

const positive = (name: string): number | undefined => {
  const raw = env[name]
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
const durable: Durable.DurableOptions = {
  store: StoreFromConfig,
  snapshotEvery: positive("MPC_SNAPSHOT_EVERY"),
  fault:
    killBefore === undefined && killAfter === undefined
      ? undefined
      : (where, n) => {
          if (n !== (where === "before" ? killBefore : killAfter)) return
          process.stderr.write(`mpc-kit fault: SIGKILL ${where} commit ${n}\n`)
          process.kill(process.pid, "SIGKILL")
        },
  delivery: {
    ...(horizon === undefined ? {} : { horizon: horizon * 1000 }),
    ...(initialDelay === undefined ? {} : { initialDelay }),
    ...(maxDelay === undefined ? {} : { maxDelay }),
    ...(drain === undefined ? {} : { drainTimeout: drain * 1000 }),
    ...(lane === undefined ? {} : { concurrency: Math.floor(lane) })
  }
}

NodeRuntime.runMain(
  // One log line per request (logfmt), on stderr's default logger sink.
  Layer.launch(
    Server.layer({
      host,
      port,
      account: { authId, authToken },
      subaccounts,
      clock,
      cps,
      proxyCaDir,
      durable
    }).pipe(Layer.provide(Logger.logFmt))
  ),
  { disablePrettyLogger: true }
)
