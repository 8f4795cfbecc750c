/**
 * STORE-2, STORE-6, DLV-1: the store writes events, callbacks, ended MPCs and traces with
 * `JSON.stringify` where the schema's encoder would change nothing (store/Json.ts). Over random
 * scenarios, every such document is the schema encoder's document, and decodes back to the value.
 */
import { describe, it } from "@effect/vitest"
import { Command, Event, Invariants, PMap, State, Trace } from "@mpc-kit/domain"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { expect } from "vitest"
import * as Json from "../../packages/http/src/store/Json.js"
import { play, scenario } from "../support/Scenario.js"

const TraceList = Schema.Array(Trace.TraceEntry)

/** The document the fast encoder writes equals the schema encoder's, and decodes back to the value. */
const same = <A, I>(schema: Schema.Schema<A, I>, value: A) => {
  const fast = Json.encoder(schema)(value)
  const slow = Schema.encodeSync(Schema.parseJson(schema))(value)
  expect(JSON.parse(fast)).toEqual(JSON.parse(slow))
  const back = Schema.decodeSync(Schema.parseJson(schema))(fast)
  expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(fast))
}

describe("store JSON documents", () => {
  it("STORE-2: the hot documents' schemas encode to themselves; a transformation keeps the encoder", () => {
    for (const s of [Event.Event, Command.SendCallback, State.Mpc, TraceList])
      expect(Json.encodesToItself(s.ast)).toBe(true)
    // PMap, dates, options, numbers from strings, renamed keys, bigints: the encoder is kept.
    for (const s of [
      State.State,
      Schema.Date,
      Schema.Option(Schema.String),
      Schema.NumberFromString,
      Schema.Struct({ a: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("b")) }),
      Schema.Struct({ n: Schema.BigIntFromSelf })
    ])
      expect(Json.encodesToItself((s as Schema.Schema.Any).ast)).toBe(false)
    // The fallback really is the schema's encoder.
    expect(Json.encoder(Schema.Struct({ d: Schema.Date }))({ d: new Date(0) })).toBe(
      '{"d":"1970-01-01T00:00:00.000Z"}'
    )
  })

  it("STORE-2 STORE-6 DLV-1: events, callbacks, MPCs and traces of random scenarios: same document as the schema's", () => {
    fc.assert(
      fc.property(scenario(40), (s) => {
        const h = play(s, Invariants.all)
        const trace: Array<Trace.TraceEntry> = []
        for (const [k, { event, result }] of h.log.entries()) {
          same(Event.Event, event)
          trace.push(Trace.eventEntry(k, event, result.refused?.message))
          for (const c of result.commands) {
            trace.push(Trace.commandEntry(k, c))
            if (c._tag === "SendCallback") same(Command.SendCallback, c)
          }
        }
        PMap.forEach(h.state.mpcs, (m) => same(State.Mpc, m))
        same(TraceList, trace)
      }),
      { numRuns: 150 }
    )
  })
})
