/**
 * STORE-10: the MPC list's page, merged from the live MPCs and one window of the history, is the
 * page of all of them sorted together, for any split between live and ended and any offset.
 */
import { describe, expect, it } from "@effect/vitest"
import type { State } from "@mpc-kit/domain"
import * as fc from "effect/FastCheck"
import * as History from "../src/History.js"

interface Row {
  readonly mpc: State.Mpc
  readonly live: boolean
}

/** Distinct UUIDs, creation times with many ties (the order then falls back to the UUID). */
const rows = fc
  .uniqueArray(
    fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 6 }), fc.boolean()),
    {
      maxLength: 40,
      selector: ([uuid]) => uuid
    }
  )
  .map((xs) =>
    xs.map(([uuid, createdAt, live]): Row => ({ mpc: { uuid, createdAt } as unknown as State.Mpc, live }))
  )

describe("History.mergePage", () => {
  it("STORE-10 a page merged from live MPCs and one history window equals the page of everything sorted", () => {
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 1, max: 20 }),
        (all, offset, limit) => {
          const byOrder = (a: Row, b: Row) => History.order(a.mpc, b.mpc)
          const live = all.filter((r) => r.live).sort(byOrder)
          const history = all.filter((r) => !r.live).sort(byOrder)
          const start = History.windowStart(offset, live.length)
          const window = history.slice(start, offset + limit)
          const page = History.mergePage(live, window, offset, limit)
          const expected = [...all].sort(byOrder).slice(offset, offset + limit)
          expect(page.map((r) => r.mpc.uuid)).toEqual(expected.map((r) => r.mpc.uuid))
        }
      ),
      { numRuns: 2_000 }
    )
  })
})
