/**
 * STORE-3, STORE-4, STORE-5: the state and timers rebuilt from the store (latest snapshot + the
 * events after it) equal what the live engine held, over random scenarios, with turns sealed and
 * committed in random groups and snapshots at random intervals.
 */
import { describe, it } from "@effect/vitest"
import { Invariants, State, Step, Timers } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { expect } from "vitest"
import * as Journal from "../../packages/http/src/store/Journal.js"
import { StoreSqlite } from "../../packages/http/src/store/Layers.js"
import { timersAfter, timersToList } from "../../packages/http/src/store/Replay.js"
import { Store } from "../../packages/http/src/store/Store.js"
import { T0 } from "../support/Harness.js"
import { play, scenario } from "../support/Scenario.js"

/** The state as the store writes it (keys present with `undefined` are not distinguishable in JSON). */
const canonical = (s: State.State) => JSON.parse(JSON.stringify(Schema.encodeSync(State.State)(s)))

describe("Replay", () => {
  it("STORE-3 STORE-5 STORE-10: the state rebuilt from snapshot + log equals the live state (random scenarios)", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario(40),
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        async (s, snapshotEvery, sealAt) => {
          const h = play(s, Invariants.all)
          const initial = State.make({ cps: s.cps, seed: 7 }, T0)
          const program = Effect.gen(function* () {
            const scope = yield* Scope.make()
            // The live side: the engine's state and timers after each step.
            let live = { state: initial, timers: Timers.empty }
            // Start the log from the scenario's initial state, as a first start does.
            const first = yield* Journal.make({ account: "MA2", snapshotEvery, snapshotPerLive: 0 }).pipe(
              Scope.extend(scope)
            )
            yield* first.recover(initial)
            let k = 0
            const retired: Array<string> = []
            for (const { event } of h.log) {
              // STORE-10: the live side retires what each step ends, as the engine does.
              const result = Step.step(live.state, event)
              const settled = State.retireEndedSince(live.state, result.state)
              first.record(event, result, settled.state)
              for (const r of settled.retired) {
                first.retire({ account: "MA2", mpc: r.mpc, trace: [] })
                retired.push(r.mpc.uuid)
              }
              live = { state: settled.state, timers: timersAfter(live.timers, event, result) }
              if (sealAt[k++ % sealAt.length]) {
                yield* first.seal
                if (k % 3 === 0) yield* first.durable
              }
            }
            yield* first.seal
            yield* first.durable
            yield* Scope.close(scope, Exit.void)
            // A restart: a fresh journal over the same store.
            const scope2 = yield* Scope.make()
            const again = yield* Journal.make({ account: "MA2", snapshotEvery, snapshotPerLive: 0 }).pipe(
              Scope.extend(scope2)
            )
            const rebuilt = yield* again.recover(State.make({ cps: 1, seed: 99 }, 0))
            yield* Scope.close(scope2, Exit.void)
            expect(canonical(rebuilt.state)).toEqual(canonical(live.state))
            expect(timersToList(rebuilt.timers)).toEqual(timersToList(live.timers))
            // Every retired MPC is in the history, committed with the event that ended it.
            const store = yield* Store
            const kept = yield* store.listHistory(["MA2"], {}, { offset: 0, limit: 1_000 })
            expect(kept.items.map((e) => e.mpc.uuid).sort()).toEqual(retired.sort())
          })
          await Effect.runPromise(
            Effect.scoped(Effect.provide(program, Layer.fresh(StoreSqlite(":memory:"))))
          )
        }
      ),
      { numRuns: 60 }
    )
  })
})
