/**
 * The emulator on a durable store (spec/STORE.md): the store (SQLite or PostgreSQL), one delivery
 * engine around its outbox (DLV-*) that replaces the in-memory callback sender, and a journal per
 * account through which the engine recovers and logs its steps (STORE-1..5).
 *
 * @since 0.1.0
 */

import type * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { Delivery, type DeliveryOptions } from "./delivery/Delivery.js"
import type * as Engine from "./Engine.js"
import type * as History from "./History.js"
import * as Outputs from "./Outputs.js"
import * as Journal from "./store/Journal.js"
import { Store } from "./store/Store.js"
import type { Account } from "./Tenants.js"

/**
 * How the durable emulator is set up.
 *
 * @since 0.2.0
 * @category layers
 */
export interface DurableOptions {
  /** The store (see `StoreFromConfig`, `StoreSqlite`, `StorePg`). */
  readonly store: Layer.Layer<Store | SqlClient.SqlClient>
  /** The delivery engine's settings (the tokens come from the accounts). */
  readonly delivery?: Omit<DeliveryOptions, "authToken" | "tokens"> | undefined
  /** STORE-4: events between two snapshots (default 1000). */
  readonly snapshotEvery?: number | undefined
  /**
   * STORE-4: and at least this many events per live MPC or call between two (default 10; 0: exactly
   * `snapshotEvery`).
   *
   * @since 0.2.0
   */
  readonly snapshotPerLive?: number | undefined
  /** Fault injection for the crash tests (see `Journal.JournalOptions.fault`). */
  readonly fault?: ((where: "before" | "after", commit: number) => void) | undefined
}

/**
 * The store, the delivery engine and each account's journal, for the engines of `accounts`.
 *
 * @since 0.2.0
 * @category layers
 */
export const make = (
  options: DurableOptions,
  accounts: ReadonlyArray<Account>
): Effect.Effect<
  {
    readonly store: Store
    /** STORE-6, STORE-10: the ended MPCs, read from the store's history table. */
    readonly history: History.HistoryService
    /** The journal of one account's engine (group commit and recovery on the shared store). */
    readonly journal: (
      account: Account
    ) => Effect.Effect<Context.Context<Journal.Journal>, never, Scope.Scope>
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const main = accounts[0]
    const tokens: Record<string, string> = {}
    for (const a of accounts) tokens[a.authId] = a.authToken
    const context = yield* Layer.build(
      Layer.merge(
        // DLV-5: a lane's concurrency bounds one origin's callbacks per round trip; a shared CI
        // receiver takes callbacks of many MPCs at once (measured: 4 in flight held 38 MPCs/s to 120
        // callbacks/s with a growing backlog).
        Delivery.Live({ concurrency: 32, ...options.delivery, authToken: main?.authToken ?? "", tokens }),
        Layer.empty
      ).pipe(Layer.provideMerge(options.store))
    )
    const store = Context.get(context, Store)
    const delivery = Context.get(context, Delivery)
    return {
      store,
      history: history(store),
      journal: (account: Account) =>
        Journal.make({
          account: account.authId,
          snapshotEvery: options.snapshotEvery,
          snapshotPerLive: options.snapshotPerLive,
          fault: options.fault,
          enqueue: delivery.enqueue
        }).pipe(
          Effect.provideService(Store, store),
          Effect.map((j) => Context.make(Journal.Journal, j))
        )
    }
  })

/**
 * STORE-6, STORE-10: the history of a store (the journal writes it; this reads it). A store that
 * fails a read is a defect of the request (500), never a wrong answer.
 *
 * @since 0.2.0
 * @category layers
 */
export const history = (store: Store): History.HistoryService => ({
  keep: undefined,
  get: (account, uuid) => Effect.orDie(store.getHistory(account, uuid)),
  latestByName: (account, name) => Effect.orDie(store.latestByName(account, name)),
  list: (accounts, filter, window) => Effect.orDie(store.listHistory(accounts, filter, window))
})

/**
 * Outputs on a durable store: callbacks go through the journal to the outbox; XML is fetched as
 * everywhere (Outputs.ts).
 *
 * @since 0.2.0
 * @category layers
 */
export const outputs = (account: Account): Layer.Layer<Engine.EngineOutputs> =>
  Outputs.layer(account, () => Effect.void)
