/**
 * STORE-1 group commit: turns sealed by separate callbacks of one turn of the event loop (requests
 * read together) share one commit, and each waits for it.
 */
import { describe, expect, it } from "@effect/vitest"
import { State, Step } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Journal from "../../src/store/Journal.js"
import { StoreSqlite } from "../../src/store/Layers.js"
import { Store } from "../../src/store/Store.js"

const T0 = 1_767_603_600_000

describe("Journal", () => {
  it.scoped("STORE-1: turns sealed in one turn of the event loop share one commit; each waits for it", () =>
    Effect.gen(function* () {
      const commits: Array<number> = []
      const journal = yield* Journal.make({
        account: "MA1",
        fault: (where, n) => {
          if (where === "before") commits.push(n)
        }
      })
      let state = State.make({ cps: 1, seed: 1 }, T0)
      yield* journal.recover(state)
      const runtime = yield* Effect.runtime<never>()
      // Five callbacks of the same timers phase, each one turn of the engine (a step, sealed, then
      // waiting until it is durable), as five requests read in one turn of the loop would be.
      const done = yield* Effect.promise(() =>
        Promise.all(
          Array.from(
            { length: 5 },
            (_, i) =>
              new Promise<number>((resolve) =>
                setTimeout(() => {
                  const event = { _tag: "TimePassed", at: T0 + i + 1 } as const
                  const result = Step.step(state, event)
                  state = result.state
                  journal.record(event, result, state)
                  Runtime.runCallback(runtime)(Effect.zipRight(journal.seal, journal.durable), {
                    onExit: () => resolve(commits.length)
                  })
                }, 0)
              )
          )
        )
      )
      expect(commits).toEqual([1])
      // Nobody was answered before the commit.
      expect(done).toEqual([1, 1, 1, 1, 1])
      const store = yield* Store
      expect((yield* store.eventsAfter("MA1", 0)).map((e) => e.event.at)).toEqual(
        [1, 2, 3, 4, 5].map((i) => T0 + i)
      )
    }).pipe(Effect.provide(Layer.fresh(StoreSqlite(":memory:"))))
  )
})
