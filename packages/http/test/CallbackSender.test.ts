/**
 * The callback sender against a real webhook receiver on loopback (node:http, port 0). Tests run on
 * the live clock (`it.scopedLive`): attempts time out and back off in real time, with small
 * settings so the suite stays fast. Nothing sleeps to assert timing: tests wait with `flush` or on
 * what the receiver recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import type { Command } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as plivo from "plivo"
import { CallbackSender, type CallbackSenderOptions, getUrl } from "../src/CallbackSender.js"

type SendCallback = Command.SendCallback

const validate = (
  plivo as unknown as {
    validateV3Signature: (
      method: string,
      uri: string,
      nonce: string,
      authToken: string,
      signature: string,
      params?: Record<string, string>
    ) => boolean
  }
).validateV3Signature

const authToken = "ZWQ0ZjQ1NTM2YzA0OGRhMTI0ZGQ3YTI5ZTk3YjEx"

/**
 * Small settings: retries wait 5, 10, 20, … ms (at most 40). An attempt may take 10 s, so a loaded
 * machine never turns a slow answer into an extra attempt; the hang test shortens it (`hangs`).
 */
const fast: CallbackSenderOptions = {
  authToken,
  attemptTimeout: "10 seconds",
  initialDelay: "5 millis",
  factor: 2,
  maxDelay: "40 millis"
}

/** For the test of an attempt that hangs: abandoned after 200 ms. */
const hangs: CallbackSenderOptions = { ...fast, attemptTimeout: "200 millis" }

// --- the receiver -------------------------------------------------------------------------------

interface Recorded {
  readonly method: string
  /** Path and query, as received. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The form body's fields (POST) or the query's (GET). */
  readonly params: Record<string, string>
  /** The `Id` parameter every test callback carries. */
  readonly id: string
  /** This request's rank among those for the same `Id`, from 1. */
  readonly attempt: number
}

type Action =
  | {
      readonly _tag: "Respond"
      readonly status: number
      readonly afterMs?: number
      readonly after?: Promise<void>
    }
  | { readonly _tag: "Destroy" }
  | { readonly _tag: "Hang" }

const ok: Action = { _tag: "Respond", status: 200 }

interface Receiver {
  readonly base: string
  /** Every request, in arrival order. */
  readonly requests: Array<Recorded>
  /** The requests answered 2xx, in the order answered. */
  readonly delivered: Array<Recorded>
  /** Requests whose connection the client closed before any answer. */
  readonly abandoned: Array<Recorded>
  readonly maxInFlight: () => number
}

const startReceiver = (decide: (request: Recorded) => Action): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Server; receiver: Receiver }>((resume) => {
      const requests: Array<Recorded> = []
      const delivered: Array<Recorded> = []
      const abandoned: Array<Recorded> = []
      const attempts = new Map<string, number>()
      let inFlight = 0
      let maxInFlight = 0
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8")
          const url = req.url ?? ""
          const params = Object.fromEntries(
            req.method === "POST" ? new URLSearchParams(body) : new URL(url, "http://receiver").searchParams
          )
          const id = params.Id ?? url
          const attempt = (attempts.get(id) ?? 0) + 1
          attempts.set(id, attempt)
          const rec: Recorded = {
            method: req.method ?? "",
            url,
            headers: req.headers,
            body,
            params,
            id,
            attempt
          }
          requests.push(rec)
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          res.on("close", () => {
            inFlight--
            if (!res.writableFinished) abandoned.push(rec)
          })
          const action = decide(rec)
          const answer = (status: number) => () => {
            if (res.destroyed) return
            if (status >= 200 && status < 300) delivered.push(rec)
            res.writeHead(status, { "content-type": "text/plain" })
            res.end(status >= 200 && status < 300 ? "ok" : "no")
          }
          switch (action._tag) {
            case "Respond":
              if (action.after !== undefined) void action.after.then(answer(action.status))
              else if (action.afterMs !== undefined) setTimeout(answer(action.status), action.afterMs)
              else answer(action.status)()
              break
            case "Destroy":
              req.socket.destroy()
              break
            case "Hang":
              break
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resume(
          Effect.succeed({
            server,
            receiver: {
              base: `http://127.0.0.1:${port}`,
              requests,
              delivered,
              abandoned,
              maxInFlight: () => maxInFlight
            }
          })
        )
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ receiver }) => receiver))

// --- helpers ------------------------------------------------------------------------------------

/** Polls what the receiver recorded until `pred` holds (fails after 3 s rather than hang). */
const waitUntil = (label: string, pred: () => boolean) =>
  Effect.sync(pred).pipe(
    Effect.repeat({ until: (b) => b, schedule: Schedule.spaced("2 millis") }),
    Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error(`timed out waiting: ${label}`) })
  )

interface LogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}
/** Collects the log lines instead of printing them. */
const captureLogs = () => {
  const lines: Array<LogLine> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message, annotations }) => {
      lines.push({
        level: logLevel.label,
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        annotations: Object.fromEntries(HashMap.toEntries(annotations))
      })
    })
  )
  return { lines, layer }
}

const cb = (o: {
  readonly mpc: string
  readonly url: string
  readonly id: string
  readonly method?: "GET" | "POST"
  readonly event?: string
  readonly params?: Record<string, string | null>
}): SendCallback => ({
  _tag: "SendCallback",
  kind: "status",
  url: o.url,
  method: o.method ?? "POST",
  mpcUuid: o.mpc,
  event: o.event ?? "MPCInitialized",
  params: { Id: o.id, MPCUUID: o.mpc, ...o.params }
})

/** CB-8: the request as the official SDK checks it, with this token. */
const validates = (r: Receiver, rec: Recorded, token: string): boolean =>
  validate(
    rec.method,
    `${r.base}${rec.url}`,
    String(rec.headers["x-plivo-signature-v3-nonce"]),
    token,
    String(rec.headers["x-plivo-signature-v3"]),
    rec.method === "POST" ? rec.params : {}
  )

const assertSigned = (r: Receiver, recs: ReadonlyArray<Recorded>) => {
  for (const rec of recs) {
    assert.match(String(rec.headers["x-plivo-signature-v3-nonce"]), /^[0-9]{20}$/)
    assert.isTrue(validates(r, rec, authToken), `${rec.method} ${rec.url} ${rec.body}`)
    assert.isFalse(validates(r, rec, `${authToken}x`), "another token must not validate")
  }
}

/** Runs `f` with a sender over `client` (undici by default), its warnings captured. */
const withSender = <A, E, R>(
  options: CallbackSenderOptions,
  f: (sender: CallbackSender) => Effect.Effect<A, E, R>,
  layer: (o: CallbackSenderOptions) => Layer.Layer<CallbackSender> = CallbackSender.Live
) => {
  const logs = captureLogs()
  return Effect.flatMap(CallbackSender, f).pipe(
    Effect.provide(layer(options)),
    Effect.provide(logs.layer),
    Effect.map((a) => [a, logs.lines] as const)
  )
}

const viaFetch = (o: CallbackSenderOptions) =>
  CallbackSender.layer(o).pipe(Layer.provide(FetchHttpClient.layer))

// --- the tests ----------------------------------------------------------------------------------

describe("CallbackSender", () => {
  it("getUrl keeps the URL's query and fragment and appends the parameters", () => {
    assert.strictEqual(getUrl("http://h/p", { a: "1", b: "" }), "http://h/p?a=1&b=")
    assert.strictEqual(getUrl("http://h/p?x=1", { a: "b c" }), "http://h/p?x=1&a=b+c")
    assert.strictEqual(getUrl("http://h/p?", { a: "1" }), "http://h/p?a=1")
    assert.strictEqual(getUrl("http://h/p?x=1#f", { a: "1" }), "http://h/p?x=1&a=1#f")
    assert.strictEqual(getUrl("http://h/p?x=1", {}), "http://h/p?x=1")
  })

  for (const [client, layer] of [
    ["undici", CallbackSender.Live],
    ["fetch", viaFetch]
  ] as const) {
    it.scopedLive(
      `CB-1 CB-8 POST form body and GET query string, exactly, signed as the plivo SDK checks (${client})`,
      () =>
        Effect.gen(function* () {
          const r = yield* startReceiver(() => ok)
          const url = `${r.base}/status?token=abc&x=1`
          const params = {
            EventName: "MPCInitialized",
            MPCEndTime: null,
            Text: "a b&c=d/é",
            SequenceNumber: "1"
          }
          yield* withSender(
            fast,
            (s) =>
              Effect.gen(function* () {
                yield* s.send(cb({ mpc: "mpc-1", url, id: "p", params }))
                yield* s.send(cb({ mpc: "mpc-1", url, id: "g", method: "GET", params }))
                yield* s.flush
              }),
            layer
          )
          assert.strictEqual(r.requests.length, 2)
          const [post, get] = [r.requests.find((x) => x.id === "p")!, r.requests.find((x) => x.id === "g")!]
          const wire =
            "Id=p&MPCUUID=mpc-1&EventName=MPCInitialized&MPCEndTime=&Text=a+b%26c%3Dd%2F%C3%A9&SequenceNumber=1"

          assert.strictEqual(post.method, "POST")
          assert.strictEqual(post.url, "/status?token=abc&x=1")
          assert.strictEqual(post.headers["content-type"], "application/x-www-form-urlencoded")
          assert.strictEqual(post.body, wire)
          assert.deepStrictEqual(post.params, {
            Id: "p",
            MPCUUID: "mpc-1",
            EventName: "MPCInitialized",
            MPCEndTime: "",
            Text: "a b&c=d/é",
            SequenceNumber: "1"
          })

          assert.strictEqual(get.method, "GET")
          assert.strictEqual(get.url, `/status?token=abc&x=1&${wire.replace("Id=p", "Id=g")}`)
          assert.strictEqual(get.body, "")
          assert.isUndefined(get.headers["content-type"])

          for (const rec of r.requests) assert.strictEqual(rec.headers["user-agent"], "mpc-kit")
          assertSigned(r, r.requests)
        })
    )
  }

  it.scopedLive(
    "CB-2 200 callbacks over 5 MPCs × 2 URLs arrive in order per (MPC, URL), keys interleaving, at most maxConcurrency at a time (CB-8 signed)",
    () =>
      Effect.gen(function* () {
        const r = yield* startReceiver((rec) => ({
          _tag: "Respond",
          status: 204,
          afterMs: 1 + (rec.id.length % 4)
        }))
        const mpcs = ["m1", "m2", "m3", "m4", "m5"]
        const urls = [`${r.base}/a`, `${r.base}/b?tenant=7`]
        const sent = new Map<string, Array<string>>()
        const [stats] = yield* withSender({ ...fast, maxConcurrency: 4 }, (s) =>
          Effect.gen(function* () {
            for (let seq = 1; seq <= 20; seq++)
              for (const mpc of mpcs)
                for (const [i, url] of urls.entries()) {
                  const key = `${mpc} ${url}`
                  const id = `${key}#${seq}`
                  sent.set(key, [...(sent.get(key) ?? []), id])
                  yield* s.send(
                    cb({
                      mpc,
                      url,
                      id,
                      method: i === 0 ? "POST" : "GET",
                      params: { SequenceNumber: String(seq) }
                    })
                  )
                }
            yield* s.flush
            return yield* s.stats
          })
        )
        assert.deepStrictEqual(stats, { enqueued: 200, delivered: 200, attempts: 200, pending: 0 })
        assert.strictEqual(r.requests.length, 200)
        const keyOf = (rec: Recorded) => rec.id.slice(0, rec.id.indexOf("#"))
        for (const [key, ids] of sent) {
          const got = r.requests.filter((x) => keyOf(x) === key)
          assert.deepStrictEqual(
            got.map((x) => x.id),
            ids,
            key
          )
          assert.deepStrictEqual(
            got.map((x) => Number(x.params.SequenceNumber)),
            ids.map((_, i) => i + 1)
          )
        }
        // Different keys interleave: arrival switches key far more often than once per key.
        let switches = 0
        for (let i = 1; i < r.requests.length; i++)
          if (keyOf(r.requests[i]!) !== keyOf(r.requests[i - 1]!)) switches++
        assert.isAbove(switches, 100)
        assert.isAtLeast(r.maxInFlight(), 2, "keys go in parallel")
        assert.isAtMost(r.maxInFlight(), 4, "never more than maxConcurrency requests at a time")
        assertSigned(r, r.requests)
      })
  )

  it.scopedLive(
    "CB-2 a receiver failing every callback's first 3 attempts (500, destroyed socket, 500) gets each exactly once, in order; warnings name URL, event, attempt",
    () =>
      Effect.gen(function* () {
        const fail: Record<number, Action> = {
          1: { _tag: "Respond", status: 500 },
          2: { _tag: "Destroy" },
          3: { _tag: "Respond", status: 503 }
        }
        const r = yield* startReceiver((rec) => fail[rec.attempt] ?? ok)
        const lanes = [
          { mpc: "m1", url: `${r.base}/status` },
          { mpc: "m2", url: `${r.base}/status` }
        ]
        const [stats, logs] = yield* withSender(fast, (s) =>
          Effect.gen(function* () {
            for (let seq = 1; seq <= 5; seq++)
              for (const { mpc, url } of lanes)
                yield* s.send(cb({ mpc, url, id: `${mpc}#${seq}`, event: `E${seq}` }))
            yield* s.flush
            return yield* s.stats
          })
        )
        assert.deepStrictEqual(stats, { enqueued: 10, delivered: 10, attempts: 40, pending: 0 })
        assert.strictEqual(r.requests.length, 40, "every attempt reached the receiver")
        for (const { mpc } of lanes) {
          const ids = [1, 2, 3, 4, 5].map((seq) => `${mpc}#${seq}`)
          // Exactly once, in order.
          assert.deepStrictEqual(
            r.delivered.filter((x) => x.id.startsWith(`${mpc}#`)).map((x) => x.id),
            ids
          )
          // The next callback of a lane leaves only once the previous one is delivered.
          assert.deepStrictEqual(
            r.requests.filter((x) => x.id.startsWith(`${mpc}#`)).map((x) => `${x.id}@${x.attempt}`),
            ids.flatMap((id) => [1, 2, 3, 4].map((a) => `${id}@${a}`))
          )
        }
        const nonces = r.requests.map((x) => String(x.headers["x-plivo-signature-v3-nonce"]))
        assert.strictEqual(new Set(nonces).size, 40, "a fresh nonce per attempt")
        assertSigned(r, r.requests)

        const warnings = logs.filter((l) => l.level === "WARN")
        assert.strictEqual(warnings.length, 30, "one warning per failed attempt")
        for (const w of warnings) {
          assert.strictEqual(w.annotations.url, `${r.base}/status`)
          assert.include([1, 2, 3], w.annotations.attempt)
          assert.match(String(w.annotations.event), /^E[1-5]$/)
          assert.include(w.message, `${r.base}/status`)
          assert.include(w.message, `attempt ${w.annotations.attempt}`)
          assert.include(w.message, String(w.annotations.event))
        }
        assert.deepStrictEqual([...new Set(warnings.map((w) => w.annotations.reason))].sort(), [
          "Status",
          "Transport"
        ])
      })
  )

  it.scopedLive("CB-2 an attempt that hangs past the timeout is abandoned and retried, order kept", () =>
    Effect.gen(function* () {
      const r = yield* startReceiver((rec) => (rec.attempt === 1 ? { _tag: "Hang" } : ok))
      const [stats, logs] = yield* withSender(hangs, (s) =>
        Effect.gen(function* () {
          for (let seq = 1; seq <= 2; seq++)
            for (const mpc of ["m1", "m2"])
              yield* s.send(cb({ mpc, url: `${r.base}/slow`, id: `${mpc}#${seq}` }))
          yield* s.flush
          return yield* s.stats
        })
      )
      assert.deepStrictEqual(stats, { enqueued: 4, delivered: 4, attempts: 8, pending: 0 })
      for (const mpc of ["m1", "m2"])
        assert.deepStrictEqual(
          r.delivered.filter((x) => x.id.startsWith(mpc)).map((x) => x.id),
          [`${mpc}#1`, `${mpc}#2`]
        )
      // The client gave up on each hung request (closed its connection) before the retry succeeded.
      yield* waitUntil("hung requests closed", () => r.abandoned.length === 4)
      assert.deepStrictEqual(
        r.abandoned.map((x) => x.attempt),
        [1, 1, 1, 1]
      )
      const warnings = logs.filter((l) => l.level === "WARN")
      assert.strictEqual(warnings.length, 4)
      for (const w of warnings) {
        assert.strictEqual(w.annotations.reason, "Timeout")
        assert.strictEqual(w.annotations.attempt, 1)
      }
    })
  )

  it.scopedLive(
    "send returns at once; flush waits for everything enqueued before it (not after); stats add up",
    () =>
      Effect.gen(function* () {
        let open1 = () => {}
        let open2 = () => {}
        const gate1 = new Promise<void>((resolve) => (open1 = resolve))
        const gate2 = new Promise<void>((resolve) => (open2 = resolve))
        const r = yield* startReceiver((rec) =>
          rec.url === "/held1"
            ? { _tag: "Respond", status: 200, after: gate1 }
            : rec.url === "/held2"
              ? { _tag: "Respond", status: 200, after: gate2 }
              : ok
        )
        yield* withSender(fast, (s) =>
          Effect.gen(function* () {
            yield* s.flush // nothing enqueued: returns at once
            assert.deepStrictEqual(yield* s.stats, { enqueued: 0, delivered: 0, attempts: 0, pending: 0 })

            for (let i = 1; i <= 3; i++) yield* s.send(cb({ mpc: "m1", url: `${r.base}/ok`, id: `a${i}` }))
            yield* s.flush
            assert.strictEqual(r.delivered.length, 3)
            assert.deepStrictEqual(yield* s.stats, { enqueued: 3, delivered: 3, attempts: 3, pending: 0 })

            // The receiver holds /held1: sending there still returns at once.
            yield* s.send(cb({ mpc: "m1", url: `${r.base}/held1`, id: "h1" }))
            yield* s.send(cb({ mpc: "m2", url: `${r.base}/ok`, id: "b1" }))
            yield* s.send(cb({ mpc: "m2", url: `${r.base}/ok`, id: "b2" }))
            const flushing = yield* Effect.fork(s.flush)
            yield* Fiber.status(flushing).pipe(
              Effect.repeat({ until: (st) => st._tag === "Suspended", schedule: Schedule.spaced("1 millis") })
            )
            yield* waitUntil(
              "b1, b2 delivered and h1 received",
              () => r.delivered.length === 5 && r.requests.length === 6
            )
            assert.isTrue(Option.isNone(yield* Fiber.poll(flushing)), "flush still waits for h1")
            // The receiver records b2 before the sender has read its answer: wait for the count.
            const stats = yield* Effect.gen(function* () {
              for (;;) {
                const st = yield* s.stats
                if (st.delivered === 5) return st
                yield* Effect.sleep("1 millis")
              }
            }).pipe(Effect.timeout("5 seconds"))
            assert.deepStrictEqual(stats, { enqueued: 6, delivered: 5, attempts: 6, pending: 1 })

            // Enqueued after the flush started: it does not wait for this one.
            yield* s.send(cb({ mpc: "m3", url: `${r.base}/held2`, id: "h2" }))
            open1()
            yield* Fiber.join(flushing)
            assert.deepStrictEqual(
              r.delivered.map((x) => x.id),
              ["a1", "a2", "a3", "b1", "b2", "h1"]
            )
            yield* waitUntil("h2 received", () => r.requests.length === 7)
            assert.deepStrictEqual(yield* s.stats, { enqueued: 7, delivered: 6, attempts: 7, pending: 1 })

            open2()
            yield* s.flush
            assert.deepStrictEqual(yield* s.stats, { enqueued: 7, delivered: 7, attempts: 7, pending: 0 })
          })
        )
      })
  )

  it.scopedLive(
    "closing the scope interrupts the workers: the attempt in flight is aborted, pending callbacks are lost",
    () =>
      Effect.gen(function* () {
        const r = yield* startReceiver(() => ({ _tag: "Hang" }))
        const logs = captureLogs()
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(
          CallbackSender.Live({ ...fast, attemptTimeout: "1 minute" }),
          scope
        ).pipe(Effect.provide(logs.layer))
        const sender = Context.get(context, CallbackSender)
        yield* sender.send(cb({ mpc: "m1", url: `${r.base}/hang`, id: "x1" }))
        yield* sender.send(cb({ mpc: "m1", url: `${r.base}/hang`, id: "x2" }))
        yield* waitUntil("x1 received", () => r.requests.length === 1)
        yield* Scope.close(scope, Exit.void)
        yield* waitUntil("x1 abandoned", () => r.abandoned.length === 1)
        assert.deepStrictEqual(yield* sender.stats, { enqueued: 2, delivered: 0, attempts: 1, pending: 2 })
        assert.deepStrictEqual(
          r.requests.map((x) => x.id),
          ["x1"]
        )
      })
  )
})
