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
import { Command, Event, State, Trace } from "@mpc-kit/domain"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Filter, RetiredMpc } from "../History.js"
import * as Json from "./Json.js"
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
const decodeEvent = Schema.decode(EventJson)
const encodeState = Schema.encode(StateJson)
const decodeState = Schema.decode(StateJson)
const encodeCallback = Json.encoder(Command.SendCallback)
const decodeCallback = Schema.decodeSync(CallbackJson)
const encodeEventSync = Json.encoder(Event.Event)
const MpcJson = Schema.parseJson(State.Mpc)
const TraceJson = Schema.parseJson(Schema.Array(Trace.TraceEntry))
const encodeMpc = Json.encoder(State.Mpc)
const decodeMpc = Schema.decodeSync(MpcJson)
const encodeTrace = Json.encoder(Schema.Array(Trace.TraceEntry))
const decodeTrace = Schema.decodeSync(TraceJson)

/** DLV-4: a lane position from the commit's last event and the callback's place in the commit. */
const laneSpan = 2 ** 20
/** Rows per INSERT statement (under SQLite's bound-parameter limit). */
const chunk = 400
const chunks = <A>(xs: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += chunk) out.push(xs.slice(i, i + chunk))
  return out
}

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
  /**
   * The callbacks as written to the outbox, in the order given (what the delivery engine queues).
   *
   * @since 0.2.0
   */
  readonly items: ReadonlyArray<OutboxItem>
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
 * What one commit appends besides its events and callbacks.
 *
 * @since 0.2.0
 * @category store
 */
export interface AppendOptions {
  /** STORE-10: the MPCs the events ended, written to the history in the same transaction. */
  readonly retired?: ReadonlyArray<RetiredMpc> | undefined
  /**
   * The sequence number the first event takes, when the writer knows it (the journal does); without
   * it the store reads the last one.
   */
  readonly first?: number | undefined
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

/** The columns the outbox and the dead letters share (a dead letter is an outbox row moved). */
const callbackRow = (r: Row) => ({
  id: num(r.id),
  account: String(r.account),
  mpcUuid: String(r.mpc_uuid),
  url: String(r.url),
  origin: String(r.origin),
  laneSeq: num(r.lane_seq),
  callback: decodeCallback(String(r.payload)),
  createdAt: num(r.created_at),
  attempts: num(r.attempts)
})

const toOutboxItem = (r: Row): OutboxItem => ({
  ...callbackRow(r),
  eventSeq: num(r.event_seq),
  nextAttemptAt: num(r.next_attempt_at),
  lastError: optStr(r.last_error)
})

const toDeadLetter = (r: Row): DeadLetter => ({
  ...callbackRow(r),
  deadAt: num(r.dead_at),
  reason: String(r.reason)
})

const toRetired = (r: Row): RetiredMpc => ({
  account: String(r.account),
  mpc: decodeMpc(String(r.mpc)),
  trace: decodeTrace(String(r.trace))
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

  /**
   * STORE-1, STORE-2, DLV-1, STORE-10, STORE-11: the events, the callbacks they produced and the MPCs they
   * ended, in one transaction. A callback's lane position (DLV-4) comes from the commit's last event
   * and its place in the commit, so no lane is read back.
   */
  const appendEvents = (
    account: string,
    events: ReadonlyArray<Event.Event>,
    callbacks: ReadonlyArray<Command.SendCallback>,
    options: AppendOptions = {}
  ): Effect.Effect<Appended, StoreError> =>
    Effect.gen(function* () {
      if (callbacks.length > 0 && events.length === 0)
        return yield* Effect.die(new Error("appendEvents: callbacks without the event that produced them"))
      const encoded = events.map((e) => encodeEventSync(e))
      const payloads = callbacks.map((c) => encodeCallback(c))
      const retired = (options.retired ?? []).map((e) => ({
        account: e.account,
        mpc_uuid: e.mpc.uuid,
        name: e.mpc.name,
        status: e.mpc.status.toLowerCase(),
        termination_cause_code: e.mpc.termination === undefined ? null : String(e.mpc.termination.code),
        creation_time: e.mpc.createdAt,
        end_time: e.mpc.endedAt ?? null,
        mpc: encodeMpc(e.mpc),
        members: "[]",
        trace: encodeTrace(e.trace)
      }))
      const now = yield* Clock.currentTimeMillis
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          let first = options.first
          if (first === undefined) {
            const [last] = yield* sql<Row>`SELECT MAX(seq) AS seq FROM mpc_events WHERE account = ${account}`
            first = (optNum(last?.seq) ?? 0) + 1
          }
          const from = first
          for (const part of chunks(encoded.map((event, i) => ({ account, seq: from + i, event }))))
            yield* sql`INSERT INTO mpc_events ${sql.insert(part)}`
          const seq = first + encoded.length - 1
          const rows = callbacks.map((cb, i) => ({
            account,
            mpc_uuid: cb.mpcUuid,
            url: cb.url,
            origin: originOf(cb.url),
            lane_seq: seq * laneSpan + i,
            event_seq: seq,
            payload: payloads[i]!,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            status: "pending"
          }))
          const ids: Array<number> = []
          for (const part of chunks(rows))
            for (const r of yield* sql<Row>`INSERT INTO mpc_outbox ${sql.insert(part)} RETURNING id`)
              ids.push(num(r.id))
          for (const part of chunks(retired)) yield* sql`INSERT INTO mpc_history ${sql.insert(part)}`
          const items = rows.map(
            (r, i): OutboxItem => ({
              id: ids[i]!,
              account,
              mpcUuid: r.mpc_uuid,
              url: r.url,
              origin: r.origin,
              laneSeq: r.lane_seq,
              eventSeq: seq,
              callback: callbacks[i]!,
              createdAt: now,
              attempts: 0,
              nextAttemptAt: now,
              lastError: undefined
            })
          )
          return { seq, outboxIds: ids, items }
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

  /** DLV-1: several acknowledged callbacks leave the outbox at once (the delivery engine batches them). */
  const ackMany = (ids: ReadonlyArray<number>): Effect.Effect<void, StoreError> =>
    ids.length === 0
      ? Effect.void
      : Effect.forEach(chunks(ids), (part) => sql`DELETE FROM mpc_outbox WHERE ${sql.in("id", part)}`, {
          discard: true
        }).pipe(wrap("ackMany"))

  /**
   * DLV-2, DLV-5: the oldest `limit` callbacks of `origin` still in the outbox, by id (what the
   * delivery engine loads when it starts, or when it left some in the store to bound its memory).
   */
  const pendingOf = (origin: string, limit: number): Effect.Effect<ReadonlyArray<OutboxItem>, StoreError> =>
    sql<Row>`SELECT * FROM mpc_outbox WHERE origin = ${origin} ORDER BY id LIMIT ${limit}`.pipe(
      Effect.map((rows) => rows.map(toOutboxItem)),
      wrap("pendingOf")
    )

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

  /** STORE-6: an ended MPC by UUID. */
  const getHistory = (account: string, mpcUuid: string): Effect.Effect<RetiredMpc | undefined, StoreError> =>
    sql<Row>`SELECT account, mpc, trace FROM mpc_history WHERE account = ${account} AND mpc_uuid = ${mpcUuid}`.pipe(
      Effect.map(([r]) => (r === undefined ? undefined : toRetired(r))),
      wrap("getHistory")
    )

  /** STORE-6: the latest ended MPC of a friendly name. */
  const latestByName = (account: string, name: string): Effect.Effect<RetiredMpc | undefined, StoreError> =>
    sql<Row>`SELECT account, mpc, trace FROM mpc_history WHERE account = ${account} AND name = ${name}
      ORDER BY creation_time DESC, mpc_uuid LIMIT 1`.pipe(
      Effect.map(([r]) => (r === undefined ? undefined : toRetired(r))),
      wrap("latestByName")
    )

  const ops = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const

  /** STORE-6: ended MPCs of these accounts matching `filter`, newest creation first, one page. */
  const listHistory = (
    accounts: ReadonlyArray<string>,
    filter: Filter,
    page: Page
  ): Effect.Effect<Paged<RetiredMpc>, StoreError> =>
    Effect.gen(function* () {
      if (accounts.length === 0 || (filter.status !== undefined && filter.status !== "ended"))
        return { total: 0, items: [] }
      const where = sql.and([
        sql.in("account", accounts),
        ...(filter.friendlyName === undefined ? [] : [sql`name = ${filter.friendlyName}`]),
        ...(filter.terminationCauseCode === undefined
          ? []
          : [sql`termination_cause_code = ${String(filter.terminationCauseCode)}`]),
        ...(filter.bounds ?? []).map(
          (b) =>
            sql`${sql.literal(b.field === "creation" ? "creation_time" : "end_time")} ${sql.literal(ops[b.op])} ${b.at}`
        )
      ])
      const [c] = yield* sql<Row>`SELECT COUNT(*) AS n FROM mpc_history WHERE ${where}`
      const total = num(c?.n ?? 0)
      if (page.limit <= 0 || page.offset >= total) return { total, items: [] }
      const rows = yield* sql<Row>`SELECT account, mpc, trace FROM mpc_history WHERE ${where}
        ORDER BY creation_time DESC, mpc_uuid LIMIT ${page.limit} OFFSET ${page.offset}`
      return { total, items: rows.map(toRetired) }
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
    ackMany,
    pendingOf,
    fail,
    deadLetter,
    outbox,
    deadLetters,
    getHistory,
    latestByName,
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
