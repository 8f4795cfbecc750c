import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, not the compiled `dist`, so no build step is needed first.
    alias: {
      "@mpc-kit/domain": src("domain"),
      "@mpc-kit/sim": src("sim"),
      "@mpc-kit/http": src("http")
    }
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "**/build/**"],
    // The property suites run thousands of cases: give slow machines room.
    testTimeout: 60_000,
    reporters: ["default"]
  }
})
