/**
 * Append throughput of the store (not a test): events/s for one event per transaction (each with
 * one 20-field status callback, as an API request writes them) and for batches of 100, on a SQLite
 * file and on a PostgreSQL server started for the run (fsync on for both).
 *
 * Run: `tsc -b && node packages/http/build/test/test/store/append.bench.js [events]`
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Command, Event } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as LayersModule from "../../src/store/Layers.js"
import type * as StoreModule from "../../src/store/Store.js"
import { startPostgres } from "./Postgres.js"

// Compiled, this file runs from build/test/test/store/: the store comes from the package's dist/.
const dist = new URL("../../../../dist/store/", import.meta.url)
const { StorePg, StoreSqlite }: typeof LayersModule = await import(new URL("Layers.js", dist).href)
const { Store }: typeof StoreModule = await import(new URL("Store.js", dist).href)
type Store = StoreModule.Store

const total = Number(process.argv[2] ?? 5_000)

const event = (i: number): Event.Event => ({
  _tag: "LegAnswered",
  at: 1_700_000_000_000 + i,
  callUuid: `call-${i}`
})
const params: Record<string, string> = {}
for (let k = 0; k < 20; k++) params[`Field${k}`] = `value-${k}-0123456789abcdef`
const callback = (i: number): Command.SendCallback => ({
  _tag: "SendCallback",
  kind: "status",
  url: "http://127.0.0.1:9/cb",
  method: "POST",
  mpcUuid: `mpc-${i % 100}`,
  event: "ParticipantSpeakStart",
  params: { ...params, SequenceNumber: String(i) }
})

const run = (name: string, layer: Layer.Layer<Store>) =>
  Effect.gen(function* () {
    const store = yield* Store
    let t = performance.now()
    for (let i = 0; i < total; i++) yield* store.appendEvents("A1", [event(i)], [callback(i)])
    const single = total / ((performance.now() - t) / 1000)
    t = performance.now()
    for (let i = 0; i < total; i += 100) {
      const idx = Array.from({ length: 100 }, (_, k) => total + i + k)
      yield* store.appendEvents("A1", idx.map(event), idx.map(callback))
    }
    const batched = total / ((performance.now() - t) / 1000)
    console.log(
      `${name.padEnd(26)} 1 event/transaction: ${single.toFixed(0).padStart(7)} events/s   100 events/transaction: ${batched.toFixed(0).padStart(7)} events/s`
    )
  }).pipe(Effect.provide(layer))

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "mpc-kit-bench-"))
  const pg = await startPostgres({ fsync: true })
  const pgNoSync = await startPostgres({ fsync: false })
  try {
    console.log(`${total} events each way, one status callback per event`)
    await Effect.runPromise(run("SQLite synchronous=NORMAL", StoreSqlite(join(dir, "n"))))
    await Effect.runPromise(
      run("SQLite synchronous=FULL", StoreSqlite(join(dir, "f"), { synchronous: "FULL" }))
    )
    await Effect.runPromise(run("PostgreSQL fsync=on", StorePg(pg.createDatabase("bench"))))
    await Effect.runPromise(run("PostgreSQL fsync=off", StorePg(pgNoSync.createDatabase("bench"))))
  } finally {
    pg.stop()
    pgNoSync.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
