import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { State } from "@mpc-kit/domain"
import { Resvg } from "@resvg/resvg-js"
import * as Either from "effect/Either"
import * as Charts from "../src/Charts.js"
import * as Scenario from "../src/Scenario.js"
import * as Simulation from "../src/Simulation.js"
import * as Timeline from "../src/Timeline.js"

const dir = fileURLToPath(new URL("../scenarios/", import.meta.url))
const load = (name: string) =>
  Either.getOrThrow(Scenario.decodeJson(readFileSync(`${dir}${name}.json`, "utf8")))
const worked = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .sort()

/** Renders an SVG with resvg, which throws on a document that is not well-formed SVG. */
const render = (svg: string) => new Resvg(svg, { font: { loadSystemFonts: false } }).render()

const sizeOf = (svg: string) => {
  const m = /^<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg)
  assert.isNotNull(m, "the root element has a width and a height")
  return { width: Math.ceil(Number(m![1])), height: Math.ceil(Number(m![2])) }
}

/** The hangup causes each worked scenario must show (beyond whatever else its legs end with). */
const expectedCauses: Record<string, ReadonlyArray<string>> = {
  "parallel-dial": ["Lost Race (9000)", "Normal Hangup (4000)"],
  "confirm-timeout": ["Confirm Key Challenge Failed (9110)", "Normal Hangup (4000)"],
  "stay-alone": ["Normal Hangup (4000)", "Multiparty Call Ended (4020)"],
  "supervisor-coaching": ["Kicked Out Of Multiparty Call (4030)"]
}

describe("Timeline", () => {
  // The first three MPCs of each scenario (cps-burst has ten, the contact centre 500) stand for all.
  for (const name of worked) {
    it(`draws the MPCs of ${name}`, () => {
      const result = Simulation.run(load(name), { seed: 1 })
      const again = Simulation.run(load(name), { seed: 1 })
      const mpcs = Timeline.mpcsOf(result)
      assert.isAbove(mpcs.length, 0)
      assert.deepStrictEqual(Timeline.mpcsOf(again), mpcs)
      for (const { uuid, name: mpcName } of mpcs.slice(0, 3)) {
        const svg = Timeline.svg(result, uuid, { width: 900 })
        const png = render(svg)
        assert.deepStrictEqual({ width: png.width, height: png.height }, sizeOf(svg))
        assert.strictEqual(png.width, 900)
        assert.strictEqual(Timeline.svg(again, uuid, { width: 900 }), svg, "same seed, same picture")

        const mpc = State.mpc(result.state, uuid)
        const calls = mpc?.calls ?? []
        assert.isAbove(calls.length, 0)
        assert.strictEqual(svg.split('class="lane-label"').length - 1, calls.length, "one lane per call")
        for (const call of calls) {
          assert.include(svg, `data-call="${call.uuid}"`)
          assert.include(svg, `…${call.uuid.slice(-4)}`)
          if (call.hangup !== undefined) assert.include(svg, `${call.hangup.cause} (${call.hangup.code})`)
        }
        assert.include(svg, `MPC ${mpcName}`)
        const termination = mpc?.termination
        if (termination !== undefined) assert.include(svg, `${termination.cause} (${termination.code})`)
      }
      for (const cause of expectedCauses[name] ?? [])
        assert.include(Timeline.svg(result, mpcs[0]!.uuid), cause)
    })
  }

  it("lists MPCs in creation order and tells an unknown MPC", () => {
    const result = Simulation.run(load("cps-burst"), { seed: 1 })
    assert.deepStrictEqual(
      Timeline.mpcsOf(result).map((m) => m.name),
      Array.from({ length: 10 }, (_, k) => `burst-${k}`)
    )
    const svg = Timeline.svg(result, "no-such-mpc")
    render(svg)
    assert.include(svg, "No MPC no-such-mpc")
  })

  it("draws what the member was: held with music, coach mode, speaking, digits, recording paused", () => {
    const coached = Simulation.run(load("supervisor-coaching"), { seed: 1 })
    const svg = Timeline.svg(coached, Timeline.mpcsOf(coached)[0]!.uuid)
    assert.match(svg, /<title>held: 110–125 s \(15 s\)<\/title>/)
    assert.match(svg, /<title>hears CustomerHold music: 110–125 s \(15 s\)<\/title>/)
    assert.match(svg, /<title>coach mode: 33–70 s \(37 s\)<\/title>/)
    assert.include(svg, "<title>speaking: ")
    assert.match(svg, /<title>[^<]*ParticipantCoachModeStop[^<]*<\/title>/)

    const confirm = Simulation.run(load("confirm-timeout"), { seed: 1 })
    const c = Timeline.svg(confirm, Timeline.mpcsOf(confirm)[0]!.uuid)
    assert.match(c, /<title>confirming \(confirm key\): 3–33 s \(30 s\)<\/title>/)
    assert.include(c, "<title>pressed 7 at 8 s</title>")

    const recorded = Simulation.run(load("recording-two-members"), { seed: 1 })
    const r = Timeline.svg(recorded, Timeline.mpcsOf(recorded)[0]!.uuid)
    assert.match(r, /<title>Recording paused: 40–55 s \(15 s\)<\/title>/)
    assert.match(r, /<title>hears Wait music: 0–10 s \(10 s\)<\/title>/)
  })

  it("PLAY-3 PREC-1 draws audio played to a member and a member's own recording", () => {
    const run = Simulation.run(load("announcement-recording"), { seed: 1 })
    const svg = Timeline.svg(run, Timeline.mpcsOf(run)[0]!.uuid)
    render(svg)
    assert.match(svg, /<title>hears https:\/\/example\.com\/please-hold\.mp3: 12–25 s \(13 s\)<\/title>/)
    assert.match(svg, /<title>own recording paused: 40–50 s \(10 s\)<\/title>/)
    assert.include(svg, "hears audio played to it (PLAY)")
    assert.include(svg, "own recording (PREC)")
  })

  it("escapes text for XML", () => {
    const base = load("stay-alone")
    const scenario = {
      ...base,
      name: `<a & "b">`,
      actions: (base.actions ?? []).map((a) => ("mpc" in a ? { ...a, mpc: "x<&>'\"" } : a))
    }
    const result = Simulation.run(scenario, { seed: 1 })
    const svg = Timeline.svg(result, Timeline.mpcsOf(result)[0]!.uuid)
    render(svg)
    assert.include(svg, "x&lt;&amp;&gt;&apos;&quot;")
    assert.notInclude(svg, `<a & "b">`)
  })

  it("draws from the final state alone when the run kept no trace", () => {
    const result = Simulation.run(load("parallel-dial"), { seed: 1, trace: false })
    const svg = Timeline.svg(result, Timeline.mpcsOf(result)[0]!.uuid)
    render(svg)
    assert.include(svg, "Lost Race (9000)")
    assert.strictEqual(svg.split('class="lane-label"').length - 1, 4)
  })
})

describe("Charts", () => {
  it("renders every chart of the contact centre and charts its figures", async () => {
    const result = Simulation.run(load("contact-centre"), { seed: 1 })
    const charts = await Charts.all(result)
    assert.deepStrictEqual(
      charts.map((c) => c.name),
      ["legs-by-cause", "time-to-answer", "cps-queue-wait", "concurrency", "callbacks-by-event"]
    )
    for (const chart of charts) {
      assert.match(chart.name, /^[a-z0-9-]+$/)
      assert.isTrue(chart.svg.startsWith("<svg"), chart.name)
      const png = render(chart.svg)
      assert.isAbove(png.width, 100, chart.name)
      assert.isAbove(png.height, 100, chart.name)
    }

    const legs = Charts.legsByCause(result) as {
      data: { values: ReadonlyArray<{ cause: string; legs: number }> }
    }
    assert.deepStrictEqual(
      Object.fromEntries(legs.data.values.map((v) => [v.cause, v.legs])),
      result.metrics.legsByCause
    )
    const callbacks = Charts.callbacksByEvent(result) as {
      data: { values: ReadonlyArray<{ event: string; callbacks: number }> }
    }
    assert.deepStrictEqual(
      Object.fromEntries(callbacks.data.values.map((v) => [v.event, v.callbacks])),
      result.metrics.callbacksByEvent
    )
    const last = (series: string) =>
      Charts.concurrencyData(result)
        .filter((p) => p.series === series)
        .at(-1)
    assert.strictEqual(last("MPCs not ended")?.value, 0, "every MPC ended")
    assert.strictEqual(last("members in MPCs")?.value, 0, "every member left")
  })

  it("DIAL-2 the concurrency chart shows legs waiting for delay_dial apart from legs dialling or ringing", () => {
    // Three destinations, delay_dial 0<0<10; the second answers after 4 s, the third never rings.
    const data = Charts.concurrencyData(Simulation.run(load("parallel-dial"), { seed: 1 }))
    const peak = (series: string) =>
      Math.max(0, ...data.filter((p) => p.series === series).map((p) => p.value))
    assert.strictEqual(peak("legs waiting for delay_dial"), 1)
    assert.strictEqual(peak("legs dialling or ringing"), 2)
  })

  it("renders the charts of a small run (one answered leg, nothing queued)", async () => {
    const result = Simulation.run(load("parallel-dial"), { seed: 1 })
    for (const chart of await Charts.all(result)) render(chart.svg)
    const total = Charts.bins([0, 0, 1]).reduce((a, b) => a + b.count, 0)
    assert.strictEqual(total, 3)
    assert.deepStrictEqual(Charts.bins([]), [])
  })
})
