/**
 * The network's side (EMULATOR.md): calls created, answered, busy, rejected, hung up, digits and
 * speech, the virtual clock, and an MPC's trace. Same `Authorization`, scoped to the caller's
 * account; typed handlers over the payloads of `Params.ts`.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder } from "@effect/platform"
import { PMap } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as AnswerUrl from "./AnswerUrl.js"
import { Caller, MpcApi } from "./Api.js"
import type * as Engine from "./Engine.js"
import * as Outcome from "./Outcome.js"
import { callView } from "./Views.js"

/** A network event: nothing when taken, else the domain's refusal (Outcome's table). */
const network = (input: Engine.Input) =>
  Effect.flatMap(Caller, ({ apiId, tenant }) =>
    Effect.flatMap(tenant.engine.submit(input), (r) => Outcome.taken(apiId, r))
  )

/** `limit` (1..1000, default 100) and `offset` (default 0) of a list's query. */
const page = (q: { readonly limit?: string | undefined; readonly offset?: string | undefined }) => ({
  limit: Math.min(1000, Math.max(1, Number(q.limit ?? 100) || 100)),
  offset: Math.max(0, Math.floor(Number(q.offset ?? 0) || 0))
})

/**
 * The network control handlers.
 *
 * @since 0.1.0
 * @category handlers
 */
export const networkHandlers = HttpApiBuilder.group(MpcApi, "emulator", (handlers) =>
  Effect.succeed(
    handlers
      .handle("createCall", ({ payload }) =>
        Effect.flatMap(Caller, ({ apiId, tenant }) =>
          tenant.engine.submit(AnswerUrl.createCall(apiId, payload)).pipe(
            Effect.flatMap((r) => Outcome.reply(apiId, r, "CallCreated")),
            Effect.map((r) => Outcome.bodies.CallCreated(apiId, r))
          )
        )
      )
      .handle("listCalls", ({ urlParams }) =>
        Effect.flatMap(Caller, ({ tenant: { engine } }) =>
          Effect.gen(function* () {
            const state = yield* engine.state
            const { limit, offset } = page(urlParams)
            const wantState = urlParams.state
            const wantMpc = urlParams.mpc
            const calls: Array<ReturnType<typeof callView>> = []
            const keep = (c: { readonly state: string }) => wantState === undefined || c.state === wantState
            if (wantMpc === undefined) {
              // Live calls only: those of ended MPCs are read by naming the MPC (below).
              PMap.forEach(state.calls, (c) => keep(c) && calls.push(callView(null, c)))
              PMap.forEach(state.mpcs, (m) => {
                for (const c of m.calls) if (keep(c)) calls.push(callView(m.uuid, c))
              })
            } else {
              // STORE-10: an MPC by UUID or name, live or retired (the latest of the name).
              const m =
                (yield* engine.mpc({ _tag: "ByUuid", uuid: wantMpc })) ??
                (yield* engine.mpc({ _tag: "ByName", name: wantMpc }))
              if (m !== undefined) for (const c of m.calls) if (keep(c)) calls.push(callView(m.uuid, c))
            }
            calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
            return {
              calls: calls.slice(offset, offset + limit),
              meta: { total: calls.length, limit, offset }
            }
          })
        )
      )
      .handle("deadLetters", ({ urlParams }) =>
        Effect.flatMap(Caller, ({ apiId, tenant }) => {
          const { limit, offset } = page(urlParams)
          const store = tenant.outbox ?? tenant.store
          if (store === undefined)
            return Effect.succeed({ dead_letters: [], meta: { total: 0, limit, offset }, pending: 0 })
          return Effect.all([
            store.deadLetters({ limit, offset }, tenant.account.authId),
            store.outbox({ limit: 0, offset: 0 })
          ]).pipe(
            Effect.map(([p, pending]) => ({
              dead_letters: p.items.map((d) => ({
                id: d.id,
                mpc_uuid: d.mpcUuid,
                url: d.url,
                event: d.callback.event,
                sequence_number: d.callback.params.SequenceNumber ?? null,
                created_at: new Date(d.createdAt).toISOString(),
                dead_at: new Date(d.deadAt).toISOString(),
                attempts: d.attempts,
                reason: d.reason,
                callback: d.callback
              })),
              meta: { total: p.total, limit, offset },
              // Callbacks still waiting for delivery (all accounts).
              pending: pending.total
            })),
            Effect.catchAll((e) => Effect.fail(Outcome.failure(500, apiId, e.message)))
          )
        })
      )
      .handle("answer", ({ path }) => network({ _tag: "LegAnswered", callUuid: path.callUuid }))
      .handle("busy", ({ path }) => network({ _tag: "LegBusy", callUuid: path.callUuid }))
      .handle("reject", ({ path }) => network({ _tag: "LegRejected", callUuid: path.callUuid }))
      .handle("hangup", ({ path }) => network({ _tag: "CallHungUp", callUuid: path.callUuid }))
      .handle("digits", ({ path, payload }) =>
        network({ _tag: "DigitsPressed", callUuid: path.callUuid, digits: payload.digits })
      )
      .handle("speak", ({ path, payload }) =>
        network({ _tag: "SpeakingChanged", callUuid: path.callUuid, speaking: payload.speaking })
      )
      .handle("clock", () =>
        Effect.flatMap(Caller, ({ tenant: { engine } }) =>
          Effect.map(engine.now, (now) => ({ now: new Date(now).toISOString(), mode: engine.config.clock }))
        )
      )
      .handle("advance", ({ payload }) =>
        Effect.flatMap(Caller, ({ apiId, tenant: { engine } }) =>
          Effect.catchAll(engine.advance(Math.round(payload.seconds * 1000)), (e) =>
            Effect.fail(Outcome.failure(409, apiId, e.message))
          )
        )
      )
      .handle("trace", ({ path }) =>
        Effect.flatMap(Caller, ({ apiId, tenant: { engine } }) =>
          Effect.flatMap(engine.trace(path.mpcUuid), (trace) =>
            trace === undefined
              ? Effect.fail(Outcome.failure(404, apiId, `no multiparty call ${path.mpcUuid}`))
              : Effect.succeed(trace)
          )
        )
      )
  )
)
