/**
 * What `step` answers, as data: a typed reply per API request, or a tagged refusal naming the rule
 * and the fields at fault. The domain knows no transport: a shell maps each refusal tag and each
 * reply to its own form (the HTTP emulator to a status code and Plivo's JSON body).
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

const refusalFields = {
  /** The rule the event breaks (an ID of the spec, e.g. `ADDR-1`). */
  rule: Schema.String,
  /** The fields of the event at fault (Plivo's parameter names for API parameters). */
  fields: Schema.Array(Schema.String),
  /** A sentence for people. */
  message: Schema.String
}

/**
 * The event is malformed (no valid time, no change asked for).
 *
 * @since 0.2.0
 * @category refusals
 */
export const Invalid = Schema.TaggedStruct("Invalid", refusalFields)
/**
 * The MPC, member or call the event names does not exist (or no longer does).
 *
 * @since 0.2.0
 * @category refusals
 */
export const NotFound = Schema.TaggedStruct("NotFound", refusalFields)
/**
 * A well-formed request that the state forbids (a full MPC, a second recording).
 *
 * @since 0.2.0
 * @category refusals
 */
export const NotAllowed = Schema.TaggedStruct("NotAllowed", refusalFields)
/**
 * A report that does not fit the state (a second answer after the race is decided, an event in the past).
 *
 * @since 0.2.0
 * @category refusals
 */
export const Conflict = Schema.TaggedStruct("Conflict", refusalFields)
/**
 * A timer fired before it is due.
 *
 * @since 0.2.0
 * @category refusals
 */
export const TooEarly = Schema.TaggedStruct("TooEarly", refusalFields)
/**
 * Something the code did not foresee: `step` stays total and reports it instead of throwing.
 *
 * @since 0.2.0
 * @category refusals
 */
export const Defect = Schema.TaggedStruct("Defect", refusalFields)

/**
 * Why an event was refused; the state is then unchanged.
 *
 * @since 0.2.0
 * @category refusals
 */
export const Refusal = Schema.Union(Invalid, NotFound, NotAllowed, Conflict, TooEarly, Defect).annotations({
  identifier: "Refusal"
})
/**
 * @since 0.2.0
 * @category refusals
 */
export type Refusal = typeof Refusal.Type

/**
 * One leg an add-participant request dialled (or the call it transferred).
 *
 * @since 0.2.0
 * @category replies
 */
export const Leg = Schema.Struct({ to: Schema.String, from: Schema.String, callUuid: Schema.String })
/**
 * @since 0.2.0
 * @category replies
 */
export type Leg = typeof Leg.Type

/**
 * API-1, CPS-2, XFER-1: a participant request was taken; `queued` when its legs wait for the CPS limit.
 *
 * @since 0.2.0
 * @category replies
 */
export const Added = Schema.TaggedStruct("Added", {
  requestUuid: Schema.String,
  mpcUuid: Schema.String,
  legs: Schema.Array(Leg),
  queued: Schema.Boolean
})
/**
 * XFER-1: a live call exists, in no MPC.
 *
 * @since 0.2.0
 * @category replies
 */
export const CallCreated = Schema.TaggedStruct("CallCreated", { callUuid: Schema.String })
/**
 * The update was accepted; echoes what was asked for.
 *
 * @since 0.2.0
 * @category replies
 */
export const MembersUpdated = Schema.TaggedStruct("MembersUpdated", {
  memberIds: Schema.Array(Schema.String),
  mute: Schema.optionalWith(Schema.Boolean, { exact: true }),
  hold: Schema.optionalWith(Schema.Boolean, { exact: true }),
  coachMode: Schema.optionalWith(Schema.Boolean, { exact: true })
})
/**
 * The members were kicked.
 *
 * @since 0.2.0
 * @category replies
 */
export const MembersKicked = Schema.TaggedStruct("MembersKicked", { memberIds: Schema.Array(Schema.String) })
/**
 * The MPC was ended.
 *
 * @since 0.2.0
 * @category replies
 */
export const MpcEnded = Schema.TaggedStruct("MpcEnded", { mpcUuid: Schema.String })
/**
 * The MPC's recording started.
 *
 * @since 0.2.0
 * @category replies
 */
export const RecordingStarted = Schema.TaggedStruct("RecordingStarted", {
  recordingUuid: Schema.String,
  url: Schema.String
})
/**
 * The MPC's recording stopped, paused or resumed.
 *
 * @since 0.2.0
 * @category replies
 */
export const RecordingChanged = Schema.TaggedStruct("RecordingChanged", {
  recordingUuid: Schema.String,
  status: Schema.Literal("Stopped", "Paused", "Resumed")
})

/**
 * The answer to an API request that was taken.
 *
 * @since 0.2.0
 * @category replies
 */
export const Reply = Schema.Union(
  Added,
  CallCreated,
  MembersUpdated,
  MembersKicked,
  MpcEnded,
  RecordingStarted,
  RecordingChanged
).annotations({ identifier: "Reply" })
/**
 * @since 0.2.0
 * @category replies
 */
export type Reply = typeof Reply.Type

/**
 * What a `Respond` command carries: the reply, or the refusal.
 *
 * @since 0.2.0
 * @category outcomes
 */
export const Outcome = Schema.Union(Reply, Refusal).annotations({ identifier: "Outcome" })
/**
 * @since 0.2.0
 * @category outcomes
 */
export type Outcome = typeof Outcome.Type

const refusalTags: ReadonlySet<string> = new Set<Refusal["_tag"]>([
  "Invalid",
  "NotFound",
  "NotAllowed",
  "Conflict",
  "TooEarly",
  "Defect"
])

/**
 * True when the outcome is a refusal.
 *
 * @since 0.2.0
 * @category outcomes
 */
export const isRefusal = (o: Outcome): o is Refusal => refusalTags.has(o._tag)

/**
 * Makes a refusal.
 *
 * @since 0.2.0
 * @category refusals
 */
export const refusal = <T extends Refusal["_tag"]>(
  tag: T,
  rule: string,
  fields: ReadonlyArray<string>,
  message: string
): Extract<Refusal, { _tag: T }> => ({ _tag: tag, rule, fields, message }) as Extract<Refusal, { _tag: T }>
