/**
 * Scenarios as data: timed API actions, how each callee behaves, and optionally a generated
 * contact-centre load. Checked by Schema, so a bad file gets an error that names where it is wrong.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Dist } from "./Random.js"

const opt = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(s, { exact: true })
const seconds = Schema.Number.pipe(Schema.nonNegative()).annotations({
  description: "seconds from the start"
})

/**
 * How a dialled destination reacts; weights pick the outcome per call.
 *
 * @since 0.1.0
 * @category models
 */
export const Outcome = Schema.Literal("answer", "busy", "reject", "no-answer", "silent")
/**
 * The type of {@link Outcome}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

const weight = opt(Schema.Number.pipe(Schema.nonNegative()))
/**
 * Outcome weights: each outcome's share of the calls.
 *
 * @since 0.1.0
 * @category models
 */
export const Weights = Schema.Struct({
  answer: weight,
  busy: weight,
  reject: weight,
  "no-answer": weight,
  silent: weight
})

/**
 * A callee: what happens after it rings, what it presses, when it speaks and hangs up.
 *
 * @since 0.1.0
 * @category models
 */
export const Callee = Schema.Struct({
  /** One outcome, or weights (`{"answer": 0.8, "busy": 0.2}`); `silent` rings until the ring timeout. */
  outcome: opt(
    Schema.Union(Outcome, Weights).annotations({
      message: () => ({
        message:
          'expected one of "answer", "busy", "reject", "no-answer", "silent", or weights like {"answer": 0.8, "busy": 0.2}',
        override: true
      })
    })
  ),
  /** Seconds from ringing to the outcome. */
  after: opt(Dist),
  /** Digits pressed, seconds after answering: `"confirm"` is the request's confirm key. */
  digits: opt(Schema.Array(Schema.Struct({ after: Dist, keys: Schema.String }))),
  /** Speaking spells, seconds after joining. */
  speak: opt(Schema.Array(Schema.Struct({ after: Dist, for: Dist }))),
  /** Hangs up this long after joining the MPC (talk time); never when absent. */
  hangupAfter: opt(Dist)
}).annotations({ identifier: "Callee" })
/**
 * The type of {@link Callee}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Callee = typeof Callee.Type

/**
 * A member selector in actions: `all`, a role (`role:Customer`), or member ids.
 *
 * @since 0.1.0
 * @category models
 */
export const MemberRef = Schema.Union(
  Schema.Literal("all"),
  Schema.TemplateLiteral("role:", Schema.String),
  Schema.Array(Schema.String)
)
/**
 * The type of {@link MemberRef}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MemberRef = typeof MemberRef.Type

/**
 * XML-1: one element of an application's XML document, as data (the simulator reads no XML text):
 * `{"element": "MultiPartyCall", "attributes": {"role": "customer"}, "text": "support-{id}"}`. In
 * attributes and text, `{id}`, `{from}` and `{to}` stand for the call's label, caller and number.
 *
 * @since 0.2.0
 * @category models
 */
export const XmlElement = Schema.Struct({
  element: Schema.String,
  attributes: opt(Schema.Record({ key: Schema.String, value: Schema.String })),
  text: opt(Schema.String)
}).annotations({ identifier: "XmlElement" })
/**
 * The type of an application element.
 *
 * @since 0.2.0
 * @category models
 */
export type XmlElement = typeof XmlElement.Type

/**
 * XML-1: an application's document: the children of its `<Response>`, in order.
 *
 * @since 0.2.0
 * @category models
 */
export const Application = Schema.Array(XmlElement).annotations({ identifier: "Application" })
/**
 * The type of an application document.
 *
 * @since 0.2.0
 * @category models
 */
export type Application = typeof Application.Type

/**
 * Timed API actions.
 *
 * @since 0.1.0
 * @category models
 */
export const Action = Schema.Union(
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("add"),
    mpc: Schema.String,
    /** The add-participant parameters, as a client sends them; `call_uuid: "@label"` names a call made by a `call` action. */
    params: Schema.Record({ key: Schema.String, value: Schema.Unknown })
  }),
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("call"),
    /** A label to name this inbound call by in later actions (`@label`). */
    id: Schema.String,
    from: Schema.String,
    to: Schema.String,
    /** How the caller behaves once in an MPC. */
    caller: opt(Callee)
  }),
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("update"),
    mpc: Schema.String,
    member: MemberRef,
    mute: opt(Schema.Boolean),
    hold: opt(Schema.Boolean),
    coach_mode: opt(Schema.Boolean)
  }),
  Schema.Struct({ at: seconds, do: Schema.Literal("kick"), mpc: Schema.String, member: MemberRef }),
  Schema.Struct({ at: seconds, do: Schema.Literal("end"), mpc: Schema.String }),
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("record"),
    mpc: Schema.String,
    op: Schema.Literal("start", "stop", "pause", "resume")
  }),
  Schema.Struct({ at: seconds, do: Schema.Literal("hangup"), call: Schema.String }),
  /** SDK-4: start an MPC that waits (Initialized). */
  Schema.Struct({ at: seconds, do: Schema.Literal("start"), mpc: Schema.String }),
  /** PLAY-1, PLAY-5: play audio to members (until stopped), or stop it. */
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("play"),
    mpc: Schema.String,
    member: MemberRef,
    op: Schema.Literal("start", "stop"),
    url: opt(Schema.String)
  }),
  /** PREC-1: a member's own recording (the first member the reference names). */
  Schema.Struct({
    at: seconds,
    do: Schema.Literal("record-member"),
    mpc: Schema.String,
    member: MemberRef,
    op: Schema.Literal("start", "stop", "pause", "resume")
  })
).annotations({ identifier: "Action" })
/**
 * The type of {@link Action}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Action = typeof Action.Type

/**
 * A generated contact-centre load.
 *
 * @since 0.1.0
 * @category models
 */
export const ContactCentre = Schema.Struct({
  /**
   * XML-11 (since 0.2.0): customers come in through `<MultiPartyCall role="customer">` in the
   * centre number's answer XML (MPC `cc-customer-{n}`) instead of a transfer by the API.
   */
  customersByXml: opt(Schema.Boolean),
  /** How many customers arrive. */
  customers: Schema.Int.pipe(Schema.positive()),
  /** Poisson arrivals: customers per second. */
  arrivalsPerSecond: Schema.Number.pipe(Schema.positive()),
  /** The agents' addresses (phone numbers or SIP URIs). */
  agents: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** Agents dialled in parallel for each customer (PARAM-4: role Agent). */
  agentsPerCustomer: Schema.Int.pipe(Schema.between(1, 20)),
  /** How an agent answers (an agent already in an MPC is busy). */
  agent: Callee,
  /** How long customers talk before hanging up. */
  talkTime: Dist,
  /** The share of calls a coaching supervisor joins. */
  supervisorShare: Schema.Number.pipe(Schema.between(0, 1)),
  /** How the supervisor behaves (default: answers after 2 s, stays 30 to 90 s). */
  supervisor: opt(Callee),
  /** Extra add-participant parameters for the agents' requests (ring_timeout, confirm_key, record, ...). */
  agentParams: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  /** Extra add-participant parameters for the customers' requests. */
  customerParams: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}).annotations({ identifier: "ContactCentre" })
/**
 * The type of {@link ContactCentre}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type ContactCentre = typeof ContactCentre.Type

/**
 * A scenario file.
 *
 * @since 0.1.0
 * @category models
 */
export const Scenario = Schema.Struct({
  name: Schema.String,
  description: opt(Schema.String),
  /** When the simulation starts (ISO 8601); callbacks' timestamps count from here. */
  start: opt(
    Schema.String.pipe(
      Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: () => "expected an ISO 8601 time" })
    )
  ),
  /** The account: its calls per second (CPS-1). */
  account: opt(Schema.Struct({ cps: opt(Schema.Int.pipe(Schema.positive())), authId: opt(Schema.String) })),
  /** Callees by destination address (`+14155550100`, `sip:ann@example.com`). */
  callees: opt(Schema.Record({ key: Schema.String, value: Callee })),
  /** Every destination without a callee of its own. */
  defaultCallee: opt(Callee),
  actions: opt(Schema.Array(Action)),
  /**
   * XML-1 (since 0.2.0): numbers whose application answers inbound calls with XML: a `call` action
   * to such a number runs its document.
   */
  numbers: opt(Schema.Record({ key: Schema.String, value: Application })),
  /** XML-9, XML-15 (since 0.2.0): the documents other URLs return (`<Redirect>`, `on_exit_action_url`). */
  documents: opt(Schema.Record({ key: Schema.String, value: Application })),
  contactCentre: opt(ContactCentre),
  /** Stop after this many seconds of virtual time (default: when nothing is left to happen). */
  until: opt(seconds)
}).annotations({ identifier: "Scenario" })
/**
 * The type of {@link Scenario}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = typeof Scenario.Type

const decodeEither = Schema.decodeUnknownEither(Scenario, { errors: "all", onExcessProperty: "error" })

/**
 * Decodes a scenario (already parsed JSON); errors name the path at fault, e.g. `actions.2.at`.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const decode = (input: unknown): Either.Either<Scenario, string> =>
  Either.mapLeft(decodeEither(input), (e) =>
    ParseResult.ArrayFormatter.formatErrorSync(e)
      .map((i) => `${i.path.length === 0 ? "scenario" : i.path.join(".")}: ${i.message}`)
      .join("\n")
  )

/**
 * Decodes a scenario from JSON text.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const decodeJson = (text: string): Either.Either<Scenario, string> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return Either.left(`not JSON: ${(e as Error).message}`)
  }
  return decode(value)
}

/**
 * The default start: Monday 2026-01-05 09:00 UTC.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultStart = "2026-01-05T09:00:00Z"
