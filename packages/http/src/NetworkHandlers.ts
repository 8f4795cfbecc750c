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
      .handle("listCalls", () =>
        Effect.flatMap(Caller, ({ tenant }) =>
          Effect.map(tenant.engine.state, (state) => {
            const calls: Array<ReturnType<typeof callView>> = []
            PMap.forEach(state.calls, (c) => calls.push(callView(null, c)))
            PMap.forEach(state.mpcs, (m) => {
              for (const c of m.calls) calls.push(callView(m.uuid, c))
            })
            calls.sort((a, b) => (a.call_uuid.slice(-12) < b.call_uuid.slice(-12) ? -1 : 1))
            return { calls }
          })
        )
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
