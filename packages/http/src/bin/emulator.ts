#!/usr/bin/env node
/**
 * `mpc-emulator` (`pnpm start` in the repository): starts the Plivo-compatible MPC emulator
 * (spec/EMULATOR.md). Its settings come from the environment, read by `EmulatorConfig`; a bad value
 * stops it with exit code 2 and a line naming the variable.
 */
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { NodeRuntime } from "@effect/platform-node"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Announce from "../Announce.js"
import * as EmulatorConfig from "../EmulatorConfig.js"
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
  MPC_CA_DIR        where the local CA for the official SDKs' proxy is kept (default <tmp>/mpc-kit-ca)

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
const proxyCaDir = Option.getOrElse(settings.caDir, () => join(tmpdir(), "mpc-kit-ca"))
NodeRuntime.runMain(
  // One log line per request (logfmt), on stderr's default logger sink.
  Layer.launch(
    // SDK-35: the proxy line names the port listened on (PORT=0 too), once it listens.
    Announce.layer(host, join(proxyCaDir, "ca.pem"), (line) => console.log(line)).pipe(
      Layer.provideMerge(
        Server.layer({ host, port, account: { authId, authToken }, subaccounts, clock, cps, proxyCaDir })
      ),
      Layer.provide(Logger.logFmt)
    )
  ),
  { disablePrettyLogger: true }
)
