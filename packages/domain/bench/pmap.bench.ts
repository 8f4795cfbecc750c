/**
 * PMap operations per second on maps of 10,000 and 100,000 UUID-like keys, beside a JS `Map` baseline
 * measured in the same run (plain mutable `Map` operations, no copying). The ratio says how many times
 * slower the persistent map is.
 *
 * - get: lookups of present keys, in a shuffled order.
 * - set (update): `m = set(m, key, newValue)` on present keys, chained as a reducer would.
 * - set (insert): `m = set(m, freshKey, value)`, chained, 1,000 fresh keys per batch from the full map.
 * - remove: `m = remove(m, key)`, chained, 1,000 present keys per batch from the full map.
 * - modify: `m = modify(m, key, (v) => v + 1)` on present keys, chained (baseline: `get` then `set`).
 *
 * The `Map` baseline runs the same batches on one mutable `Map`, restored between batches outside the
 * timed region. Its insert figure includes V8's periodic compaction of the hash table, which the
 * insert/delete churn of the benchmark triggers (deleted entries leave holes until the next rehash): that
 * is the real amortised cost of a churning `Map`, and it makes the 100,000-key insert baseline slow.
 *
 * Run: tsc -b && node packages/domain/build/test/bench/pmap.bench.js   (options: --seconds N per figure)
 */
import { PMap } from "@mpc-kit/domain"

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 1
const BATCH = 1_000

/** A seeded xorshift32 generator: the same keys and orders on every run. */
const generator = (seed: number) => {
  let s = seed | 0 || 1
  return (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return s >>> 0
  }
}
const next = generator(0x9e3779b9)
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, "0").slice(-digits)
const uuid = (): string =>
  `${hex(next(), 8)}-${hex(next(), 4)}-4${hex(next(), 3)}-${hex((next() & 0x3fff) | 0x8000, 4)}-${hex(next(), 8)}${hex(next(), 4)}`

const shuffled = <A>(xs: ReadonlyArray<A>): Array<A> => {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1)
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}

/**
 * Runs `batch` (which performs `BATCH` operations) for about `seconds`, in five rounds, and returns the
 * median rate in operations per second. `reset` runs after each batch, outside the timed region.
 */
const rate = (batch: () => void, reset: () => void): number => {
  for (let i = 0; i < 20; i++) {
    batch()
    reset()
  }
  const budget = (seconds / 5) * 1e9
  const rounds: Array<number> = []
  for (let r = 0; r < 5; r++) {
    let ops = 0
    let elapsed = 0
    while (elapsed < budget) {
      const start = process.hrtime.bigint()
      batch()
      elapsed += Number(process.hrtime.bigint() - start)
      ops += BATCH
      reset()
    }
    rounds.push(ops / (elapsed / 1e9))
  }
  rounds.sort((a, b) => a - b)
  return rounds[2]!
}

const nothing = () => {}
const increment = (v: number) => v + 1
let sink = 0
const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(12)

console.log(`node ${process.version}, ~${seconds}s per figure (median of 5 rounds, batches of ${BATCH})\n`)
console.log(
  `${"size".padStart(7)}  ${"operation".padEnd(13)}  ${"Map ops/s".padStart(12)}  ${"PMap ops/s".padStart(12)}  ratio`
)

for (const n of [10_000, 100_000]) {
  const keys = Array.from({ length: n }, uuid)
  const fresh = Array.from({ length: BATCH }, uuid)
  const probe = shuffled(keys).slice(0, BATCH)
  const base = PMap.fromEntries(keys.map((k, i) => [k, i] as const))
  const js = new Map(keys.map((k, i) => [k, i] as const))
  if (base.size !== n || js.size !== n) throw new Error("duplicate keys generated")
  for (const k of fresh) if (js.has(k)) throw new Error("a fresh key is already present")
  let counter = n

  const row = (operation: string, map: number, pmap: number) =>
    console.log(
      `${n.toLocaleString("en-US").padStart(7)}  ${operation.padEnd(13)}  ${fmt(map)}  ${fmt(pmap)}  ${(map / pmap).toFixed(1)}x slower`
    )

  row(
    "get",
    rate(() => {
      for (let i = 0; i < BATCH; i++) sink += js.get(probe[i]!)!
    }, nothing),
    rate(() => {
      for (let i = 0; i < BATCH; i++) sink += PMap.get(base, probe[i]!)!
    }, nothing)
  )

  let m = base
  row(
    "set (update)",
    rate(() => {
      for (let i = 0; i < BATCH; i++) js.set(probe[i]!, counter++)
    }, nothing),
    rate(() => {
      for (let i = 0; i < BATCH; i++) m = PMap.set(m, probe[i]!, counter++)
    }, nothing)
  )

  row(
    "modify",
    rate(() => {
      for (let i = 0; i < BATCH; i++) {
        const k = probe[i]!
        js.set(k, js.get(k)! + 1)
      }
    }, nothing),
    rate(() => {
      for (let i = 0; i < BATCH; i++) m = PMap.modify(m, probe[i]!, increment)
    }, nothing)
  )

  row(
    "set (insert)",
    rate(
      () => {
        for (let i = 0; i < BATCH; i++) js.set(fresh[i]!, i)
      },
      () => {
        for (let i = 0; i < BATCH; i++) js.delete(fresh[i]!)
      }
    ),
    rate(
      () => {
        let p = base
        for (let i = 0; i < BATCH; i++) p = PMap.set(p, fresh[i]!, i)
        m = p
      },
      () => {
        if (m.size !== n + BATCH) throw new Error("insert did not insert")
      }
    )
  )

  row(
    "remove",
    rate(
      () => {
        for (let i = 0; i < BATCH; i++) js.delete(probe[i]!)
      },
      () => {
        for (let i = 0; i < BATCH; i++) js.set(probe[i]!, i)
      }
    ),
    rate(
      () => {
        let p = base
        for (let i = 0; i < BATCH; i++) p = PMap.remove(p, probe[i]!)
        m = p
      },
      () => {
        if (m.size !== n - BATCH) throw new Error("remove did not remove")
      }
    )
  )
}
if (sink === 0) throw new Error("nothing was measured")
console.log("\nratio: Map ops/s divided by PMap ops/s, measured in the same process")
