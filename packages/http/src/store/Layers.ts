/**
 * The store on SQLite (the default) or PostgreSQL (STORE-7). Each client is loaded when its layer
 * is built, so a program that never asks for PostgreSQL need not install it (both are optional
 * peer dependencies).
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Store } from "./Store.js"

/**
 * The SQLite file under a data directory (`:memory:` for a throwaway store).
 *
 * @since 0.1.0
 * @category layers
 */
export const sqliteFile = (dataDir: string): string => {
  if (dataDir === ":memory:") return ":memory:"
  mkdirSync(dataDir, { recursive: true })
  return join(dataDir, "mpc-kit.sqlite")
}

/**
 * SQLite's settings.
 *
 * @since 0.1.0
 * @category layers
 */
export interface SqliteOptions {
  /**
   * STORE-9: `NORMAL` (the default) makes a commit survive the process being killed; `FULL` also
   * survives the machine losing power, at one disk flush per commit.
   */
  readonly synchronous?: "NORMAL" | "FULL" | undefined
}

/**
 * STORE-7: the store in `<dataDir>/mpc-kit.sqlite`, or in memory for `:memory:`.
 *
 * @since 0.1.0
 * @category layers
 */
export const StoreSqlite = (
  dataDir: string,
  options: SqliteOptions = {}
): Layer.Layer<Store | SqlClient.SqlClient> => {
  const client = Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("@effect/sql-sqlite-node/SqliteClient")),
      (SqliteClient) => SqliteClient.layer({ filename: sqliteFile(dataDir) })
    )
  )
  // STORE-9: set before the store runs its migrations (the client holds one connection).
  const pragmas = Layer.effectDiscard(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "FULL" ? "FULL" : "NORMAL"}`)
    )
  )
  return Store.Default.pipe(Layer.provideMerge(Layer.provideMerge(pragmas, client)), Layer.orDie)
}

/**
 * STORE-7: the store on the PostgreSQL database at `url` (`DATABASE_URL`).
 *
 * @since 0.1.0
 * @category layers
 */
export const StorePg = (url: string | Redacted.Redacted<string>): Layer.Layer<Store | SqlClient.SqlClient> =>
  Store.Default.pipe(
    Layer.provideMerge(
      Layer.unwrapEffect(
        Effect.map(
          Effect.promise(() => import("@effect/sql-pg/PgClient")),
          (PgClient) => PgClient.layer({ url: typeof url === "string" ? Redacted.make(url) : url })
        )
      )
    ),
    Layer.orDie
  )

/**
 * Whether SQLite's client (`@effect/sql-sqlite-node` and its native module) can be loaded here.
 *
 * @since 0.2.0
 * @category layers
 */
export const sqliteAvailable = (): Promise<boolean> =>
  import("@effect/sql-sqlite-node/SqliteClient").then(
    (SqliteClient) =>
      // The native module loads when a database is opened: open one in memory and ask it something.
      Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(Layer.build(SqliteClient.layer({ filename: ":memory:" })), (ctx) =>
            Effect.asVoid(Context.get(ctx, SqlClient.SqlClient)`SELECT 1`)
          )
        ).pipe(Effect.exit, Effect.map(Exit.isSuccess))
      ),
    () => false
  )

/**
 * STORE-7: PostgreSQL when `DATABASE_URL` is set, else SQLite under `MPC_DATA_DIR` (default
 * `mpc-data` in the working directory; `:memory:` for a throwaway store).
 *
 * @since 0.1.0
 * @category layers
 */
export const StoreFromConfig: Layer.Layer<Store | SqlClient.SqlClient, never> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const url = yield* Config.option(Config.redacted("DATABASE_URL"))
    const dataDir = yield* Config.withDefault(Config.string("MPC_DATA_DIR"), "mpc-data")
    return Option.match(url, {
      onSome: (u) => StorePg(u),
      onNone: () => StoreSqlite(dataDir)
    })
  }).pipe(Effect.orDie)
)
