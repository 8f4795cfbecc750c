import { inspect } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Pretty from "effect/Pretty"
import * as Schema from "effect/Schema"
import * as PMap from "../src/PMap.js"

const runs = { numRuns: 1_000 }

/** A small, deliberately different string hash, to derive weak hashes from. */
const djb2 = (s: string): number => {
  let h = 5381
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 33) + s.charCodeAt(i)) | 0
  return h
}

/**
 * Hash functions that force the trie into its rare shapes: full 32-bit collisions (collision nodes, with
 * chains of single-child nodes above them), and keys that agree on every fragment but the last.
 */
const weakHashes: ReadonlyArray<readonly [string, (key: string) => number]> = [
  ["every key collides (hash 0)", () => 0],
  ["4 hash values (bits 0-1 only)", (k) => djb2(k) & 3],
  ["keys differ only in bits 30-31", (k) => (djb2(k) & 3) << 30],
  ["10 hash bits (2 levels)", (k) => djb2(k) & 0x3ff],
  ["the highest bit only", (k) => djb2(k) & 0x80000000]
]

const sortedModel = (model: ReadonlyMap<string, number>): Array<[string, number]> =>
  [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

/** Asserts that `map` holds exactly the model's entries, through every read function. */
const assertAgrees = (
  map: PMap.PMap<number>,
  model: ReadonlyMap<string, number>,
  probes: ReadonlyArray<string>
): void => {
  assert.strictEqual(map.size, model.size)
  assert.strictEqual(PMap.size(map), model.size)
  for (const key of probes) {
    assert.strictEqual(PMap.has(map, key), model.has(key), `has ${key}`)
    assert.strictEqual(PMap.get(map, key), model.get(key), `get ${key}`)
  }
  const sorted = sortedModel(model)
  assert.deepStrictEqual(PMap.toSortedEntries(map), sorted)
  const iterated = [...PMap.entries(map)]
  assert.deepStrictEqual(
    [...iterated].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    sorted,
    "entries() yields each entry once"
  )
  assert.deepStrictEqual(
    [...PMap.keys(map)],
    iterated.map(([k]) => k)
  )
  assert.deepStrictEqual(
    [...PMap.values(map)],
    iterated.map(([, v]) => v)
  )
  const visited: Array<[string, number]> = []
  PMap.forEach(map, (v, k) => visited.push([k, v]))
  assert.deepStrictEqual(visited, iterated, "forEach visits in the order of entries()")
}

type Op =
  | { readonly _tag: "set"; readonly index: number; readonly value: number }
  | { readonly _tag: "remove"; readonly index: number }
  | { readonly _tag: "modify"; readonly index: number; readonly same: boolean }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("set" as const), index: fc.nat(), value: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ _tag: fc.constant("remove" as const), index: fc.nat() }),
  fc.record({ _tag: fc.constant("modify" as const), index: fc.nat(), same: fc.boolean() })
)

const keyArb = fc.oneof(fc.uuid(), fc.string({ maxLength: 4 }))

const scenarioArb = fc.record({
  pool: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 60 }),
  ops: fc.array(opArb, { maxLength: 150 })
})

/**
 * Replays `ops` on `base` and on a JS `Map`, checking after every step that they agree, that the identity
 * rules hold, that every earlier version is unchanged, that the iteration order is the one of the same
 * content built in another order, and that removing everything gives back an empty map.
 */
const checkScenario = (
  base: PMap.PMap<number>,
  pool: ReadonlyArray<string>,
  ops: ReadonlyArray<Op>
): void => {
  const model = new Map<string, number>()
  const history: Array<readonly [PMap.PMap<number>, Array<[string, number]>]> = []
  let map = base
  for (const op of ops) {
    const key = pool[op.index % pool.length]!
    const before = map
    const present = model.has(key)
    switch (op._tag) {
      case "set": {
        map = PMap.set(map, key, op.value)
        assert.strictEqual(
          map === before,
          present && model.get(key) === op.value,
          "set: same instance iff ==="
        )
        model.set(key, op.value)
        break
      }
      case "remove": {
        map = PMap.remove(map, key)
        assert.strictEqual(map === before, !present, "remove: same instance iff absent")
        model.delete(key)
        break
      }
      case "modify": {
        map = PMap.modify(map, key, op.same ? (v) => v : (v) => v + 1)
        assert.strictEqual(map === before, !present || op.same, "modify: same instance iff no change")
        if (present && !op.same) model.set(key, model.get(key)! + 1)
        break
      }
    }
    assertAgrees(map, model, pool)
    history.push([map, sortedModel(model)])
  }
  // Persistence: every version still holds what it held when it was made.
  for (const [version, snapshot] of history) assert.deepStrictEqual(PMap.toSortedEntries(version), snapshot)

  // Canonical shape: the same content inserted in reverse key order iterates in the same order.
  let rebuilt = base
  for (const [k, v] of sortedModel(model).reverse()) rebuilt = PMap.set(rebuilt, k, v)
  assert.deepStrictEqual([...PMap.keys(map)], [...PMap.keys(rebuilt)])
  assert.isTrue(PMap.equals(map, rebuilt))

  // Emptied by removals: equal to the empty map.
  let emptied = map
  for (const key of pool) emptied = PMap.remove(emptied, key)
  assert.strictEqual(emptied.size, 0)
  assert.isTrue(PMap.equals(emptied, base))
  assert.isTrue(PMap.equals(emptied, PMap.empty()))
  assert.deepStrictEqual([...PMap.entries(emptied)], [])
}

describe("PMap", () => {
  describe("model-based: random set/remove/modify against a JS Map", () => {
    it("with the built-in hash", () => {
      fc.assert(
        fc.property(scenarioArb, ({ pool, ops }) => checkScenario(PMap.empty(), pool, ops)),
        runs
      )
    })
    for (const [name, hash] of weakHashes) {
      it(`with forced collisions: ${name}`, () => {
        fc.assert(
          fc.property(scenarioArb, ({ pool, ops }) =>
            checkScenario(PMap.unsafeEmptyWithHash(hash), pool, ops)
          ),
          runs
        )
      })
    }
  })

  describe("determinism", () => {
    const contentArb = fc
      .uniqueArray(keyArb, { maxLength: 300 })
      .chain((ks) => fc.tuple(fc.constant(ks), fc.shuffledSubarray(ks, { minLength: ks.length })))

    it("iteration order depends only on the keys, not on insertion order", () => {
      fc.assert(
        fc.property(contentArb, ([ks, shuffled]) => {
          const a = PMap.fromEntries(ks.map((k, i) => [k, i] as const))
          let b = PMap.empty<number>()
          for (const k of shuffled) b = PMap.set(b, k, ks.indexOf(k))
          assert.deepStrictEqual([...PMap.entries(a)], [...PMap.entries(b)])
          assert.isTrue(PMap.equals(a, b))
        }),
        runs
      )
    })

    it("iteration order depends only on the keys, not on removed keys", () => {
      fc.assert(
        fc.property(contentArb, fc.uniqueArray(fc.uuid(), { maxLength: 100 }), ([ks, shuffled], extra) => {
          const direct = PMap.fromEntries<number>(ks.map((k) => [k, 1] as const))
          let detour = PMap.fromEntries<number>(extra.map((k) => [k, 0] as const))
          for (const k of shuffled) detour = PMap.set(detour, k, 1)
          for (const k of extra) if (!ks.includes(k)) detour = PMap.remove(detour, k)
          assert.deepStrictEqual([...PMap.keys(detour)], [...PMap.keys(direct)])
          assert.isTrue(PMap.equals(detour, direct))
        }),
        runs
      )
    })

    it("a map of 5,000 UUIDs emptied by removals in another order is empty() itself", () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.uuid(), { minLength: 5_000, maxLength: 5_000 }), (ks) => {
          let m = PMap.fromEntries(ks.map((k) => [k, k] as const))
          assert.strictEqual(m.size, 5_000)
          for (const k of [...ks].reverse()) m = PMap.remove(m, k)
          assert.strictEqual(m, PMap.empty())
        }),
        { numRuns: 5 }
      )
    })
  })

  describe("collisions", () => {
    it("keys with one hash are kept sorted and all reachable, then collapse back to empty", () => {
      const ks = ["delta", "alpha", "echo", "charlie", "bravo"]
      let m = PMap.unsafeEmptyWithHash<number>(() => 0x7fffffff)
      for (const [i, k] of ks.entries()) m = PMap.set(m, k, i)
      assert.deepStrictEqual([...PMap.keys(m)], ["alpha", "bravo", "charlie", "delta", "echo"])
      for (const [i, k] of ks.entries()) assert.strictEqual(PMap.get(m, k), i)
      assert.isFalse(PMap.has(m, "foxtrot"))
      assert.strictEqual(PMap.remove(m, "foxtrot"), m)
      const one = PMap.remove(PMap.remove(PMap.remove(PMap.remove(m, "alpha"), "echo"), "delta"), "bravo")
      assert.deepStrictEqual(PMap.toSortedEntries(one), [["charlie", 3]])
      // A single surviving entry is hoisted to the root, like a fresh insert.
      assert.deepStrictEqual(
        [
          ...PMap.entries(
            PMap.set(
              PMap.unsafeEmptyWithHash<number>(() => 0x7fffffff),
              "charlie",
              3
            )
          )
        ],
        [...PMap.entries(one)]
      )
      assert.strictEqual(PMap.remove(one, "charlie").size, 0)
    })

    it("maps with different hash functions still compare by content", () => {
      const content = [["a", 1] as const, ["b", 2] as const, ["c", 3] as const]
      let weak = PMap.unsafeEmptyWithHash<number>(() => 0)
      for (const [k, v] of content) weak = PMap.set(weak, k, v)
      assert.isTrue(PMap.equals(weak, PMap.fromEntries(content)))
      assert.isFalse(PMap.equals(weak, PMap.fromEntries([...content.slice(1), ["a", 9] as const])))
      assert.isFalse(PMap.equals(weak, PMap.fromEntries([...content.slice(1), ["z", 1] as const])))
    })
  })

  describe("basics", () => {
    it("distinguishes a key bound to undefined from an absent key", () => {
      const m = PMap.set(PMap.empty<number | undefined>(), "k", undefined)
      assert.strictEqual(m.size, 1)
      assert.isTrue(PMap.has(m, "k"))
      assert.isUndefined(PMap.get(m, "k"))
      assert.strictEqual(PMap.set(m, "k", undefined), m)
      assert.strictEqual(PMap.modify(m, "k", () => 1 as number | undefined).size, 1)
      assert.strictEqual(
        PMap.get(
          PMap.modify(m, "k", () => 1),
          "k"
        ),
        1
      )
      assert.strictEqual(PMap.remove(m, "k"), PMap.empty())
    })

    it("fromEntries keeps the last value of a repeated key", () => {
      const m = PMap.fromEntries([
        ["a", 1],
        ["b", 2],
        ["a", 3]
      ])
      assert.deepStrictEqual(PMap.toSortedEntries(m), [
        ["a", 3],
        ["b", 2]
      ])
      assert.strictEqual(PMap.fromEntries([]), PMap.empty())
    })

    it("equals compares values with === by default, or with the given equivalence", () => {
      const a = PMap.fromEntries([["x", { n: 1 }]])
      const b = PMap.fromEntries([["x", { n: 1 }]])
      assert.isFalse(PMap.equals(a, b))
      assert.isTrue(PMap.equals(a, b, (x, y) => x.n === y.n))
      assert.isFalse(PMap.equals(a, PMap.fromEntries([["x", { n: 2 }]]), (x, y) => x.n === y.n))
      assert.isFalse(PMap.equals(a, PMap.fromEntries([["y", { n: 1 }]]), (x, y) => x.n === y.n))
    })

    it("sorts keys by UTF-16 code unit, like Array.prototype.sort", () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.fullUnicodeString({ maxLength: 6 })), (ks) => {
          const m = PMap.fromEntries(ks.map((k) => [k, 0] as const))
          assert.deepStrictEqual(
            PMap.toSortedEntries(m).map(([k]) => k),
            [...ks].sort()
          )
        }),
        runs
      )
    })

    it("is opaque and covariant in its values (checked by tsc)", () => {
      const numbers = PMap.fromEntries([["a", 1]])
      // @ts-expect-error a map of numbers is not a map of strings
      const strings: PMap.PMap<string> = numbers
      // @ts-expect-error an object with a size is not a PMap
      const fake: PMap.PMap<number> = { size: 0 }
      const wider: PMap.PMap<number | string> = numbers
      assert.isTrue(PMap.isPMap(strings))
      assert.isFalse(PMap.isPMap(fake))
      assert.strictEqual(PMap.get(wider, "a"), 1)
    })

    it("isPMap recognises maps only", () => {
      assert.isTrue(PMap.isPMap(PMap.empty()))
      assert.isTrue(PMap.isPMap(PMap.fromEntries([["a", 1]])))
      for (const u of [null, undefined, { size: 0 }, new Map(), [], "PMap"]) assert.isFalse(PMap.isPMap(u))
    })

    it("prints as sorted entries with JSON.stringify and the Node inspector", () => {
      const m = PMap.fromEntries([
        ["b", 2],
        ["a", 1]
      ])
      assert.strictEqual(JSON.stringify(m), '{"_id":"PMap","entries":[["a",1],["b",2]]}')
      assert.strictEqual(
        inspect(m, { breakLength: Number.POSITIVE_INFINITY }),
        "{ _id: 'PMap', entries: [ [ 'a', 1 ], [ 'b', 2 ] ] }"
      )
    })
  })

  describe("schema", () => {
    const Numbers = PMap.schema(Schema.Number)
    const encodeNumbers = Schema.encodeSync(Numbers)
    const decodeNumbers = Schema.decodeUnknownSync(Numbers)

    it("round-trips through its encoding, which is sorted by key", () => {
      fc.assert(
        fc.property(Arbitrary.make(Numbers), (m) => {
          const encoded = encodeNumbers(m)
          assert.deepStrictEqual(
            encoded.map(([k]) => k),
            [...PMap.keys(m)].sort()
          )
          const decoded = decodeNumbers(encoded)
          assert.isTrue(PMap.equals(decoded, m, Object.is))
          assert.isTrue(PMap.equals(decodeNumbers([...encoded].reverse()), m, Object.is))
        }),
        runs
      )
    })

    it("encodes and decodes the values with the value schema", () => {
      const S = PMap.schema(Schema.NumberFromString)
      const m = Schema.decodeUnknownSync(S)([
        ["b", "2"],
        ["a", "1.5"]
      ])
      assert.deepStrictEqual(PMap.toSortedEntries(m), [
        ["a", 1.5],
        ["b", 2]
      ])
      assert.deepStrictEqual(Schema.encodeSync(S)(m), [
        ["a", "1.5"],
        ["b", "2"]
      ])
      const json = Schema.parseJson(S)
      assert.strictEqual(Schema.encodeSync(json)(m), '[["a","1.5"],["b","2"]]')
      assert.isTrue(PMap.equals(Schema.decodeSync(json)('[["b","2"],["a","1.5"]]'), m))
    })

    it("refuses a repeated key, naming it", () => {
      const r = Schema.decodeUnknownEither(Numbers)([
        ["a", 1],
        ["b", 2],
        ["a", 1]
      ])
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r)) assert.include(r.left.message, 'duplicate key "a" at entries 0 and 2')
    })

    it("refuses malformed input and ill-typed values", () => {
      for (const bad of [{}, [["a"]], [["a", "1"]], [[1, 1]], null]) {
        assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Numbers)(bad)), JSON.stringify(bad))
      }
      const is = Schema.is(Numbers)
      assert.isTrue(is(PMap.fromEntries([["a", 1]])))
      assert.isFalse(is(PMap.fromEntries([["a", "1"]])))
      assert.isFalse(is(new Map([["a", 1]])))
      const m = PMap.fromEntries([["a", 1]])
      assert.strictEqual(Schema.validateSync(Numbers)(m), m, "validation keeps the instance")
    })

    it("gives arbitrary, pretty and equivalence for schemas that contain a PMap", () => {
      const State = Schema.Struct({ name: Schema.String, counts: PMap.schema(Schema.Int) })
      const arb = Arbitrary.make(State)
      const pretty = Pretty.make(State)
      const equivalence = Schema.equivalence(State)
      const is = Schema.is(State)
      let nonEmpty = 0
      fc.assert(
        fc.property(arb, arb, (s, t) => {
          assert.isTrue(is(s))
          if (s.counts.size > 0) nonEmpty++
          assert.isTrue(equivalence(s, s))
          const copy = { name: s.name, counts: PMap.fromEntries([...PMap.entries(s.counts)].reverse()) }
          assert.isTrue(equivalence(s, copy))
          assert.strictEqual(
            equivalence(s, t),
            s.name === t.name && PMap.equals(s.counts, t.counts),
            "equivalence agrees with equals"
          )
          assert.include(pretty(s), `"counts": PMap([`)
        }),
        runs
      )
      assert.isAbove(nonEmpty, 0, "the arbitrary generates non-empty maps")
      assert.strictEqual(
        Pretty.make(PMap.schema(Schema.Number))(
          PMap.fromEntries([
            ["b", 2],
            ["a", 1]
          ])
        ),
        'PMap([["a", 1], ["b", 2]])'
      )
    })
  })
})

describe("PMap.diff", () => {
  const naive = (a: PMap.PMap<number>, b: PMap.PMap<number>) => {
    const out: Array<string> = []
    for (const [k, v] of PMap.entries(a))
      if (PMap.get(b, k) !== v || !PMap.has(b, k)) out.push(`${k}:${v}>${PMap.get(b, k)}`)
    for (const [k, v] of PMap.entries(b)) if (!PMap.has(a, k)) out.push(`${k}:undefined>${v}`)
    return out.sort()
  }
  const viaDiff = (a: PMap.PMap<number>, b: PMap.PMap<number>) => {
    const out: Array<string> = []
    PMap.diff(a, b, (k, x, y) => out.push(`${k}:${x}>${y}`))
    return out.sort()
  }
  const op = fc.tuple(
    fc.constantFrom("set", "remove"),
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 0, max: 3 })
  )
  const apply = (m: PMap.PMap<number>, ops: ReadonlyArray<readonly [string, number, number]>) => {
    let out = m
    for (const [kind, k, v] of ops)
      out = kind === "set" ? PMap.set(out, `key-${k}`, v) : PMap.remove(out, `key-${k}`)
    return out
  }

  it("reports exactly the keys whose values differ, from a shared history or not", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 400 }),
        fc.array(op, { maxLength: 40 }),
        fc.boolean(),
        (base, change, collide) => {
          const start = collide ? PMap.unsafeEmptyWithHash<number>((k) => k.length % 3) : PMap.empty<number>()
          const a = apply(start, base)
          const b = apply(a, change)
          assert.deepStrictEqual(viaDiff(a, b), naive(a, b))
          assert.deepStrictEqual(viaDiff(b, a), naive(b, a))
          const unrelated = apply(start, change)
          assert.deepStrictEqual(viaDiff(a, unrelated), naive(a, unrelated))
        }
      ),
      { numRuns: 1_000 }
    )
  })

  it("visits nothing for the same version", () => {
    const m = PMap.fromEntries(Array.from({ length: 1000 }, (_, i): [string, number] => [`k${i}`, i]))
    let calls = 0
    PMap.diff(m, m, () => calls++)
    assert.strictEqual(calls, 0)
  })
})
