/**
 * Hostile input against a real emulator on loopback: huge and aborted bodies, unauthenticated
 * bodies, unbounded clock advances, bad path parameters, names that need escaping, request floods.
 */
import { mkdtempSync, statSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fc from "fast-check"
import * as ConnectProxy from "../src/Proxy.js"
import * as Server from "../src/Server.js"
import * as Tenants from "../src/Tenants.js"
import { account, addPath, auth, call, request, start, T0 } from "./support/Emulator.js"

const isPlivoError = (body: unknown) =>
  typeof body === "object" && body !== null && Object.keys(body).sort().join(",") === "api_id,error"

/** Sends a request head, then body chunks until the server answers or closes; returns its status. */
const stream = (
  base: string,
  path: string,
  headers: Record<string, string>,
  total: number
): Promise<{ status: number; sent: number }> =>
  new Promise((resolve, reject) => {
    const url = new URL(base)
    const socket = connect(Number(url.port), url.hostname)
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let sent = 0
    let answer = ""
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      socket.destroy()
      const status = Number(answer.slice(9, 12))
      if (Number.isNaN(status) || answer === "") reject(new Error(`no answer after ${sent} bytes`))
      else resolve({ status, sent })
    }
    socket.on("data", (d) => {
      answer += d.toString("latin1")
      if (answer.includes("\r\n\r\n")) finish()
    })
    socket.on("error", finish)
    socket.on("close", finish)
    const chunked = headers["transfer-encoding"] === "chunked"
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])
      : chunk
    const pump = () => {
      while (!settled && sent < total) {
        sent += chunk.length
        if (!socket.write(frame)) {
          socket.once("drain", pump)
          return
        }
      }
    }
    socket.on("connect", () => {
      const head = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("")
      socket.write(`POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\n${head}\r\n`)
      pump()
    })
  })

const gc = (): (() => void) => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

describe("hostile input", () => {
  it.scopedLive(
    "API-3 a body is never read before authentication: a 600 MB body without credentials is a 401",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const r = yield* Effect.promise(() =>
          stream(
            base,
            "/emulator/v1/calls/x/digits",
            { "content-type": "application/json", "content-length": String(600 * 1024 * 1024) },
            600 * 1024 * 1024
          )
        )
        assert.strictEqual(r.status, 401)
        assert.isBelow(r.sent, 64 * 1024 * 1024, "the server answered long before the body ended")
      })
  )

  it.scopedLive(
    "API-2 a 600 MB body is a 413 while streaming (declared or chunked), without growing the heap",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const collect = gc()
        collect()
        const before = process.memoryUsage().heapUsed
        for (const framing of [
          { "content-length": String(600 * 1024 * 1024) },
          { "transfer-encoding": "chunked" }
        ]) {
          const r = yield* Effect.promise(() =>
            stream(
              base,
              "/emulator/v1/calls/x/digits",
              { authorization: auth, "content-type": "application/json", ...framing },
              600 * 1024 * 1024
            )
          )
          assert.strictEqual(r.status, 413, JSON.stringify(framing))
          assert.isBelow(r.sent, 64 * 1024 * 1024, "refused long before the body ended")
        }
        collect()
        assert.isBelow(process.memoryUsage().heapUsed - before, 16 * 1024 * 1024, "nothing kept")
        const after = yield* call(base, "GET", "/emulator/v1/clock")
        assert.strictEqual(after.status, 200, "still serving")
      })
  )

  it.scopedLive("API-2 2,000 requests aborted mid-body release everything they held", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const url = new URL(base)
      const collect = gc()
      const abortOne = () =>
        new Promise<void>((resolve) => {
          const req = httpRequest({
            host: url.hostname,
            port: url.port,
            method: "POST",
            path: addPath("aborted"),
            headers: { authorization: auth, "content-type": "application/json", "content-length": "20000" }
          })
          req.on("error", () => resolve())
          req.write("x".repeat(10_000), () => {
            req.destroy()
            resolve()
          })
        })
      const round = async (n: number) => {
        for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: 50 }, abortOne))
      }
      // A first round warms the server and this client up (JIT, pools) before the baseline.
      yield* Effect.promise(() => round(2000))
      yield* Effect.sleep("500 millis")
      collect()
      const baseline = process.memoryUsage().heapUsed
      yield* Effect.promise(() => round(2000))
      yield* Effect.sleep("500 millis")
      collect()
      const grown = process.memoryUsage().heapUsed - baseline
      assert.isBelow(grown, 8 * 1024 * 1024, `the heap grew by ${grown} bytes`)
    })
  )

  it.scoped("API-2 a clock advance is at most 30 days; 1e300 is a 400 and the clock keeps answering", () =>
    Effect.gen(function* () {
      const base = yield* start()
      for (const seconds of [1e300, 30 * 86_400 + 1, -1, "10"]) {
        const r = yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds })
        assert.strictEqual(r.status, 400, String(seconds))
        assert.isTrue(isPlivoError(r.body))
        assert.match(String(r.body?.error), /^seconds: /)
      }
      assert.strictEqual(
        (yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 30 * 86_400 })).status,
        204
      )
      const clock = yield* call(base, "GET", "/emulator/v1/clock")
      assert.strictEqual(clock.status, 200)
      assert.strictEqual(clock.body?.now, new Date(T0 + 30 * 86_400_000).toISOString())
    })
  )

  it.scopedLive(
    "API-2 property: any control-API body gets a 204 or a 4xx {api_id, error}; the clock keeps answering",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const value = fc.oneof(
          fc.double(),
          fc.constantFrom(1e300, -1e300, Number.MAX_VALUE, 30 * 86_400, 30 * 86_400 + 0.001),
          fc.jsonValue()
        )
        const endpoint = fc.constantFrom<[string, string]>(
          ["/emulator/v1/clock/advance", "seconds"],
          ["/emulator/v1/calls/x/digits", "digits"],
          ["/emulator/v1/calls/x/speak", "speaking"],
          ["/emulator/v1/calls", "from"]
        )
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(endpoint, value, async ([path, key], v) => {
              const r = await request(base, "POST", path, { [key]: v })
              const what = `${path} ${JSON.stringify(v)} -> ${r.status} ${r.text}`
              if (r.status !== 204) {
                assert.isTrue(r.status >= 400 && r.status < 500, what)
                assert.isTrue(isPlivoError(r.body), what)
              }
              const clock = await request(base, "GET", "/emulator/v1/clock")
              assert.strictEqual(clock.status, 200, `after ${what}: ${clock.text}`)
            }),
            { numRuns: 150 }
          )
        )
      })
  )

  it.scoped("ADDR-1 API-2 a name over 100 characters or a bad escape is a 400 naming the parameter", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const mpc = `/v1/Account/${account.authId}/MultiPartyCall`
      const long = "n".repeat(101)
      const cases: Array<[string, string]> = [
        ["POST", addPath(long)],
        ["GET", `${mpc}/name_${long}/`],
        ["GET", `${mpc}/name_${"n".repeat(2000)}/`],
        ["POST", `${mpc}/name_%zz/Participant/`],
        ["GET", `${mpc}/name_%E0%A4%A/`],
        ["POST", "/emulator/v1/calls/%zz/answer"]
      ]
      for (const [method, path] of cases) {
        const r = yield* call(base, method, path, method === "POST" ? { role: "Agent" } : undefined)
        assert.strictEqual(r.status, 400, `${method} ${path.slice(0, 80)}: ${r.text}`)
        assert.isTrue(isPlivoError(r.body))
        assert.match(String(r.body?.error), /^(mpc_name|mpc|call_uuid): /, r.text)
      }
      // 100 characters is a name.
      const ok = yield* call(base, "POST", addPath("n".repeat(100)), {
        role: "Agent",
        from: "+12025550000",
        to: "+12025551111"
      })
      assert.strictEqual(ok.status, 201, ok.text)
      const got = yield* call(base, "GET", `${mpc}/name_${"n".repeat(100)}/`)
      assert.strictEqual(got.status, 200, got.text)
    })
  )

  it.scoped("API-1 SDK-25 hostile names stay readable; resource URIs name the MPC by its UUID", () =>
    Effect.gen(function* () {
      const base = yield* start()
      for (const name of ["a/b", "a?b#c"]) {
        const path = addPath(encodeURIComponent(name))
        const r = yield* call(base, "POST", path, { role: "Agent", from: "+12025550000", to: "+12025551111" })
        assert.strictEqual(r.status, 201, r.text)
        const got = yield* call(
          base,
          "GET",
          `/v1/Account/${account.authId}/MultiPartyCall/name_${encodeURIComponent(name)}/`
        )
        assert.strictEqual(got.status, 200, got.text)
        assert.strictEqual(got.body?.friendly_name, name)
        assert.strictEqual(
          got.body?.resource_uri,
          `/v1/Account/${account.authId}/MultiPartyCall/uuid_${String(got.body?.mpc_uuid)}/`
        )
      }
    })
  )

  it.scoped("API-3 a per-account rate limit answers 429 in Plivo's form (off unless configured)", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(
        Server.layer({
          host: "127.0.0.1",
          port: 0,
          account,
          clock: "virtual",
          cps: 10,
          start: T0,
          seed: 1,
          rateLimit: { requests: 3, perSeconds: 60 }
        })
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      const base = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
      const statuses: Array<number> = []
      for (let i = 0; i < 4; i++) statuses.push((yield* call(base, "GET", "/emulator/v1/clock")).status)
      assert.deepStrictEqual(statuses, [200, 200, 200, 429])
      const r = yield* call(base, "GET", "/emulator/v1/clock")
      assert.isTrue(isPlivoError(r.body), r.text)
      // The default emulator has no limit.
      const open = yield* start()
      for (let i = 0; i < 10; i++)
        assert.strictEqual((yield* call(open, "GET", "/emulator/v1/clock")).status, 200)
    })
  )

  it("API-3 tokens are compared in constant time over equal-length digests", () => {
    const a = { authId: "MA1", authToken: "secret" }
    assert.isTrue(Tenants.tokenMatches(a, "secret"))
    for (const t of ["", "secreT", "secret ", "a much longer token than the real one"])
      assert.isFalse(Tenants.tokenMatches(a, t), t)
  })

  it("the local CA is kept under the user's data directory, in a folder only its owner can enter", () => {
    assert.strictEqual(
      ConnectProxy.defaultCaDir({ XDG_DATA_HOME: "/home/u/.data" }),
      join("/home/u/.data", "mpc-kit", "ca")
    )
    assert.notInclude(ConnectProxy.defaultCaDir({}), tmpdir())
    const dir = join(mkdtempSync(join(tmpdir(), "mpc-kit-ca-test-")), "ca")
    ConnectProxy.makeCertificates(dir)
    assert.strictEqual(statSync(dir).mode & 0o777, 0o700)
  })
})
