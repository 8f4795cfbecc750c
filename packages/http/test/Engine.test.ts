import { assert, describe, it } from "@effect/vitest"
import { AddParticipantParams, type Command, PMap, State } from "@mpc-kit/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as Engine from "../src/Engine.js"
import * as History from "../src/History.js"

const T0 = 1_767_603_600_000 // 2026-01-05 09:00:00 UTC

const request = (wire: Record<string, unknown>) => Either.getOrThrow(AddParticipantParams.decode(wire))

/**
 * An engine whose callbacks land in a list. With `yielding`, every callback first yields to the
 * other fibers (as a sender with a full queue would), so work that is not serialised interleaves.
 */
const withEngine = (clock: "real" | "virtual", cps = 2, yielding = false) =>
  Effect.gen(function* () {
    const sent = yield* Ref.make<Array<Command.SendCallback>>([])
    const record = (c: Command.SendCallback) => Ref.update(sent, (xs) => [...xs, c])
    const outputs = Layer.succeed(Engine.EngineOutputs, {
      callback: (c) => (yielding ? Effect.zipRight(Effect.yieldNow(), record(c)) : record(c)),
      fetchXml: () => Effect.void
    })
    const engine = yield* Engine.make({
      authId: "MA0000000000000000000",
      cps,
      clock,
      seed: 1,
      start: T0
    }).pipe(Effect.provide(outputs))
    return { engine, sent }
  })

const add = (engine: Engine.Engine, name: string, wire: Record<string, unknown>) =>
  engine.submit({
    _tag: "AddParticipant",
    apiId: `api-${name}`,
    mpc: { _tag: "ByName", name },
    request: request(wire)
  })

const legsOf = (r: { commands: ReadonlyArray<Command.Command> }) => {
  const respond = r.commands.find((c) => c._tag === "Respond")
  return respond?._tag === "Respond" && respond.outcome._tag === "Added"
    ? respond.outcome.legs.map((c) => c.callUuid)
    : []
}

describe("Engine", () => {
  it.scoped("a dialled leg rings at once (EMULATOR.md), with its Ringing callback", () =>
    Effect.gen(function* () {
      const { engine, sent } = yield* withEngine("virtual")
      const r = yield* add(engine, "a", {
        role: "Agent",
        from: "+12025550000",
        to: "+12025551111",
        call_status_callback_url: "https://example.com/calls"
      })
      const [leg] = legsOf(r)
      assert.strictEqual(State.call(yield* engine.state, leg!)?.state, "ringing")
      assert.deepStrictEqual(
        (yield* Ref.get(sent)).map((c) => c.event),
        ["Initiated", "Ringing"]
      )
    })
  )

  it.scoped("CONFIRM-2 on the virtual clock: still confirming at +29.999 s, 9110 at +30 s", () =>
    Effect.gen(function* () {
      const { engine } = yield* withEngine("virtual")
      const [leg] = legsOf(
        yield* add(engine, "a", { role: "Agent", from: "+12025550000", to: "+12025551111", confirm_key: "5" })
      )
      yield* engine.submit({ _tag: "LegAnswered", callUuid: leg! })
      yield* engine.advance(29_999)
      assert.strictEqual(State.call(yield* engine.state, leg!)?.state, "confirming")
      yield* engine.advance(1)
      // The MPC ended with its only leg: it is read from the history now (STORE-10).
      const ended = yield* engine.mpc({ _tag: "ByName", name: "a" })
      const call = ended?.calls.find((c) => c.uuid === leg)
      assert.strictEqual(call?.hangup?.code, 9110)
      assert.strictEqual(call?.endedAt, T0 + 30_000)
      assert.strictEqual(yield* engine.now, T0 + 30_000)
    })
  )

  it.scoped("ADDR-3 fifty concurrent adds to one new name make one MPC, each add's turn whole", () =>
    Effect.gen(function* () {
      // The outputs yield on every callback: without the engine's lock the fifty turns interleave
      // (one add's leg is dialled while another's has not rung yet).
      const { engine, sent } = yield* withEngine("virtual", 100, true)
      const results = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) =>
          add(engine, "shared", {
            role: "Customer",
            from: "+12025550000",
            to: `+1202555${String(1000 + i)}`,
            max_participants: 10,
            call_status_callback_url: "https://example.com/calls"
          }),
        { concurrency: "unbounded" }
      )
      const state = yield* engine.state
      const live = State.liveMpc(state, "shared")!
      assert.strictEqual(PMap.size(state.mpcs), 1, "one MPC")
      assert.strictEqual(results.filter((r) => r.refused === undefined).length, 50)
      assert.strictEqual(live.calls.length, 50)
      assert.strictEqual([...new Set(results.map((r) => legsOf(r)[0]))].length, 50)
      let count = 0
      for (const r of results) {
        const respond = r.commands.find((c) => c._tag === "Respond")
        if (respond?._tag === "Respond") count += respond.outcome._tag === "Added" ? 1 : 0
      }
      assert.strictEqual(count, 50)
      // Each turn is whole: a leg's Initiated is followed by its own Ringing, never by another add's.
      const events = (yield* Ref.get(sent)).map((c) => `${c.event} ${c.params.CallUUID}`)
      const legs = results.map((r) => legsOf(r)[0]!)
      assert.strictEqual(events.length, 100)
      for (let k = 0; k < events.length; k += 2) {
        const leg = events[k]!.split(" ")[1]!
        assert.include(legs, leg)
        assert.deepStrictEqual(events.slice(k, k + 2), [`Initiated ${leg}`, `Ringing ${leg}`])
      }
    })
  )

  it.scoped("the trace of an MPC holds its events and commands in order", () =>
    Effect.gen(function* () {
      const { engine } = yield* withEngine("virtual")
      const r = yield* add(engine, "a", { role: "Agent", from: "+12025550000", to: "+12025551111" })
      const mpc = State.liveMpc(yield* engine.state, "a")!
      yield* engine.submit({ _tag: "LegAnswered", callUuid: legsOf(r)[0]! })
      const trace = (yield* engine.trace(mpc.uuid)) ?? []
      const events = trace.flatMap((e) => (e.kind === "event" ? [e.event._tag] : []))
      assert.deepStrictEqual(events, ["AddParticipant", "LegRinging", "LegAnswered"])
      assert.isTrue(trace.some((e) => e.kind === "command" && e.command._tag === "Bridge"))
    })
  )

  it.scoped("advance is refused on a real clock", () =>
    Effect.gen(function* () {
      const { engine } = yield* withEngine("real")
      const outcome = yield* Effect.either(engine.advance(1000))
      assert.isTrue(Either.isLeft(outcome))
    })
  )

  it.scoped("CPS-1 on the real clock (TestClock): the second leg leaves the queue one second later", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const { engine } = yield* withEngine("real", 1)
      const legs = legsOf(
        yield* add(engine, "a", { role: "Agent", from: "+12025550000", to: "+12025551111<+12025552222" })
      )
      assert.strictEqual(State.call(yield* engine.state, legs[1]!)?.state, "queued")
      yield* TestClock.adjust(999)
      assert.strictEqual(State.call(yield* engine.state, legs[1]!)?.state, "queued")
      yield* TestClock.adjust(1)
      assert.strictEqual(State.call(yield* engine.state, legs[1]!)?.state, "ringing")
    })
  )

  it.scoped(
    "DIAL-3 on the real clock (TestClock): a ring timeout earlier than the one the clock waits for fires on time",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        const { engine } = yield* withEngine("real", 100)
        const [slow] = legsOf(
          yield* add(engine, "slow", {
            role: "Agent",
            from: "+12025550000",
            to: "+12025551111",
            ring_timeout: 120
          })
        )
        // The clock's fiber now sleeps until the first leg's ring timeout, two minutes away.
        yield* TestClock.adjust(1)
        const [fast] = legsOf(
          yield* add(engine, "fast", {
            role: "Agent",
            from: "+12025550000",
            to: "+12025552222",
            ring_timeout: 15
          })
        )
        yield* TestClock.adjust(15_000)
        const state = yield* engine.state
        assert.strictEqual(State.call(state, slow!)?.state, "ringing")
        assert.notStrictEqual(State.call(state, fast!)?.state, "ringing")
        const ended = yield* engine.mpc({ _tag: "ByName", name: "fast" })
        const leg = ended?.calls.find((c) => c.uuid === fast)
        assert.strictEqual(leg?.state, "ended")
        assert.strictEqual(leg?.endedAt, T0 + 1 + 15_000)
        assert.strictEqual(leg?.hangup?.cause, "Ring Timeout Reached")
      })
  )

  it.scoped(
    "STORE-10 an ended MPC leaves the live state in the step that ends it; reads find it in the history",
    () =>
      Effect.gen(function* () {
        const { engine } = yield* withEngine("virtual", 100)
        const uuids: Array<string> = []
        for (const name of ["a", "b", "c"]) {
          const [leg] = legsOf(
            yield* add(engine, name, {
              role: "Agent",
              from: "+12025550000",
              to: "+12025551111",
              end_mpc_on_exit: true
            })
          )
          yield* engine.submit({ _tag: "LegAnswered", callUuid: leg! })
          uuids.push((yield* engine.mpc({ _tag: "ByName", name }))!.uuid)
          yield* engine.submit({ _tag: "CallHungUp", callUuid: leg! })
        }
        const state = yield* engine.state
        // Nothing of the three is live: no MPC, no call index entry, no name.
        assert.strictEqual(PMap.size(state.mpcs), 0)
        assert.strictEqual(PMap.size(state.callIndex), 0)
        assert.strictEqual(PMap.size(state.liveNames), 0)
        for (const [i, uuid] of uuids.entries()) {
          const m = yield* engine.mpc({ _tag: "ByUuid", uuid })
          assert.strictEqual(m?.status, "Ended")
          assert.strictEqual(m?.name, ["a", "b", "c"][i])
          const trace = yield* engine.trace(uuid)
          assert.isTrue((trace ?? []).some((e) => e.kind === "event" && e.event._tag === "CallHungUp"))
        }
        const listed = yield* engine.history.list(
          ["MA0000000000000000000"],
          { status: "ended" },
          { offset: 0, limit: 10 }
        )
        assert.deepStrictEqual(listed.total, 3)
      })
  )

  it("STORE-10 a history in memory keeps the latest `limit` MPCs and forgets older ones", () => {
    const history = History.memory(2)
    const mpc = (uuid: string, createdAt: number) =>
      ({ uuid, name: "n", createdAt, status: "Ended" }) as unknown as State.Mpc
    for (const [i, uuid] of ["u1", "u2", "u3"].entries())
      history.keep?.({ account: "A", mpc: mpc(uuid, i), trace: [] })
    assert.isUndefined(Effect.runSync(history.get("A", "u1")))
    assert.strictEqual(Effect.runSync(history.get("A", "u3"))?.mpc.uuid, "u3")
    assert.strictEqual(Effect.runSync(history.latestByName("A", "n"))?.mpc.uuid, "u3")
    const page = Effect.runSync(history.list(["A"], {}, { offset: 0, limit: 10 }))
    assert.deepStrictEqual([page.total, page.items.map((e) => e.mpc.uuid)], [2, ["u3", "u2"]])
  })
})
