/**
 * Deterministic identifiers. Every id the rules engine hands out (MPC, call, member, request,
 * recording) comes from a counter kept in the state and a seed fixed when the state was made, so
 * the same events always give the same ids. They look like version-4 UUIDs and stay unique: the
 * counter itself fills the last group.
 *
 * @since 0.1.0
 */

const digits = "0123456789abcdef"
/** Two hex digits for every byte: formatting an id is a handful of lookups and one concatenation. */
const byteHex: ReadonlyArray<string> = Array.from(
  { length: 256 },
  (_, b) => digits[b >> 4]! + digits[b & 15]!
)

/** The low `width` hex digits of `n` (width 1 to 8). */
const hex = (n: number, width: number): string => {
  const x = n >>> 0
  const eight =
    byteHex[x >>> 24]! + byteHex[(x >>> 16) & 255]! + byteHex[(x >>> 8) & 255]! + byteHex[x & 255]!
  return width === 8 ? eight : eight.slice(8 - width)
}

/** A 32-bit integer mix (the finaliser of MurmurHash3): spreads nearby inputs far apart. */
const mix = (x: number): number => {
  let h = x | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * The largest counter a UUID's last group (48 bits) holds.
 *
 * @since 0.1.0
 * @category constants
 */
export const MaxCounter = 2 ** 48 - 1

/**
 * The `n`-th UUID of the source seeded with `seed`: `xxxxxxxx-xxxx-4xxx-yxxx-<n in 12 hex digits>`.
 *
 * @example
 * import { Ids } from "@mpc-kit/domain"
 *
 * Ids.uuid(7, 1) // "f6b7bbec-c166-4a5f-bbe7-000000000001"
 *
 * @since 0.1.0
 * @category ids
 */
export const uuid = (seed: number, n: number): string => {
  const a = mix(seed ^ Math.imul(n | 0, 0x9e3779b1))
  const b = mix(a ^ (n / 0x1_0000_0000) ^ 0x5bd1e995)
  const high = Math.floor(n / 0x1_0000_0000)
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-${hex(8 | (mix(b) & 3), 1)}${hex(mix(a + 1), 3)}-${hex(high, 4)}${hex(n, 8)}`
}
