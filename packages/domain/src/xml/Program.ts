/**
 * A call's XML document as a program (XML-1 to XML-10): `compile` checks the whole document once
 * and turns it into steps; `next` gives the instruction at a cursor and the cursor after it. Pure:
 * no clock, no network. Whoever drives the call (the engine, the simulator) runs each instruction
 * on its own clock: it waits out a step's duration, fetches a Redirect, joins the MPC, hangs up.
 *
 * @example
 * import { Xml } from "@mpc-kit/domain"
 *
 * const document = {
 *   root: Xml.Document.element("Response", {}, "", [Xml.Document.element("Speak", {}, "Please hold")])
 * }
 * const program = Xml.Program.compile(document, { origin: "Answer", callUuid: "0b7b4242-8ee8-4872-b447-81b4ce972eae" })
 * const { instruction, cursor } = Xml.Program.next(program, Xml.Program.start)
 * // instruction: { _tag: "Speak", text: "Please hold", ... }; cursor: 1
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { HttpMethod, HttpUrl, isHttpUrl } from "../AddParticipantRequest.js"
import * as Cause from "../Cause.js"
import { describeValue, InvalidRequest, type ParameterIssue } from "../InvalidRequest.js"
import { toInt } from "../Param.js"
import { type Document, type Element, textContent } from "./Document.js"
import * as MultiPartyCall from "./MultiPartyCall.js"

// ---------------------------------------------------------------------------------------------
// Causes
// ---------------------------------------------------------------------------------------------

/**
 * Which URL a document came from: it decides the cause when the document is bad (XML-3, XML-4).
 *
 * @since 0.2.0
 * @category models
 */
export const Origin = Schema.Literal("Answer", "Redirect", "Action")
/**
 * The type of {@link Origin}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Origin = typeof Origin.Type

const hangup = (cause: string, code: number, source: Cause.HangupSource): Cause.Hangup => ({
  cause,
  code,
  source
})

/**
 * The hangup causes of call-control XML, with Plivo's names and codes.
 *
 * @since 0.2.0
 * @category constants
 */
export const Hangups = {
  /** XML-3 */
  invalidAnswerXml: hangup("Invalid Answer XML", 8011, "Error"),
  invalidActionXml: hangup("Invalid Action XML", 8012, "Error"),
  invalidRedirectXml: hangup("Invalid Redirect XML", 8014, "Error"),
  /** XML-4 */
  errorReachingAnswerUrl: hangup("Error Reaching Answer URL", 7011, "Error"),
  errorReachingActionUrl: hangup("Error Reaching Action URL", 7012, "Error"),
  errorReachingRedirectUrl: hangup("Error Reaching Redirect URL", 7014, "Error"),
  /** XML-5 */
  endOfXml: hangup("End Of XML Instructions", 4010, "Plivo"),
  /** XML-8 */
  hangupElement: hangup("Normal Hangup", 4000, "Answer XML")
} as const satisfies Record<string, Cause.Hangup>

/**
 * XML-3: the cause of an invalid document, by where it came from.
 *
 * @since 0.2.0
 * @category xml
 */
export const invalidCause = (origin: Origin): Cause.Hangup =>
  origin === "Answer"
    ? Hangups.invalidAnswerXml
    : origin === "Redirect"
      ? Hangups.invalidRedirectXml
      : Hangups.invalidActionXml

/**
 * XML-4: the cause of a document that could not be had, by where it was to come from.
 *
 * @since 0.2.0
 * @category xml
 */
export const unreachableCause = (origin: Origin): Cause.Hangup =>
  origin === "Answer"
    ? Hangups.errorReachingAnswerUrl
    : origin === "Redirect"
      ? Hangups.errorReachingRedirectUrl
      : Hangups.errorReachingActionUrl

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

/**
 * XML-6: how long a step lasts: some seconds, or until the call ends (`loop="0"`).
 *
 * @since 0.2.0
 * @category models
 */
export const Duration = Schema.Union(
  Schema.TaggedStruct("Seconds", { seconds: Schema.NonNegativeInt }),
  Schema.TaggedStruct("UntilCallEnds", {})
)
/**
 * The type of {@link Duration}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Duration = typeof Duration.Type

/**
 * XML-6 [decision]: the duration model of speech and audio, since nothing is synthesised or fetched.
 *
 * @since 0.2.0
 * @category xml
 */
export interface DurationModel {
  /** Characters of text spoken per second. */
  readonly speakCharactersPerSecond: number
  /** Seconds one play of an audio file lasts. */
  readonly playSeconds: number
}

/**
 * XML-6: 15 characters per second of speech, 5 seconds per audio file.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultDurations: DurationModel = { speakCharactersPerSecond: 15, playSeconds: 5 }

const looped = (seconds: number, loop: number): Duration =>
  loop === 0 ? { _tag: "UntilCallEnds" } : { _tag: "Seconds", seconds: seconds * loop }

/**
 * XML-6: one Speak of `text`: one second per `speakCharactersPerSecond` characters, at least one.
 *
 * @since 0.2.0
 * @category xml
 */
export const speakSeconds = (text: string, model: DurationModel = defaultDurations): number =>
  Math.max(1, Math.ceil(text.length / model.speakCharactersPerSecond))

// ---------------------------------------------------------------------------------------------
// Instructions
// ---------------------------------------------------------------------------------------------

/**
 * XML-6: speak `text`, `loop` times.
 *
 * @since 0.2.0
 * @category models
 */
export const Speak = Schema.TaggedStruct("Speak", {
  text: Schema.String,
  voice: Schema.String,
  language: Schema.String,
  loop: Schema.NonNegativeInt,
  duration: Duration
})
/**
 * XML-6: play the audio at `url`, `loop` times.
 *
 * @since 0.2.0
 * @category models
 */
export const Play = Schema.TaggedStruct("Play", {
  url: HttpUrl,
  loop: Schema.NonNegativeInt,
  duration: Duration
})
/**
 * XML-7: silence for `seconds`.
 *
 * @since 0.2.0
 * @category models
 */
export const Wait = Schema.TaggedStruct("Wait", { seconds: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)) })
/**
 * XML-8: the reasons a `<Hangup>` may give.
 *
 * @since 0.2.0
 * @category models
 */
export const HangupReason = Schema.Literal("rejected", "busy")
/**
 * The type of {@link HangupReason}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type HangupReason = typeof HangupReason.Type
/**
 * XML-8: end the call now.
 *
 * @since 0.2.0
 * @category models
 */
export const Hangup = Schema.TaggedStruct("Hangup", {
  hangup: Cause.Hangup,
  reason: Schema.optionalWith(HangupReason, { exact: true })
})
/**
 * XML-8: end the call `after` seconds from now; the next elements run meanwhile.
 *
 * @since 0.2.0
 * @category models
 */
export const ScheduleHangup = Schema.TaggedStruct("ScheduleHangup", {
  after: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  hangup: Cause.Hangup,
  reason: Schema.optionalWith(HangupReason, { exact: true })
})
/**
 * XML-9: fetch `url` by `method` and run its document in place of this one.
 *
 * @since 0.2.0
 * @category models
 */
export const Redirect = Schema.TaggedStruct("Redirect", { url: HttpUrl, method: HttpMethod })
/**
 * XML-11: the call joins an MPC; XML-15: it goes on with the next step when it leaves alive.
 *
 * @since 0.2.0
 * @category models
 */
export const JoinMpc = Schema.TaggedStruct("JoinMpc", { join: MultiPartyCall.Join })
/**
 * XML-10: a valid element this reference does not emulate; it takes no time.
 *
 * @since 0.2.0
 * @category models
 */
export const Skip = Schema.TaggedStruct("Skip", { element: Schema.String })

/**
 * One step of a valid document.
 *
 * @since 0.2.0
 * @category models
 */
export const Step = Schema.Union(Speak, Play, Wait, Hangup, ScheduleHangup, Redirect, JoinMpc, Skip)
/**
 * The type of {@link Step}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Step = typeof Step.Type

/**
 * XML-5: the document has run out; the call hangs up.
 *
 * @since 0.2.0
 * @category models
 */
export const End = Schema.TaggedStruct("End", { hangup: Cause.Hangup })
/**
 * XML-3: the document is invalid; the call hangs up and nothing of the document runs.
 *
 * @since 0.2.0
 * @category models
 */
export const Invalid = Schema.TaggedStruct("Invalid", {
  hangup: Cause.Hangup,
  /** The faulty element (`Response` for the document itself) and its position among the steps. */
  element: Schema.String,
  index: Schema.NonNegativeInt,
  error: InvalidRequest
})
/**
 * The type of {@link Invalid}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Invalid = typeof Invalid.Type

/**
 * What the driver does next.
 *
 * @since 0.2.0
 * @category models
 */
export const Instruction = Schema.Union(
  Speak,
  Play,
  Wait,
  Hangup,
  ScheduleHangup,
  Redirect,
  JoinMpc,
  Skip,
  End,
  Invalid
)
/**
 * The type of {@link Instruction}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Instruction = typeof Instruction.Type

// ---------------------------------------------------------------------------------------------
// Compiling
// ---------------------------------------------------------------------------------------------

/**
 * A compiled document: its steps, or why it is invalid.
 *
 * @since 0.2.0
 * @category xml
 */
export type Program =
  | { readonly _tag: "Valid"; readonly origin: Origin; readonly steps: ReadonlyArray<Step> }
  | { readonly _tag: "Invalid"; readonly origin: Origin; readonly invalid: Invalid }

/**
 * What compiling needs besides the document.
 *
 * @since 0.2.0
 * @category xml
 */
export interface Context {
  readonly origin: Origin
  /** The call running the document: the one a `<MultiPartyCall>` moves into the MPC. */
  readonly callUuid: string
  readonly durations?: DurationModel
}

/**
 * XML-10: valid Plivo elements that are skipped.
 *
 * @since 0.2.0
 * @category constants
 */
export const skipped: ReadonlyArray<string> = [
  "GetDigits",
  "GetInput",
  "Record",
  "Dial",
  "PreAnswer",
  "Conference",
  "DTMF",
  "Stream",
  "Message"
]
const skippedSet = new Set(skipped)

/** The SSML elements `<Speak>` may hold (as Plivo's builders allow). */
const ssml = new Set(["break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"])

class Fault {
  constructor(readonly issues: ReadonlyArray<ParameterIssue>) {}
}

/** Reads the attributes of an element, refusing any it does not have (XML-2). */
const reader = (e: Element, allowed: ReadonlyArray<string>) => {
  const issues: Array<ParameterIssue> = []
  for (const key of Object.keys(e.attributes)) {
    if (!allowed.includes(key)) issues.push({ parameter: key, message: `is not an attribute of <${e.name}>` })
  }
  const int = (key: string, fallback: number, min: number): number => {
    const raw = e.attributes[key]
    if (raw === undefined) return fallback
    const n = toInt(raw.trim())
    if (n === undefined || n < min) {
      issues.push({ parameter: key, message: `expected an integer from ${min}, got ${describeValue(raw)}` })
      return fallback
    }
    return n
  }
  const word = <const W extends string>(key: string, words: ReadonlyArray<W>): W | undefined => {
    const raw = e.attributes[key]
    if (raw === undefined) return undefined
    const found = words.find((w) => w.toLowerCase() === raw.trim().toLowerCase())
    if (found === undefined) {
      issues.push({
        parameter: key,
        message: `expected one of ${words.join(", ")}, got ${describeValue(raw)}`
      })
    }
    return found
  }
  const text = (key: string, fallback: string): string => {
    const raw = e.attributes[key]
    if (raw === undefined) return fallback
    if (raw.trim() === "") issues.push({ parameter: key, message: "is empty" })
    return raw.trim()
  }
  const url = (): string => {
    const raw = e.text.trim()
    if (!isHttpUrl(raw))
      issues.push({
        parameter: "text",
        message: `expected an absolute http(s) URL, got ${describeValue(raw)}`
      })
    return raw
  }
  const noText = () => {
    if (e.text.trim() !== "") issues.push({ parameter: "text", message: `<${e.name}> holds no text` })
  }
  const noChildren = () => {
    if (e.children.length > 0) {
      issues.push({
        parameter: "text",
        message: `<${e.name}> holds no elements, got <${e.children[0]!.name}>`
      })
    }
  }
  const done = <A>(a: A): A => {
    if (issues.length > 0) throw new Fault(issues)
    return a
  }
  return { int, word, text, url, noText, noChildren, done }
}

const booleans = ["true", "false"] as const

/** One element of `<Response>` as a step, or a `Fault`. */
const stepOf = (e: Element, context: Context): Step => {
  const durations = context.durations ?? defaultDurations
  switch (e.name) {
    case "Speak": {
      // XML-6
      const r = reader(e, ["voice", "language", "loop"])
      const voice = r.text("voice", "WOMAN")
      const language = r.text("language", "en-US")
      const loop = r.int("loop", 1, 0)
      const bad = e.children.find((c) => !ssml.has(c.name))
      const text = textContent(e).replace(/\s+/g, " ").trim()
      const faults: Array<ParameterIssue> = []
      if (bad !== undefined) faults.push({ parameter: "text", message: `<Speak> cannot hold <${bad.name}>` })
      if (text === "") faults.push({ parameter: "text", message: "expected text to speak" })
      if (faults.length > 0) throw new Fault(faults)
      return r.done({
        _tag: "Speak",
        text,
        voice,
        language,
        loop,
        duration: looped(speakSeconds(text, durations), loop)
      })
    }
    case "Play": {
      // XML-6
      const r = reader(e, ["loop"])
      const loop = r.int("loop", 1, 0)
      r.noChildren()
      const url = r.url()
      return r.done({ _tag: "Play", url, loop, duration: looped(durations.playSeconds, loop) })
    }
    case "Wait": {
      // XML-7
      const r = reader(e, ["length", "silence", "minSilence", "beep"])
      const seconds = r.int("length", 1, 1)
      r.word("silence", booleans)
      r.int("minSilence", 2000, 1)
      r.word("beep", booleans)
      r.noText()
      r.noChildren()
      return r.done({ _tag: "Wait", seconds })
    }
    case "Hangup": {
      // XML-8
      const r = reader(e, ["reason", "schedule"])
      const reason = r.word("reason", HangupReason.literals)
      const schedule = r.int("schedule", 0, 0)
      r.noText()
      r.noChildren()
      const base = { hangup: Hangups.hangupElement, ...(reason === undefined ? {} : { reason }) }
      return r.done(
        schedule > 0 ? { _tag: "ScheduleHangup", after: schedule, ...base } : { _tag: "Hangup", ...base }
      )
    }
    case "Redirect": {
      // XML-9
      const r = reader(e, ["method"])
      const method = r.word("method", HttpMethod.literals) ?? "POST"
      r.noChildren()
      const url = r.url()
      return r.done({ _tag: "Redirect", url, method })
    }
    case MultiPartyCall.name: {
      // XML-11
      const join = MultiPartyCall.decode(e, context.callUuid)
      if (Either.isLeft(join)) throw new Fault(join.left.issues)
      return { _tag: "JoinMpc", join: join.right }
    }
    default:
      // XML-10: valid but not emulated; XML-2: anything else is not Plivo XML.
      if (skippedSet.has(e.name)) return { _tag: "Skip", element: e.name }
      throw new Fault([
        { parameter: "element", message: `<${e.name}> is not a Plivo XML element (names are case-sensitive)` }
      ])
  }
}

const invalid = (context: Context, element: string, index: number, issues: ReadonlyArray<ParameterIssue>) => {
  const [first, ...rest] = issues
  const error = new InvalidRequest({
    issues: first === undefined ? [{ parameter: element, message: "is invalid" }] : [first, ...rest]
  })
  return {
    _tag: "Invalid" as const,
    origin: context.origin,
    invalid: { _tag: "Invalid" as const, hangup: invalidCause(context.origin), element, index, error }
  }
}

/**
 * XML-1, XML-2, XML-3: checks a whole document before anything of it runs and turns it into steps.
 * The root must be `<Response>`, without attributes or text; each child must be a Plivo element
 * with only its own attributes. Never throws.
 *
 * @since 0.2.0
 * @category xml
 */
export const compile = (document: Document, context: Context): Program => {
  const root = document.root
  if (root.name !== "Response") {
    return invalid(context, root.name, 0, [
      { parameter: "element", message: `the root element must be <Response>, got <${root.name}>` }
    ])
  }
  const rootIssues: Array<ParameterIssue> = []
  for (const key of Object.keys(root.attributes)) {
    rootIssues.push({ parameter: key, message: "is not an attribute of <Response>" })
  }
  if (root.text.trim() !== "")
    rootIssues.push({ parameter: "text", message: "<Response> holds elements, not text" })
  if (rootIssues.length > 0) return invalid(context, "Response", 0, rootIssues)

  const steps: Array<Step> = []
  for (let k = 0; k < root.children.length; k++) {
    const child = root.children[k]!
    try {
      steps.push(stepOf(child, context))
    } catch (e) {
      if (e instanceof Fault) return invalid(context, child.name, k, e.issues)
      throw e
    }
  }
  return { _tag: "Valid", origin: context.origin, steps }
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/**
 * The index of the next step.
 *
 * @since 0.2.0
 * @category xml
 */
export type Cursor = number

/**
 * The cursor of a program that has not started.
 *
 * @since 0.2.0
 * @category constants
 */
export const start: Cursor = 0

/**
 * XML-1, XML-3, XML-5: the instruction at `cursor` and the cursor after it. An invalid program
 * gives its `Invalid` (and stays there); past the last step comes `End` with 4010.
 *
 * @since 0.2.0
 * @category xml
 */
export const next = (
  program: Program,
  cursor: Cursor
): { readonly instruction: Instruction; readonly cursor: Cursor } => {
  if (program._tag === "Invalid") return { instruction: program.invalid, cursor }
  const step = program.steps[cursor]
  if (step === undefined) return { instruction: { _tag: "End", hangup: Hangups.endOfXml }, cursor }
  return { instruction: step, cursor: cursor + 1 }
}

/**
 * XML-4: the instruction when the document could not be had at all: hang up with the right cause.
 *
 * @since 0.2.0
 * @category xml
 */
export const unreachable = (origin: Origin): Instruction => ({
  _tag: "Hangup",
  hangup: unreachableCause(origin)
})

/**
 * Every instruction of a program, in order, up to and including the first that ends it.
 *
 * @since 0.2.0
 * @category xml
 */
export const instructions = (program: Program): ReadonlyArray<Instruction> => {
  const out: Array<Instruction> = []
  let cursor = start
  for (;;) {
    const step = next(program, cursor)
    out.push(step.instruction)
    const tag = step.instruction._tag
    if (tag === "End" || tag === "Invalid" || tag === "Hangup" || tag === "Redirect") return out
    cursor = step.cursor
  }
}
