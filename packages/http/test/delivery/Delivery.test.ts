import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { Command, Event } from "@mpc-kit/domain"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { afterAll } from "vitest"
import { idempotencyHeader } from "../../src/delivery/Attempt.js"
import { type Change, Delivery, type DeliveryOptions } from "../../src/delivery/Delivery.js"
import { signV3 } from "../../src/Signature.js"
import { StoreSqlite } from "../../src/store/Layers.js"
import { originOf, Store } from "../../src/store/Store.js"
import { ok, type Receiver, startReceiver } from "./Receiver.js"

const tmp = mkdtempSync(join(tmpdir(), "mpc-kit-delivery-"))
let dirs = 0
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const token = "test-auth-token"
const answered: Event.Event = { _tag: "LegAnswered", at: 1, callUuid: "c1" }

const callback = (mpcUuid: string, url: string, seq: number): Command.SendCallback => ({
  _tag: "SendCallback",
  kind: "status",
  url,
  method: "POST",
  mpcUuid,
  event: "MPCStart",
  params: { SequenceNumber: String(seq), MPCUUID: mpcUuid }
})

const receiver = (handler?: Parameters<typeof startReceiver>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => startReceiver(handler)),
    (r) => Effect.promise(() => r.close())
  )

/** Log lines, as the engine writes them (DLV-12). */
const lines: Array<string> = []
const capture = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
)

const waitFor = (r: Receiver, n: number) => Effect.promise(() => r.waitFor(n))

/** The engine and its store on a fresh SQLite file (or `dir`). */
const engine = (options: Partial<DeliveryOptions> = {}, dir = join(tmp, `db-${++dirs}`)) =>
  Delivery.Live({ authToken: token, ...options }).pipe(Layer.provideMerge(StoreSqlite(dir)))

/** Appends callbacks as one event and wakes their lanes. */
const enqueue = (callbacks: ReadonlyArray<Command.SendCallback>) =>
  Effect.gen(function* () {
    const store = yield* Store
    const delivery = yield* Delivery
    const appended = yield* store.appendEvents("A1", [answered], callbacks)
    yield* delivery.notify(callbacks.map((c) => originOf(c.url)))
    return appended.outboxIds
  })

/** Waits for `n` changes matching `p` on a subscription. */
const takeChanges = (sub: Queue.Dequeue<Change>, n: number, p: (c: Change) => boolean = () => true) =>
  Effect.gen(function* () {
    const out: Array<Change> = []
    while (out.length < n) {
      const c = yield* Queue.take(sub)
      if (p(c)) out.push(c)
    }
    return out
  })

const seqs = (r: Receiver, mpc: string) =>
  r.received.filter((x) => x.params.MPCUUID === mpc).map((x) => Number(x.params.SequenceNumber))

describe("Delivery", () => {
  it.scoped(
    "DLV-4: a lane waits for its head's retry; other lanes of the origin go on; DLV-3, DLV-11 headers",
    () =>
      Effect.gen(function* () {
        let refused = false
        const r = yield* receiver((req, res) => {
          if (!refused && req.params.MPCUUID === "m1") {
            refused = true
            res.writeHead(503)
            res.end()
          } else ok(req, res, 0)
        })
        const delivery = yield* Delivery
        const sub = yield* PubSub.subscribe(delivery.changes)
        const url = r.url("/cb")
        const ids = yield* enqueue([
          callback("m1", url, 1),
          callback("m1", url, 2),
          callback("m1", url, 3),
          callback("m2", url, 1)
        ])
        // m1#1 fails and waits out its backoff; m2 (another lane, same origin) is delivered meanwhile.
        const first = yield* takeChanges(sub, 2)
        expect(first.map((c) => [c._tag, c.item.mpcUuid]).sort()).toEqual([
          ["Delivered", "m2"],
          ["Retrying", "m1"]
        ])
        expect(seqs(r, "m1")).toEqual([1])
        yield* TestClock.adjust(Duration.seconds(1))
        yield* takeChanges(sub, 3, (c) => c._tag === "Delivered")
        expect(seqs(r, "m1")).toEqual([1, 1, 2, 3])
        const m1 = r.received.filter((x) => x.params.MPCUUID === "m1")
        expect(m1.map((x) => x.headers[idempotencyHeader.toLowerCase()])).toEqual(
          [ids[0], ids[0], ids[1], ids[2]].map(String)
        )
        for (const x of r.received) {
          expect(x.headers.traceparent).toBeUndefined()
          expect(x.headers.b3).toBeUndefined()
          const nonce = String(x.headers["x-plivo-signature-v3-nonce"])
          expect(x.headers["x-plivo-signature-v3"]).toBe(signV3(token, "POST", url, x.params, nonce))
        }
      }).pipe(Effect.provide(engine({ concurrency: 4 })))
  )

  it.scoped(
    "DLV-5: a hanging origin does not delay another origin",
    () =>
      Effect.gen(function* () {
        const hanging = yield* receiver(() => {})
        const healthy = yield* receiver()
        const delivery = yield* Delivery
        const sub = yield* PubSub.subscribe(delivery.changes)
        yield* enqueue([callback("m1", hanging.url("/a"), 1), callback("m2", hanging.url("/b"), 1)])
        yield* waitFor(hanging, 1)
        yield* enqueue([callback("m3", healthy.url("/cb"), 1)])
        const [done] = yield* takeChanges(sub, 1)
        expect([done!._tag, done!.item.mpcUuid]).toEqual(["Delivered", "m3"])
        // The hanging origin's only worker is still stuck in its first attempt (the clock never moved).
        expect(hanging.received.length).toBe(1)
        // Let the stuck attempt end (the engine's drain bound runs on the test clock).
        yield* Effect.promise(() => hanging.close())
      }).pipe(Effect.provide(engine({ concurrency: 1, attemptTimeout: Duration.hours(1) }))),
    15_000
  )

  it.effect(
    "DLV-2, DLV-12: a stopped engine leaves callbacks in the outbox; the next start delivers them again, same key",
    () =>
      Effect.gen(function* () {
        const dir = join(tmp, `db-${++dirs}`)
        let restarted = false
        const r = yield* Effect.promise(() =>
          startReceiver((req, res, index) => {
            // Before the restart the second request hangs: the engine is stopped in the middle of it.
            if (!restarted && index === 1) return
            ok(req, res, index)
          })
        )
        const url = r.url("/cb")
        const scope1 = yield* Scope.make()
        const ctx1 = yield* Layer.buildWithScope(engine({ drainTimeout: Duration.seconds(5) }, dir), scope1)
        const ids = yield* enqueue([
          callback("m1", url, 1),
          callback("m1", url, 2),
          callback("m1", url, 3)
        ]).pipe(Effect.provide(ctx1))
        yield* waitFor(r, 2)
        const stopping = yield* Effect.fork(Scope.close(scope1, Exit.void))
        while ((yield* Fiber.poll(stopping))._tag === "None") yield* TestClock.adjust(Duration.seconds(1))
        expect(lines.some((l) => l.includes("2 callbacks remain in the outbox"))).toBe(true)

        restarted = true
        const scope2 = yield* Scope.make()
        yield* Layer.buildWithScope(engine({}, dir), scope2)
        yield* waitFor(r, 4)
        yield* Scope.close(scope2, Exit.void)
        expect(seqs(r, "m1")).toEqual([1, 2, 2, 3])
        expect(r.received.map((x) => x.headers[idempotencyHeader.toLowerCase()])).toEqual(
          [ids[0], ids[1], ids[1], ids[2]].map(String)
        )
        const left = yield* Effect.flatMap(Store, (s) => s.outbox({ limit: 10, offset: 0 })).pipe(
          Effect.provide(StoreSqlite(dir))
        )
        expect(left.total).toBe(0)
        yield* Effect.promise(() => r.close())
      }).pipe(Effect.provide(capture))
  )

  it.scoped("DLV-7: a callback still failing at the retry horizon is dead-lettered and listed", () =>
    Effect.gen(function* () {
      const r = yield* receiver((_req, res) => {
        res.writeHead(503)
        res.end()
      })
      const delivery = yield* Delivery
      const store = yield* Store
      const sub = yield* PubSub.subscribe(delivery.changes)
      const [id] = yield* enqueue([callback("m1", r.url("/cb"), 1)])
      // Retries at 1 s, 3 s, 7 s; the next would be at 15 s, past the 10 s horizon.
      let dead: Change | undefined
      while (dead === undefined) {
        const [c] = yield* takeChanges(sub, 1)
        if (c?._tag === "Retrying") yield* TestClock.setTime(c.at)
        else dead = c
      }
      expect(dead._tag).toBe("DeadLettered")
      const listed = yield* store.deadLetters({ limit: 10, offset: 0 })
      expect(listed.items.map((d) => [d.id, d.attempts, d.reason])).toEqual([
        [id, 4, "Status 503 (retry horizon passed)"]
      ])
      expect((yield* store.outbox({ limit: 10, offset: 0 })).total).toBe(0)
      expect(r.received.length).toBe(4)
    }).pipe(Effect.provide(engine({ horizon: Duration.seconds(10) })))
  )

  it.scoped("DLV-10: one log line per state change, not one per attempt", () =>
    Effect.gen(function* () {
      const r = yield* receiver((req, res, index) => {
        if (index < 3) {
          res.writeHead(503)
          res.end()
        } else ok(req, res, index)
      })
      const delivery = yield* Delivery
      const sub = yield* PubSub.subscribe(delivery.changes)
      lines.length = 0
      yield* enqueue([callback("m1", r.url("/cb"), 1)])
      let done = false
      while (!done) {
        const [c] = yield* takeChanges(sub, 1)
        if (c?._tag === "Retrying") yield* TestClock.setTime(c.at)
        else done = true
      }
      expect(r.received.length).toBe(4)
      expect(lines.filter((l) => l.startsWith("callback "))).toEqual([
        "callback failing, retrying until delivered: Status 503",
        "callback delivered after 4 attempts"
      ])
    }).pipe(Effect.provide(engine()), Effect.provide(capture))
  )

  it.scoped(
    "DLV-8: 3xx and 4xx answers and invalid URLs are final (dead-lettered at once, redirects not followed)",
    () =>
      Effect.gen(function* () {
        const target = yield* receiver()
        const r = yield* receiver((req, res) => {
          if (req.url === "/moved") res.writeHead(302, { location: target.url("/cb") })
          else res.writeHead(404)
          res.end()
        })
        const delivery = yield* Delivery
        const store = yield* Store
        const sub = yield* PubSub.subscribe(delivery.changes)
        yield* enqueue([
          callback("m1", r.url("/gone"), 1),
          callback("m2", r.url("/moved"), 1),
          callback("m3", "not a url", 1)
        ])
        const changes = yield* takeChanges(sub, 3)
        expect(changes.map((c) => c._tag)).toEqual(["DeadLettered", "DeadLettered", "DeadLettered"])
        const reasons = (yield* store.deadLetters({ limit: 10, offset: 0 })).items.map((d) => [
          d.mpcUuid,
          d.reason
        ])
        expect(reasons.sort()).toEqual([
          ["m1", "Status 404"],
          ["m2", "Status 302"],
          ["m3", "Invalid URL"]
        ])
        expect(target.received.length).toBe(0)
      }).pipe(Effect.provide(engine()))
  )

  it.scoped("DLV-9: a huge response body is not read past the limit", () =>
    Effect.gen(function* () {
      const size = 50 * 1024 * 1024
      let written = 0
      let finished = false
      let onClose = () => {}
      const closed = new Promise<void>((resolve) => {
        onClose = resolve
      })
      const r = yield* receiver((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) })
        const chunk = Buffer.alloc(64 * 1024, 120)
        const pump = () => {
          while (written < size) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          finished = true
          res.end()
        }
        res.on("close", () => onClose())
        pump()
      })
      const delivery = yield* Delivery
      const sub = yield* PubSub.subscribe(delivery.changes)
      yield* enqueue([callback("m1", r.url("/cb"), 1)])
      const [done] = yield* takeChanges(sub, 1)
      expect(done?._tag).toBe("Delivered")
      yield* Effect.promise(() => closed)
      expect(finished).toBe(false)
      expect(written).toBeLessThan(8 * 1024 * 1024)
    }).pipe(Effect.provide(engine({ bodyLimit: 64 * 1024 })))
  )

  it.scopedLive(
    "DLV-13: a lane holds at most `buffer` callbacks in memory; the rest wait in the store and go in order",
    () =>
      Effect.gen(function* () {
        // The receiver holds every answer until the gate opens.
        const held: Array<() => void> = []
        let open = false
        const r = yield* receiver((req, res, index) => {
          if (open) ok(req, res, index)
          else held.push(() => ok(req, res, index))
        })
        const store = yield* Store
        const delivery = yield* Delivery
        const sub = yield* PubSub.subscribe(delivery.changes)
        const url = r.url("/cb")
        // 20 callbacks of 5 MPCs, committed in 4 turns, handed over as the journal does.
        for (let turn = 0; turn < 4; turn++) {
          const appended = yield* store.appendEvents(
            "A1",
            [answered],
            Array.from({ length: 5 }, (_, m) => callback(`m${m}`, url, turn + 1))
          )
          yield* delivery.enqueue(appended.items)
          expect((yield* delivery.buffered).callbacks).toBeLessThanOrEqual(3)
        }
        yield* waitFor(r, 1)
        expect((yield* delivery.buffered).callbacks).toBeLessThanOrEqual(3)
        expect((yield* store.outbox({ limit: 0, offset: 0 })).total).toBe(20)
        open = true
        for (const release of held.splice(0)) release()
        yield* takeChanges(sub, 20, (c) => c._tag === "Delivered")
        for (let m = 0; m < 5; m++) expect(seqs(r, `m${m}`)).toEqual([1, 2, 3, 4])
        // Everything acknowledged is deleted and the lane forgotten.
        while ((yield* delivery.buffered).lanes > 0) yield* Effect.sleep(Duration.millis(10))
        expect((yield* store.outbox({ limit: 0, offset: 0 })).total).toBe(0)
      }).pipe(Effect.provide(engine({ concurrency: 1, buffer: 3 }))),
    20_000
  )
})
