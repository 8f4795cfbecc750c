/**
 * A run's trace: every event the engine took and every command it gave, in order, with the time it
 * happened. Callbacks are `SendCallback` commands. Written as JSON or NDJSON (one entry a line).
 * The simulator and the emulator both record it, so it lives with the rules.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Command from "./Command.js"
import * as Event from "./Event.js"

/**
 * One line of the trace. `t` is the time in epoch milliseconds (virtual time in a simulation).
 *
 * @since 0.1.0
 * @category models
 */
export const TraceEntry = Schema.Union(
  Schema.Struct({
    t: Schema.Number,
    kind: Schema.Literal("event"),
    event: Event.Event,
    refused: Schema.optionalWith(Schema.String, { exact: true })
  }),
  Schema.Struct({ t: Schema.Number, kind: Schema.Literal("command"), command: Command.Command })
).annotations({ identifier: "TraceEntry" })
/**
 * The type of {@link TraceEntry}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type TraceEntry = typeof TraceEntry.Type

/**
 * The entry of an event `step` took at `t`, with the reason when it was refused.
 *
 * @since 0.1.0
 * @category traces
 */
export const eventEntry = (t: number, event: Event.Event, refused?: string): TraceEntry =>
  refused === undefined ? { t, kind: "event", event } : { t, kind: "event", event, refused }

/**
 * The entry of a command `step` gave at `t`.
 *
 * @since 0.1.0
 * @category traces
 */
export const commandEntry = (t: number, command: Command.Command): TraceEntry => ({
  t,
  kind: "command",
  command
})

/**
 * One entry as a JSON line.
 *
 * @since 0.1.0
 * @category traces
 */
export const toLine = (entry: TraceEntry): string => JSON.stringify(entry)

/**
 * The whole trace as NDJSON.
 *
 * @since 0.1.0
 * @category traces
 */
export const toNdjson = (trace: ReadonlyArray<TraceEntry>): string =>
  trace.map(toLine).join("\n") + (trace.length > 0 ? "\n" : "")

const decodeEntry = Schema.decodeUnknownSync(TraceEntry)

/**
 * Reads NDJSON back, checking every line.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromNdjson = (text: string): Array<TraceEntry> =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => decodeEntry(JSON.parse(l)))
