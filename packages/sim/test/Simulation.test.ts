import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Invariants, PMap, type State } from "@mpc-kit/domain"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Arbitrary from "../src/Arbitrary.js"
import * as Scenario from "../src/Scenario.js"
import * as Simulation from "../src/Simulation.js"
import * as Trace from "../src/Trace.js"

const dir = fileURLToPath(new URL("../scenarios/", import.meta.url))
const load = (name: string): Scenario.Scenario => {
  const s = Scenario.decodeJson(readFileSync(`${dir}${name}.json`, "utf8"))
  if (Either.isLeft(s)) throw new Error(`${name}: ${s.left}`)
  return s.right
}
const runChecked = (name: string, seed = 1) =>
  Simulation.run(load(name), { seed, invariants: Invariants.all })
const onlyMpc = (state: State.State): State.Mpc => {
  const all = [...PMap.values(state.mpcs)]
  assert.strictEqual(all.length, 1)
  return all[0]!
}
const commands = (r: Simulation.RunResult) =>
  r.trace.flatMap((e) => (e.kind === "command" ? [{ t: e.t, c: e.command }] : []))

describe("worked scenarios", () => {
  it("every shipped scenario decodes, validates and runs with every invariant checked after every step", () => {
    const names = readdirSync(dir).filter((f) => f.endsWith(".json"))
    assert.includeMembers(names, [
      "parallel-dial.json",
      "confirm-timeout.json",
      "supervisor-coaching.json",
      "recording-two-members.json",
      "stay-alone.json",
      "cps-burst.json",
      "contact-centre.json",
      "announcement-recording.json"
    ])
    for (const f of names) {
      const r = runChecked(f.replace(/\.json$/, ""))
      assert.isAbove(r.metrics.events, 0, f)
      assert.strictEqual(
        r.metrics.refused,
        0,
        `${f}: the network model never sends an event the rules refuse`
      )
    }
  })

  it("RACE-2, RACE-3 parallel-dial: the silent first leg loses, the delayed third is never dialled", () => {
    const r = runChecked("parallel-dial")
    const mpc = onlyMpc(r.state)
    const legs = mpc.calls.filter((c) => c.direction === "outbound")
    assert.deepStrictEqual(
      legs.map((c) => c.hangup?.cause ?? c.state),
      ["Lost Race", "Normal Hangup", "Lost Race"]
    )
    const dialled = commands(r)
      .filter((x) => x.c._tag === "DialLeg")
      .map((x) => (x.c as { callUuid: string }).callUuid)
    assert.notInclude(dialled, legs[2]!.uuid)
    assert.strictEqual(legs[2]!.initiatedAt !== undefined, true)
  })

  it("CONFIRM-2 confirm-timeout: 9110 exactly 30 s after the answer; the leg that confirms joins", () => {
    const r = runChecked("confirm-timeout")
    const [first, second] = onlyMpc(r.state).calls.filter((c) => c.direction === "outbound")
    assert.strictEqual(first!.hangup?.code, 9110)
    assert.strictEqual(first!.endedAt! - first!.answeredAt!, 30_000)
    assert.isDefined(second!.memberId)
  })

  it("REC-1 recording-two-members: the recording starts when the second member joins, not before", () => {
    const r = runChecked("recording-two-members")
    const cs = commands(r)
    const bridges = cs.filter((x) => x.c._tag === "Bridge")
    const start = cs.find((x) => x.c._tag === "RecordStart")
    assert.strictEqual(bridges.length, 2)
    assert.strictEqual(start?.t, bridges[1]!.t)
    assert.strictEqual(onlyMpc(r.state).recording.status, "Completed")
  })

  it("LIFE-8 stay-alone: the last exit leaves the supervisor alone; the MPC ends with 1010", () => {
    const mpc = onlyMpc(runChecked("stay-alone").state)
    assert.deepStrictEqual(mpc.termination, { cause: "Stay Alone Not Permitted", code: 1010 })
  })

  it("CPS-1 cps-burst: never more than 2 legs initiated in any one-second window, in arrival order", () => {
    const r = runChecked("cps-burst")
    // Ids end with the counter that made them: that is creation order.
    const legs = [...PMap.values(r.state.mpcs)]
      .flatMap((m) => m.calls)
      .sort((a, b) => (a.uuid.slice(-12) < b.uuid.slice(-12) ? -1 : 1))
    const initiated = legs.map((c) => c.initiatedAt!)
    for (let k = 2; k < initiated.length; k++) assert.isAtLeast(initiated[k]! - initiated[k - 2]!, 1000)
    assert.deepStrictEqual(
      initiated,
      [...initiated].sort((a, b) => a - b)
    )
    assert.strictEqual(r.metrics.cpsQueueWait.max, 4)
  })

  it("SDK-4 PLAY-3 PLAY-6 PREC-3 announcement-recording: started by API, a play to the customer only, the agent's own recording, a play ended by the hangup", () => {
    const r = runChecked("announcement-recording")
    const cs = commands(r)
    const mpc = onlyMpc(r.state)
    const customer = mpc.left!.find((m) => m.role === "Customer")!
    const agent = mpc.left!.find((m) => m.role === "Agent")!
    assert.strictEqual(mpc.startedAt, mpc.createdAt + 10_000)
    const starts = cs.filter((x) => x.c._tag === "StartAudio")
    // 12 s: the customer only; 70 s: both.
    assert.deepStrictEqual(
      starts.map((x) => [x.t - mpc.createdAt, x.c._tag === "StartAudio" ? x.c.memberId : ""]),
      [
        [12_000, customer.id],
        [70_000, customer.id],
        [70_000, agent.id]
      ]
    )
    assert.strictEqual(cs.filter((x) => x.c._tag === "StopAudio").length, 3)
    const rec = cs.flatMap((x) =>
      x.c._tag === "SendCallback" && x.c.kind === "recording" ? [[x.c.event, x.c.params.MemberID]] : []
    )
    assert.deepStrictEqual(rec, [
      ["ParticipantRecordingInitiated", agent.id],
      ["ParticipantRecordingPaused", agent.id],
      ["ParticipantRecordingResumed", agent.id],
      ["ParticipantRecordingCompleted", agent.id]
    ])
    assert.strictEqual(agent.recording?.status, "Completed")
    assert.isUndefined(customer.audio)
  })

  it("SOUND-2 supervisor-coaching: no enter sound for the coaching supervisor; barging in changes coach mode", () => {
    const r = runChecked("supervisor-coaching")
    const mpc = onlyMpc(r.state)
    const supervisorCall = mpc.calls.find((c) => c.to === "sip:sue@cc.example.com")!
    const sounds = commands(r).filter(
      (x) => x.c._tag === "PlaySound" && (x.c as { memberId?: string }).memberId === supervisorCall.memberId
    )
    // No enter sound (coach mode); the exit sound plays: the kick came after coach_mode was turned off.
    assert.strictEqual(sounds.length, 1)
    assert.strictEqual(supervisorCall.hangup?.code, 4030)
  })
})

describe("determinism", () => {
  it("the same scenario and seed give byte-identical traces; another seed changes a random scenario", () => {
    for (const name of ["contact-centre", "cps-burst", "parallel-dial"]) {
      const a = Trace.toNdjson(Simulation.run(load(name), { seed: 42 }).trace)
      const b = Trace.toNdjson(Simulation.run(load(name), { seed: 42 }).trace)
      assert.strictEqual(a, b, name)
    }
    const one = Trace.toNdjson(Simulation.run(load("cps-burst"), { seed: 1 }).trace)
    const two = Trace.toNdjson(Simulation.run(load("cps-burst"), { seed: 2 }).trace)
    assert.notStrictEqual(one, two)
  })

  it("the trace reads back from NDJSON, every line checked", () => {
    const r = Simulation.run(load("parallel-dial"), { seed: 1 })
    const back = Trace.fromNdjson(Trace.toNdjson(r.trace))
    assert.strictEqual(back.length, r.trace.length)
    assert.strictEqual(Trace.toNdjson(back), Trace.toNdjson(r.trace))
  })
})

describe("scenario files", () => {
  it("a bad file gets errors that name where it is wrong", () => {
    const bad = Scenario.decode({ name: "x", actions: [{ at: "soon", do: "end", mpc: "a" }], extra: 1 })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) {
      assert.include(bad.left, "actions.0")
      assert.include(bad.left, "extra")
    }
    assert.include(
      Either.getLeft(Scenario.decodeJson("{nope")).pipe((o) => (o._tag === "Some" ? o.value : "")),
      "not JSON"
    )
  })

  it("invalid add parameters and unknown call labels are reported before running", () => {
    const s = Either.getOrThrow(
      Scenario.decode({
        name: "x",
        actions: [
          { at: 0, do: "add", mpc: "a", params: { role: "Agent", from: "1", to: "2", ring_timeout: 14 } },
          { at: 0, do: "add", mpc: "a", params: { role: "Customer", call_uuid: "@nobody" } }
        ]
      })
    )
    const v = Simulation.validate(s)
    assert.isTrue(Either.isLeft(v))
    if (Either.isLeft(v)) {
      assert.include(v.left, "actions.0.params.ring_timeout")
      assert.include(v.left, "actions.1.params.call_uuid")
    }
  })
})

describe("random scenarios", () => {
  it("every arbitrary scenario validates and runs with every invariant holding after every step", () => {
    fc.assert(
      fc.property(Arbitrary.scenario(), fc.integer(), (s, seed) => {
        assert.isTrue(Either.isRight(Scenario.decode(s)), "the arbitrary makes valid scenario files")
        assert.isTrue(Either.isRight(Simulation.validate(s)))
        const r = Simulation.run(s, { seed, invariants: Invariants.all })
        assert.isAtMost(
          r.metrics.joins,
          r.metrics.legs + r.trace.filter((e) => e.kind === "event" && e.event._tag === "CreateCall").length
        )
      }),
      { numRuns: 150 }
    )
  })

  it("random scenarios are deterministic in their seed", () => {
    fc.assert(
      fc.property(Arbitrary.scenario(), fc.integer(), (s, seed) => {
        assert.strictEqual(
          Trace.toNdjson(Simulation.run(s, { seed }).trace),
          Trace.toNdjson(Simulation.run(s, { seed }).trace)
        )
      }),
      { numRuns: 50 }
    )
  })
})

describe("the simulator's decoder", () => {
  it("PARAM-1..PARAM-19: decoding by template gives exactly what AddParticipantParams.decode gives", async () => {
    const { AddParticipantParams } = await import("@mpc-kit/domain")
    const { AddParticipantArbitrary } = await import("@mpc-kit/domain/testing")
    const decode = Simulation.makeDecoder()
    fc.assert(
      fc.property(
        fc.array(AddParticipantArbitrary.validWireRequest, { minLength: 1, maxLength: 4 }),
        (wires) => {
          for (const w of wires) {
            // Twice: the second comes from the template the first made.
            for (let k = 0; k < 2; k++) {
              const expected = AddParticipantParams.decode(w)
              const got = decode(w)
              assert.deepStrictEqual(
                Either.isRight(got) ? got.right : undefined,
                Either.isRight(expected) ? expected.right : undefined
              )
            }
            const swapped = {
              ...w,
              ...(w.to === undefined
                ? {}
                : {
                    to: String(w.to)
                      .split("<")
                      .map((_, i) => `+1202555${i}`)
                      .join("<")
                  })
            }
            const expected = AddParticipantParams.decode(swapped)
            const got = decode(swapped)
            assert.deepStrictEqual(
              Either.isRight(got) ? got.right : undefined,
              Either.isRight(expected) ? expected.right : undefined
            )
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})
