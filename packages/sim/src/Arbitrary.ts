/**
 * fast-check arbitraries of scenarios: callees, timed actions and small contact-centre loads, always
 * valid for `Scenario.decode` and `Simulation.validate`. Use them to property-test your own
 * expectations against the rules, e.g. "no agent ever waits more than N seconds in the CPS queue".
 *
 * @example
 * import { Simulation } from "@mpc-kit/sim"
 * import { Arbitrary } from "@mpc-kit/sim/testing"
 * import * as fc from "effect/FastCheck"
 *
 * fc.assert(fc.property(Arbitrary.scenario(), fc.integer(), (s, seed) => {
 *   const { metrics } = Simulation.run(s, { seed })
 *   return metrics.joins <= metrics.legs + metrics.mpcs
 * }))
 *
 * @since 0.1.0
 */
import * as fc from "effect/FastCheck"
import type { Dist } from "./Random.js"
import type { Action, Callee, ContactCentre, Scenario } from "./Scenario.js"

const phones = [
  "+14155550100",
  "+14155550101",
  "+14155550102",
  "+14155550103",
  "sip:ann@cc.example.com",
  "sip:bob@cc.example.com"
]
const mpcNames = ["alpha", "beta", "gamma"]

/**
 * A duration in seconds.
 *
 * @since 0.1.0
 * @category testing
 */
export const dist: fc.Arbitrary<Dist> = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc
    .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))
    .map(([a, b]): Dist => ({ uniform: [Math.min(a, b), Math.max(a, b)] })),
  fc.integer({ min: 1, max: 30 }).map((m): Dist => ({ exponential: m })),
  fc.integer({ min: 1, max: 60 }).map((m): Dist => ({ lognormal: { median: m, sigma: 0.5 } }))
)

/**
 * A callee script.
 *
 * @since 0.1.0
 * @category testing
 */
export const callee: fc.Arbitrary<Callee> = fc.record(
  {
    outcome: fc.oneof(
      fc.constantFrom(
        "answer" as const,
        "busy" as const,
        "reject" as const,
        "no-answer" as const,
        "silent" as const
      ),
      fc.record({
        answer: fc.integer({ min: 0, max: 5 }),
        busy: fc.integer({ min: 0, max: 2 }),
        silent: fc.integer({ min: 1, max: 2 })
      })
    ),
    after: dist,
    digits: fc.array(fc.record({ after: dist, keys: fc.constantFrom("confirm", "1", "5", "#", "9") }), {
      maxLength: 2
    }),
    speak: fc.array(fc.record({ after: dist, for: dist }), { maxLength: 2 }),
    hangupAfter: dist
  },
  { requiredKeys: [] }
)

const at = fc.integer({ min: 0, max: 120 })

const addParams = fc
  .record({
    role: fc.constantFrom("Agent", "Customer", "Supervisor"),
    count: fc.integer({ min: 1, max: 3 }),
    confirm: fc.boolean(),
    delay: fc.constantFrom(0, 2, 10),
    ringTimeout: fc.constantFrom(15, 30),
    record: fc.boolean(),
    minCount: fc.constantFrom(1, 2),
    stayAlone: fc.boolean(),
    maxParticipants: fc.constantFrom(2, 3, 10)
  })
  .map(({ role, count, confirm, delay, ringTimeout, record, minCount, stayAlone, maxParticipants }) => ({
    role,
    from: "+18005550100",
    to: phones.slice(0, role === "Agent" ? count : 1).join("<"),
    delay_dial: delay,
    ring_timeout: ringTimeout,
    record,
    record_min_member_count: minCount,
    stay_alone: stayAlone,
    max_participants: maxParticipants,
    status_callback_url: "https://example.com/mpc",
    call_status_callback_url: "https://example.com/calls",
    ...(confirm ? { confirm_key: "5" } : {})
  }))

/**
 * Timed actions; `call` actions come with an `add` that transfers them.
 *
 * @since 0.1.0
 * @category testing
 */
export const actions: fc.Arbitrary<Array<Action>> = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .record({ at, mpc: fc.constantFrom(...mpcNames), params: addParams })
          .map((a): Array<Action> => [{ ...a, do: "add" }])
      },
      {
        weight: 2,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            caller: callee,
            role: fc.constantFrom("Customer", "Agent")
          })
          .chain((a) =>
            fc.nat().map(
              (n): Array<Action> => [
                {
                  at: a.at,
                  do: "call",
                  id: `caller-${n}`,
                  from: "+12125550199",
                  to: "+18005550100",
                  caller: a.caller
                },
                { at: a.at, do: "add", mpc: a.mpc, params: { role: a.role, call_uuid: `@caller-${n}` } }
              ]
            )
          )
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            member: fc.constantFrom(
              "all" as const,
              "role:Agent" as const,
              "role:Customer" as const,
              "role:Supervisor" as const
            ),
            mute: fc.boolean(),
            hold: fc.boolean()
          })
          .map((a): Array<Action> => [{ ...a, do: "update" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            member: fc.constantFrom("all" as const, "role:Agent" as const)
          })
          .map((a): Array<Action> => [{ ...a, do: "kick" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ at, mpc: fc.constantFrom(...mpcNames) })
          .map((a): Array<Action> => [{ ...a, do: "end" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            op: fc.constantFrom("start" as const, "stop" as const, "pause" as const, "resume" as const)
          })
          .map((a): Array<Action> => [{ ...a, do: "record" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ at, mpc: fc.constantFrom(...mpcNames) })
          .map((a): Array<Action> => [{ ...a, do: "start" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            member: fc.constantFrom("all" as const, "role:Agent" as const, "role:Customer" as const),
            op: fc.constantFrom("start" as const, "stop" as const)
          })
          .map((a): Array<Action> => [{ ...a, do: "play" }])
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            at,
            mpc: fc.constantFrom(...mpcNames),
            member: fc.constantFrom("role:Agent" as const, "role:Customer" as const),
            op: fc.constantFrom("start" as const, "stop" as const, "pause" as const, "resume" as const)
          })
          .map((a): Array<Action> => [{ ...a, do: "record-member" }])
      }
    ),
    { maxLength: 12 }
  )
  .map((groups) => {
    // Unique call labels, in the order they appear.
    const out: Array<Action> = []
    let k = 0
    for (const g of groups) {
      if (g[0]!.do === "call") {
        const id = `caller-${k++}`
        out.push({ ...(g[0] as Extract<Action, { do: "call" }>), id })
        const add = g[1] as Extract<Action, { do: "add" }>
        out.push({ ...add, params: { ...add.params, call_uuid: `@${id}` } })
      } else out.push(...g)
    }
    return out
  })

/**
 * A small contact-centre load.
 *
 * @since 0.1.0
 * @category testing
 */
export const contactCentre: fc.Arbitrary<ContactCentre> = fc.record({
  customers: fc.integer({ min: 1, max: 30 }),
  arrivalsPerSecond: fc.constantFrom(0.2, 1, 5),
  agents: fc.subarray(phones, { minLength: 1 }),
  agentsPerCustomer: fc.integer({ min: 1, max: 3 }),
  agent: callee,
  talkTime: dist,
  supervisorShare: fc.constantFrom(0, 0.3),
  agentParams: fc.constant({ ring_timeout: 20, status_callback_url: "https://example.com/mpc" })
})

/**
 * A whole scenario, valid and runnable.
 *
 * @since 0.1.0
 * @category testing
 */
export const scenario = (): fc.Arbitrary<Scenario> =>
  fc
    .record(
      {
        cps: fc.constantFrom(1, 2, 10),
        callees: fc.dictionary(fc.constantFrom(...phones), callee, { maxKeys: 4 }),
        defaultCallee: callee,
        actions,
        contactCentre
      },
      { requiredKeys: ["cps", "actions"] }
    )
    .map(
      ({ cps, callees, defaultCallee, actions, contactCentre }): Scenario => ({
        name: "generated",
        account: { cps },
        actions,
        until: 3600,
        ...(callees === undefined ? {} : { callees }),
        ...(defaultCallee === undefined ? {} : { defaultCallee }),
        ...(contactCentre === undefined ? {} : { contactCentre })
      })
    )
