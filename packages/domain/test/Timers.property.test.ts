import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as Timers from "../src/Timers.js"

type Op =
  | { readonly op: "set"; readonly id: string; readonly at: number }
  | { readonly op: "cancel"; readonly id: string }
  | { readonly op: "fire"; readonly until: number }

const id = fc.constantFrom("cps", "ring:a", "ring:b", "delay:a", "confirm:b", "maxdur:m", "x", "y")
const time = fc.integer({ min: 0, max: 60 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("set" as const), id, at: time }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("fire" as const), until: time }) }
)

/** The naive agenda: a list scanned for the smallest (due time, insertion order). */
class Naive {
  private entries: Array<{ id: string; at: number; seq: number }> = []
  private seq = 0
  set(id: string, at: number) {
    this.cancel(id)
    this.entries.push({ id, at, seq: this.seq++ })
  }
  cancel(id: string) {
    this.entries = this.entries.filter((e) => e.id !== id)
  }
  fire(until: number): Array<[string, number]> {
    const fired: Array<[string, number]> = []
    for (;;) {
      const sorted = [...this.entries].sort((x, y) => x.at - y.at || x.seq - y.seq)
      const first = sorted[0]
      if (first === undefined || first.at > until) return fired
      this.cancel(first.id)
      fired.push([first.id, first.at])
    }
  }
  pending(): Array<[string, number]> {
    return [...this.entries].sort((x, y) => x.at - y.at || x.seq - y.seq).map((e) => [e.id, e.at])
  }
}

const fire = (t: Timers.Timers, until: number): [Timers.Timers, Array<[string, number]>] => {
  const fired: Array<[string, number]> = []
  for (;;) {
    const p = Timers.popDue(t, until)
    if (p === undefined) return [t, fired]
    fired.push([p.due.timerId, p.due.at])
    t = p.rest
  }
}

describe("the timer agenda", () => {
  it("fires the same timers in the same order as a naive sorted scan (ties in the order they were set)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let t = Timers.empty
        const naive = new Naive()
        for (const o of ops) {
          if (o.op === "set") {
            t = Timers.set(t, o.id, o.at)
            naive.set(o.id, o.at)
          } else if (o.op === "cancel") {
            t = Timers.cancel(t, o.id)
            naive.cancel(o.id)
          } else {
            const [rest, fired] = fire(t, o.until)
            t = rest
            assert.deepStrictEqual(fired, naive.fire(o.until))
          }
          const pending = naive.pending()
          assert.strictEqual(Timers.size(t), pending.length)
          const next = Timers.next(t)
          assert.deepStrictEqual(next === undefined ? undefined : [next.timerId, next.at], pending[0])
        }
        assert.deepStrictEqual(
          Timers.toArray(t).map((d) => [d.timerId, d.at]),
          naive.pending()
        )
      }),
      { numRuns: 500 }
    )
  })

  it("is persistent: an agenda is never changed by what is done to it afterwards", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(op, { maxLength: 60 }), (first, then) => {
        let t = Timers.empty
        for (const o of first) t = o.op === "set" ? Timers.set(t, o.id, o.at) : Timers.cancel(t, "x")
        const snapshot = Timers.toArray(t)
        let u = t
        for (const o of then)
          u =
            o.op === "set"
              ? Timers.set(u, o.id, o.at)
              : o.op === "cancel"
                ? Timers.cancel(u, o.id)
                : fire(u, o.until)[0]
        assert.deepStrictEqual(Timers.toArray(t), snapshot)
      }),
      { numRuns: 200 }
    )
  })

  it("keeps its heap bounded when timers are set and cancelled many times", () => {
    // A timer due first stays on top, so cancelled ones below it are not dropped on the way.
    let t = Timers.set(Timers.empty, "cps", 5)
    for (let i = 0; i < 10_000; i++) t = Timers.cancel(Timers.set(t, `ring:${i}`, 1_000_000 + i), `ring:${i}`)
    assert.isAtMost(t.nodes, 2 * Timers.size(t) + 33)
    assert.deepStrictEqual(Timers.next(t), { timerId: "cps", at: 5 })
  })
})
