/** The crash run (Crash.ts) on PostgreSQL (a throwaway server, STORE-8). */
import { existsSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { StorePg } from "../../src/store/Layers.js"
import { bin, crashRun } from "./Crash.js"
import { type PgServer, startPostgres } from "./Postgres.js"

describe("Crash on PostgreSQL", () => {
  let pg: PgServer | undefined
  beforeAll(async () => {
    if (!existsSync(bin))
      throw new Error(`the crash tests run the compiled emulator: run \`tsc -b\` first (${bin})`)
    pg = await startPostgres()
  }, 60_000)
  afterAll(() => pg?.stop())

  it("STORE-1 STORE-7 DLV-1 DLV-2 DLV-4: SIGKILL at 20+ points of a run on PostgreSQL loses no accepted request and no callback", async () => {
    const url = pg!.createDatabase("crash")
    const kills = await crashRun({ DATABASE_URL: url }, () => StorePg(url))
    expect(kills.delivery).toBeGreaterThan(0)
  }, 300_000)
})
