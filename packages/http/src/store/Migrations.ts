/**
 * The store's schema, as numbered migrations run by `@effect/sql`'s migrator on SQLite and
 * PostgreSQL alike (STORE-7). Integers that hold epoch milliseconds or sequence numbers are
 * `BIGINT`; JSON documents are `TEXT` (encoded with the domain's schemas).
 *
 * @since 0.1.0
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

const initial = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const serial = sql.onDialectOrElse({
    pg: () => sql.literal("BIGSERIAL PRIMARY KEY"),
    orElse: () => sql.literal("INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  // STORE-2: one row per accepted event, gap-free `seq` per account.
  yield* sql`CREATE TABLE mpc_events (
    account TEXT NOT NULL,
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (account, seq)
  )`
  // STORE-4: the account's whole state as of `seq`.
  yield* sql`CREATE TABLE mpc_snapshots (
    account TEXT NOT NULL,
    seq BIGINT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (account, seq)
  )`
  // DLV-1: callbacks not yet acknowledged. A lane is (account, mpc_uuid, url); `lane_seq` orders it.
  yield* sql`CREATE TABLE mpc_outbox (
    id ${serial},
    account TEXT NOT NULL,
    mpc_uuid TEXT NOT NULL,
    url TEXT NOT NULL,
    origin TEXT NOT NULL,
    lane_seq BIGINT NOT NULL,
    event_seq BIGINT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
  )`
  yield* sql`CREATE UNIQUE INDEX mpc_outbox_lane ON mpc_outbox (account, mpc_uuid, url, lane_seq)`
  yield* sql`CREATE INDEX mpc_outbox_due ON mpc_outbox (origin, status, next_attempt_at)`
  // DLV-7: callbacks given up on, kept for `/emulator/v1/`.
  yield* sql`CREATE TABLE mpc_dead_letters (
    id BIGINT PRIMARY KEY,
    account TEXT NOT NULL,
    mpc_uuid TEXT NOT NULL,
    url TEXT NOT NULL,
    origin TEXT NOT NULL,
    lane_seq BIGINT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    dead_at BIGINT NOT NULL,
    reason TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX mpc_dead_letters_account ON mpc_dead_letters (account, id)`
  // STORE-6: ended MPCs, with the list endpoints' filters as indexed columns.
  yield* sql`CREATE TABLE mpc_history (
    account TEXT NOT NULL,
    mpc_uuid TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    termination_cause_code TEXT,
    creation_time BIGINT NOT NULL,
    end_time BIGINT,
    mpc TEXT NOT NULL,
    members TEXT NOT NULL,
    trace TEXT NOT NULL,
    PRIMARY KEY (account, mpc_uuid)
  )`
  yield* sql`CREATE INDEX mpc_history_name ON mpc_history (account, name)`
  yield* sql`CREATE INDEX mpc_history_status ON mpc_history (account, status)`
  yield* sql`CREATE INDEX mpc_history_cause ON mpc_history (account, termination_cause_code)`
  yield* sql`CREATE INDEX mpc_history_creation ON mpc_history (account, creation_time)`
  yield* sql`CREATE INDEX mpc_history_end ON mpc_history (account, end_time)`
})

// STORE-5: a snapshot also holds the pending timers (absolute due times, JSON `[[id, at], ...]`).
const snapshotTimers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE mpc_snapshots ADD COLUMN timers TEXT`
})

// DLV-2, DLV-5: the delivery engine loads an origin's callbacks oldest first.
const outboxByOrigin = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX mpc_outbox_origin ON mpc_outbox (origin, id)`
})

/**
 * Runs the migrations not yet applied (recorded in `mpc_migrations`).
 *
 * @since 0.1.0
 * @category store
 */
export const run = Migrator.make({})({
  loader: Migrator.fromRecord({
    "1_initial": initial,
    "2_snapshot_timers": snapshotTimers,
    "3_outbox_by_origin": outboxByOrigin
  }),
  table: "mpc_migrations"
})
