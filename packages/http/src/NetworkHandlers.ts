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
import * as AnswerUrl from "./AnswerUrl.js"
import { MpcApi } from "./Api.js"
import type * as Engine from "./Engine.js"
import * as Guard from "./Guard.js"
import { readBody } from "./MpcHandlers.js"
import * as Outcome from "./Outcome.js"
import * as Params from "./Params.js"
import { Tenants } from "./Tenants.js"
import { callView } from "./Views.js"

/**
 * The network control handlers.
 *
 * @since 0.1.0
 * @category handlers
 */
export const networkHandlers = HttpApiBuilder.group(MpcApi, "emulator", (handlers) =>
  Effect.gen(function* () {
    const guard = Guard.make(yield* Tenants)
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
          Effect.map(engine.submit(AnswerUrl.createCall(apiId, body)), (r) => Outcome.respond(apiId, r))
        )
      )
      .handleRaw("listCalls", ({ request }) =>
        guard(request, undefined, (_, { engine }) =>
          Effect.map(engine.state, (state) => {
            const calls: Array<ReturnType<typeof callView>> = []
            PMap.forEach(state.calls, (c) => calls.push(callView(null, c)))
            PMap.forEach(state.mpcs, (m) => {
              for (const c of m.calls) calls.push(callView(m.uuid, c))
            })
            calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
            return Outcome.json({ calls }, 200)
          })
        )
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
