/**
 * The engine on a journal, restarted in the same process on the same SQLite file: the virtual clock
 * (STORE-12) and the ended MPCs read from the history (STORE-10) come back.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { AddParticipantParams, PMap } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { afterAll } from "vitest"
import * as Durable from "../../src/Durable.js"
import * as Engine from "../../src/Engine.js"
import { History } from "../../src/History.js"
import * as Journal from "../../src/store/Journal.js"
import { StoreSqlite } from "../../src/store/Layers.js"
import { Store } from "../../src/store/Store.js"

const T0 = 1_767_603_600_000
const ACCOUNT = "MA0000000000000000000"
const tmp = mkdtempSync(join(tmpdir(), "mpc-kit-durable-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** One life of the engine on the store: built in its own scope, closed (flushed) after `use`. */
const life = <A>(
  dir: string,
  use: (engine: Engine.Engine, store: Store) => Effect.Effect<A>,
  options: Partial<Journal.JournalOptions> = {}
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(Layer.fresh(StoreSqlite(dir)), scope)
    const store = yield* Effect.provide(Store, context)
    const journal = yield* Journal.make({ account: ACCOUNT, ...options }).pipe(
      Effect.provideService(Store, store),
      Scope.extend(scope)
    )
    const engine = yield* Engine.make({
      authId: ACCOUNT,
      cps: 100,
      clock: "virtual",
      seed: 1,
      start: T0
    }).pipe(
      Effect.provide(Engine.EngineOutputs.none),
      Effect.provideService(Journal.Journal, journal),
      Effect.provideService(History, Durable.history(store)),
      Scope.extend(scope)
    )
    const a = yield* use(engine, store)
    yield* Scope.close(scope, Exit.void)
    return a
  })

const request = Either.getOrThrow(
  AddParticipantParams.decode({
    role: "Agent",
    from: "+12025550000",
    to: "+12025551111",
    end_mpc_on_exit: true
  })
)

describe("the engine on a journal", () => {
  it.live(
    "STORE-12 an advance of the virtual clock is journaled: a restart finds the clock where it was",
    () =>
      Effect.gen(function* () {
        const dir = join(tmp, "clock")
        yield* life(dir, (engine) => Effect.orDie(engine.advance(90_000)))
        const now = yield* life(dir, (engine) => engine.now)
        expect(now).toBe(T0 + 90_000)
      })
  )

  it.live("STORE-10 an MPC that ended before a restart is read from the history, not the live state", () =>
    Effect.gen(function* () {
      const dir = join(tmp, "history")
      const uuid = yield* life(dir, (engine) =>
        Effect.gen(function* () {
          const added = yield* engine.submit({
            _tag: "AddParticipant",
            apiId: "a1",
            mpc: { _tag: "ByName", name: "gone" },
            request
          })
          const leg = added.commands.flatMap((c) => (c._tag === "DialLeg" ? [c.callUuid] : []))[0]!
          yield* engine.submit({ _tag: "LegAnswered", callUuid: leg })
          const live = yield* engine.mpc({ _tag: "ByName", name: "gone" })
          yield* engine.submit({ _tag: "CallHungUp", callUuid: leg })
          return live!.uuid
        })
      )
      const after = yield* life(dir, (engine) =>
        Effect.gen(function* () {
          const state = yield* engine.state
          return {
            live: PMap.size(state.mpcs),
            byUuid: (yield* engine.mpc({ _tag: "ByUuid", uuid }))?.status,
            byName: (yield* engine.mpc({ _tag: "ByName", name: "gone" }))?.uuid,
            trace: ((yield* engine.trace(uuid)) ?? []).length > 0
          }
        })
      )
      expect(after).toEqual({ live: 0, byUuid: "Ended", byName: uuid, trace: true })
    })
  )

  it.live("STORE-4 snapshots wait at least 10 events per live MPC, so their cost per event stays flat", () =>
    Effect.gen(function* () {
      const snapshotAfter = (name: string, perLive: number) =>
        life(
          join(tmp, name),
          (engine, store) =>
            Effect.gen(function* () {
              for (let i = 0; i < 5; i++)
                yield* engine.submit({
                  _tag: "AddParticipant",
                  apiId: `a${i}`,
                  mpc: { _tag: "ByName", name: `m${i}` },
                  request
                })
              yield* engine.state
              const latest = yield* Effect.orDie(store.latestSnapshot(ACCOUNT))
              return latest._tag === "Some" ? latest.value.seq : -1
            }),
          { snapshotEvery: 1, snapshotPerLive: perLive }
        )
      // Ten events (an add and its leg's ringing, five times) with five live MPCs: under 10 per MPC.
      expect(yield* snapshotAfter("adaptive", 10)).toBe(0)
      expect(yield* snapshotAfter("exact", 0)).toBe(10)
    })
  )
})
