/**
 * The emulator without a store (`MPC_DATA_DIR=none`, DLV-14): callbacks go to a memory outbox and
 * are sent by the same delivery engine as with a store (lanes per origin, retries with backoff, the
 * retry horizon, 3xx/4xx final, dead letters, one log line per state change), bounded by the
 * outbox's limit instead of spilling to disk. What is waiting when the process stops is lost.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Engine from "../Engine.js"
import * as Outputs from "../Outputs.js"
import type { Account } from "../Tenants.js"
import { Delivery, type DeliveryOptions } from "./Delivery.js"
import { type MemoryOutbox, type MemoryOutboxOptions, makeMemory, Outbox } from "./Outbox.js"

/**
 * How the memory delivery is set up.
 *
 * @since 0.2.0
 * @category layers
 */
export interface MemoryDeliveryOptions extends MemoryOutboxOptions {
  /** The delivery engine's settings (the tokens come from the accounts). */
  readonly delivery?: Omit<DeliveryOptions, "authToken" | "tokens"> | undefined
}

/**
 * The memory outbox and its delivery engine for the engines of `accounts`, and each account's
 * outputs (callbacks to the outbox; XML fetched as usual).
 *
 * @since 0.2.0
 * @category layers
 */
export const make = (
  options: MemoryDeliveryOptions,
  accounts: ReadonlyArray<Account>
): Effect.Effect<
  {
    /** The outbox (its dead letters are listed under `/emulator/v1/`). */
    readonly outbox: MemoryOutbox
    /** One account's engine outputs: its callbacks to the outbox, XML fetched as usual. */
    readonly outputs: (account: Account) => Layer.Layer<Engine.EngineOutputs>
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const tokens: Record<string, string> = {}
    for (const a of accounts) tokens[a.authId] = a.authToken
    const outbox = makeMemory(options)
    const context = yield* Layer.build(
      Delivery.layerOutbox({
        concurrency: 32,
        ...options.delivery,
        authToken: accounts[0]?.authToken ?? "",
        tokens
      }).pipe(Layer.provide(Layer.succeed(Outbox, outbox)))
    )
    const delivery = Context.get(context, Delivery)
    const outputs = (account: Account): Layer.Layer<Engine.EngineOutputs> =>
      // In step order, inside the engine's turn: each lane keeps the order of its callbacks.
      Outputs.layer(account, (c) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const added = outbox.add(account.authId, [c], now)
          return added.refused.length === 0 ? delivery.enqueue(added.items) : delivery.refused(added.refused)
        })
      )
    return { outbox, outputs }
  })
