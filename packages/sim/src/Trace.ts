/**
 * A run's trace: every event the engine took and every command it gave, on virtual time, in order.
 * Callbacks are `SendCallback` commands. Written as JSON or NDJSON (one entry a line).
 *
 * @since 0.1.0
 */
import { Command, Event } from "@mpc-kit/domain"
import * as Schema from "effect/Schema"

/** One line of the trace. `t` is virtual time in epoch milliseconds. */
export const TraceEntry = Schema.Union(
  Schema.Struct({
    t: Schema.Number,
    kind: Schema.Literal("event"),
    event: Event.Event,
    refused: Schema.optionalWith(Schema.String, { exact: true })
  }),
  Schema.Struct({ t: Schema.Number, kind: Schema.Literal("command"), command: Command.Command })
).annotations({ identifier: "TraceEntry" })
export type TraceEntry = typeof TraceEntry.Type

/** One entry as a JSON line. */
export const toLine = (entry: TraceEntry): string => JSON.stringify(entry)

/** The whole trace as NDJSON. */
export const toNdjson = (trace: ReadonlyArray<TraceEntry>): string =>
  trace.map(toLine).join("\n") + (trace.length > 0 ? "\n" : "")

const decodeEntry = Schema.decodeUnknownSync(TraceEntry)

/** Reads NDJSON back, checking every line. */
export const fromNdjson = (text: string): Array<TraceEntry> =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => decodeEntry(JSON.parse(l)))
