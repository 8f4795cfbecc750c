/**
 * CB-3: the timestamp format of every callback and resource, `YYYY-MM-DD HH:mm:ss+00:00` (UTC).
 *
 * @since 0.1.0
 */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** Calendar date of a day count since 1970-01-01 (Howard Hinnant's civil-from-days algorithm). */
const civil = (days: number): [number, number, number] => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

/**
 * Formats epoch milliseconds, to the second, as `YYYY-MM-DD HH:mm:ss+00:00`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (epochMs: number): string => {
  const s = Math.floor(epochMs / 1000)
  const slot = s & 63
  if (cacheKeys[slot] === s) return cacheTexts[slot]!
  const days = Math.floor(s / 86_400)
  const rest = s - days * 86_400
  const [y, m, d] = civil(days)
  const text = `${y}-${pad2(m)}-${pad2(d)} ${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor((rest % 3600) / 60))}:${pad2(rest % 60)}+00:00`
  cacheKeys[slot] = s
  cacheTexts[slot] = text
  return text
}

// A small memo by second: the callbacks of one event share a few seconds (now, the MPC's creation and
// start), and formatting is the costliest part of building them. It only remembers answers of a pure
// function, so no result depends on it.
const cacheKeys: Array<number> = new Array(64).fill(Number.NaN)
const cacheTexts: Array<string> = new Array(64).fill("")

/**
 * CB-3: the pattern every formatted timestamp matches.
 *
 * @since 0.1.0
 * @category formatting
 */
export const Pattern = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/
