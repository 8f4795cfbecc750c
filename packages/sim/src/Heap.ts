/**
 * A binary min-heap ordered by time, then by insertion order: the simulator's agenda. Ties at one
 * instant keep the order they were scheduled in, so a run is deterministic.
 *
 * @since 0.1.0
 */
export interface Scheduled<A> {
  readonly at: number
  readonly seq: number
  readonly item: A
}

const before = <A>(x: Scheduled<A>, y: Scheduled<A>): boolean =>
  x.at < y.at || (x.at === y.at && x.seq < y.seq)

export class Heap<A> {
  private readonly xs: Array<Scheduled<A>> = []
  private seq = 0

  get size(): number {
    return this.xs.length
  }

  push(at: number, item: A): void {
    const x: Scheduled<A> = { at, seq: this.seq++, item }
    const xs = this.xs
    let j = xs.length
    xs.push(x)
    while (j > 0) {
      const p = (j - 1) >> 1
      const parent = xs[p]!
      if (!before(x, parent)) break
      xs[j] = parent
      j = p
    }
    xs[j] = x
  }

  /** Takes an insertion number without pushing, for an item kept elsewhere (a timer) to compare with. */
  reserve(): number {
    return this.seq++
  }

  peek(): Scheduled<A> | undefined {
    return this.xs[0]
  }

  pop(): Scheduled<A> | undefined {
    const xs = this.xs
    const top = xs[0]
    const last = xs.pop()
    if (top === undefined || last === undefined || xs.length === 0) return top
    let j = 0
    const n = xs.length
    for (;;) {
      const l = 2 * j + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(xs[r]!, xs[l]!) ? r : l
      if (!before(xs[c]!, last)) break
      xs[j] = xs[c]!
      j = c
    }
    xs[j] = last
    return top
  }
}
