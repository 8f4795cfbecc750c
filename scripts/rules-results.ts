/**
 * Reads vitest's JSON report (`--reporter=json --outputFile.json=build/vitest.json`) into the tests
 * of the run: file relative to the repository root, full name, status. Pure: the caller parses the
 * file's text with `JSON.parse` and passes the value.
 */
import type { TestRef } from "./rules.js"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** `path` relative to `root`, `/`-separated; a path outside `root` is kept as given. */
export const relativeTo = (root: string, path: string): string => {
  const r = root.replaceAll("\\", "/").replace(/\/+$/, "")
  const p = path.replaceAll("\\", "/")
  return p.startsWith(`${r}/`) ? p.slice(r.length + 1) : p
}

/**
 * The tests of a vitest JSON report, or a message saying which part of it has an unexpected shape.
 * A test's name is its describe blocks and its own title joined by ` > `.
 */
export const testsOf = (report: unknown, root: string): ReadonlyArray<TestRef> | string => {
  if (!isRecord(report) || !Array.isArray(report.testResults))
    return "not a vitest JSON report: no testResults array"
  const tests: Array<TestRef> = []
  for (const [i, file] of report.testResults.entries()) {
    if (!isRecord(file) || typeof file.name !== "string" || !Array.isArray(file.assertionResults))
      return `testResults.${i}: expected {name, assertionResults}`
    const path = relativeTo(root, file.name)
    for (const [j, a] of file.assertionResults.entries()) {
      const at = `testResults.${i}.assertionResults.${j}`
      if (!isRecord(a) || typeof a.title !== "string" || typeof a.status !== "string")
        return `${at}: expected {title, status}`
      const ancestors = Array.isArray(a.ancestorTitles) ? a.ancestorTitles : []
      if (!ancestors.every((t): t is string => typeof t === "string"))
        return `${at}.ancestorTitles: expected strings`
      tests.push({ file: path, name: [...ancestors, a.title].join(" > "), status: a.status })
    }
  }
  return tests
}
