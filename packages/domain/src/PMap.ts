/**
 * `PMap`: a persistent (immutable) hash array mapped trie keyed by strings, built for the state of a pure
 * reducer.
 *
 * - Every operation returns a new map sharing all untouched nodes with the old one (path copying), or the
 *   very same instance when nothing changed, so `===` is a cheap "did anything change?" test.
 * - The trie is canonical: its shape depends only on the set of keys, never on the order of insertions and
 *   removals. Iteration order (by hash fragments, level by level, then by key among full hash collisions)
 *   is therefore a function of the content alone, and a map emptied by removals is `empty()` again.
 * - Nodes follow the CHAMP layout (5 hash bits per level): one 32-bit bitmap for the entries stored in the
 *   node, one for its sub-nodes, over a single packed array, entries first. After 7 levels the 32 hash bits
 *   are exhausted and keys with equal hashes share a collision node, kept sorted by key.
 * - Every node knows how many entries lie below it, which gives `size` in O(1), lets removals collapse
 *   single-entry nodes into their parent, and lets `equals` reject unequal subtrees early.
 *
 * @since 0.1.0
 */
import type { ArbitraryGenerationContext, LazyArbitrary } from "effect/Arbitrary"
import type * as Either from "effect/Either"
import type * as Equivalence from "effect/Equivalence"
import { format as formatJson, NodeInspectSymbol } from "effect/Inspectable"
import * as ParseResult from "effect/ParseResult"
import type * as Pretty from "effect/Pretty"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

const TypeId: unique symbol = Symbol.for("@mpc-kit/domain/PMap")

/**
 * An immutable map from strings to `V`. Opaque apart from `size`: use this module's functions.
 *
 * @since 0.1.0
 * @category models
 */
export interface PMap<out V> {
  /** Marks the type and its value type (variance only; nothing is stored). */
  readonly [TypeId]: {
    /** The value type, for variance. */
    readonly _V: (_: never) => V
  }
  /** The number of entries. */
  readonly size: number
}

// ---------------------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------------------

/** Bits of hash consumed per level. */
const BITS = 5
const MASK = 31
/** The shift at which all 32 hash bits are used up: nodes at this depth are collision nodes. */
const COLLISION_SHIFT = 35

/**
 * A trie node, never mutated after construction (CHAMP layout: entries and sub-nodes kept apart).
 *
 * Bitmap node (shift < 35): bit `b` of `datamap` is set when hash fragment `b` holds an entry, bit `b` of
 * `nodemap` when it holds a sub-node (never both). `array` holds the entries first, as `key, value` pairs
 * in ascending fragment order, then the sub-nodes in descending fragment order (the sub-node of rank `r`
 * among the set bits of `nodemap` is at `array.length - 1 - r`). A sub-node always holds at least two
 * entries: removals inline a sub-node left with one entry into its parent.
 *
 * Collision node (shift 35): both maps are 0 and `array` holds the `key, value` pairs of keys with one
 * 32-bit hash, sorted by key.
 *
 * `count` is the number of entries in the subtree.
 */
class TrieNode {
  constructor(
    readonly datamap: number,
    readonly nodemap: number,
    readonly count: number,
    readonly array: Array<unknown>
  ) {}
}

const EMPTY_NODE = new TrieNode(0, 0, 0, [])

type HashFn = (key: string) => number

/** The map itself: a root node and, only in tests, a replacement hash function. */
class PMapImpl<V> implements PMap<V> {
  readonly size: number
  constructor(
    readonly root: TrieNode,
    readonly hashFn: HashFn | undefined
  ) {
    this.size = root.count
  }
  get [TypeId]() {
    return variance
  }
  toJSON(): unknown {
    return { _id: "PMap", entries: toSortedEntries(this) }
  }
  toString(): string {
    return formatJson(this.toJSON())
  }
  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const variance = { _V: (_: never) => _ }

const EMPTY: PMap<never> = new PMapImpl<never>(EMPTY_NODE, undefined)

const impl = <V>(map: PMap<V>): PMapImpl<V> => map as PMapImpl<V>

// ---------------------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------------------

/**
 * A 32-bit murmur3-style hash over the UTF-16 code units of `s`, two units per round, with murmur3's
 * final avalanche so that every 5-bit fragment depends on every character.
 */
const hashString = (s: string): number => {
  const n = s.length
  let h = n
  let i = 0
  for (; i + 1 < n; i += 2) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  if (i < n) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const hashWith = (hashFn: HashFn | undefined, key: string): number =>
  hashFn === undefined ? hashString(key) : hashFn(key) | 0

/** Number of set bits in a 32-bit integer. */
const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** Length of the entry part of `node.array` (all of it for collision nodes and leaves). */
const dataLength = (node: TrieNode): number =>
  node.nodemap === 0 ? node.array.length : popcount(node.datamap) << 1

// ---------------------------------------------------------------------------------------------------------
// Array copies (the only allocations besides nodes)
// ---------------------------------------------------------------------------------------------------------

const replaceAt = (array: Array<unknown>, i: number, x: unknown): Array<unknown> => {
  const out = array.slice()
  out[i] = x
  return out
}

/** `array` with the pair `k, v` inserted at `i`. */
const insertPair = (array: Array<unknown>, i: number, k: unknown, v: unknown): Array<unknown> => {
  const n = array.length
  const out = new Array<unknown>(n + 2)
  for (let j = 0; j < i; j++) out[j] = array[j]
  out[i] = k
  out[i + 1] = v
  for (let j = i; j < n; j++) out[j + 2] = array[j]
  return out
}

/** `array` without the pair at `i`. */
const removePair = (array: Array<unknown>, i: number): Array<unknown> => {
  const n = array.length
  const out = new Array<unknown>(n - 2)
  for (let j = 0; j < i; j++) out[j] = array[j]
  for (let j = i + 2; j < n; j++) out[j - 2] = array[j]
  return out
}

/** `array` without the pair at `i` and with `child` at index `at` of the result (`at >= i`). */
const pairToChild = (array: Array<unknown>, i: number, at: number, child: TrieNode): Array<unknown> => {
  const n = array.length
  const out = new Array<unknown>(n - 1)
  for (let j = 0; j < i; j++) out[j] = array[j]
  for (let j = i + 2; j < at + 2; j++) out[j - 2] = array[j]
  out[at] = child
  for (let j = at + 2; j < n; j++) out[j - 1] = array[j]
  return out
}

/** `array` without the sub-node at `at` and with the pair `k, v` at `i` (`i <= at`). */
const childToPair = (
  array: Array<unknown>,
  i: number,
  at: number,
  k: unknown,
  v: unknown
): Array<unknown> => {
  const n = array.length
  const out = new Array<unknown>(n + 1)
  for (let j = 0; j < i; j++) out[j] = array[j]
  out[i] = k
  out[i + 1] = v
  for (let j = i; j < at; j++) out[j + 2] = array[j]
  for (let j = at + 1; j < n; j++) out[j + 1] = array[j]
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Lookup, insertion, removal
// ---------------------------------------------------------------------------------------------------------

/** Returned by `lookup` for an absent key (values may themselves be `undefined`). */
const ABSENT: unique symbol = Symbol("PMap/absent")

const lookup = (root: TrieNode, hash: number, key: string): unknown => {
  let node = root
  for (let shift = 0; shift < COLLISION_SHIFT; shift += BITS) {
    const bit = 1 << ((hash >>> shift) & MASK)
    const datamap = node.datamap
    if ((datamap & bit) !== 0) {
      const i = popcount(datamap & (bit - 1)) << 1
      const array = node.array
      return array[i] === key ? array[i + 1] : ABSENT
    }
    const nodemap = node.nodemap
    if ((nodemap & bit) === 0) return ABSENT
    const array = node.array
    node = array[array.length - 1 - popcount(nodemap & (bit - 1))] as TrieNode
  }
  const array = node.array
  for (let i = 0; i < array.length; i += 2) if (array[i] === key) return array[i + 1]
  return ABSENT
}

/** A node holding the two entries, which have different keys, at depth `shift`. */
const pairNode = (
  shift: number,
  h1: number,
  k1: string,
  v1: unknown,
  h2: number,
  k2: string,
  v2: unknown
): TrieNode => {
  if (shift === COLLISION_SHIFT) return new TrieNode(0, 0, 2, k1 < k2 ? [k1, v1, k2, v2] : [k2, v2, k1, v1])
  const f1 = (h1 >>> shift) & MASK
  const f2 = (h2 >>> shift) & MASK
  if (f1 === f2) return new TrieNode(0, 1 << f1, 2, [pairNode(shift + BITS, h1, k1, v1, h2, k2, v2)])
  return new TrieNode((1 << f1) | (1 << f2), 0, 2, f1 < f2 ? [k1, v1, k2, v2] : [k2, v2, k1, v1])
}

const collisionSet = (node: TrieNode, key: string, value: unknown): TrieNode => {
  const array = node.array
  const n = array.length
  let i = 0
  while (i < n && (array[i] as string) < key) i += 2
  if (i < n && array[i] === key) {
    return array[i + 1] === value ? node : new TrieNode(0, 0, node.count, replaceAt(array, i + 1, value))
  }
  return new TrieNode(0, 0, node.count + 1, insertPair(array, i, key, value))
}

const nodeSet = (
  node: TrieNode,
  shift: number,
  hash: number,
  key: string,
  value: unknown,
  hashFn: HashFn | undefined
): TrieNode => {
  if (shift === COLLISION_SHIFT) return collisionSet(node, key, value)
  const bit = 1 << ((hash >>> shift) & MASK)
  const { datamap, nodemap, array } = node
  if ((datamap & bit) !== 0) {
    const i = popcount(datamap & (bit - 1)) << 1
    const k = array[i] as string
    if (k === key) {
      return array[i + 1] === value
        ? node
        : new TrieNode(datamap, nodemap, node.count, replaceAt(array, i + 1, value))
    }
    // Two keys in one slot: push both down into a new sub-node.
    const child = pairNode(shift + BITS, hashWith(hashFn, k), k, array[i + 1], hash, key, value)
    const at = array.length - 2 - popcount(nodemap & (bit - 1))
    return new TrieNode(datamap ^ bit, nodemap | bit, node.count + 1, pairToChild(array, i, at, child))
  }
  if ((nodemap & bit) !== 0) {
    const at = array.length - 1 - popcount(nodemap & (bit - 1))
    const child = array[at] as TrieNode
    const next = nodeSet(child, shift + BITS, hash, key, value, hashFn)
    return next === child
      ? node
      : new TrieNode(datamap, nodemap, node.count + next.count - child.count, replaceAt(array, at, next))
  }
  const i = popcount(datamap & (bit - 1)) << 1
  return new TrieNode(datamap | bit, nodemap, node.count + 1, insertPair(array, i, key, value))
}

const nodeRemove = (node: TrieNode, shift: number, hash: number, key: string): TrieNode => {
  const array = node.array
  if (shift === COLLISION_SHIFT) {
    for (let i = 0; i < array.length; i += 2) {
      if (array[i] === key) return new TrieNode(0, 0, node.count - 1, removePair(array, i))
    }
    return node
  }
  const bit = 1 << ((hash >>> shift) & MASK)
  const { datamap, nodemap } = node
  if ((datamap & bit) !== 0) {
    const i = popcount(datamap & (bit - 1)) << 1
    return array[i] === key
      ? new TrieNode(datamap ^ bit, nodemap, node.count - 1, removePair(array, i))
      : node
  }
  if ((nodemap & bit) === 0) return node
  const at = array.length - 1 - popcount(nodemap & (bit - 1))
  const child = array[at] as TrieNode
  const next = nodeRemove(child, shift + BITS, hash, key)
  if (next === child) return node
  if (next.count === 1) {
    // A sub-node left with one entry (its whole array is that `key, value` pair) is replaced by the entry:
    // this keeps the trie canonical.
    const i = popcount(datamap & (bit - 1)) << 1
    return new TrieNode(
      datamap | bit,
      nodemap ^ bit,
      node.count - 1,
      childToPair(array, i, at, next.array[0], next.array[1])
    )
  }
  return new TrieNode(datamap, nodemap, node.count - 1, replaceAt(array, at, next))
}

/** Replaces the value under `key` by `f(value)`, in one descent; `node` itself when nothing changes. */
const nodeModify = <V>(
  node: TrieNode,
  shift: number,
  hash: number,
  key: string,
  f: (v: V) => V
): TrieNode => {
  const array = node.array
  if (shift === COLLISION_SHIFT) {
    for (let i = 0; i < array.length; i += 2) {
      if (array[i] === key) {
        const value = array[i + 1] as V
        const next = f(value)
        return next === value ? node : new TrieNode(0, 0, node.count, replaceAt(array, i + 1, next))
      }
    }
    return node
  }
  const bit = 1 << ((hash >>> shift) & MASK)
  const { datamap, nodemap } = node
  if ((datamap & bit) !== 0) {
    const i = popcount(datamap & (bit - 1)) << 1
    if (array[i] !== key) return node
    const value = array[i + 1] as V
    const next = f(value)
    return next === value ? node : new TrieNode(datamap, nodemap, node.count, replaceAt(array, i + 1, next))
  }
  if ((nodemap & bit) === 0) return node
  const at = array.length - 1 - popcount(nodemap & (bit - 1))
  const child = array[at] as TrieNode
  const next = nodeModify(child, shift + BITS, hash, key, f)
  return next === child ? node : new TrieNode(datamap, nodemap, node.count, replaceAt(array, at, next))
}

// ---------------------------------------------------------------------------------------------------------
// Traversal: a node's entries, then its sub-nodes in ascending fragment order, depth first.
// ---------------------------------------------------------------------------------------------------------

const nodeForEach = <V>(node: TrieNode, f: (value: V, key: string) => void): void => {
  const array = node.array
  const d = dataLength(node)
  for (let i = 0; i < d; i += 2) f(array[i + 1] as V, array[i] as string)
  for (let i = array.length - 1; i >= d; i--) nodeForEach(array[i] as TrieNode, f)
}

const collect = <V>(node: TrieNode, out: Array<[string, V]>): void => {
  const array = node.array
  const d = dataLength(node)
  for (let i = 0; i < d; i += 2) out.push([array[i] as string, array[i + 1] as V])
  for (let i = array.length - 1; i >= d; i--) collect(array[i] as TrieNode, out)
}

const toEntry = (key: string, value: unknown): [string, unknown] => [key, value]
const toKey = (key: string): string => key
const toValue = (_: string, value: unknown): unknown => value

/** The order of `nodeForEach`, with an explicit stack. */
function* iterate<A>(
  root: TrieNode,
  project: (key: string, value: unknown) => A
): Generator<A, void, undefined> {
  const stack: Array<TrieNode> = [root]
  let node = stack.pop()
  while (node !== undefined) {
    const array = node.array
    const d = dataLength(node)
    // Pushed so that the lowest fragment (at the end of the array) is popped first.
    for (let i = d; i < array.length; i++) stack.push(array[i] as TrieNode)
    for (let i = 0; i < d; i += 2) yield project(array[i] as string, array[i + 1])
    node = stack.pop()
  }
}

const strictEquals = (x: unknown, y: unknown): boolean => x === y

/** Structural comparison: valid because both tries are canonical and built with the same hash. */
const nodeEquals = <V>(a: TrieNode, b: TrieNode, eq: (x: V, y: V) => boolean): boolean => {
  if (a === b) return true
  if (a.count !== b.count || a.datamap !== b.datamap || a.nodemap !== b.nodemap) return false
  const xs = a.array
  const ys = b.array
  if (xs.length !== ys.length) return false
  const d = dataLength(a)
  for (let i = 0; i < d; i += 2) {
    if (xs[i] !== ys[i] || !eq(xs[i + 1] as V, ys[i + 1] as V)) return false
  }
  for (let i = d; i < xs.length; i++) if (!nodeEquals(xs[i] as TrieNode, ys[i] as TrieNode, eq)) return false
  return true
}

const byKey = (a: readonly [string, unknown], b: readonly [string, unknown]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0

// ---------------------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------------------

/**
 * The empty map (one shared instance).
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = <V = never>(): PMap<V> => EMPTY

/**
 * The value stored under `key`, or `undefined` when there is none.
 *
 * @since 0.1.0
 * @category combinators
 */
export const get = <V>(map: PMap<V>, key: string): V | undefined => {
  const m = impl(map)
  const found = lookup(m.root, m.hashFn === undefined ? hashString(key) : m.hashFn(key) | 0, key)
  return found === ABSENT ? undefined : (found as V)
}

/**
 * Whether `key` is present (also when its value is `undefined`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const has = <V>(map: PMap<V>, key: string): boolean => {
  const m = impl(map)
  return lookup(m.root, m.hashFn === undefined ? hashString(key) : m.hashFn(key) | 0, key) !== ABSENT
}

/**
 * The map with `key` bound to `value`; `map` itself when `key` is already bound to this very (`===`) value.
 *
 * @since 0.1.0
 * @category combinators
 */
export const set = <V>(map: PMap<V>, key: string, value: V): PMap<V> => {
  const m = impl(map)
  const hashFn = m.hashFn
  const root = m.root
  const next = nodeSet(root, 0, hashFn === undefined ? hashString(key) : hashFn(key) | 0, key, value, hashFn)
  return next === root ? map : new PMapImpl<V>(next, hashFn)
}

/**
 * The map without `key`; `map` itself when `key` is absent.
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove = <V>(map: PMap<V>, key: string): PMap<V> => {
  const m = impl(map)
  const hashFn = m.hashFn
  const root = m.root
  const next = nodeRemove(root, 0, hashFn === undefined ? hashString(key) : hashFn(key) | 0, key)
  if (next === root) return map
  if (next.count === 0) return hashFn === undefined ? EMPTY : new PMapImpl<V>(EMPTY_NODE, hashFn)
  return new PMapImpl<V>(next, hashFn)
}

/**
 * The map with the value under `key` replaced by `f(value)`; `map` itself when `key` is absent or `f`
 * returns the same (`===`) value.
 *
 * @since 0.1.0
 * @category combinators
 */
export const modify = <V>(map: PMap<V>, key: string, f: (v: V) => V): PMap<V> => {
  const m = impl(map)
  const hashFn = m.hashFn
  const root = m.root
  const next = nodeModify(root, 0, hashFn === undefined ? hashString(key) : hashFn(key) | 0, key, f)
  return next === root ? map : new PMapImpl<V>(next, hashFn)
}

/**
 * The number of entries, in O(1).
 *
 * @since 0.1.0
 * @category combinators
 */
export const size = <V>(map: PMap<V>): number => map.size

/**
 * A map of the entries; when a key repeats, the last value wins.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEntries = <V>(entries: Iterable<readonly [string, V]>): PMap<V> => {
  let root = EMPTY_NODE
  for (const [key, value] of entries) root = nodeSet(root, 0, hashString(key), key, value, undefined)
  return root.count === 0 ? EMPTY : new PMapImpl<V>(root, undefined)
}

/**
 * The entries, in an order that depends only on the set of keys (see the module documentation).
 *
 * @since 0.1.0
 * @category combinators
 */
export const entries = <V>(map: PMap<V>): IterableIterator<[string, V]> =>
  iterate(impl(map).root, toEntry as (key: string, value: unknown) => [string, V])

/**
 * The keys, in the order of `entries`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const keys = <V>(map: PMap<V>): IterableIterator<string> => iterate(impl(map).root, toKey)

/**
 * The values, in the order of `entries`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const values = <V>(map: PMap<V>): IterableIterator<V> =>
  iterate(impl(map).root, toValue as (key: string, value: unknown) => V)

/**
 * Calls `f` on each entry, in the order of `entries`, without allocating an iterator.
 *
 * @since 0.1.0
 * @category combinators
 */
export const forEach = <V>(map: PMap<V>, f: (value: V, key: string) => void): void =>
  nodeForEach(impl(map).root, f)

/**
 * A fresh array of the entries sorted by key (UTF-16 code unit order, like `Array.prototype.sort`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const toSortedEntries = <V>(map: PMap<V>): Array<[string, V]> => {
  const out: Array<[string, V]> = []
  collect(impl(map).root, out)
  return out.sort(byKey)
}

/**
 * Whether both maps have the same keys and, key by key, equal values (by `eq`, default `===`). Independent
 * of how the maps were built. `eq` should be an equivalence: identical subtrees are equal without calling it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const equals = <V>(a: PMap<V>, b: PMap<V>, eq?: (x: V, y: V) => boolean): boolean => {
  if (a === b) return true
  const x = impl(a)
  const y = impl(b)
  if (x.size !== y.size) return false
  const e = eq ?? strictEquals
  if (x.hashFn === y.hashFn) return nodeEquals(x.root, y.root, e)
  // Only maps from `unsafeEmptyWithHash` get here: their tries have different shapes.
  for (const [key, value] of entries(a)) {
    const other = get(b, key)
    if ((other === undefined && !has(b, key)) || !e(value, other as V)) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------------------
// Diff: what changed between two versions, skipping the subtrees they share.
// ---------------------------------------------------------------------------------------------------------

/** Every entry of a node, into `out`. */
const entriesOf = (node: TrieNode, out: Map<string, unknown>): void => {
  const array = node.array
  const d = dataLength(node)
  for (let i = 0; i < d; i += 2) out.set(array[i] as string, array[i + 1])
  for (let i = array.length - 1; i >= d; i--) entriesOf(array[i] as TrieNode, out)
}

/** Compares two small sets of entries by key. */
const diffEntries = (
  a: Map<string, unknown>,
  b: Map<string, unknown>,
  f: (key: string, before: unknown, after: unknown) => void
): void => {
  for (const [k, v] of a) {
    if (!b.has(k)) f(k, v, undefined)
    else if (b.get(k) !== v) f(k, v, b.get(k))
  }
  for (const [k, v] of b) if (!a.has(k)) f(k, undefined, v)
}

/** The entries under one fragment of a node: its pair, or its sub-node. */
const fragmentEntries = (node: TrieNode, bit: number, out: Map<string, unknown>): void => {
  if ((node.datamap & bit) !== 0) {
    const i = popcount(node.datamap & (bit - 1)) << 1
    out.set(node.array[i] as string, node.array[i + 1])
  } else if ((node.nodemap & bit) !== 0) {
    entriesOf(node.array[node.array.length - 1 - popcount(node.nodemap & (bit - 1))] as TrieNode, out)
  }
}

const nodeDiff = (
  a: TrieNode,
  b: TrieNode,
  shift: number,
  f: (key: string, before: unknown, after: unknown) => void
): void => {
  if (a === b) return
  if (shift >= COLLISION_SHIFT) {
    const xs = new Map<string, unknown>()
    const ys = new Map<string, unknown>()
    entriesOf(a, xs)
    entriesOf(b, ys)
    diffEntries(xs, ys, f)
    return
  }
  let bits = a.datamap | a.nodemap | b.datamap | b.nodemap
  while (bits !== 0) {
    const bit = bits & -bits
    bits ^= bit
    if ((a.nodemap & bit) !== 0 && (b.nodemap & bit) !== 0) {
      const below = (n: TrieNode) => n.array[n.array.length - 1 - popcount(n.nodemap & (bit - 1))] as TrieNode
      nodeDiff(below(a), below(b), shift + BITS, f)
    } else if ((a.datamap & bit) !== 0 && (b.datamap & bit) !== 0) {
      const i = popcount(a.datamap & (bit - 1)) << 1
      const j = popcount(b.datamap & (bit - 1)) << 1
      const ka = a.array[i] as string
      const kb = b.array[j] as string
      if (ka === kb) {
        if (a.array[i + 1] !== b.array[j + 1]) f(ka, a.array[i + 1], b.array[j + 1])
      } else {
        f(ka, a.array[i + 1], undefined)
        f(kb, undefined, b.array[j + 1])
      }
    } else {
      // An entry on one side and a sub-node (or nothing) on the other: compare that fragment's entries.
      const xs = new Map<string, unknown>()
      const ys = new Map<string, unknown>()
      fragmentEntries(a, bit, xs)
      fragmentEntries(b, bit, ys)
      diffEntries(xs, ys, f)
    }
  }
}

/**
 * Calls `f` for every key whose value differs between two versions of a map (by `===`): added keys
 * have `before` undefined, removed keys `after` undefined. Subtrees the versions share are skipped,
 * so the cost follows the size of the change, not of the map. The order of the calls is not specified.
 *
 * @since 0.1.0
 * @category combinators
 */
export const diff = <V>(
  before: PMap<V>,
  after: PMap<V>,
  f: (key: string, before: V | undefined, after: V | undefined) => void
): void => {
  const a = impl(before)
  const b = impl(after)
  if (a.root === b.root) return
  if (a.hashFn !== b.hashFn) {
    const xs = new Map<string, unknown>()
    const ys = new Map<string, unknown>()
    entriesOf(a.root, xs)
    entriesOf(b.root, ys)
    diffEntries(xs, ys, f as (key: string, before: unknown, after: unknown) => void)
    return
  }
  nodeDiff(a.root, b.root, 0, f as (key: string, before: unknown, after: unknown) => void)
}

/**
 * Whether `u` is a `PMap`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPMap = (u: unknown): u is PMap<unknown> => typeof u === "object" && u !== null && TypeId in u

/**
 * Test hook, not for production code: an empty map whose keys (and the keys of every map derived from it)
 * are hashed by `hash` instead of the built-in hash, so tests can force hash collisions. Such maps are
 * only `equals`-comparable, cheaply, with maps derived from a hook map with the same `hash` function.
 *
 * @since 0.1.0
 * @internal
 * @category combinators
 */
export const unsafeEmptyWithHash = <V = never>(hash: (key: string) => number): PMap<V> =>
  new PMapImpl<V>(EMPTY_NODE, hash)

// ---------------------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------------------

const pmapArbitrary =
  <V>(value: LazyArbitrary<V>, ctx: ArbitraryGenerationContext): LazyArbitrary<PMap<V>> =>
  (fc) => {
    const items = fc.array(fc.tuple(fc.oneof(fc.string(), fc.uuid()), value(fc)))
    return (ctx.depthIdentifier !== undefined ? fc.oneof(ctx, fc.constant([]), items) : items).map((es) =>
      fromEntries(es)
    )
  }

const pmapPretty =
  <V>(value: Pretty.Pretty<V>): Pretty.Pretty<PMap<V>> =>
  (map) =>
    `PMap([${toSortedEntries(map)
      .map(([k, v]) => `[${JSON.stringify(k)}, ${value(v)}]`)
      .join(", ")}])`

const pmapEquivalence =
  <V>(value: Equivalence.Equivalence<V>): Equivalence.Equivalence<PMap<V>> =>
  (a, b) =>
    equals(a, b, value)

/**
 * Checks a `PMap`'s values with `decodeUnknown` (of its entries, in iteration order: no sorting), keeping
 * the instance when no value changed.
 */
const pmapParse =
  <V, R>(
    decodeUnknown: ParseResult.DecodeUnknown<ReadonlyArray<readonly [string, V]>, R>
  ): ParseResult.DeclarationDecodeUnknown<PMap<V>, R> =>
  (u, options, ast) => {
    if (!isPMap(u)) return ParseResult.fail(new ParseResult.Type(ast, u))
    const before: Array<[string, unknown]> = []
    collect(impl(u).root, before)
    return ParseResult.mapBoth(decodeUnknown(before, options), {
      onFailure: (issue) => new ParseResult.Composite(ast, u, issue),
      onSuccess: (after) =>
        after.every((entry, i) => entry[1] === before[i]![1]) ? (u as PMap<V>) : fromEntries(after)
    })
  }

/** The `PMap<V>` type itself, checking each value with `value`. */
const fromSelf = <V>(value: Schema.Schema<V>): Schema.Schema<PMap<V>> =>
  Schema.declare(
    [value],
    {
      decode: (item) => pmapParse(ParseResult.decodeUnknown(Schema.Array(Schema.Tuple(Schema.String, item)))),
      encode: (item) => pmapParse(ParseResult.encodeUnknown(Schema.Array(Schema.Tuple(Schema.String, item))))
    },
    {
      typeConstructor: { _tag: "@mpc-kit/domain/PMap" },
      description: `PMap<${Schema.format(value)}>`,
      arbitrary: pmapArbitrary,
      pretty: pmapPretty,
      equivalence: pmapEquivalence
    }
  )

/** Decodes `[key, value]` pairs, refusing a repeated key. */
const decodePairs = <V>(
  pairs: ReadonlyArray<readonly [string, V]>,
  ast: AST.AST
): Either.Either<PMap<V>, ParseResult.ParseIssue> => {
  let root = EMPTY_NODE
  for (let i = 0; i < pairs.length; i++) {
    const [key, value] = pairs[i]!
    const next = nodeSet(root, 0, hashString(key), key, value, undefined)
    if (next.count === root.count) {
      const first = pairs.findIndex((pair) => pair[0] === key)
      return ParseResult.fail(
        new ParseResult.Type(ast, pairs, `duplicate key ${JSON.stringify(key)} at entries ${first} and ${i}`)
      )
    }
    root = next
  }
  return ParseResult.succeed(root.count === 0 ? EMPTY : new PMapImpl<V>(root, undefined))
}

/**
 * A schema for `PMap<V>` encoded as an array of `[key, encoded value]` pairs sorted by key. Decoding accepts
 * the pairs in any order and fails on a repeated key. Carries `arbitrary`, `pretty` and `equivalence`
 * annotations, so `Arbitrary.make`, `Pretty.make` and `Schema.equivalence` work on it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const schema = <V, I, R>(
  value: Schema.Schema<V, I, R>
): Schema.Schema<PMap<V>, ReadonlyArray<readonly [string, I]>, R> =>
  Schema.transformOrFail(
    Schema.Array(Schema.Tuple(Schema.String, value)),
    fromSelf(Schema.typeSchema(value)),
    {
      strict: true,
      decode: (pairs, _, ast) => decodePairs(pairs, ast),
      encode: (map) => ParseResult.succeed(toSortedEntries(map))
    }
  )
