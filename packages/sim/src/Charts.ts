/**
 * A run's figures as charts: Vega-Lite specs built from a `RunResult` (pure data), and their SVGs
 * rendered in Node by Vega without a browser. Times are in seconds; the time axis counts from the
 * start of the run.
 *
 * @since 0.1.0
 */
import { PMap } from "@mpc-kit/domain"
import { parse, View } from "vega"
import { compile, type TopLevelSpec } from "vega-lite"
import type { Summary } from "./Metrics.js"
import type { RunResult } from "./Simulation.js"

const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif'

const config = {
  font: FONT,
  background: "#ffffff",
  padding: 16,
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: "#57606a", anchor: "start", offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 420 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 400 },
  view: { stroke: null }
} as const

const WIDTH = 640
const BAR = "#3f6fb5"

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * (a) Legs by how they ended: `metrics.legsByCause`, one bar per cause.
 *
 * @since 0.1.0
 * @category charts
 */
export const legsByCause = (result: RunResult): TopLevelSpec => {
  const values = Object.entries(result.metrics.legsByCause).map(([cause, legs]) => ({ cause, legs }))
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Legs by hangup cause",
      subtitle: [
        `${result.scenario.name}, seed ${result.seed}: ${plural(result.metrics.legs, "outbound leg")}`,
        ...(values.some((v) => v.cause === "In MPC" || v.cause === "Handed Off")
          ? ["In MPC: still up when the run stopped; Handed Off: left alive for the on-exit XML"]
          : [])
      ]
    },
    config,
    width: WIDTH,
    height: { step: 26 },
    data: { values },
    encoding: {
      y: { field: "cause", type: "nominal", sort: null, title: null },
      x: { field: "legs", type: "quantitative", title: "legs", axis: { tickMinStep: 1, format: "d" } }
    },
    layer: [
      { mark: { type: "bar", color: BAR, cornerRadiusEnd: 2 } },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#1f2328" },
        encoding: { text: { field: "legs", type: "quantitative" } }
      }
    ]
  }
}

/** Outbound legs' durations in seconds (as `Metrics` counts them). */
const legDurations = (result: RunResult) => {
  const answer: Array<number> = []
  const wait: Array<number> = []
  PMap.forEach(result.state.mpcs, (mpc) => {
    for (const call of mpc.calls) {
      if (call.requestUuid === undefined || call.direction !== "outbound") continue
      if (call.answeredAt !== undefined && call.initiatedAt !== undefined)
        answer.push((call.answeredAt - call.initiatedAt) / 1000)
      if (call.initiatedAt !== undefined) wait.push((call.initiatedAt - call.createdAt) / 1000)
    }
  })
  return { answer, wait }
}

/**
 * Equal-width bins (a nice width, at most about 30 of them) and how many values fall in each.
 *
 * @since 0.1.0
 * @category charts
 */
export const bins = (
  xs: ReadonlyArray<number>
): ReadonlyArray<{ readonly from: number; readonly to: number; readonly count: number }> => {
  if (xs.length === 0) return []
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  // One value (or many equal ones): a bin a tenth of its size wide, at least 0.1 s.
  const raw = hi > lo ? Math.max((hi - lo) / 30, 0.001) : Math.max(Math.abs(hi) / 10, 0.1)
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((w) => w >= raw) ?? 10 * p
  const round = (x: number) => Math.round(x * 1e6) / 1e6
  const first = Math.floor(lo / step)
  const n = Math.max(1, Math.floor(hi / step) - first + 1)
  const counts = new Array<number>(n).fill(0)
  for (const x of xs) counts[Math.min(n - 1, Math.floor(x / step) - first)]! += 1
  return counts.map((count, k) => ({
    from: round((first + k) * step),
    to: round((first + k + 1) * step),
    count
  }))
}

const histogram = (
  result: RunResult,
  title: string,
  what: string,
  values: ReadonlyArray<number>,
  summary: Summary
): TopLevelSpec => {
  const counted = bins(values)
  // The rules are named just above the plot (the figures are in the subtitle): p50 to the left of its
  // rule, p90 to the right, so the two names do not overlap however close the rules are.
  const marks =
    summary.count === 0
      ? []
      : summary.p50 === summary.p90
        ? [{ label: "p50 = p90", seconds: summary.p50, align: "left", dx: 3 }]
        : [
            { label: "p50", seconds: summary.p50, align: "right", dx: -3 },
            { label: "p90", seconds: summary.p90, align: "left", dx: 3 }
          ]
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: title,
      subtitle: [
        `${result.scenario.name}, seed ${result.seed}: ${summary.count === 0 ? "no legs" : plural(summary.count, "leg")}`,
        ...(summary.count === 0
          ? []
          : [
              `mean ${summary.mean} s, p50 ${summary.p50} s, p90 ${summary.p90} s, p99 ${summary.p99} s, max ${summary.max} s`
            ])
      ]
    },
    config,
    width: WIDTH,
    height: 260,
    layer: [
      {
        data: { values: counted.map((b) => ({ ...b, mid: (b.from + b.to) / 2 })) },
        layer: [
          {
            mark: { type: "bar", color: BAR, stroke: "#ffffff", strokeWidth: 0.5 },
            encoding: {
              x: { field: "from", type: "quantitative", title: `${what} (seconds)` },
              x2: { field: "to" },
              y: {
                field: "count",
                type: "quantitative",
                title: "legs",
                // Headroom for the counts above the bars, below the rules' names.
                scale: { domainMax: Math.max(1, ...counted.map((b) => b.count)) * 1.1 },
                axis: { tickMinStep: 1, format: "d" }
              },
              y2: { datum: 0 }
            }
          },
          {
            transform: [{ filter: "datum.count > 0" }],
            mark: { type: "text", baseline: "bottom", dy: -2, fontSize: 10, color: "#1f2328" },
            encoding: {
              x: { field: "mid", type: "quantitative" },
              y: { field: "count", type: "quantitative" },
              text: { field: "count", type: "quantitative" }
            }
          }
        ]
      },
      {
        data: { values: marks },
        mark: { type: "rule", color: "#d62f3a", strokeDash: [4, 3], strokeWidth: 1.5 },
        encoding: { x: { field: "seconds", type: "quantitative" } }
      },
      ...marks.map((m) => ({
        data: { values: [m] },
        mark: {
          type: "text" as const,
          color: "#d62f3a",
          align: m.align === "left" ? ("left" as const) : ("right" as const),
          dx: m.dx,
          y: -3,
          baseline: "bottom" as const,
          fontSize: 11
        },
        encoding: {
          x: { field: "seconds", type: "quantitative" as const },
          text: { field: "label", type: "nominal" as const }
        }
      }))
    ]
  }
}

/**
 * (b) The distribution of the time from a leg's initiation to its answer.
 *
 * @since 0.1.0
 * @category charts
 */
export const timeToAnswer = (result: RunResult): TopLevelSpec =>
  histogram(
    result,
    "Time to answer",
    "from initiation to answer",
    legDurations(result).answer,
    result.metrics.timeToAnswer
  )

/**
 * (b) The distribution of the time legs waited in the account's CPS queue (CPS-1).
 *
 * @since 0.1.0
 * @category charts
 */
export const cpsQueueWait = (result: RunResult): TopLevelSpec =>
  histogram(
    result,
    "CPS queue wait",
    "from creation to initiation",
    legDurations(result).wait,
    result.metrics.cpsQueueWait
  )

/**
 * How many MPCs, members and ringing legs there were, after each change (seconds from the start).
 *
 * @since 0.1.0
 * @category charts
 */
export const concurrencyData = (
  result: RunResult
): ReadonlyArray<{ readonly t: number; readonly series: string; readonly value: number }> => {
  const deltas = new Map<string, Map<number, number>>()
  const add = (series: string, t: number, d: number) => {
    let m = deltas.get(series)
    if (m === undefined) {
      m = new Map()
      deltas.set(series, m)
    }
    m.set(t, (m.get(t) ?? 0) + d)
  }
  const SERIES = {
    mpcs: "MPCs not ended",
    members: "members in MPCs",
    ringing: "legs dialling or ringing",
    waiting: "legs waiting for delay_dial"
  }
  const end = result.end
  // Joins and hand-offs from the trace, the rest of each call's life from the final state.
  const joined = new Map<string, number>()
  const unbridged = new Map<string, number>()
  for (const e of result.trace) {
    if (e.kind !== "command") continue
    if (e.command._tag === "Bridge") joined.set(e.command.callUuid, e.t)
    else if (e.command._tag === "Unbridge") unbridged.set(e.command.callUuid, e.t)
  }
  PMap.forEach(result.state.mpcs, (mpc) => {
    add(SERIES.mpcs, mpc.createdAt, 1)
    add(SERIES.mpcs, mpc.endedAt ?? end, -1)
    for (const call of mpc.calls) {
      const join = joined.get(call.uuid)
      if (join !== undefined) {
        add(SERIES.members, join, 1)
        add(SERIES.members, unbridged.get(call.uuid) ?? call.endedAt ?? end, -1)
      }
      if (call.initiatedAt !== undefined) {
        // DIAL-2: a leg with a delay waits from its initiation until it is dialled (never, when the
        // delay is not shorter than its ring timeout).
        const stop = call.answeredAt ?? call.endedAt ?? end
        const delay = call.destination?.delayDial ?? 0
        const dialled =
          delay === 0
            ? call.initiatedAt
            : delay < (call.destination?.ringTimeout ?? 0)
              ? Math.min(call.initiatedAt + delay * 1000, stop)
              : stop
        if (dialled > call.initiatedAt) {
          add(SERIES.waiting, call.initiatedAt, 1)
          add(SERIES.waiting, dialled, -1)
        }
        if (dialled < stop) {
          add(SERIES.ringing, dialled, 1)
          add(SERIES.ringing, stop, -1)
        }
      }
    }
  })
  const out: Array<{ t: number; series: string; value: number }> = []
  for (const series of [SERIES.mpcs, SERIES.members, SERIES.ringing, SERIES.waiting]) {
    const m = deltas.get(series)
    if (m === undefined) continue
    let value = 0
    out.push({ t: 0, series, value: 0 })
    for (const t of [...m.keys()].sort((a, b) => a - b)) {
      value += m.get(t)!
      out.push({ t: (t - result.start) / 1000, series, value })
    }
  }
  return out
}

/**
 * (c) Concurrent MPCs, members and ringing legs over time (a step line).
 *
 * @since 0.1.0
 * @category charts
 */
export const concurrency = (result: RunResult): TopLevelSpec => {
  const values = concurrencyData(result)
  const peak = (series: string) =>
    values.filter((v) => v.series === series).reduce((a, v) => Math.max(a, v.value), 0)
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Concurrent MPCs and members",
      subtitle: `${result.scenario.name}, seed ${result.seed}: at most ${plural(peak("MPCs not ended"), "MPC")} and ${plural(peak("members in MPCs"), "member")} at once`
    },
    config,
    width: WIDTH,
    height: 280,
    data: { values: values.map((v) => ({ ...v })) },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      x: { field: "t", type: "quantitative", title: "seconds from the start of the run" },
      y: { field: "value", type: "quantitative", title: "at once", axis: { tickMinStep: 1, format: "d" } },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: {
          domain: [
            "MPCs not ended",
            "members in MPCs",
            "legs dialling or ringing",
            "legs waiting for delay_dial"
          ],
          range: ["#3f6fb5", "#2e9e4f", "#e8743b", "#9a9a9a"]
        },
        legend: { orient: "top", direction: "horizontal" }
      }
    }
  }
}

/** The add-participant parameter that names each callback stream's URL. */
const URL_PARAM =
  "datum.label === 'status' ? 'status_callback_url' : datum.label === 'call' ? 'call_status_callback_url' : datum.label === 'recording' ? 'recording_callback_url' : datum.label"

/**
 * (d) Callbacks sent, by event name (`metrics.callbacksByEvent`), coloured by the stream they go to.
 *
 * @since 0.1.0
 * @category charts
 */
export const callbacksByEvent = (result: RunResult): TopLevelSpec => {
  const kindOf = new Map<string, string>()
  for (const e of result.trace) {
    if (e.kind === "command" && e.command._tag === "SendCallback" && !kindOf.has(e.command.event))
      kindOf.set(e.command.event, e.command.kind)
  }
  const values = Object.entries(result.metrics.callbacksByEvent).map(([event, callbacks]) => ({
    event,
    callbacks,
    kind: kindOf.get(event) ?? "unknown"
  }))
  const total = values.reduce((a, v) => a + v.callbacks, 0)
  const colours: Record<string, string> = {
    status: "#3f6fb5",
    call: "#e8743b",
    recording: "#b8001f",
    unknown: "#9aa0a6"
  }
  const kinds = Object.keys(colours).filter((k) => values.some((v) => v.kind === k))
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Callbacks by event",
      subtitle: `${result.scenario.name}, seed ${result.seed}: ${plural(total, "callback")}`
    },
    config,
    width: WIDTH,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: "event", type: "nominal", sort: null, title: null },
      x: {
        field: "callbacks",
        type: "quantitative",
        title: "callbacks",
        axis: { tickMinStep: 1, format: "d" }
      }
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          color: {
            field: "kind",
            type: "nominal",
            title: "sent to",
            scale: { domain: kinds, range: kinds.map((k) => colours[k]!) },
            legend: { orient: "top", direction: "horizontal", labelExpr: URL_PARAM }
          }
        }
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#1f2328" },
        encoding: { text: { field: "callbacks", type: "quantitative" } }
      }
    ]
  }
}

/**
 * Every chart of a run, by name (usable as a file name).
 *
 * @since 0.1.0
 * @category charts
 */
export const specs = (result: RunResult): ReadonlyArray<{ name: string; spec: TopLevelSpec }> => [
  { name: "legs-by-cause", spec: legsByCause(result) },
  { name: "time-to-answer", spec: timeToAnswer(result) },
  { name: "cps-queue-wait", spec: cpsQueueWait(result) },
  { name: "concurrency", spec: concurrency(result) },
  { name: "callbacks-by-event", spec: callbacksByEvent(result) }
]

/**
 * Renders a Vega-Lite spec to a standalone SVG with Vega in Node (no browser, no canvas).
 *
 * @since 0.1.0
 * @category charts
 */
export const toSvg = async (spec: object): Promise<string> => {
  const view = new View(parse(compile(spec as TopLevelSpec).spec), { renderer: "none" })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/**
 * Every chart of a run as an SVG, by name (usable as a file name).
 *
 * @since 0.1.0
 * @category charts
 */
export const all = async (result: RunResult): Promise<ReadonlyArray<{ name: string; svg: string }>> => {
  const out: Array<{ name: string; svg: string }> = []
  for (const { name, spec } of specs(result)) out.push({ name, svg: await toSvg(spec) })
  return out
}
