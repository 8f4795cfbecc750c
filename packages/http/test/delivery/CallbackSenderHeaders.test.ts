import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { CallbackSender } from "../../src/CallbackSender.js"
import { startReceiver } from "./Receiver.js"

describe("CallbackSender", () => {
  it.live("DLV-11: callbacks carry no tracing headers (b3, traceparent)", () =>
    Effect.gen(function* () {
      const r = yield* Effect.acquireRelease(
        Effect.promise(() => startReceiver()),
        (x) => Effect.promise(() => x.close())
      )
      const sender = yield* CallbackSender
      yield* sender.send({
        _tag: "SendCallback",
        kind: "status",
        url: r.url("/cb"),
        method: "POST",
        mpcUuid: "m1",
        event: "MPCStart",
        params: { SequenceNumber: "1" }
      })
      yield* sender.flush
      expect(r.received.length).toBe(1)
      const headers = r.received[0]!.headers
      expect(headers["x-plivo-signature-v3"]).toBeDefined()
      expect(headers.traceparent).toBeUndefined()
      expect(headers.b3).toBeUndefined()
    }).pipe(Effect.withSpan("engine"), Effect.scoped, Effect.provide(CallbackSender.Live({ authToken: "t" })))
  )
})
