/**
 * Issue 11, LIFE-1: retiring ended MPCs (dropping them from the state, as a shell does to bound its
 * memory) never changes how a later step answers, for live MPCs: the same events replayed on a
 * state from which every ended MPC is retired after each step are taken or refused alike, with the
 * same commands, and the live MPCs end up the same.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, PMap, State, Step } from "@mpc-kit/domain"
import * as fc from "effect/FastCheck"
import { T0 } from "./support/Harness.js"
import { play, scenario } from "./support/Scenario.js"

/** A refusal's own answer may differ for an event about a retired MPC (not found rather than ended). */
const taken = (commands: ReadonlyArray<Command.Command>) =>
  commands.filter((c) => c._tag !== "Respond" || !("rule" in c.outcome))

describe("retiring ended MPCs", () => {
  it("LIFE-1 retiring ended MPCs never changes a later step's outcome for live MPCs", () => {
    fc.assert(
      fc.property(scenario(120), (s) => {
        const h = play(s, [])
        let state = State.make({ cps: s.cps, seed: 7 }, T0)
        let retiredCount = 0
        for (const { event, result } of h.log) {
          const r = Step.step(state, event)
          assert.strictEqual(r.refused === undefined, result.refused === undefined, JSON.stringify(event))
          if (result.refused === undefined) assert.deepStrictEqual(r.commands, result.commands)
          else assert.deepStrictEqual(taken(r.commands), taken(result.commands))
          state = r.state
          for (const uuid of State.endedMpcs(state)) {
            const out = State.retireEnded(state, uuid)
            assert.strictEqual(out.retired?.mpc.uuid, uuid)
            state = out.state
            retiredCount++
          }
        }
        // Every live MPC is the same; only ended ones are gone.
        const final = state
        PMap.forEach(h.state.mpcs, (m, uuid) => {
          if (m.status !== "Ended") assert.deepStrictEqual(PMap.get(final.mpcs, uuid), m)
          else assert.isUndefined(PMap.get(final.mpcs, uuid))
        })
        assert.strictEqual(PMap.size(final.mpcs) + retiredCount, PMap.size(h.state.mpcs))
      }),
      { numRuns: 300 }
    )
  })

  it("LIFE-1 an MPC that has not ended is never retired", () => {
    const s = State.make()
    assert.deepStrictEqual(State.retireEnded(s, "nope"), { state: s, retired: undefined })
  })
})
