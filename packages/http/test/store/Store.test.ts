import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import type { Command, Event } from "@mpc-kit/domain"
import { State } from "@mpc-kit/domain"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { afterAll, beforeAll } from "vitest"
import { StoreFromConfig, StorePg, StoreSqlite } from "../../src/store/Layers.js"
import { type HistoryEntry, Store } from "../../src/store/Store.js"
import { binDir, type PgServer, startPostgres } from "./Postgres.js"

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

const history = (i: number, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  account: "A1",
  mpcUuid: `mpc-${i}`,
  name: i % 2 === 0 ? "even" : "odd",
  status: "Ended",
  terminationCauseCode: i % 3 === 0 ? "2000" : "1010",
  creationTime: 1_000 * i,
  endTime: 1_000 * i + 500,
  mpc: { uuid: `mpc-${i}`, n: i },
  members: [{ memberId: String(i) }],
  trace: [{ at: i }],
  ...over
})

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
      const bad = {
        ...callback("m1", "http://r.test/cb", 1),
        method: "PUT"
      } as unknown as Command.SendCallback
      const exit = yield* Effect.exit(
        store.appendEvents("A1", [answered(1)], [callback("m1", "http://r.test/cb", 1), bad])
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* store.eventsAfter("A1", 0)).toEqual([])
      expect((yield* store.outbox({ limit: 10, offset: 0 })).total).toBe(0)
      const ok = yield* store.appendEvents("A1", [answered(1)], [callback("m1", "http://r.test/cb", 1)])
      expect(ok.seq).toBe(1)
      const rows = (yield* store.outbox({ limit: 10, offset: 0 })).items
      expect(rows.map((r) => [r.id, r.eventSeq, r.laneSeq, r.origin, r.callback])).toEqual([
        [ok.outboxIds[0], 1, 1, "http://r.test", callback("m1", "http://r.test/cb", 1)]
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
        [a, 1],
        [a2, 1]
      ])
      // The heads are in flight: their lanes wait, nothing else of this origin is due.
      expect(yield* store.claim("http://a.test", 0, 10)).toEqual([])
      expect(yield* store.nextDue("http://a.test")).toEqual(Option.none())
      yield* store.ack(first[0]!.id)
      const second = yield* store.claim("http://a.test", 0, 10)
      expect(second.map((i) => [i.url, i.laneSeq, i.callback.params.SequenceNumber])).toEqual([[a, 2, "2"]])
      // A failed head is retried later and still holds its lane.
      yield* store.fail(second[0]!.id, 5_000, "Status 503")
      expect(yield* store.claim("http://a.test", 4_999, 10)).toEqual([])
      expect(yield* store.nextDue("http://a.test")).toEqual(Option.some(5_000))
      const retried = yield* store.claim("http://a.test", 5_000, 10)
      expect(retried.map((i) => [i.laneSeq, i.attempts, i.lastError])).toEqual([[2, 1, "Status 503"]])
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
        [head!.id, 1, 1, "Status 404", 7_000, 7_000]
      ])
      expect((yield* store.deadLetters({ limit: 10, offset: 0 }, "other")).total).toBe(0)
      expect((yield* store.claim("http://a.test", 7_000, 10)).map((i) => i.laneSeq)).toEqual([2])
    }).pipe(Effect.provide(fresh()))
  )

  it.effect("STORE-6: history is read back by UUID and listed with filters and pages", () =>
    Effect.gen(function* () {
      const store = yield* Store
      for (let i = 1; i <= 12; i++) yield* store.putHistory(history(i))
      yield* store.putHistory(history(12, { name: "renamed" }))
      yield* store.putHistory(history(13, { account: "A2" }))
      const got = yield* store.getHistory("A1", "mpc-4")
      expect(got).toEqual(Option.some(history(4)))
      expect(yield* store.getHistory("A2", "mpc-4")).toEqual(Option.none())
      const all = yield* store.listHistory("A1", {}, { limit: 5, offset: 0 })
      expect(all.total).toBe(12)
      expect(all.items.map((h) => h.mpcUuid)).toEqual(["mpc-12", "mpc-11", "mpc-10", "mpc-9", "mpc-8"])
      const page3 = yield* store.listHistory("A1", {}, { limit: 5, offset: 10 })
      expect(page3.items.map((h) => h.mpcUuid)).toEqual(["mpc-2", "mpc-1"])
      const even = yield* store.listHistory("A1", { name: "even" }, { limit: 20, offset: 0 })
      expect(even.items.map((h) => h.mpcUuid)).toEqual(["mpc-10", "mpc-8", "mpc-6", "mpc-4", "mpc-2"])
      const cause = yield* store.listHistory(
        "A1",
        { terminationCauseCode: "2000", creationTime: { gte: 3_000, lt: 9_000 } },
        { limit: 20, offset: 0 }
      )
      expect(cause.items.map((h) => h.mpcUuid)).toEqual(["mpc-6", "mpc-3"])
      const ended = yield* store.listHistory(
        "A1",
        { status: "Ended", endTime: { gt: 10_500, lte: 12_500 } },
        { limit: 20, offset: 0 }
      )
      expect(ended.items.map((h) => h.mpcUuid)).toEqual(["mpc-12", "mpc-11"])
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
