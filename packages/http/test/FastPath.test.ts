/**
 * API-1 API-2 API-3: the fast path for add participant by name answers exactly as the HttpApi
 * endpoint it stands in front of. The same request goes to `.../Participant/` (the fast path) and
 * to `.../participant/` (the router ignores case; the fast path does not match it, so HttpApi
 * serves it): the statuses, error messages and success bodies' shapes must agree.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import type * as Engine from "../src/Engine.js"
import * as FastPath from "../src/FastPath.js"
import { account, auth, call, type Reply, start } from "./support/Emulator.js"

const paths = (name: string) => {
  const base = `/v1/Account/${account.authId}/MultiPartyCall/name_${name}`
  return { fast: `${base}/Participant/`, api: `${base}/participant/` }
}

/** A reply without what differs between two answers (ids). */
const shape = (r: { status: number; body: Record<string, unknown> | undefined; text: string }) => ({
  status: r.status,
  error: r.body?.error,
  message: r.body?.message,
  keys: r.body === undefined ? [] : Object.keys(r.body).sort(),
  calls: Array.isArray(r.body?.calls)
    ? (r.body.calls as Array<Record<string, unknown>>).map((c) => [c.to, c.from])
    : []
})

const cases: ReadonlyArray<{
  what: string
  name?: string
  body?: unknown
  headers?: Record<string, string>
}> = [
  { what: "a valid JSON body", body: { role: "Agent", from: "+12025550000", to: "+14155550101" } },
  {
    what: "a valid form body",
    body: "role=Customer&from=%2B12025550000&to=%2B14155550102",
    headers: { "content-type": "application/x-www-form-urlencoded" }
  },
  { what: "a missing role", body: { from: "1", to: "2" } },
  { what: "a bad ring_timeout", body: { role: "Agent", from: "1", to: "2", ring_timeout: 14 } },
  { what: "several bad parameters", body: { role: "King", from: "1", to: "2", record: "maybe", mute: 3 } },
  { what: "JSON that does not parse", body: "{nope", headers: { "content-type": "application/json" } },
  { what: "a JSON list", body: "[1,2]", headers: { "content-type": "application/json" } },
  { what: "another content type", body: "role=Agent", headers: { "content-type": "text/plain" } },
  { what: "no credentials", body: { role: "Agent", from: "1", to: "2" }, headers: { authorization: "" } },
  {
    what: "a wrong token",
    body: { role: "Agent", from: "1", to: "2" },
    headers: { authorization: `Basic ${Buffer.from(`${account.authId}:nope`).toString("base64")}` }
  },
  {
    what: "a body over the limit",
    body: "x".repeat(300 * 1024),
    headers: { "content-type": "application/json" }
  },
  { what: "a name of spaces", name: "%20%20", body: { role: "Agent", from: "1", to: "2" } },
  { what: "a name with a control character", name: "a%01b", body: { role: "Agent", from: "1", to: "2" } }
]

describe("fast path", () => {
  it.scoped("API-1 API-2 API-3 the fast path and the HttpApi endpoint give the same answers", () =>
    Effect.gen(function* () {
      const base = yield* start()
      for (const c of cases) {
        const { fast, api } = paths(c.name ?? "same")
        const a = yield* call(base, "POST", fast, c.body, c.headers)
        const b = yield* call(base, "POST", api, c.body, c.headers)
        assert.deepStrictEqual(shape(a), shape(b), `${c.what}: ${a.text} / ${b.text}`)
      }
    })
  )

  it.scoped("API-2 property: any JSON object of parameters gets the same answer on both paths", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
      const key = fc.constantFrom(
        "role",
        "from",
        "to",
        "ring_timeout",
        "record",
        "mute",
        "max_participants",
        "x"
      )
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.dictionary(key, value), async (body) => {
            const { fast, api } = paths("prop")
            const a = await Effect.runPromise(call(base, "POST", fast, body))
            const b = await Effect.runPromise(call(base, "POST", api, body))
            assert.deepStrictEqual(shape(a), shape(b), `${JSON.stringify(body)}: ${a.text} / ${b.text}`)
          }),
          { numRuns: 60 }
        )
      )
    })
  )
})

/** A ringing leg (a new MPC with one participant): its call UUID. */
const ringing = (base: string, name: string) =>
  Effect.map(
    call(base, "POST", paths(name).fast, { role: "Agent", from: "+12025550000", to: "+14155550101" }),
    (r) => ((r.body?.calls ?? []) as Array<{ call_uuid: string }>)[0]!.call_uuid
  )

const legCases: ReadonlyArray<{
  what: string
  action: string
  /** The leg: a fresh ringing one, one that does not exist, or one already hung up. */
  leg: "ringing" | "unknown" | "ended"
  body?: unknown
  headers?: Record<string, string>
}> = [
  { what: "answer a ringing leg", action: "answer", leg: "ringing" },
  { what: "busy on a ringing leg", action: "busy", leg: "ringing" },
  { what: "reject a ringing leg", action: "reject", leg: "ringing" },
  { what: "hang up a ringing leg", action: "hangup", leg: "ringing" },
  { what: "answer an unknown leg", action: "answer", leg: "unknown" },
  { what: "answer a leg that ended", action: "answer", leg: "ended" },
  { what: "hang up a leg that ended", action: "hangup", leg: "ended" },
  {
    what: "a form body",
    action: "answer",
    leg: "ringing",
    body: "x=1",
    headers: { "content-type": "application/x-www-form-urlencoded" }
  },
  {
    what: "JSON that does not parse",
    action: "answer",
    leg: "ringing",
    body: "{nope",
    headers: { "content-type": "application/json" }
  },
  {
    what: "another content type",
    action: "hangup",
    leg: "ringing",
    body: "x",
    headers: { "content-type": "text/plain" }
  },
  { what: "no credentials", action: "answer", leg: "ringing", headers: { authorization: "" } },
  {
    what: "a body over the limit",
    action: "hangup",
    leg: "ringing",
    body: "x".repeat(300 * 1024),
    headers: { "content-type": "application/json" }
  }
]

describe("fast path, the network's leg events", () => {
  it.scoped("EMU-2 API-2 API-3 answer, busy, reject and hang up give the same answers on both paths", () =>
    Effect.gen(function* () {
      const base = yield* start()
      let n = 0
      for (const c of legCases) {
        // The fast path takes `/answer`; the router ignores case, so `/ANSWER` is HttpApi's.
        const replies: Array<Reply> = []
        for (const action of [c.action, c.action.toUpperCase()]) {
          const leg = c.leg === "unknown" ? "no-such-call" : yield* ringing(base, `leg${++n}`)
          if (c.leg === "ended") yield* call(base, "POST", `/emulator/v1/calls/${leg}/hangup`)
          replies.push(yield* call(base, "POST", `/emulator/v1/calls/${leg}/${action}`, c.body, c.headers))
        }
        // The legs differ: their UUIDs in the error messages do too.
        const same = (r: Reply) => {
          const s = shape(r)
          return {
            ...s,
            error: typeof s.error === "string" ? s.error.replace(/[0-9a-f-]{36}/g, "<uuid>") : s.error
          }
        }
        const [a, b] = replies
        assert.deepStrictEqual(same(a!), same(b!), `${c.what}: ${a!.text} / ${b!.text}`)
      }
    })
  )
})

describe("fast path, a turn that waits", () => {
  it.scoped(
    "ADDR-3 an add whose turn cannot complete at once (the account's lock held) is answered when it does",
    () =>
      Effect.gen(function* () {
        const runtime = yield* Effect.runtime<never>()
        const lock = yield* Effect.makeSemaphore(1)
        const called = yield* Deferred.make<void>()
        // An engine whose turn waits for the lock, held here until released.
        const engine = {
          submit: (input: Engine.Input) =>
            Effect.zipRight(
              Deferred.succeed(called, undefined),
              lock.withPermits(1)(
                Effect.succeed({
                  state: undefined as never,
                  commands: [
                    {
                      _tag: "Respond" as const,
                      apiId: "x",
                      outcome: {
                        _tag: "Added" as const,
                        requestUuid: "r-1",
                        mpcUuid: "m-1",
                        legs: [{ to: "2", from: "1", callUuid: `c-${input._tag}` }],
                        queued: false
                      }
                    }
                  ]
                })
              )
            )
        } as unknown as Engine.Engine
        const tenant = { account, engine }
        const handle = FastPath.make(
          { main: account, byId: new Map([[account.authId, tenant]]) },
          runtime,
          false
        )
        const server = createServer((req, res) => {
          if (!handle(req, res)) res.writeHead(599).end()
        })
        yield* Effect.acquireRelease(
          Effect.promise(
            () => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
          ),
          () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
        )
        const port = (server.address() as AddressInfo).port
        yield* lock.take(1)
        const pending = fetch(`http://127.0.0.1:${port}${paths("held").fast}`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify({ role: "Agent", from: "1", to: "2" })
        })
        let answered = false
        void pending.then(() => {
          answered = true
        })
        // The request is in and its turn waits for the lock: nothing is answered until it is released.
        yield* Deferred.await(called)
        yield* Effect.yieldNow()
        assert.isFalse(answered)
        yield* lock.release(1)
        const r = yield* Effect.promise(() => pending)
        assert.strictEqual(r.status, 201)
        const body = (yield* Effect.promise(() => r.json())) as Record<string, unknown>
        assert.deepStrictEqual(body.calls, [{ to: "2", from: "1", call_uuid: "c-AddParticipant" }])
      })
  )
})
