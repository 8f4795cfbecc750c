/**
 * A run's MPC as a picture: one standalone SVG per MPC with a lane for the MPC itself, one for its
 * recording and one per call (legs dialled for its requests, calls transferred into it). Each call's
 * lane shows where the call stood over time (waiting, dialling, ringing, confirming, in the MPC),
 * what its member was (muted, held, coaching, speaking, hearing music, recorded) and why it ended.
 *
 * The lanes come from the run's own states: the trace's events are stepped again from the run's
 * initial state (the domain's `step` is deterministic), and the MPC is looked at after every event
 * that changed it. Without a trace (a run with `trace: false`) only the final state's timestamps are
 * drawn. Pure: the same run gives the same picture, byte for byte.
 *
 * @since 0.1.0
 */
import { PMap, State, Step } from "@mpc-kit/domain"
import type { RunResult } from "./Simulation.js"

type Mpc = State.Mpc
type Call = State.Call

// ---------------------------------------------------------------------------------------------------
// The model: what happened, as spans of time
// ---------------------------------------------------------------------------------------------------

/** A stretch of time with one value; `open` when it was still going at the end of the run. */
interface Span {
  readonly from: number
  readonly to: number
  readonly value: string
  readonly open: boolean
}

/** A value over time: each change closes the span of the previous value. */
class Track {
  readonly spans: Array<Span> = []
  private value: string | undefined = undefined
  private since = 0

  set(t: number, value: string | undefined): void {
    if (value === this.value) return
    this.close(t, false)
    this.value = value
    this.since = t
  }

  /** Closes the current span at `t` (the end of the run: `open`). */
  finish(t: number): void {
    this.close(t, true)
    this.value = undefined
  }

  private close(t: number, open: boolean): void {
    if (this.value !== undefined && t > this.since)
      this.spans.push({ from: this.since, to: t, value: this.value, open })
  }
}

/** Where a call stands, as drawn: the states of `State.CallState` but `ended`. */
type Phase = Exclude<State.CallState, "ended">

const phaseOf = (call: Call): Phase | undefined => (call.state === "ended" ? undefined : call.state)

interface LaneModel {
  readonly callUuid: string
  readonly direction: "outbound" | "inbound"
  readonly address: string
  role: string | undefined
  readonly phase: Track
  readonly muted: Track
  readonly held: Track
  readonly speaking: Track
  readonly coach: Track
  readonly music: Track
  readonly recorded: Track
  /** PLAY-3: audio the play API plays to the member. */
  readonly played: Track
  /** PREC-1: the member's own recording by the participant-recording API. */
  readonly ownRecording: Track
  readonly digits: Array<{ readonly t: number; readonly digits: string; readonly refused: boolean }>
  /** XML-1: the documents that ran the call (answer, redirect, on-exit), and what they held. */
  readonly xml: Array<{ readonly t: number; readonly text: string }>
  end: { readonly t: number; readonly text: string } | undefined
}

interface CallbackMark {
  readonly t: number
  readonly kind: string
  readonly event: string
  readonly callUuid: string | undefined
}

interface Model {
  readonly mpc: Mpc
  readonly status: Track
  readonly recording: Track
  readonly lanes: ReadonlyArray<LaneModel>
  readonly callbacks: ReadonlyArray<CallbackMark>
}

const newLane = (call: Call): LaneModel => ({
  callUuid: call.uuid,
  direction: call.direction,
  address: call.direction === "outbound" ? call.to : call.from,
  role: undefined,
  phase: new Track(),
  muted: new Track(),
  held: new Track(),
  speaking: new Track(),
  coach: new Track(),
  music: new Track(),
  recorded: new Track(),
  played: new Track(),
  ownRecording: new Track(),
  digits: [],
  xml: [],
  end: undefined
})

const endOf = (call: Call): { t: number; text: string } | undefined => {
  if (call.endedAt === undefined) return undefined
  if (call.hangup !== undefined)
    return { t: call.endedAt, text: `${call.hangup.cause} (${call.hangup.code})` }
  if (call.handedOff === true) return { t: call.endedAt, text: "Handed Off" }
  return undefined
}

/** The MPC's lanes, from the run's states after each event (or the final state without a trace). */
const build = (result: RunResult, uuid: string): Model | undefined => {
  const final = State.mpc(result.state, uuid)
  if (final === undefined) return undefined
  const lanes = new Map<string, LaneModel>()
  const status = new Track()
  const recording = new Track()
  const callbacks: Array<CallbackMark> = []
  /** XML-1: documents each call ran, before and after its time in this MPC. */
  const xmlOf = new Map<string, Array<{ t: number; text: string }>>()

  const lane = (call: Call): LaneModel => {
    let l = lanes.get(call.uuid)
    if (l === undefined) {
      l = newLane(call)
      lanes.set(call.uuid, l)
    }
    return l
  }

  const observe = (t: number, mpc: Mpc) => {
    status.set(t, mpc.status === "Ended" ? undefined : mpc.status)
    const rec = mpc.recording.status
    recording.set(t, rec === "Recording" || rec === "Paused" ? rec : undefined)
    const members = new Map(mpc.members.map((m) => [m.callUuid, m]))
    for (const call of mpc.calls) {
      const l = lane(call)
      l.phase.set(t, phaseOf(call))
      const m = members.get(call.uuid)
      if (m !== undefined) l.role = m.role
      l.muted.set(t, m?.mute === true ? "muted" : undefined)
      l.held.set(t, m?.hold === true ? "held" : undefined)
      l.speaking.set(t, m?.speaking === true ? "speaking" : undefined)
      l.coach.set(t, m?.role === "Supervisor" && m.coachMode ? "coach mode" : undefined)
      l.music.set(t, m?.music)
      l.recorded.set(t, m?.trackRecordingUuid === undefined ? undefined : "track recorded")
      l.played.set(t, m?.audio?.url)
      const own = m?.recording?.status
      l.ownRecording.set(t, own === "Recording" || own === "Paused" ? own : undefined)
      l.end ??= endOf(call)
    }
    for (const r of mpc.requests) {
      for (const leg of r.legs) {
        const known = lanes.get(leg)
        if (known !== undefined) known.role = r.request.role
      }
    }
  }

  let seen: Mpc | undefined
  if (result.trace.some((e) => e.kind === "event")) {
    let state = State.make(result.state.config, result.start)
    let done = false
    for (const entry of result.trace) {
      if (entry.kind === "command") {
        const c = entry.command
        if (c._tag === "SendCallback" && c.mpcUuid === uuid)
          callbacks.push({
            t: entry.t,
            kind: c.kind,
            event: c.event,
            callUuid: c.params.CallUUID ?? undefined
          })
        continue
      }
      const xmlEvent = entry.event
      if (
        (xmlEvent._tag === "XmlFetched" || xmlEvent._tag === "XmlFetchFailed") &&
        entry.refused === undefined
      ) {
        const text =
          xmlEvent._tag === "XmlFetched"
            ? `${xmlEvent.origin} XML: ${xmlEvent.document.root.children.map((c) => c.name).join(", ") || "(empty)"}`
            : `${xmlEvent.origin} XML failed: ${xmlEvent.reason}`
        const marks = xmlOf.get(xmlEvent.callUuid) ?? []
        marks.push({ t: entry.t, text })
        xmlOf.set(xmlEvent.callUuid, marks)
      }
      if (done) continue
      const stepped = Step.step(state, entry.event)
      state = stepped.state
      const event = entry.event
      if (event._tag === "DigitsPressed") {
        lanes.get(event.callUuid)?.digits.push({
          t: entry.t,
          digits: event.digits,
          refused: stepped.refused !== undefined
        })
      }
      const mpc = State.mpc(state, uuid)
      if (mpc === undefined || mpc === seen) continue
      seen = mpc
      observe(entry.t, mpc)
      if (mpc.status === "Ended" && mpc.calls.every((c) => c.state === "ended")) done = true
    }
  }
  for (const [callUuid, marks] of xmlOf) lanes.get(callUuid)?.xml.push(...marks)
  if (seen === undefined) {
    // No trace (or not this run's): the final state's timestamps only.
    status.set(final.createdAt, "Initialized")
    if (final.startedAt !== undefined) status.set(final.startedAt, "Active")
    if (final.endedAt !== undefined) status.set(final.endedAt, undefined)
    const rec = final.recording
    if (rec.startedAt !== undefined) {
      recording.set(rec.startedAt, "Recording")
      if (rec.endedAt !== undefined) recording.set(rec.endedAt, undefined)
    }
    for (const call of final.calls) {
      const l = lane(call)
      const marks: Array<[number | undefined, Phase | undefined]> = [
        [call.createdAt, call.direction === "inbound" ? "answered" : "queued"],
        [call.initiatedAt, "dialing"],
        [call.ringingAt, "ringing"],
        [call.answeredAt, call.memberId === undefined ? "answered" : "in-mpc"],
        [call.endedAt, undefined]
      ]
      for (const [t, p] of marks) if (t !== undefined) l.phase.set(t, p)
      l.end = endOf(call)
    }
  }

  const end = Math.max(result.end, final.endedAt ?? result.end)
  status.finish(end)
  recording.finish(end)
  for (const l of lanes.values()) {
    for (const t of [
      l.phase,
      l.muted,
      l.held,
      l.speaking,
      l.coach,
      l.music,
      l.recorded,
      l.played,
      l.ownRecording
    ])
      t.finish(end)
  }
  // Calls in the order the MPC lists them (the order they came).
  const order = final.calls.map((c) => c.uuid)
  const sorted = [...lanes.values()].sort((a, b) => order.indexOf(a.callUuid) - order.indexOf(b.callUuid))
  return { mpc: final, status, recording, lanes: sorted, callbacks }
}

// ---------------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------------

/** Escapes text for XML content and attribute values. */
const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"
  )

const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'

/**
 * A text's width, estimated by character class from the widest of the usual sans-serif faces
 * (DejaVu Sans, Verdana-like), so that the estimate errs on the wide side; `bold` adds a tenth.
 */
const textWidth = (s: string, size: number, bold = false): number => {
  let em = 0
  for (const c of s) {
    if (" .,:;'|!()[]{}ijlIft".includes(c)) em += 0.36
    else if ("0123456789".includes(c)) em += 0.64
    else if ("MWmw@%…".includes(c)) em += 0.9
    else if (c >= "A" && c <= "Z") em += 0.7
    else em += 0.6
  }
  return em * size * (bold ? 1.1 : 1)
}

/** The text, cut with an ellipsis to fit `width`. */
const fit = (s: string, size: number, width: number): string => {
  if (textWidth(s, size) <= width) return s
  let cut = s
  while (cut.length > 1 && textWidth(`${cut}…`, size) > width) cut = cut.slice(0, -1)
  return `${cut}…`
}

const num = (x: number): string => String(Math.round(x * 10) / 10)

/** Seconds with at most three decimals, trailing zeros dropped. */
const secs = (ms: number): string => String(Math.round(ms) / 1000)

const COLORS = {
  queued: "#b9c0c8",
  scheduled: "#8d7fb8",
  dialing: "#9ec9e2",
  ringing: "#f2b447",
  answered: "#8fd3c8",
  confirming: "#e8743b",
  "in-mpc": "#3f6fb5",
  coach: "#8e5fc9",
  muted: "#d62f3a",
  speaking: "#2e9e4f",
  music: "#ffd000",
  recorded: "#b8001f",
  played: "#1f8fd6",
  Initialized: "#b9b3ad",
  Active: "#4ba39a",
  Recording: "#d9454f",
  Paused: "#f2b0b4",
  status: "#3f6fb5",
  call: "#e8743b",
  recording: "#b8001f",
  ink: "#1f2328",
  muted_ink: "#57606a",
  grid: "#e3e6ea",
  band: "#f5f6f8"
} as const

const PHASE_LABEL: Record<Phase, string> = {
  queued: "queued (CPS)",
  scheduled: "scheduled (delay_dial)",
  dialing: "dialling",
  ringing: "ringing",
  answered: "answered",
  confirming: "confirming (confirm key)",
  "in-mpc": "in the MPC"
}

/** Tick steps in seconds, the first that leaves room between labels wins. */
const STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]

/**
 * The MPCs of a run, in the order they were created.
 *
 * @since 0.1.0
 * @category timelines
 */
export const mpcsOf = (result: RunResult): ReadonlyArray<{ uuid: string; name: string }> => {
  const first = new Map<string, number>()
  result.trace.forEach((e, i) => {
    if (e.kind === "command" && "mpcUuid" in e.command && !first.has(e.command.mpcUuid))
      first.set(e.command.mpcUuid, i)
  })
  const all: Array<Mpc> = []
  PMap.forEach(result.state.mpcs, (mpc) => {
    all.push(mpc)
  })
  return all
    .sort(
      (a, b) =>
        a.createdAt - b.createdAt ||
        (first.get(a.uuid) ?? Number.MAX_SAFE_INTEGER) - (first.get(b.uuid) ?? Number.MAX_SAFE_INTEGER) ||
        (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0)
    )
    .map((m) => ({ uuid: m.uuid, name: m.name }))
}

/**
 * One MPC of a run as a standalone SVG: its lanes over time (seconds from the start of the run),
 * callbacks as ticks above the time axis (hover for the event names), a legend and, in the title,
 * its name, UUID and how it ended. An unknown UUID gives a picture that says so.
 *
 * @since 0.1.0
 * @category timelines
 */
export const svg = (result: RunResult, mpcUuid: string, options?: { readonly width?: number }): string => {
  const width = Math.max(480, Math.round(options?.width ?? 1200))
  const model = build(result, mpcUuid)
  if (model === undefined) {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60" viewBox="0 0 ${width} 60" font-family="${esc(FONT)}">`,
      `<rect width="${width}" height="60" fill="#ffffff"/>`,
      `<text x="16" y="36" font-size="14" fill="${COLORS.ink}">No MPC ${esc(mpcUuid)} in run of ${esc(result.scenario.name)} (seed ${result.seed})</text>`,
      "</svg>"
    ].join("\n")
  }
  return draw(result, model, width)
}

interface Row {
  readonly kind: "mpc" | "recording" | "call" | "callbacks"
  readonly y: number
  readonly h: number
}

const draw = (result: RunResult, model: Model, width: number): string => {
  const { mpc } = model
  const start = result.start
  const idSuffix = mpc.uuid.replace(/[^A-Za-z0-9-]/g, "")
  const heldId = `held-${idSuffix}`
  const pausedId = `paused-${idSuffix}`
  const out: Array<string> = []

  // --- time domain ---------------------------------------------------------------------------------
  let lo = mpc.createdAt
  let hi = mpc.endedAt ?? result.end
  const widen = (t: number) => {
    lo = Math.min(lo, t)
    hi = Math.max(hi, t)
  }
  for (const l of model.lanes) {
    for (const s of l.phase.spans) {
      widen(s.from)
      widen(s.to)
    }
  }
  for (const c of model.callbacks) widen(c.t)

  // --- horizontal layout ---------------------------------------------------------------------------
  // Lane labels on the left; the plot takes the rest, less what the texts written after the bars'
  // ends (hangup causes, the MPC's termination) need on the right.
  const M = 16
  const labelSize = 12
  const labels = model.lanes.map(laneLabel)
  const labelW = Math.ceil(
    Math.min(
      width * 0.36,
      Math.max(
        120,
        ...labels.map(
          (l) =>
            textWidth(l.role, labelSize, true) +
            textWidth(l.address, labelSize) +
            textWidth(`…${l.short}`, labelSize) +
            40
        ),
        textWidth("Recording", labelSize, true) + textWidth("(MPC)", labelSize) + 26,
        textWidth("MPC", labelSize, true) + textWidth(mpc.name, labelSize) + 26
      )
    )
  )
  const x0 = M + labelW
  const right = width - M
  const mpcEndText =
    mpc.termination === undefined ? "Ended" : `Ended: ${mpc.termination.cause} (${mpc.termination.code})`
  const trailing: Array<readonly [number, number]> = []
  for (const l of model.lanes) {
    const last = l.phase.spans[l.phase.spans.length - 1]
    const at = l.end?.t ?? last?.to
    if (at !== undefined) trailing.push([at, textWidth(l.end?.text ?? "(run stopped)", 11)])
  }
  if (mpc.endedAt !== undefined) trailing.push([mpc.endedAt, textWidth(mpcEndText, 11)])
  const lastRec = model.recording.spans[model.recording.spans.length - 1]
  if (lastRec !== undefined) trailing.push([lastRec.to, textWidth("Completed (run stopped)", 11)])

  const axisFor = (x1: number) => {
    const spanS = Math.max((hi - lo) / 1000, 0.001)
    const step = STEPS.find((st) => (spanS / st) * 64 <= x1 - x0) ?? STEPS[STEPS.length - 1]!
    const d0 = Math.floor((lo - start) / 1000 / step + 1e-9) * step
    const d1 = Math.max(d0 + step, Math.ceil((hi - start) / 1000 / step - 1e-9) * step)
    return { step, d0, d1 }
  }
  const solve = (axis: { d0: number; d1: number }) => {
    let x1 = right - 8
    for (const [t, w] of trailing) {
      const f = ((t - start) / 1000 - axis.d0) / (axis.d1 - axis.d0)
      if (f > 0) x1 = Math.min(x1, x0 + (right - 6 - w - x0) / f)
    }
    // Never squeeze the plot below 55 % of the room: a long text is cut instead.
    return Math.max(x1, x0 + (right - x0) * 0.55)
  }
  let x1 = right - 8
  let axis = axisFor(x1)
  for (let k = 0; k < 3; k++) {
    x1 = solve(axis)
    axis = axisFor(x1)
  }
  x1 = Math.floor(solve(axis))
  const { step, d0, d1 } = axis
  const plotW = x1 - x0
  const x = (t: number): number => x0 + (((t - start) / 1000 - d0) / (d1 - d0)) * plotW

  // --- header --------------------------------------------------------------------------------------
  let y = M + 18
  out.push(
    `<text x="${M}" y="${y}" font-size="17" font-weight="bold" fill="${COLORS.ink}">MPC ${esc(mpc.name)}<tspan font-size="12" font-weight="normal" fill="${COLORS.muted_ink}" dx="10">${esc(mpc.uuid)}</tspan></text>`
  )
  y += 20
  const ended =
    mpc.endedAt === undefined
      ? `still ${mpc.status} when the run stopped at ${secs(result.end - start)} s`
      : `ended at ${secs(mpc.endedAt - start)} s: ${mpc.termination === undefined ? "(no cause)" : `${mpc.termination.cause} (${mpc.termination.code})`}`
  const started =
    mpc.startedAt === undefined ? "never started" : `started at ${secs(mpc.startedAt - start)} s`
  out.push(
    `<text x="${M}" y="${y}" font-size="12.5" fill="${COLORS.ink}">${esc(
      `Created at ${secs(mpc.createdAt - start)} s, ${started}, ${ended}`
    )}<tspan dx="14" fill="${COLORS.muted_ink}">${esc(`scenario ${result.scenario.name}, seed ${result.seed}`)}</tspan></text>`
  )
  y += 14

  // --- legend --------------------------------------------------------------------------------------
  type Swatch = { label: string; draw: (x: number, y: number) => string }
  const box =
    (fill: string, h = 10, extra = "") =>
    (sx: number, sy: number) =>
      `<rect x="${sx}" y="${sy + (12 - h) / 2}" width="16" height="${h}" rx="2" fill="${fill}"${extra}/>`
  const lanes = model.lanes
  const hasPhase = (p: Phase) => lanes.some((l) => l.phase.spans.some((sp) => sp.value === p))
  const has = (pick: (l: LaneModel) => Track) => lanes.some((l) => pick(l).spans.length > 0)
  const hasRec = (v: string) => model.recording.spans.some((sp) => sp.value === v)
  const cbKinds = (["status", "call", "recording"] as const).filter((k) =>
    model.callbacks.some((c) => c.kind === k)
  )
  const phases: ReadonlyArray<Phase> = [
    "queued",
    "scheduled",
    "dialing",
    "ringing",
    "answered",
    "confirming",
    "in-mpc"
  ]
  const swatches: Array<Swatch & { show: boolean }> = [
    {
      label: "MPC Initialized",
      draw: box(COLORS.Initialized),
      show: model.status.spans.some((sp) => sp.value === "Initialized")
    },
    {
      label: "MPC Active",
      draw: box(COLORS.Active),
      show: model.status.spans.some((sp) => sp.value === "Active")
    },
    ...phases.map((p) => ({
      label: PHASE_LABEL[p],
      draw: box(COLORS[p], p === "queued" || p === "scheduled" ? 4 : p === "dialing" ? 8 : 10),
      show: hasPhase(p)
    })),
    { label: "coach mode (Supervisor)", draw: box(COLORS.coach), show: has((l) => l.coach) },
    {
      label: "held",
      draw: (sx, sy) => `${box(COLORS["in-mpc"])(sx, sy)}${box(`url(#${heldId})`)(sx, sy)}`,
      show: has((l) => l.held)
    },
    {
      label: "hears music (wait, hold)",
      draw: (sx, sy) =>
        `${box(COLORS["in-mpc"])(sx, sy)}<line x1="${sx + 1}" y1="${sy + 6}" x2="${sx + 15}" y2="${sy + 6}" stroke="${COLORS.music}" stroke-width="3" stroke-dasharray="4 2"/>`,
      show: has((l) => l.music)
    },
    { label: "muted", draw: box(COLORS.muted, 3.5), show: has((l) => l.muted) },
    { label: "speaking", draw: box(COLORS.speaking, 3.5), show: has((l) => l.speaking) },
    { label: "member's track recorded", draw: box(COLORS.recorded, 2), show: has((l) => l.recorded) },
    {
      label: "hears audio played to it (PLAY)",
      draw: (sx, sy) =>
        `${box(COLORS["in-mpc"])(sx, sy)}<line x1="${sx + 1}" y1="${sy + 3}" x2="${sx + 15}" y2="${sy + 3}" stroke="${COLORS.played}" stroke-width="2.5"/>`,
      show: has((l) => l.played)
    },
    {
      label: "member's own recording (PREC)",
      draw: box(COLORS.Recording, 2),
      show: has((l) => l.ownRecording)
    },
    { label: "MPC recording", draw: box(COLORS.Recording), show: hasRec("Recording") },
    {
      label: "recording paused",
      draw: box(`url(#${pausedId})`, 10, ` stroke="${COLORS.Recording}"`),
      show: hasRec("Paused")
    },
    {
      label: "XML document run (hover for its elements)",
      draw: (sx, sy) =>
        `<rect x="${sx + 5}" y="${sy + 3}" width="6" height="6" fill="${COLORS.ink}" stroke="#ffffff"/>`,
      show: lanes.some((l) => l.xml.length > 0)
    },
    {
      label: "digits pressed",
      draw: (sx, sy) =>
        `<path d="M ${sx + 8} ${sy + 1} l 5 5 l -5 5 l -5 -5 z" fill="${COLORS.ink}" stroke="#ffffff"/>`,
      show: lanes.some((l) => l.digits.length > 0)
    },
    {
      label: "callback sent (hover for the events)",
      draw: (sx, sy) =>
        cbKinds
          .map(
            (c, k) =>
              `<line x1="${sx + 3 + k * 5}" y1="${sy + 1}" x2="${sx + 3 + k * 5}" y2="${sy + 11}" stroke="${COLORS[c]}" stroke-width="2"/>`
          )
          .join(""),
      show: cbKinds.length > 0
    }
  ]
  let lx = M
  let ly = y
  const legendItems: Array<string> = []
  for (const s of swatches) {
    if (!s.show) continue
    const w = 22 + textWidth(s.label, 11) + 18
    if (lx + w > width - M && lx > M) {
      lx = M
      ly += 18
    }
    legendItems.push(
      `${s.draw(lx, ly)}<text x="${lx + 22}" y="${ly + 10}" font-size="11" fill="${COLORS.muted_ink}">${esc(s.label)}</text>`
    )
    lx += w
  }
  out.push(`<g class="legend">${legendItems.join("")}</g>`)
  y = ly + 30

  // --- rows ----------------------------------------------------------------------------------------
  const rows: Array<Row> = []
  const laneH = 34
  rows.push({ kind: "mpc", y, h: 30 })
  y += 30
  if (model.recording.spans.length > 0) {
    rows.push({ kind: "recording", y, h: 30 })
    y += 30
  }
  const callRows = model.lanes.map((_, k) => ({ kind: "call" as const, y: y + k * laneH, h: laneH }))
  rows.push(...callRows)
  y += model.lanes.length * laneH
  const kinds = cbKinds
  const cbTop = y + 6
  const cbRowH = 16
  y = cbTop + kinds.length * cbRowH
  const axisY = y + 4
  const height = axisY + 44

  const body: Array<string> = []
  // bands
  rows.forEach((r, k) => {
    if (k % 2 === 0)
      body.push(`<rect x="${M}" y="${r.y}" width="${width - 2 * M}" height="${r.h}" fill="${COLORS.band}"/>`)
  })
  // grid
  const ticks: Array<number> = []
  for (let v = d0; v <= d1 + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000)
  for (const v of ticks) {
    const gx = num(x0 + ((v - d0) / (d1 - d0)) * plotW)
    body.push(
      `<line x1="${gx}" y1="${rows[0]!.y}" x2="${gx}" y2="${axisY}" stroke="${COLORS.grid}" stroke-width="1"/>`
    )
  }

  const bar = (from: number, to: number, top: number, h: number, fill: string, title: string, extra = "") => {
    const bx = x(from)
    const bw = Math.max(1, x(to) - bx)
    return `<rect x="${num(bx)}" y="${num(top)}" width="${num(bw)}" height="${num(h)}" fill="${fill}"${extra}><title>${esc(title)}</title></rect>`
  }
  const during = (s: Span) =>
    `${secs(s.from - start)}–${secs(s.to - start)} s (${secs(s.to - s.from)} s${s.open ? ", still going when the run stopped" : ""})`
  const endText = (tx: number, cy: number, text: string, color: string = COLORS.ink) =>
    `<text x="${num(tx + 6)}" y="${num(cy + 4)}" font-size="11" fill="${color}">${esc(fit(text, 11, width - M - tx - 6))}</text>`
  const rowLabel = (r: Row, main: string, rest: string) =>
    `<text x="${M + 6}" y="${r.y + r.h / 2 + 4}" font-size="${labelSize}" fill="${COLORS.ink}"><tspan font-weight="bold">${esc(main)}</tspan><tspan dx="6" fill="${COLORS.muted_ink}">${esc(rest)}</tspan></text>`

  // MPC lane
  const mpcRow = rows[0]!
  body.push(
    rowLabel(mpcRow, "MPC", fit(mpc.name, labelSize, labelW - textWidth("MPC", labelSize, true) - 26))
  )
  for (const s of model.status.spans) {
    const color = s.value === "Active" ? COLORS.Active : COLORS.Initialized
    body.push(bar(s.from, s.to, mpcRow.y + 8, 14, color, `MPC ${s.value}: ${during(s)}`))
  }
  if (mpc.endedAt !== undefined) {
    const ex = x(mpc.endedAt)
    body.push(
      `<line x1="${num(ex)}" y1="${mpcRow.y + 4}" x2="${num(ex)}" y2="${mpcRow.y + 26}" stroke="${COLORS.ink}" stroke-width="2"/>`
    )
    body.push(endText(ex, mpcRow.y + 15, mpcEndText))
  }

  // recording lane
  const recRow = rows.find((r) => r.kind === "recording")
  if (recRow !== undefined) {
    body.push(rowLabel(recRow, "Recording", "(MPC)"))
    for (const s of model.recording.spans) {
      const paused = s.value === "Paused"
      body.push(
        bar(
          s.from,
          s.to,
          recRow.y + 8,
          14,
          paused ? `url(#${pausedId})` : COLORS.Recording,
          `${paused ? "Recording paused" : "Recording"}: ${during(s)}`,
          paused ? ` stroke="${COLORS.Recording}" stroke-width="1"` : ""
        )
      )
    }
    const last = model.recording.spans[model.recording.spans.length - 1]
    if (last !== undefined) {
      const recStatus = mpc.recording.status
      body.push(
        endText(
          x(last.to),
          recRow.y + 15,
          last.open ? `${recStatus} (run stopped)` : recStatus,
          COLORS.muted_ink
        )
      )
    }
  }

  // call lanes
  lanes.forEach((l, k) => {
    const r = callRows[k]!
    const label = labels[k]!
    const cy = r.y + r.h / 2
    const room =
      labelW - 6 - textWidth(label.role, labelSize, true) - 12 - textWidth(`…${label.short}`, labelSize) - 14
    body.push(
      `<text class="lane-label" data-call="${esc(l.callUuid)}" x="${M + 6}" y="${num(cy + 4)}" font-size="${labelSize}" fill="${COLORS.ink}"><tspan font-weight="bold">${esc(label.role)}</tspan><tspan dx="6">${esc(fit(label.address, labelSize, room))}</tspan><tspan dx="6" fill="${COLORS.muted_ink}">…${esc(label.short)}</tspan><title>${esc(`${label.role} ${l.direction} call ${l.callUuid} (${label.address})`)}</title></text>`
    )
    const barTop = cy - 7
    const barH = 14
    for (const s of l.phase.spans) {
      const phase = s.value as Phase
      const h = phase === "queued" || phase === "scheduled" ? 4 : phase === "dialing" ? 8 : barH
      body.push(bar(s.from, s.to, cy - h / 2, h, COLORS[phase], `${PHASE_LABEL[phase]}: ${during(s)}`))
    }
    for (const s of l.coach.spans)
      body.push(bar(s.from, s.to, barTop, barH, COLORS.coach, `coach mode: ${during(s)}`))
    for (const s of l.held.spans)
      body.push(bar(s.from, s.to, barTop, barH, `url(#${heldId})`, `held: ${during(s)}`))
    for (const s of l.music.spans) {
      body.push(
        `<line x1="${num(x(s.from) + 1)}" y1="${num(cy)}" x2="${num(Math.max(x(s.from) + 2, x(s.to) - 1))}" y2="${num(cy)}" stroke="${COLORS.music}" stroke-width="3" stroke-dasharray="4 3"><title>${esc(`hears ${s.value} music: ${during(s)}`)}</title></line>`
      )
    }
    for (const s of l.recorded.spans)
      body.push(bar(s.from, s.to, barTop, 2, COLORS.recorded, `track recorded: ${during(s)}`))
    for (const s of l.played.spans)
      body.push(bar(s.from, s.to, cy - 4, 2.5, COLORS.played, `hears ${s.value}: ${during(s)}`))
    for (const s of l.ownRecording.spans)
      body.push(
        bar(
          s.from,
          s.to,
          barTop + barH - 2,
          2,
          s.value === "Paused" ? COLORS.Paused : COLORS.Recording,
          `own recording ${s.value === "Paused" ? "paused" : "running"}: ${during(s)}`
        )
      )
    for (const s of l.muted.spans)
      body.push(bar(s.from, s.to, barTop - 5, 3.5, COLORS.muted, `muted: ${during(s)}`))
    for (const s of l.speaking.spans)
      body.push(bar(s.from, s.to, barTop + barH + 1.5, 3.5, COLORS.speaking, `speaking: ${during(s)}`))
    for (const d of l.xml) {
      const dx = Math.max(x0, x(d.t))
      body.push(
        `<rect x="${num(dx - 3)}" y="${num(barTop - 7)}" width="6" height="6" fill="${COLORS.ink}" stroke="#ffffff" stroke-width="1"><title>${esc(`${d.text} (at ${secs(d.t - start)} s)`)}</title></rect>`
      )
    }
    for (const d of l.digits) {
      const dx = x(d.t)
      body.push(
        `<path d="M ${num(dx)} ${num(barTop - 6)} l 5 5 l -5 5 l -5 -5 z" fill="${COLORS.ink}" stroke="#ffffff" stroke-width="1"><title>${esc(`pressed ${d.digits} at ${secs(d.t - start)} s${d.refused ? " (refused)" : ""}`)}</title></path>`,
        `<text x="${num(dx + 7)}" y="${num(barTop - 2)}" font-size="10" font-weight="bold" fill="${COLORS.ink}">${esc(d.digits)}</text>`
      )
    }
    const lastPhase = l.phase.spans[l.phase.spans.length - 1]
    const endAt = l.end?.t ?? lastPhase?.to
    if (endAt !== undefined) {
      const text = l.end?.text ?? (lastPhase?.open === true ? "(run stopped)" : "")
      if (text !== "")
        body.push(endText(x(endAt), cy, text, l.end === undefined ? COLORS.muted_ink : COLORS.ink))
    }
  })

  // callbacks
  kinds.forEach((kind, k) => {
    const top = cbTop + k * cbRowH
    body.push(
      `<text x="${M + 6}" y="${top + 12}" font-size="11" fill="${COLORS.muted_ink}">${esc(`${kind} callbacks`)}</text>`
    )
    const byTime = new Map<number, Array<CallbackMark>>()
    for (const c of model.callbacks) {
      if (c.kind !== kind) continue
      const at = byTime.get(c.t)
      if (at === undefined) byTime.set(c.t, [c])
      else at.push(c)
    }
    for (const [t, cs] of byTime) {
      const tx = num(x(t))
      const names = cs
        .map((c) => `${c.event}${c.callUuid === undefined ? "" : ` (call …${c.callUuid.slice(-4)})`}`)
        .join(", ")
      body.push(
        `<line x1="${tx}" y1="${top + 2}" x2="${tx}" y2="${top + 14}" stroke="${COLORS[kind]}" stroke-width="${cs.length > 1 ? 3 : 2}"><title>${esc(`${secs(t - start)} s: ${names}`)}</title></line>`
      )
    }
  })

  // axis
  body.push(
    `<line x1="${x0}" y1="${axisY}" x2="${x1}" y2="${axisY}" stroke="${COLORS.muted_ink}" stroke-width="1"/>`
  )
  for (const v of ticks) {
    const gx = num(x0 + ((v - d0) / (d1 - d0)) * plotW)
    body.push(
      `<line x1="${gx}" y1="${axisY}" x2="${gx}" y2="${axisY + 5}" stroke="${COLORS.muted_ink}"/>`,
      `<text x="${gx}" y="${axisY + 18}" font-size="11" text-anchor="middle" fill="${COLORS.muted_ink}">${esc(num(v))}</text>`
    )
  }
  body.push(
    `<text x="${num(x0 + plotW / 2)}" y="${axisY + 36}" font-size="11.5" text-anchor="middle" fill="${COLORS.ink}">seconds from the start of the run</text>`
  )

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}">`,
    `<title>${esc(`MPC ${mpc.name} (${mpc.uuid})`)}</title>`,
    "<defs>",
    `<pattern id="${heldId}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="6" fill="#ffffff" fill-opacity="0.6"/></pattern>`,
    `<pattern id="${pausedId}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${COLORS.Paused}"/><rect width="2" height="6" fill="${COLORS.Recording}" fill-opacity="0.6"/></pattern>`,
    "</defs>",
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...out,
    ...body,
    "</svg>"
  ].join("\n")
}

const laneLabel = (l: LaneModel): { role: string; address: string; short: string } => ({
  role: l.role ?? (l.direction === "outbound" ? "Leg" : "Call"),
  address: l.address,
  short: l.callUuid.slice(-4)
})
