import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

/**
 * Tests run against the sources, not the compiled `dist`, so no build step is needed first: every
 * entry point of the three packages resolves through its `@mpc-kit/source` export condition, a name
 * only the workspace's own tooling sets (tsconfig's `customConditions` does the same for `tsc`).
 */
const sourceAliases = ["domain", "sim", "http"].flatMap((pkg) => {
  const dir = new URL(`./packages/${pkg}/`, import.meta.url)
  const { exports } = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as {
    exports: Record<string, string | Record<string, string>>
  }
  return Object.entries(exports).flatMap(([subpath, target]) => {
    const source = typeof target === "string" ? undefined : target["@mpc-kit/source"]
    if (source === undefined) return []
    // A subpath pattern (`./store/*`) matches one module of that folder.
    const name = `@mpc-kit/${pkg}${subpath.slice(1)}`.replace(/[/.]/g, "\\$&").replace("*", "([^/]+)")
    const replacement = fileURLToPath(new URL(source.replace("*", "__module__"), dir)).replace(
      "__module__",
      "$1"
    )
    return [{ find: new RegExp(`^${name}$`), replacement }]
  })
})

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/build/**"],
    // The property suites run thousands of cases: give slow machines room.
    testTimeout: 60_000,
    reporters: ["default"]
  }
})
