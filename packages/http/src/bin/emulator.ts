#!/usr/bin/env node
/**
 * Starts the Plivo-compatible MPC emulator (EMULATOR.md): HOST, PORT, PLIVO_AUTH_ID /
 * PLIVO_AUTH_TOKEN (made and printed when unset), MPC_CLOCK (real | virtual), MPC_CPS.
 */
import { randomBytes } from "node:crypto"
import { NodeRuntime } from "@effect/platform-node"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Server from "../Server.js"

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

NodeRuntime.runMain(
  // One log line per request (logfmt), on stderr's default logger sink.
  Layer.launch(
    Server.layer({ host: env.HOST ?? "127.0.0.1", port, account: { authId, authToken }, clock, cps }).pipe(
      Layer.provide(Logger.logFmt)
    )
  )
)
