/**
 * DLV-14: without a store, callbacks are sent by the delivery engine from a memory outbox: a final
 * status (4xx) dead-letters a callback after one attempt and lists it, a full outbox dead-letters
 * new callbacks at once (never silently), and the bounds hold. On an outbox whose deletes are held,
 * DLV-13's wait of a queue for its predecessor's delete is seen directly.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import type { Command } from "@mpc-kit/domain"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Delivery } from "../../src/delivery/Delivery.js"
import { fullReason, makeMemory, Outbox } from "../../src/delivery/Outbox.js"
import type * as Server from "../../src/Server.js"
import { addPath, call, receiverWith, start, until } from "../support/Emulator.js"

/** An emulator without a store (the memory outbox), on a free port. */
const emulator = (memoryDelivery: Server.Options["memoryDelivery"] = {}) =>
  start({ server: { memoryDelivery, quiet: true } })

const callback = (m: string, url: string): Command.SendCallback => ({
  _tag: "SendCallback",
  kind: "status",
  url,
  method: "POST",
  mpcUuid: m,
  event: "MPCStart",
  params: { SequenceNumber: "1", MPCUUID: m }
})

describe("memory outbox", () => {
  it.effect(
    "DLV-14: bounded: past `limit` a callback is refused as a dead letter; the latest dead letters are kept",
    () =>
      Effect.gen(function* () {
        const o = makeMemory({ limit: 3, deadLetterLimit: 2 })
        const a = o.add("A1", [callback("m1", "http://a.test/x"), callback("m2", "http://b.test/x")], 5)
        const b = o.add("A1", [callback("m1", "http://a.test/x"), callback("m3", "http://a.test/y")], 6)
        expect(a.items.map((i) => i.id)).toEqual([1, 2])
        expect(b.items.map((i) => i.id)).toEqual([3])
        expect(b.refused.map((d) => [d.id, d.reason])).toEqual([[4, fullReason(3)]])
        expect(o.size()).toBe(3)
        // Per origin, in id order (DLV-4, DLV-13).
        expect((yield* o.pendingOf("http://a.test", 10)).map((i) => i.id)).toEqual([1, 3])
        expect(yield* o.origins).toEqual(["http://a.test", "http://b.test"])
        yield* o.fail(1, 99, "Status 503")
        expect((yield* o.pendingOf("http://a.test", 1))[0]).toMatchObject({
          id: 1,
          attempts: 1,
          nextAttemptAt: 99
        })
        yield* o.ackMany([3])
        yield* o.deadLetter(2, "Status 404")
        yield* o.deadLetter(1, "Status 410")
        expect(o.size()).toBe(0)
        expect(yield* o.origins).toEqual([])
        // Three dead letters so far, two kept: the latest.
        const dead = yield* o.deadLetters({ limit: 10, offset: 0 })
        expect(dead.items.map((d) => [d.id, d.reason])).toEqual([
          [2, "Status 404"],
          [1, "Status 410"]
        ])
        expect((yield* o.outbox({ limit: 0, offset: 0 })).total).toBe(0)
      })
  )

  it.scoped(
    "DLV-14 DLV-8: without a store, a 404 dead-letters a callback after one attempt and lists it",
    () =>
      Effect.gen(function* () {
        const r = yield* receiverWith((path) => (path === "/gone" ? 404 : 200))
        const base = yield* emulator()
        const added = yield* call(base, "POST", addPath("memory"), {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111",
          status_callback_url: `${r.url}/gone`,
          status_callback_events: "mpc-state-changes,participant-state-changes"
        })
        assert.strictEqual(added.status, 201)
        const dead = () => call(base, "GET", "/emulator/v1/dead-letters?limit=100")
        yield* until("the dead letters", () => r.received.length > 0)
        let listed = yield* dead()
        for (
          let k = 0;
          k < 100 && ((listed.body?.dead_letters ?? []) as Array<unknown>).length < r.received.length;
          k++
        ) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
          listed = yield* dead()
        }
        const letters = (listed.body?.dead_letters ?? []) as Array<{
          reason: string
          attempts: number
          url: string
        }>
        // Each callback was tried once (4xx is final), and every one is listed.
        expect(letters.length).toBe(r.received.length)
        for (const d of letters)
          expect([d.reason, d.attempts, d.url]).toEqual(["Status 404", 1, `${r.url}/gone`])
        expect(listed.body?.pending).toBe(0)
      })
  )

  it.scoped("DLV-14: a full memory outbox dead-letters new callbacks at once, and lists them", () =>
    Effect.gen(function* () {
      const r = yield* receiverWith(() => "hold")
      const base = yield* emulator({ limit: 1, delivery: { attemptTimeout: "300 millis" } })
      for (const name of ["a", "b", "c"])
        yield* call(base, "POST", addPath(name), {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111",
          status_callback_url: `${r.url}/held`,
          status_callback_events: "mpc-state-changes"
        })
      const listed = yield* call(base, "GET", "/emulator/v1/dead-letters?limit=100")
      const letters = (listed.body?.dead_letters ?? []) as Array<{ reason: string }>
      // One callback waits (held by the receiver); every other one was refused, none dropped.
      expect(listed.body?.pending).toBe(1)
      expect(letters.length).toBeGreaterThanOrEqual(2)
      for (const d of letters) expect(d.reason).toBe(fullReason(1))
    })
  )
  it.scoped(
    "DLV-13 DLV-4: a queue's next callback leaves only once its predecessor's delete is committed",
    () =>
      Effect.gen(function* () {
        const r = yield* receiverWith(() => 200)
        const memory = makeMemory()
        // The outbox's deletes wait for the gate: the first callback is acknowledged, not yet deleted.
        const gate = yield* Deferred.make<void>()
        const gated = {
          ...memory,
          ackMany: (ids: ReadonlyArray<number>) => Effect.zipRight(Deferred.await(gate), memory.ackMany(ids))
        }
        const context = yield* Layer.build(
          Delivery.layerOutbox({ authToken: "t", concurrency: 4 }).pipe(
            Layer.provide(Layer.succeed(Outbox, gated))
          )
        )
        const delivery = Context.get(context, Delivery)
        const added = memory.add("A1", [callback("m1", `${r.url}/cb`), callback("m1", `${r.url}/cb`)], 0)
        yield* delivery.enqueue(added.items)
        let stats = yield* delivery.stats
        yield* until("the first acknowledgement", () => {
          Effect.runSync(Effect.map(delivery.stats, (s) => (stats = s)))
          return stats.delivered >= 1
        })
        // Acknowledged, its delete held: the second callback of the queue has not been attempted.
        const attemptsBefore = (yield* delivery.stats).attempts
        yield* Deferred.succeed(gate, undefined)
        expect(attemptsBefore).toBe(1)
        yield* until("the second callback", () => r.received.length === 2)
        yield* until("both deleted", () => memory.size() === 0)
      })
  )
})
