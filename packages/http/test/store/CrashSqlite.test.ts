/** The crash run (Crash.ts) on SQLite. */
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { StoreSqlite } from "../../src/store/Layers.js"
import { bin, crashRun } from "./Crash.js"

describe("Crash on SQLite", () => {
  beforeAll(() => {
    if (!existsSync(bin))
      throw new Error(`the crash tests run the compiled emulator: run \`tsc -b\` first (${bin})`)
  })

  it("STORE-1 DLV-1 DLV-2 DLV-4: SIGKILL at 20+ points of a run (before and after commits, mid-delivery, between requests) loses no accepted request and no callback", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mpc-kit-crash-"))
    try {
      const kills = await crashRun({ MPC_DATA_DIR: dir }, () => StoreSqlite(dir))
      expect(kills.delivery).toBeGreaterThan(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 300_000)
})
