/**
 * The invariants of the rules, checked after every step of random scenarios: add requests across
 * several MPCs, callee reactions, digits, speaking, time passing and management operations, all
 * interleaved. A failure shrinks to a minimal scenario and prints the rule broken and the exact
 * event sequence.
 */

import { assert, describe, it } from "@effect/vitest"
import { Invariants } from "@mpc-kit/domain"
import * as fc from "effect/FastCheck"
import { play, scenario } from "./support/Scenario.js"

/** Runs per property: at least 1,000 in CI (override with MPC_PROPERTY_RUNS to explore longer). */
const numRuns = Math.max(1_000, Number(process.env.MPC_PROPERTY_RUNS ?? 0))

const only = (...rules: ReadonlyArray<string>) => {
  const picked = Invariants.all.filter((i) => rules.includes(i.rule))
  assert.strictEqual(picked.length, rules.length, `unknown invariant among ${rules.join(", ")}`)
  return picked
}

const holds = (rules: ReadonlyArray<string>) => () => {
  const invariants = only(...rules)
  fc.assert(
    fc.property(scenario(), (s) => {
      play(s, invariants)
    }),
    { numRuns }
  )
}

describe("lifecycle invariants after every step of random scenarios", () => {
  it(
    "RACE-1 at most one participant per request; RACE-3 no leg dialled after its race is decided",
    holds(["RACE-1", "RACE-3"])
  )
  it("LEGS every leg ends exactly once (DIAL-3, DIAL-4, RACE-2)", holds(["LEGS"]))
  it(
    "LIFE-4 members never above max_participants; LIFE-1 MPC status never goes back",
    holds(["LIFE-4", "LIFE-1"])
  )
  it("REC-1 recording starts only at the threshold; REC-2 at most once per MPC", holds(["REC-1", "REC-2"]))
  it(
    "CB-2 SequenceNumber contiguous from 1 in each MPC stream; CB-1 only subscribed groups",
    holds(["CB-2", "CB-1"])
  )
  it("CB-3 timestamps in Plivo's format; CB-4 end-of-MPC fields null until MPCEnd", holds(["CB-3", "CB-4"]))
  it("XFER-2 no call status callback for a transferred call", holds(["XFER-2"]))
  it(
    "LIFE-10 no Customer hears a coaching Supervisor; SOUND-2 no enter or exit sound for one",
    holds(["LIFE-10", "SOUND-2"])
  )
  it(
    "LIFE-7 after MPCEnd nothing of the MPC is alive and no timer of it pending; ADDR-2 live names",
    holds(["LIFE-7", "ADDR-2"])
  )
  it(
    "STEP refused events change nothing; API-1 every API request gets exactly one response",
    holds(["STEP", "API-1"])
  )

  it("every invariant at once, on longer scenarios", () => {
    fc.assert(
      fc.property(scenario(150), (s) => {
        play(s, Invariants.all)
      }),
      { numRuns: 200 }
    )
  })

  it("step is deterministic: the same scenario gives the same commands and state", () => {
    fc.assert(
      fc.property(scenario(40), (s) => {
        const a = play(s, [])
        const b = play(s, [])
        assert.deepStrictEqual(
          b.log.map((l) => l.result.commands),
          a.log.map((l) => l.result.commands)
        )
        assert.strictEqual(JSON.stringify(b.state), JSON.stringify(a.state))
      }),
      { numRuns: 200 }
    )
  })

  it("step is total: no event throws, in any reachable state", () => {
    // `step` catches what it did not foresee and reports it as an internal error: none may occur.
    fc.assert(
      fc.property(scenario(), (s) => {
        const h = play(s, [])
        for (const l of h.log) {
          if (l.result.refused?._tag === "Defect")
            throw new Error(`${l.result.refused.message} after ${JSON.stringify(l.event)}`)
        }
      }),
      { numRuns }
    )
  })
})
