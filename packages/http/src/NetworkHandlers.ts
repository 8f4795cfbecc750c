/**
 * The network's side (EMULATOR.md): calls created, answered, busy, rejected, hung up, digits and
 * speech, the virtual clock, and an MPC's trace. Same Basic auth, scoped to the account; bodies
 * read only once the request is authenticated.
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { PMap } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import { MpcApi } from "./Api.js"
import type * as Engine from "./Engine.js"
import * as Guard from "./Guard.js"
import { readBody } from "./MpcHandlers.js"
import * as Outcome from "./Outcome.js"
import * as Params from "./Params.js"
import { Tenants } from "./Tenants.js"
import { callView } from "./Views.js"

/** `limit` (1..1000, default 100) and `offset` (default 0) of a list's query. */
const page = (q: URLSearchParams) => ({
  limit: Math.min(1000, Math.max(1, Number(q.get("limit") ?? 100) || 100)),
  offset: Math.max(0, Math.floor(Number(q.get("offset") ?? 0) || 0))
})

/**
 * The network control handlers.
 *
 * @since 0.1.0
 * @category handlers
 */
export const networkHandlers = HttpApiBuilder.group(MpcApi, "emulator", (handlers) =>
  Effect.gen(function* () {
    const tenants = yield* Tenants
    const guard = Guard.make(tenants)
    /** Authenticates, reads and decodes a JSON body, then answers with `f`. */
    const withBody = <A, I>(
      request: HttpServerRequest.HttpServerRequest,
      schema: Schema.Schema<A, I>,
      f: (apiId: string, engine: Engine.Engine, a: A) => Effect.Effect<ReturnType<typeof Outcome.json>>
    ) =>
      guard(request, undefined, (apiId, { engine }) =>
        Effect.flatMap(readBody(apiId, request), (body) => {
          if (Either.isLeft(body)) return Effect.succeed(body.left)
          const decoded = Params.decode(schema, body.right, "application/json")
          return Either.isLeft(decoded)
            ? Effect.succeed(Outcome.refusal.invalid(apiId, decoded.left))
            : f(apiId, engine, decoded.right)
        })
      )
    /** A network event: 204 when taken, else the domain's refusal (Outcome.network). */
    const network = (request: HttpServerRequest.HttpServerRequest, input: Engine.Input) =>
      guard(request, undefined, (apiId, { engine }) =>
        Effect.map(engine.submit(input), (r) => Outcome.network(apiId, r))
      )
    const networkWith = (apiId: string, engine: Engine.Engine, input: Engine.Input) =>
      Effect.map(engine.submit(input), (r) => Outcome.network(apiId, r))
    return handlers
      .handleRaw("createCall", ({ request }) =>
        withBody(request, Params.CreateCallParams, (apiId, engine, body) =>
          Effect.map(engine.submit({ _tag: "CreateCall", apiId, from: body.from, to: body.to }), (r) =>
            Outcome.respond(apiId, r)
          )
        )
      )
      .handleRaw("listCalls", ({ request }) =>
        guard(request, undefined, (_, { engine }) =>
          Effect.map(engine.state, (state) => {
            const q = new URL(request.url, "http://x").searchParams
            const { limit, offset } = page(q)
            const wantState = q.get("state")
            const wantMpc = q.get("mpc")
            const calls: Array<ReturnType<typeof callView>> = []
            const keep = (c: { readonly state: string }) => wantState === null || c.state === wantState
            if (wantMpc === null) PMap.forEach(state.calls, (c) => keep(c) && calls.push(callView(null, c)))
            PMap.forEach(state.mpcs, (m) => {
              if (wantMpc !== null && m.uuid !== wantMpc && m.name !== wantMpc) return
              for (const c of m.calls) if (keep(c)) calls.push(callView(m.uuid, c))
            })
            calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
            return Outcome.json(
              { calls: calls.slice(offset, offset + limit), meta: { total: calls.length, limit, offset } },
              200
            )
          })
        )
      )
      .handleRaw("deadLetters", ({ request }) =>
        guard(request, undefined, (apiId, { account }) => {
          const { limit, offset } = page(new URL(request.url, "http://x").searchParams)
          if (tenants.store === undefined)
            return Effect.succeed(
              Outcome.json({ dead_letters: [], meta: { total: 0, limit, offset }, pending: 0 }, 200)
            )
          const store = tenants.store
          return Effect.all([
            store.deadLetters({ limit, offset }, account.authId),
            store.outbox({ limit: 0, offset: 0 })
          ]).pipe(
            Effect.map(([p, pending]) =>
              Outcome.json(
                {
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
                },
                200
              )
            ),
            Effect.catchAll((e) => Effect.succeed(Outcome.refusal.internal(apiId, e.message)))
          )
        })
      )
      .handleRaw("answer", ({ path, request }) =>
        network(request, { _tag: "LegAnswered", callUuid: path.callUuid })
      )
      .handleRaw("busy", ({ path, request }) =>
        network(request, { _tag: "LegBusy", callUuid: path.callUuid })
      )
      .handleRaw("reject", ({ path, request }) =>
        network(request, { _tag: "LegRejected", callUuid: path.callUuid })
      )
      .handleRaw("hangup", ({ path, request }) =>
        network(request, { _tag: "CallHungUp", callUuid: path.callUuid })
      )
      .handleRaw("digits", ({ path, request }) =>
        withBody(request, Params.DigitsParams, (apiId, engine, body) =>
          networkWith(apiId, engine, { _tag: "DigitsPressed", callUuid: path.callUuid, digits: body.digits })
        )
      )
      .handleRaw("speak", ({ path, request }) =>
        withBody(request, Params.SpeakParams, (apiId, engine, body) =>
          networkWith(apiId, engine, {
            _tag: "SpeakingChanged",
            callUuid: path.callUuid,
            speaking: body.speaking
          })
        )
      )
      .handleRaw("clock", ({ request }) =>
        guard(request, undefined, (_, { engine }) =>
          Effect.map(engine.now, (now) =>
            Outcome.json({ now: new Date(now).toISOString(), mode: engine.config.clock }, 200)
          )
        )
      )
      .handleRaw("advance", ({ request }) =>
        withBody(request, Params.AdvanceParams, (apiId, engine, body) =>
          Effect.map(Effect.either(engine.advance(Math.round(body.seconds * 1000))), (outcome) =>
            Either.isLeft(outcome) ? Outcome.refusal.conflict(apiId, outcome.left.message) : Outcome.noContent
          )
        )
      )
      .handleRaw("trace", ({ path, request }) =>
        guard(request, undefined, (apiId, { engine }) =>
          Effect.map(engine.trace(path.mpcUuid), (trace) =>
            trace === undefined
              ? Outcome.refusal.notFound(apiId, `no multiparty call ${path.mpcUuid}`)
              : Outcome.json(trace, 200)
          )
        )
      )
  })
)
