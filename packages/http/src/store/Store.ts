/**
 * The emulator's durable store (spec/STORE.md): the event log with snapshots (STORE-1..5), the
 * callback outbox and its dead letters (DLV-1, DLV-7), and the history of ended MPCs (STORE-6),
 * on `@effect/sql`. The same code runs on SQLite and PostgreSQL (STORE-7); `StoreSqlite` and
 * `StorePg` provide the client.
 *
 * One process writes an account at a time (the engine serialises its events): `appendEvents`
 * reads the last sequence number inside its transaction and a concurrent writer would fail on
 * the primary key rather than interleave. Outbox claims are likewise made by one delivery engine.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Command, Event, State } from "@mpc-kit/domain"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Migrations from "./Migrations.js"

/**
 * A store operation failed (the database, or a document that no longer decodes).
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly operation: string
  readonly message: string
}> {}

const EventJson = Schema.parseJson(Event.Event)
const StateJson = Schema.parseJson(State.State)
const CallbackJson = Schema.parseJson(Command.SendCallback)
const encodeEvent = Schema.encode(EventJson)
const decodeEvent = Schema.decode(EventJson)
const encodeState = Schema.encode(StateJson)
const decodeState = Schema.decode(StateJson)
const encodeCallback = Schema.encode(CallbackJson)
const decodeCallback = Schema.decodeSync(CallbackJson)

/**
 * DLV-5: the lane a URL's callbacks are delivered on: its origin (scheme, host, port).
 *
 * @since 0.1.0
 * @category store
 */
export const originOf = (url: string): string => {
  try {
    const origin = new URL(url).origin
    return origin === "null" ? `invalid:${url}` : origin
  } catch {
    return `invalid:${url}`
  }
}

/**
 * An event as logged.
 *
 * @since 0.1.0
 * @category store
 */
export interface LoggedEvent {
  readonly seq: number
  readonly event: Event.Event
}

/**
 * The latest snapshot of an account.
 *
 * @since 0.1.0
 * @category store
 */
export interface Snapshot {
  readonly seq: number
  readonly state: State.State
  /** STORE-5: the timers pending at `seq`, by id, with their absolute due times (epoch ms). */
  readonly timers: ReadonlyArray<readonly [string, number]>
}

/**
 * What `appendEvents` committed.
 *
 * @since 0.1.0
 * @category store
 */
export interface Appended {
  /** The sequence number of the last event appended (the previous last one if there were none). */
  readonly seq: number
  /** The outbox ids of the callbacks, in the order given. */
  readonly outboxIds: ReadonlyArray<number>
}

/**
 * A callback waiting in the outbox.
 *
 * @since 0.1.0
 * @category store
 */
export interface OutboxItem {
  readonly id: number
  readonly account: string
  readonly mpcUuid: string
  readonly url: string
  readonly origin: string
  /** DLV-4: the position in its lane (account, MPC, URL). */
  readonly laneSeq: number
  /** The event that produced it. */
  readonly eventSeq: number
  readonly callback: Command.SendCallback
  /** When it was written (epoch ms): the retry horizon counts from here (DLV-7). */
  readonly createdAt: number
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastError: string | undefined
}

/**
 * A callback given up on (DLV-7).
 *
 * @since 0.1.0
 * @category store
 */
export interface DeadLetter {
  readonly id: number
  readonly account: string
  readonly mpcUuid: string
  readonly url: string
  readonly origin: string
  readonly laneSeq: number
  readonly callback: Command.SendCallback
  readonly createdAt: number
  readonly attempts: number
  readonly deadAt: number
  readonly reason: string
}

/**
 * An ended MPC as kept for reads (STORE-6); the documents are the shell's own JSON.
 *
 * @since 0.1.0
 * @category store
 */
export interface HistoryEntry {
  readonly account: string
  readonly mpcUuid: string
  readonly name: string
  readonly status: string
  readonly terminationCauseCode: string | undefined
  readonly creationTime: number
  readonly endTime: number | undefined
  readonly mpc: unknown
  readonly members: unknown
  readonly trace: unknown
}

/**
 * Bounds on a time column (epoch ms), as the list endpoints' `__gt`, `__gte`, `__lt`, `__lte`.
 *
 * @since 0.1.0
 * @category store
 */
export interface TimeRange {
  readonly gt?: number | undefined
  readonly gte?: number | undefined
  readonly lt?: number | undefined
  readonly lte?: number | undefined
}

/**
 * The list endpoints' filters (all optional, combined with AND).
 *
 * @since 0.1.0
 * @category store
 */
export interface HistoryFilter {
  readonly name?: string | undefined
  readonly status?: string | undefined
  readonly terminationCauseCode?: string | undefined
  readonly creationTime?: TimeRange | undefined
  readonly endTime?: TimeRange | undefined
}

/**
 * A page: `limit` rows after skipping `offset`, as Plivo's list endpoints page.
 *
 * @since 0.1.0
 * @category store
 */
export interface Page {
  readonly limit: number
  readonly offset: number
}

/**
 * One page of a list and the count of all matching rows.
 *
 * @since 0.1.0
 * @category store
 */
export interface Paged<A> {
  readonly total: number
  readonly items: ReadonlyArray<A>
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v))
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v))
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v))

type Row = Record<string, unknown>

const toOutboxItem = (r: Row): OutboxItem => ({
  id: num(r.id),
  account: String(r.account),
  mpcUuid: String(r.mpc_uuid),
  url: String(r.url),
  origin: String(r.origin),
  laneSeq: num(r.lane_seq),
  eventSeq: num(r.event_seq),
  callback: decodeCallback(String(r.payload)),
  createdAt: num(r.created_at),
  attempts: num(r.attempts),
  nextAttemptAt: num(r.next_attempt_at),
  lastError: optStr(r.last_error)
})

const toDeadLetter = (r: Row): DeadLetter => ({
  id: num(r.id),
  account: String(r.account),
  mpcUuid: String(r.mpc_uuid),
  url: String(r.url),
  origin: String(r.origin),
  laneSeq: num(r.lane_seq),
  callback: decodeCallback(String(r.payload)),
  createdAt: num(r.created_at),
  attempts: num(r.attempts),
  deadAt: num(r.dead_at),
  reason: String(r.reason)
})

const toHistory = (r: Row): HistoryEntry => ({
  account: String(r.account),
  mpcUuid: String(r.mpc_uuid),
  name: String(r.name),
  status: String(r.status),
  terminationCauseCode: optStr(r.termination_cause_code),
  creationTime: num(r.creation_time),
  endTime: optNum(r.end_time),
  mpc: JSON.parse(String(r.mpc)),
  members: JSON.parse(String(r.members)),
  trace: JSON.parse(String(r.trace))
})

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* Migrations.run.pipe(Effect.orDie)

  const wrap =
    (operation: string) =>
    <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, StoreError, R> =>
      Effect.mapError(
        self,
        (e) =>
          new StoreError({
            operation,
            message: e instanceof Error ? e.message : String(e)
          })
      )

  /** STORE-1, STORE-2, DLV-1: the events and the callbacks they produced, in one transaction. */
  const appendEvents = (
    account: string,
    events: ReadonlyArray<Event.Event>,
    callbacks: ReadonlyArray<Command.SendCallback>
  ): Effect.Effect<Appended, StoreError> =>
    Effect.gen(function* () {
      const encoded = yield* Effect.forEach(events, (e) => encodeEvent(e))
      const now = yield* Clock.currentTimeMillis
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const [last] = yield* sql<Row>`SELECT MAX(seq) AS seq FROM mpc_events WHERE account = ${account}`
          const first = (optNum(last?.seq) ?? 0) + 1
          if (encoded.length > 0)
            yield* sql`INSERT INTO mpc_events ${sql.insert(
              encoded.map((event, i) => ({ account, seq: first + i, event }))
            )}`
          const seq = first + encoded.length - 1
          const laneTails = new Map<string, number>()
          const rows: Array<Row> = []
          for (const cb of callbacks) {
            const key = `${cb.mpcUuid}\u0000${cb.url}`
            let tail = laneTails.get(key)
            if (tail === undefined) {
              const [r] =
                yield* sql<Row>`SELECT MAX(lane_seq) AS s FROM mpc_outbox WHERE account = ${account} AND mpc_uuid = ${cb.mpcUuid} AND url = ${cb.url}`
              tail = optNum(r?.s) ?? 0
            }
            laneTails.set(key, tail + 1)
            rows.push({
              account,
              mpc_uuid: cb.mpcUuid,
              url: cb.url,
              origin: originOf(cb.url),
              lane_seq: tail + 1,
              event_seq: seq,
              payload: yield* encodeCallback(cb),
              created_at: now,
              attempts: 0,
              next_attempt_at: now,
              status: "pending"
            })
          }
          const ids =
            rows.length === 0 ? [] : yield* sql<Row>`INSERT INTO mpc_outbox ${sql.insert(rows)} RETURNING id`
          return { seq, outboxIds: ids.map((r) => num(r.id)) }
        })
      )
    }).pipe(wrap("appendEvents"))

  /** STORE-4: the initial state of the account (snapshot 0), if recorded. */
  const firstSnapshot = (account: string): Effect.Effect<Option.Option<Snapshot>, StoreError> =>
    Effect.gen(function* () {
      const [r] =
        yield* sql<Row>`SELECT seq, state, timers FROM mpc_snapshots WHERE account = ${account} AND seq = 0`
      if (r === undefined) return Option.none()
      const state = yield* decodeState(String(r.state))
      return Option.some({ seq: 0, state, timers: [] })
    }).pipe(wrap("firstSnapshot"))

  /** STORE-4: the latest snapshot of the account, if any. */
  const latestSnapshot = (account: string): Effect.Effect<Option.Option<Snapshot>, StoreError> =>
    Effect.gen(function* () {
      const [r] =
        yield* sql<Row>`SELECT seq, state, timers FROM mpc_snapshots WHERE account = ${account} ORDER BY seq DESC LIMIT 1`
      if (r === undefined) return Option.none()
      const state = yield* decodeState(String(r.state))
      const timers = r.timers === null || r.timers === undefined ? [] : JSON.parse(String(r.timers))
      return Option.some({ seq: num(r.seq), state, timers })
    }).pipe(wrap("latestSnapshot"))

  /** STORE-3: the events after `seq`, in order. */
  const eventsAfter = (account: string, seq: number): Effect.Effect<ReadonlyArray<LoggedEvent>, StoreError> =>
    Effect.gen(function* () {
      const rows =
        yield* sql<Row>`SELECT seq, event FROM mpc_events WHERE account = ${account} AND seq > ${seq} ORDER BY seq`
      return yield* Effect.forEach(rows, (r) =>
        Effect.map(decodeEvent(String(r.event)), (event) => ({ seq: num(r.seq), event }))
      )
    }).pipe(wrap("eventsAfter"))

  /** STORE-4: records the state as of `seq`; older snapshots of the account are dropped. */
  const writeSnapshot = (
    account: string,
    seq: number,
    state: State.State,
    timers: ReadonlyArray<readonly [string, number]> = []
  ): Effect.Effect<void, StoreError> =>
    Effect.gen(function* () {
      const encoded = yield* encodeState(state)
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`DELETE FROM mpc_snapshots WHERE account = ${account} AND seq = ${seq}`
          yield* sql`INSERT INTO mpc_snapshots ${sql.insert({ account, seq, state: encoded, timers: JSON.stringify(timers) })}`
          // Snapshot 0 (the account's initial state) stays: the whole log can always be replayed.
          yield* sql`DELETE FROM mpc_snapshots WHERE account = ${account} AND seq < ${seq} AND seq > 0`
        })
      )
    }).pipe(wrap("writeSnapshot"))

  /** The accounts that have events (the engine rebuilds each on start). */
  const accounts: Effect.Effect<ReadonlyArray<string>, StoreError> = sql<Row>`
    SELECT DISTINCT account FROM mpc_events ORDER BY account`.pipe(
    Effect.map((rows) => rows.map((r) => String(r.account))),
    wrap("accounts")
  )

  // DLV-4: an item is a lane's head when nothing earlier of its lane is left in the outbox.
  const isHead = sql.literal(
    "NOT EXISTS (SELECT 1 FROM mpc_outbox p WHERE p.account = o.account AND p.mpc_uuid = o.mpc_uuid AND p.url = o.url AND p.lane_seq < o.lane_seq)"
  )

  /** DLV-4, DLV-5: claims up to `limit` lane heads of `origin` due at `now` (marked in flight). */
  const claim = (
    origin: string,
    now: number,
    limit: number
  ): Effect.Effect<ReadonlyArray<OutboxItem>, StoreError> =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          const rows = yield* sql<Row>`SELECT o.* FROM mpc_outbox o
            WHERE o.origin = ${origin} AND o.status = 'pending' AND o.next_attempt_at <= ${now} AND ${isHead}
            ORDER BY o.next_attempt_at, o.id LIMIT ${limit}`
          if (rows.length > 0)
            yield* sql`UPDATE mpc_outbox SET status = 'inflight' WHERE ${sql.in(
              "id",
              rows.map((r) => r.id)
            )}`
          return rows.map(toOutboxItem)
        })
      )
      .pipe(wrap("claim"))

  /** When the next head of `origin` falls due, if one waits (heads in flight excluded). */
  const nextDue = (origin: string): Effect.Effect<Option.Option<number>, StoreError> =>
    sql<Row>`SELECT MIN(o.next_attempt_at) AS due FROM mpc_outbox o
      WHERE o.origin = ${origin} AND o.status = 'pending' AND ${isHead}`.pipe(
      Effect.map(([r]) => Option.fromNullable(optNum(r?.due))),
      wrap("nextDue")
    )

  /** Origins with callbacks in the outbox. */
  const origins: Effect.Effect<ReadonlyArray<string>, StoreError> = sql<Row>`
    SELECT DISTINCT origin FROM mpc_outbox ORDER BY origin`.pipe(
    Effect.map((rows) => rows.map((r) => String(r.origin))),
    wrap("origins")
  )

  /** After a restart: claims of the previous process go back to pending (DLV-2). */
  const releaseClaims: Effect.Effect<number, StoreError> = Effect.gen(function* () {
    const rows =
      yield* sql<Row>`UPDATE mpc_outbox SET status = 'pending' WHERE status = 'inflight' RETURNING id`
    return rows.length
  }).pipe(wrap("releaseClaims"))

  /** DLV-1: the receiver acknowledged: the callback leaves the outbox. */
  const ack = (id: number): Effect.Effect<void, StoreError> =>
    sql`DELETE FROM mpc_outbox WHERE id = ${id}`.pipe(Effect.asVoid, wrap("ack"))

  /** DLV-6, DLV-10: the attempt failed; try again at `nextAttemptAt`, keeping only a summary. */
  const fail = (id: number, nextAttemptAt: number, error: string): Effect.Effect<void, StoreError> =>
    sql`UPDATE mpc_outbox SET status = 'pending', attempts = attempts + 1,
      next_attempt_at = ${nextAttemptAt}, last_error = ${error} WHERE id = ${id}`.pipe(
      Effect.asVoid,
      wrap("fail")
    )

  /** DLV-7, DLV-8: moves the callback to the dead letters, counting the attempt that ended it. */
  const deadLetter = (id: number, reason: string): Effect.Effect<void, StoreError> =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO mpc_dead_letters
            (id, account, mpc_uuid, url, origin, lane_seq, payload, created_at, attempts, dead_at, reason)
            SELECT id, account, mpc_uuid, url, origin, lane_seq, payload, created_at, attempts + 1, ${now}, ${reason}
            FROM mpc_outbox WHERE id = ${id}`
          yield* sql`DELETE FROM mpc_outbox WHERE id = ${id}`
        })
      )
    }).pipe(wrap("deadLetter"))

  /** The outbox's rows, oldest first (for tests and the emulator's lists). */
  const outbox = (page: Page): Effect.Effect<Paged<OutboxItem>, StoreError> =>
    Effect.gen(function* () {
      const [c] = yield* sql<Row>`SELECT COUNT(*) AS n FROM mpc_outbox`
      const rows =
        yield* sql<Row>`SELECT * FROM mpc_outbox ORDER BY id LIMIT ${page.limit} OFFSET ${page.offset}`
      return { total: num(c?.n ?? 0), items: rows.map(toOutboxItem) }
    }).pipe(wrap("outbox"))

  /** DLV-7: the dead letters, oldest first, optionally of one account. */
  const deadLetters = (
    page: Page,
    account?: string | undefined
  ): Effect.Effect<Paged<DeadLetter>, StoreError> =>
    Effect.gen(function* () {
      const where = account === undefined ? sql.literal("1 = 1") : sql`account = ${account}`
      const [c] = yield* sql<Row>`SELECT COUNT(*) AS n FROM mpc_dead_letters WHERE ${where}`
      const rows =
        yield* sql<Row>`SELECT * FROM mpc_dead_letters WHERE ${where} ORDER BY id LIMIT ${page.limit} OFFSET ${page.offset}`
      return { total: num(c?.n ?? 0), items: rows.map(toDeadLetter) }
    }).pipe(wrap("deadLetters"))

  /** STORE-6: records (or replaces) an ended MPC. */
  const putHistory = (entry: HistoryEntry): Effect.Effect<void, StoreError> =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`DELETE FROM mpc_history WHERE account = ${entry.account} AND mpc_uuid = ${entry.mpcUuid}`
          yield* sql`INSERT INTO mpc_history ${sql.insert({
            account: entry.account,
            mpc_uuid: entry.mpcUuid,
            name: entry.name,
            status: entry.status,
            termination_cause_code: entry.terminationCauseCode ?? null,
            creation_time: entry.creationTime,
            end_time: entry.endTime ?? null,
            mpc: JSON.stringify(entry.mpc),
            members: JSON.stringify(entry.members),
            trace: JSON.stringify(entry.trace)
          })}`
        })
      )
      .pipe(wrap("putHistory"))

  /** STORE-6: an ended MPC by UUID. */
  const getHistory = (
    account: string,
    mpcUuid: string
  ): Effect.Effect<Option.Option<HistoryEntry>, StoreError> =>
    sql<Row>`SELECT * FROM mpc_history WHERE account = ${account} AND mpc_uuid = ${mpcUuid}`.pipe(
      Effect.map(([r]) => (r === undefined ? Option.none() : Option.some(toHistory(r)))),
      wrap("getHistory")
    )

  const range = (column: string, r: TimeRange | undefined) => {
    if (r === undefined) return []
    const col = sql.literal(column)
    const out = []
    if (r.gt !== undefined) out.push(sql`${col} > ${r.gt}`)
    if (r.gte !== undefined) out.push(sql`${col} >= ${r.gte}`)
    if (r.lt !== undefined) out.push(sql`${col} < ${r.lt}`)
    if (r.lte !== undefined) out.push(sql`${col} <= ${r.lte}`)
    return out
  }

  /** STORE-6: ended MPCs matching `filter`, newest creation first, one page. */
  const listHistory = (
    account: string,
    filter: HistoryFilter,
    page: Page
  ): Effect.Effect<Paged<HistoryEntry>, StoreError> =>
    Effect.gen(function* () {
      const where = sql.and([
        sql`account = ${account}`,
        ...(filter.name === undefined ? [] : [sql`name = ${filter.name}`]),
        ...(filter.status === undefined ? [] : [sql`status = ${filter.status}`]),
        ...(filter.terminationCauseCode === undefined
          ? []
          : [sql`termination_cause_code = ${filter.terminationCauseCode}`]),
        ...range("creation_time", filter.creationTime),
        ...range("end_time", filter.endTime)
      ])
      const [c] = yield* sql<Row>`SELECT COUNT(*) AS n FROM mpc_history WHERE ${where}`
      const rows = yield* sql<Row>`SELECT * FROM mpc_history WHERE ${where}
        ORDER BY creation_time DESC, mpc_uuid LIMIT ${page.limit} OFFSET ${page.offset}`
      return { total: num(c?.n ?? 0), items: rows.map(toHistory) }
    }).pipe(wrap("listHistory"))

  return {
    appendEvents,
    latestSnapshot,
    firstSnapshot,
    eventsAfter,
    writeSnapshot,
    accounts,
    claim,
    nextDue,
    origins,
    releaseClaims,
    ack,
    fail,
    deadLetter,
    outbox,
    deadLetters,
    putHistory,
    getHistory,
    listHistory
  } as const
})

/**
 * The store over whichever `SqlClient` is provided (see `StoreSqlite`, `StorePg`).
 *
 * @since 0.1.0
 * @category services
 */
export class Store extends Effect.Service<Store>()("@mpc-kit/http/Store", {
  effect: make
}) {}

/**
 * The error of `@effect/sql` that a failed query gives, re-exported for the store's signatures.
 *
 * @since 0.1.0
 * @category errors
 */
export type { SqlError }
