import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import type { Command, Event } from "@mpc-kit/domain"
import { AddParticipantParams, State, Step } from "@mpc-kit/domain"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { afterAll, beforeAll } from "vitest"
import type { RetiredMpc } from "../../src/History.js"
import { StoreFromConfig, StorePg, StoreSqlite } from "../../src/store/Layers.js"
import { Store } from "../../src/store/Store.js"
import { binDir, type PgServer, startPostgres } from "./Postgres.js"

/** DLV-4: the lane position of the `i`-th callback of the commit whose last event is `seq` (increasing, not dense). */
const lane = (seq: number, i: number) => seq * 2 ** 20 + i

const answered = (n: number): Event.Event => ({ _tag: "LegAnswered", at: n, callUuid: `call-${n}` })

const callback = (mpcUuid: string, url: string, seq: number): Command.SendCallback => ({
  _tag: "SendCallback",
  kind: "status",
  url,
  method: "POST",
  mpcUuid,
  event: "MPCStart",
  params: { SequenceNumber: String(seq), MPCUUID: mpcUuid, Empty: null }
})

/** An MPC named `name` created at `i` seconds and ended by the API half a second later, as retired. */
const history = (i: number, name: string, account = "A1"): RetiredMpc => {
  const at = 1_000 * i
  const mpc = { _tag: "ByName", name } as const
  const request = Either.getOrThrow(
    AddParticipantParams.decode({ role: "Agent", from: "+12025550000", to: "+12025551111" })
  )
  const added = Step.step(State.make({ seed: i }, at), {
    _tag: "AddParticipant",
    at,
    apiId: "a",
    mpc,
    request
  })
  const ended = Step.step(added.state, { _tag: "EndMpc", at: at + 500, apiId: "b", mpc })
  const out = State.retireEndedSince(added.state, ended.state)
  return { account, mpc: out.retired[0]!.mpc, trace: [{ t: at, kind: "event", event: answered(i) }] }
}

let pg: PgServer | undefined
let tmp = ""
let dbs = 0

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "mpc-kit-store-"))
  pg = await startPostgres()
}, 120_000)

afterAll(() => {
  pg?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

const backends: ReadonlyArray<readonly [string, () => Layer.Layer<Store | SqlClient.SqlClient>]> = [
  ["SQLite", () => StoreSqlite(join(tmp, `db-${++dbs}`))],
  ["PostgreSQL", () => StorePg(pg!.createDatabase(`t${++dbs}`))]
]

describe.each(backends)("Store on %s", (_name, fresh) => {
  it.effect("STORE-2: events get gap-free sequence numbers per account and read back in order", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const a = yield* store.appendEvents("A1", [answered(1), answered(2)], [])
      const b = yield* store.appendEvents("A2", [answered(3)], [])
      const c = yield* store.appendEvents("A1", [answered(4)], [])
      const none = yield* store.appendEvents("A1", [], [])
      expect([a.seq, b.seq, c.seq, none.seq]).toEqual([2, 1, 3, 3])
      expect(yield* store.eventsAfter("A1", 1)).toEqual([
        { seq: 2, event: answered(2) },
        { seq: 3, event: answered(4) }
      ])
      expect(yield* store.accounts).toEqual(["A1", "A2"])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect("STORE-1, DLV-1: an event and its callbacks commit together or not at all", () =>
    Effect.gen(function* () {
      const store = yield* Store
      // The history row is written last; the same MPC retired twice fails on its key, after the
      // event and the callbacks were inserted: the transaction must take them back.
      const twice = history(1, "twice")
      const exit = yield* Effect.exit(
        store.appendEvents(
          "A1",
          [answered(1)],
          [callback("m1", "http://r.test/cb", 1), callback("m1", "http://r.test/cb", 2)],
          { retired: [twice, twice] }
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* store.eventsAfter("A1", 0)).toEqual([])
      expect((yield* store.outbox({ limit: 10, offset: 0 })).total).toBe(0)
      const ok = yield* store.appendEvents("A1", [answered(1)], [callback("m1", "http://r.test/cb", 1)])
      expect(ok.seq).toBe(1)
      const rows = (yield* store.outbox({ limit: 10, offset: 0 })).items
      expect(rows.map((r) => [r.id, r.eventSeq, r.laneSeq, r.origin, r.callback])).toEqual([
        [ok.outboxIds[0], 1, lane(1, 0), "http://r.test", callback("m1", "http://r.test/cb", 1)]
      ])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect(
    "STORE-11: a writer that knows the next sequence number reads nothing back; lanes stay ordered",
    () =>
      Effect.gen(function* () {
        const store = yield* Store
        const url = "http://r.test/cb"
        const a = yield* store.appendEvents("A1", [answered(1), answered(2)], [callback("m1", url, 1)], {
          first: 1
        })
        const b = yield* store.appendEvents(
          "A1",
          [answered(3)],
          [callback("m1", url, 2), callback("m1", url, 3)],
          {
            first: 3
          }
        )
        expect([a.seq, b.seq]).toEqual([2, 3])
        // A second writer with a stale count fails on the key and leaves nothing behind.
        const stale = yield* Effect.exit(
          store.appendEvents("A1", [answered(9)], [callback("m1", url, 9)], { first: 3 })
        )
        expect(Exit.isFailure(stale)).toBe(true)
        expect((yield* store.eventsAfter("A1", 0)).map((e) => e.seq)).toEqual([1, 2, 3])
        const positions = (yield* store.outbox({ limit: 10, offset: 0 })).items.map((i) => i.laneSeq)
        expect(positions).toEqual([lane(2, 0), lane(3, 0), lane(3, 1)])
        expect(b.items.map((i) => [i.id, i.laneSeq, i.callback.params.SequenceNumber])).toEqual([
          [b.outboxIds[0], lane(3, 0), "2"],
          [b.outboxIds[1], lane(3, 1), "3"]
        ])
      }).pipe(Effect.provide(fresh()))
  )

  it.effect("STORE-3, STORE-4: the latest snapshot and the events after it rebuild the account", () =>
    Effect.gen(function* () {
      const store = yield* Store
      expect(yield* store.latestSnapshot("A1")).toEqual(Option.none())
      yield* store.appendEvents("A1", [answered(1), answered(2)], [])
      const s1 = State.make({ authId: "MA1" }, 1)
      const s2 = State.make({ authId: "MA1", cps: 5 }, 2)
      yield* store.writeSnapshot("A1", 1, s1)
      yield* store.writeSnapshot("A1", 2, s2)
      yield* store.appendEvents("A1", [answered(3)], [])
      const snap = yield* store.latestSnapshot("A1")
      expect(Option.map(snap, (s) => s.seq)).toEqual(Option.some(2))
      expect(Option.getOrThrow(snap).state.config).toEqual(s2.config)
      expect(Option.getOrThrow(snap).state.now).toBe(2)
      expect(yield* store.eventsAfter("A1", 2)).toEqual([{ seq: 3, event: answered(3) }])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect("DLV-4, DLV-5: claims return only due lane heads of one origin, in lane order", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const a = "http://a.test/cb"
      const a2 = "http://a.test/other"
      const b = "http://b.test:8080/cb"
      yield* store.appendEvents(
        "A1",
        [answered(1)],
        [callback("m1", a, 1), callback("m1", a, 2), callback("m1", a2, 1)]
      )
      yield* store.appendEvents("A1", [answered(2)], [callback("m1", a, 3), callback("m2", b, 1)])
      expect(yield* store.origins).toEqual(["http://a.test", "http://b.test:8080"])
      const first = yield* store.claim("http://a.test", 0, 10)
      expect(first.map((i) => [i.url, i.laneSeq])).toEqual([
        [a, lane(1, 0)],
        [a2, lane(1, 2)]
      ])
      // The heads are in flight: their lanes wait, nothing else of this origin is due.
      expect(yield* store.claim("http://a.test", 0, 10)).toEqual([])
      expect(yield* store.nextDue("http://a.test")).toEqual(Option.none())
      yield* store.ack(first[0]!.id)
      const second = yield* store.claim("http://a.test", 0, 10)
      expect(second.map((i) => [i.url, i.laneSeq, i.callback.params.SequenceNumber])).toEqual([
        [a, lane(1, 1), "2"]
      ])
      // A failed head is retried later and still holds its lane.
      yield* store.fail(second[0]!.id, 5_000, "Status 503")
      expect(yield* store.claim("http://a.test", 4_999, 10)).toEqual([])
      expect(yield* store.nextDue("http://a.test")).toEqual(Option.some(5_000))
      const retried = yield* store.claim("http://a.test", 5_000, 10)
      expect(retried.map((i) => [i.laneSeq, i.attempts, i.lastError])).toEqual([
        [lane(1, 1), 1, "Status 503"]
      ])
      expect((yield* store.claim("http://b.test:8080", 0, 10)).map((i) => i.mpcUuid)).toEqual(["m2"])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect("DLV-2: claims of a stopped process go back to pending", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.appendEvents("A1", [answered(1)], [callback("m1", "http://a.test/", 1)])
      const [item] = yield* store.claim("http://a.test", 0, 10)
      expect(yield* store.releaseClaims).toBe(1)
      expect((yield* store.claim("http://a.test", 0, 10)).map((i) => i.id)).toEqual([item!.id])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect("DLV-7: a dead-lettered callback leaves the outbox, unblocks its lane and is listed", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* TestClock.setTime(7_000)
      yield* store.appendEvents(
        "A1",
        [answered(1)],
        [callback("m1", "http://a.test/", 1), callback("m1", "http://a.test/", 2)]
      )
      const [head] = yield* store.claim("http://a.test", 7_000, 10)
      yield* store.deadLetter(head!.id, "Status 404")
      const dead = yield* store.deadLetters({ limit: 10, offset: 0 })
      expect(dead.total).toBe(1)
      expect(dead.items.map((d) => [d.id, d.laneSeq, d.attempts, d.reason, d.deadAt, d.createdAt])).toEqual([
        [head!.id, lane(1, 0), 1, "Status 404", 7_000, 7_000]
      ])
      expect((yield* store.deadLetters({ limit: 10, offset: 0 }, "other")).total).toBe(0)
      expect((yield* store.claim("http://a.test", 7_000, 10)).map((i) => i.laneSeq)).toEqual([lane(1, 1)])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect(
    "STORE-6, STORE-10: history is committed with its events, read back by UUID and listed with filters and pages",
    () =>
      Effect.gen(function* () {
        const store = yield* Store
        const all12 = Array.from({ length: 12 }, (_, k) => history(k + 1, (k + 1) % 2 === 0 ? "even" : "odd"))
        yield* store.appendEvents("A1", [answered(1)], [], { retired: all12.slice(0, 6) })
        yield* store.appendEvents("A1", [answered(2)], [], { retired: all12.slice(6) })
        yield* store.appendEvents("A2", [answered(3)], [], { retired: [history(13, "odd", "A2")] })
        const uuid = (i: number) => all12[i - 1]!.mpc.uuid
        expect(all12[0]!.mpc.status).toBe("Ended")
        const got = yield* store.getHistory("A1", uuid(4))
        expect(got).toEqual(all12[3])
        expect(yield* store.getHistory("A2", uuid(4))).toBeUndefined()
        expect((yield* store.latestByName("A1", "even"))?.mpc.uuid).toBe(uuid(12))
        const page1 = yield* store.listHistory(["A1"], {}, { limit: 5, offset: 0 })
        expect(page1.total).toBe(12)
        expect(page1.items.map((h) => h.mpc.uuid)).toEqual([12, 11, 10, 9, 8].map(uuid))
        const page3 = yield* store.listHistory(["A1"], {}, { limit: 5, offset: 10 })
        expect(page3.items.map((h) => h.mpc.uuid)).toEqual([2, 1].map(uuid))
        expect((yield* store.listHistory(["A1", "A2"], {}, { limit: 20, offset: 0 })).total).toBe(13)
        const even = yield* store.listHistory(["A1"], { friendlyName: "even" }, { limit: 20, offset: 0 })
        expect(even.items.map((h) => h.mpc.uuid)).toEqual([12, 10, 8, 6, 4, 2].map(uuid))
        const code = all12[0]!.mpc.termination?.code
        const cause = yield* store.listHistory(
          ["A1"],
          {
            terminationCauseCode: code,
            bounds: [
              { field: "creation", op: "gte", at: 3_000 },
              { field: "creation", op: "lt", at: 9_000 }
            ]
          },
          { limit: 20, offset: 0 }
        )
        expect(cause.items.map((h) => h.mpc.uuid)).toEqual([8, 7, 6, 5, 4, 3].map(uuid))
        const none = yield* store.listHistory(["A1"], { terminationCauseCode: 1 }, { limit: 20, offset: 0 })
        expect(none.total).toBe(0)
        const ended = yield* store.listHistory(
          ["A1"],
          {
            status: "ended",
            bounds: [
              { field: "end", op: "gt", at: 10_500 },
              { field: "end", op: "lte", at: 12_500 }
            ]
          },
          { limit: 20, offset: 0 }
        )
        expect(ended.items.map((h) => h.mpc.uuid)).toEqual([12, 11].map(uuid))
        expect((yield* store.listHistory(["A1"], { status: "active" }, { limit: 20, offset: 0 })).total).toBe(
          0
        )
      }).pipe(Effect.provide(fresh()))
  )
})

describe("Store on a SQLite file", () => {
  it.effect("STORE-7: what was committed is there after the store is reopened on the same directory", () =>
    Effect.gen(function* () {
      const dir = join(tmp, "reopen")
      yield* Effect.flatMap(Store, (s) =>
        s.appendEvents("A1", [answered(1)], [callback("m1", "http://a.test/", 1)])
      ).pipe(Effect.provide(StoreSqlite(dir)))
      const [events, outbox] = yield* Effect.flatMap(Store, (s) =>
        Effect.all([s.eventsAfter("A1", 0), s.outbox({ limit: 10, offset: 0 })])
      ).pipe(Effect.provide(StoreSqlite(dir)))
      expect(events).toEqual([{ seq: 1, event: answered(1) }])
      expect(outbox.items.map((i) => i.callback)).toEqual([callback("m1", "http://a.test/", 1)])
    })
  )

  it.effect("STORE-7: `:memory:` gives a working throwaway store", () =>
    Effect.gen(function* () {
      const store = yield* Store
      expect((yield* store.appendEvents("A1", [answered(1)], [])).seq).toBe(1)
    }).pipe(Effect.provide(StoreSqlite(":memory:")))
  )
})

describe("Store setup", () => {
  it.effect(
    "STORE-9: SQLite commits survive a killed process (WAL, synchronous NORMAL); FULL on request",
    () =>
      Effect.gen(function* () {
        const read = (layer: Layer.Layer<Store | SqlClient.SqlClient>) =>
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            Effect.all([sql`PRAGMA journal_mode`, sql`PRAGMA synchronous`])
          ).pipe(Effect.provide(layer))
        const [mode, normal] = yield* read(StoreSqlite(join(tmp, "pragma-normal")))
        const [, full] = yield* read(StoreSqlite(join(tmp, "pragma-full"), { synchronous: "FULL" }))
        expect([mode, normal, full]).toEqual([
          [{ journal_mode: "wal" }],
          [{ synchronous: 1 }],
          [{ synchronous: 2 }]
        ])
      })
  )

  it.effect("STORE-7: DATABASE_URL selects PostgreSQL, else SQLite under MPC_DATA_DIR", () =>
    Effect.gen(function* () {
      const dialect = (env: Record<string, string>) =>
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.succeed(
            sql.onDialectOrElse({ pg: () => "pg", sqlite: () => "sqlite", orElse: () => "other" })
          )
        ).pipe(
          Effect.provide(StoreFromConfig),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      expect(yield* dialect({ MPC_DATA_DIR: join(tmp, "from-config") })).toBe("sqlite")
      expect(yield* dialect({ MPC_DATA_DIR: ":memory:" })).toBe("sqlite")
      expect(yield* dialect({ DATABASE_URL: pg!.createDatabase("fromconfig") })).toBe("pg")
    })
  )

  it("STORE-8: a missing PostgreSQL fails the tests naming what to install", () => {
    expect(() => binDir(join(tmp, "no-postgresql"), "")).toThrow(/apt-get install -y postgresql/)
  })
})
