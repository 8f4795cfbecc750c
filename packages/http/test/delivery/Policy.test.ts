import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { attempt, makeAgents, request } from "../../src/delivery/Attempt.js"
import { backoff, decide, type RetryPolicy } from "../../src/delivery/Policy.js"
import { startReceiver } from "./Receiver.js"

const policy: RetryPolicy = { initialDelay: 1_000, factor: 2, maxDelay: 60_000, horizon: 86_400_000 }

describe("Delivery policy", () => {
  it("DLV-6: the delay doubles from the first retry and stops at the cap", () => {
    expect([1, 2, 3, 4, 6, 7, 8, 50].map((n) => backoff(policy, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000, 60_000
    ])
  })

  it("DLV-6, DLV-7: a retry is scheduled by backoff until the horizon, then the callback is dead-lettered", () => {
    expect(decide(policy, { _tag: "Timeout" }, 2, 0, 10_000)).toEqual({
      _tag: "Retry",
      at: 14_000,
      reason: "Timeout"
    })
    expect(decide(policy, { _tag: "Status", status: 503 }, 100, 0, 86_400_000 - 60_000)).toEqual({
      _tag: "Retry",
      at: 86_400_000,
      reason: "Status 503"
    })
    expect(decide(policy, { _tag: "Status", status: 503 }, 100, 0, 86_400_000 - 59_999)).toEqual({
      _tag: "DeadLetter",
      reason: "Status 503 (retry horizon passed)"
    })
  })

  it("DLV-8: 2xx acknowledges; 5xx, 408, 429 and transport failures retry; 1xx, 3xx and other 4xx are final", () => {
    const tag = (status: number) => decide(policy, { _tag: "Status", status }, 0, 0, 0)._tag
    expect(decide(policy, { _tag: "Acknowledged", status: 204 }, 0, 0, 0)._tag).toBe("Ack")
    expect([500, 502, 503, 599, 408, 429].map(tag)).toEqual(Array(6).fill("Retry"))
    expect([101, 301, 302, 307, 400, 401, 403, 404, 410].map(tag)).toEqual(Array(9).fill("DeadLetter"))
    expect(decide(policy, { _tag: "Transport", detail: "ECONNREFUSED" }, 0, 0, 0)._tag).toBe("Retry")
  })

  it.live("DLV-10: a failed attempt leaves a one-line summary, not an error chain", () =>
    Effect.gen(function* () {
      const r = yield* Effect.promise(() => startReceiver())
      const url = r.url("/cb")
      yield* Effect.promise(() => r.close())
      const agents = makeAgents()
      const outcome = yield* attempt(
        agents,
        request(
          "t",
          { _tag: "SendCallback", kind: "status", url, method: "POST", mpcUuid: "m", event: "E", params: {} },
          "1"
        ),
        { timeout: Duration.seconds(5), bodyLimit: 1024 }
      )
      expect(outcome._tag).toBe("Transport")
      const detail = outcome._tag === "Transport" ? outcome.detail : ""
      expect(detail).not.toContain("\n")
      expect(detail.length).toBeLessThanOrEqual(201)
      expect(Object.keys(outcome)).toEqual(["_tag", "detail"])
      agents.close()
    })
  )
})
