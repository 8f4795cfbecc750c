/**
 * A seeded random source (xoshiro128**, seeded through splitmix32) and the distributions scenarios
 * use. The same seed gives the same draws on every machine: nothing here reads `Math.random`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A mutable random stream; each simulation run owns one.
 *
 * @since 0.1.0
 * @category randomness
 */
export interface Random {
  /** A float in [0, 1). */
  readonly next: () => number
}

const splitmix32 = (seed: number) => {
  let s = seed | 0
  return () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/**
 * A random stream from a seed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (seed: number): Random => {
  const sm = splitmix32(seed)
  let a = sm()
  let b = sm()
  let c = sm()
  let d = sm()
  return {
    next: () => {
      const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0
      const t = b << 9
      c ^= a
      d ^= b
      b ^= c
      a ^= d
      c ^= t
      d = (d << 11) | (d >>> 21)
      return result / 4_294_967_296
    }
  }
}

/**
 * A duration in seconds: a constant, or drawn from a distribution.
 *
 * @since 0.1.0
 * @category models
 */
export const Dist = Schema.Union(
  Schema.Number.pipe(Schema.nonNegative()),
  Schema.Struct({
    uniform: Schema.Tuple(Schema.Number.pipe(Schema.nonNegative()), Schema.Number.pipe(Schema.nonNegative()))
  }),
  Schema.Struct({ exponential: Schema.Number.pipe(Schema.positive()) }),
  Schema.Struct({
    lognormal: Schema.Struct({
      median: Schema.Number.pipe(Schema.positive()),
      sigma: Schema.Number.pipe(Schema.nonNegative())
    })
  })
).annotations({
  identifier: "Dist",
  description: "seconds: a number, {uniform: [min, max]}, {exponential: mean} or {lognormal: {median, sigma}}"
})
/**
 * The type of {@link Dist}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Dist = typeof Dist.Type

/**
 * Draws seconds from a distribution.
 *
 * @since 0.1.0
 * @category randomness
 */
export const sample = (r: Random, d: Dist): number => {
  if (typeof d === "number") return d
  if ("uniform" in d) return d.uniform[0] + (d.uniform[1] - d.uniform[0]) * r.next()
  if ("exponential" in d) return -d.exponential * Math.log(1 - r.next())
  // Box-Muller for a standard normal, then the log-normal around the median.
  const u = 1 - r.next()
  const v = r.next()
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  return d.lognormal.median * Math.exp(d.lognormal.sigma * z)
}

/**
 * Picks one of `weights`' keys with probability proportional to its weight.
 *
 * @since 0.1.0
 * @category randomness
 */
export const pick = <K extends string>(r: Random, weights: Readonly<Partial<Record<K, number>>>): K => {
  let total = 0
  for (const k in weights) total += weights[k] ?? 0
  let x = r.next() * total
  let last: K | undefined
  for (const k in weights) {
    last = k
    x -= weights[k] ?? 0
    if (x < 0) return k
  }
  return last!
}
