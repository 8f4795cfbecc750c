/**
 * The store on SQLite (the default) or PostgreSQL (STORE-7).
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Store } from "./Store.js"

/** The SQLite file under a data directory (`:memory:` for a throwaway store). */
export const sqliteFile = (dataDir: string): string => {
  if (dataDir === ":memory:") return ":memory:"
  mkdirSync(dataDir, { recursive: true })
  return join(dataDir, "mpc-kit.sqlite")
}

/** STORE-7: the store in `<dataDir>/mpc-kit.sqlite`, or in memory for `:memory:`. */
export const StoreSqlite = (dataDir: string): Layer.Layer<Store> =>
  Store.Default.pipe(
    Layer.provide(Layer.suspend(() => SqliteClient.layer({ filename: sqliteFile(dataDir) }))),
    Layer.orDie
  )

/** STORE-7: the store on the PostgreSQL database at `url` (`DATABASE_URL`). */
export const StorePg = (url: string | Redacted.Redacted<string>): Layer.Layer<Store> =>
  Store.Default.pipe(
    Layer.provide(PgClient.layer({ url: typeof url === "string" ? Redacted.make(url) : url })),
    Layer.orDie
  )
