import { assert, describe, it } from "@effect/vitest"
import { type Element, element } from "../../src/xml/Document.js"
import * as Program from "../../src/xml/Program.js"

const uuid = "0b7b4242-8ee8-4872-b447-81b4ce972eae"

const response = (...children: ReadonlyArray<Element>) => ({
  root: element("Response", {}, "\n  ", children)
})

const compile = (root: { root: Element }, origin: Program.Origin = "Answer") =>
  Program.compile(root, { origin, callUuid: uuid })

const run = (...children: ReadonlyArray<Element>) => Program.instructions(compile(response(...children)))

const invalid = (doc: { root: Element }, origin: Program.Origin = "Answer"): Program.Invalid => {
  const program = compile(doc, origin)
  if (program._tag !== "Invalid") assert.fail(`expected an invalid document, got ${JSON.stringify(program)}`)
  return program.invalid
}

const speak = (text: string, attributes: Record<string, string> = {}) => element("Speak", attributes, text)
const mpc = (role = "customer") => element("MultiPartyCall", { role }, "support-42")

describe("Program", () => {
  it("XML-1 runs the children of <Response> one at a time, top to bottom", () => {
    const tags = run(
      speak("Hello"),
      element("Wait", { length: "2" }),
      mpc(),
      element("Play", {}, "https://e.com/a.mp3")
    )
    assert.deepStrictEqual(
      tags.map((i) => i._tag),
      ["Speak", "Wait", "JoinMpc", "Play", "End"]
    )
  })

  it("XML-1 next() moves the cursor one step and stays at End", () => {
    const program = compile(response(speak("Hi")))
    const first = Program.next(program, Program.start)
    assert.strictEqual(first.instruction._tag, "Speak")
    assert.strictEqual(first.cursor, 1)
    const second = Program.next(program, first.cursor)
    assert.strictEqual(second.instruction._tag, "End")
    assert.strictEqual(Program.next(program, second.cursor).instruction._tag, "End")
  })

  it("XML-5 after the last element the call hangs up with End Of XML Instructions, 4010", () => {
    const last = run(speak("Bye")).at(-1)!
    assert.deepStrictEqual(last, {
      _tag: "End",
      hangup: { cause: "End Of XML Instructions", code: 4010, source: "Plivo" }
    })
    assert.deepStrictEqual(run(), [last])
  })

  it("XML-2 the root must be <Response>, without attributes or text", () => {
    const wrongRoot = invalid({ root: element("response", {}, "", [speak("x")]) })
    assert.strictEqual(wrongRoot.element, "response")
    invalid({ root: element("Response", { lang: "en" }) })
    invalid({ root: element("Response", {}, "hello", []) })
  })

  it("XML-2 element names are case-sensitive and unknown elements are invalid", () => {
    const bad = invalid(response(speak("ok"), element("speak", {}, "lower case")))
    assert.strictEqual(bad.element, "speak")
    assert.strictEqual(bad.index, 1)
    invalid(response(element("Say", {}, "Twilio's verb")))
  })

  it("XML-2 an attribute the element has not is invalid, its name case-sensitive", () => {
    const cases: ReadonlyArray<Element> = [
      speak("Hi", { Voice: "MAN" }),
      element("Play", { loops: "2" }, "https://e.com/a.mp3"),
      element("Wait", { Length: "2" }),
      element("Hangup", { cause: "busy" }),
      element("Redirect", { url: "https://e.com/x" }, "https://e.com/x")
    ]
    for (const e of cases) {
      const bad = invalid(response(e))
      assert.deepStrictEqual(
        bad.error.issues.map((i) => i.parameter),
        Object.keys(e.attributes),
        e.name
      )
    }
  })

  it("XML-2 an invalid element late in the document means nothing of it runs", () => {
    const program = compile(response(speak("first"), mpc(), element("Wait", { length: "0" })))
    assert.strictEqual(program._tag, "Invalid")
    const { instruction } = Program.next(program, Program.start)
    assert.strictEqual(instruction._tag, "Invalid")
  })

  it("XML-3 an invalid answer document hangs up with Invalid Answer XML 8011, redirect 8014, action 8012", () => {
    const doc = response(element("Wait", { length: "zero" }))
    assert.deepStrictEqual(invalid(doc, "Answer").hangup, {
      cause: "Invalid Answer XML",
      code: 8011,
      source: "Error"
    })
    assert.deepStrictEqual(invalid(doc, "Redirect").hangup, {
      cause: "Invalid Redirect XML",
      code: 8014,
      source: "Error"
    })
    assert.strictEqual(invalid(doc, "Action").hangup.code, 8012)
    const error = invalid(doc).error
    assert.deepStrictEqual(
      error.issues.map((i) => i.parameter),
      ["length"]
    )
  })

  it("XML-3 an invalid <MultiPartyCall> attribute hangs up with 8011 naming the attribute", () => {
    const bad = invalid(
      response(speak("Connecting"), element("MultiPartyCall", { role: "Agent", maxDuration: "5" }, "r"))
    )
    assert.strictEqual(bad.hangup.code, 8011)
    assert.strictEqual(bad.element, "MultiPartyCall")
    assert.deepStrictEqual(
      bad.error.issues.map((i) => i.parameter),
      ["maxDuration"]
    )
  })

  it("XML-4 a document that cannot be had hangs up with 7011, 7014 or 7012 by its origin", () => {
    assert.deepStrictEqual(Program.unreachable("Answer"), {
      _tag: "Hangup",
      hangup: { cause: "Error Reaching Answer URL", code: 7011, source: "Error" }
    })
    assert.strictEqual(Program.unreachableCause("Redirect").code, 7014)
    assert.strictEqual(Program.unreachableCause("Action").code, 7012)
  })

  it("XML-6 Speak defaults to WOMAN, en-US, loop 1 and lasts one second per 15 characters", () => {
    const [s] = run(speak("  Hello,\n   welcome to support  "))
    assert.deepStrictEqual(s, {
      _tag: "Speak",
      text: "Hello, welcome to support",
      voice: "WOMAN",
      language: "en-US",
      loop: 1,
      duration: { _tag: "Seconds", seconds: 2 }
    })
    const [looped] = run(speak("Hi", { voice: "MAN", language: "en-GB", loop: "3" }))
    assert.deepStrictEqual(
      looped && looped._tag === "Speak" ? [looped.voice, looped.language, looped.duration] : [],
      ["MAN", "en-GB", { _tag: "Seconds", seconds: 3 }]
    )
  })

  it("XML-6 loop 0 repeats until the call ends; a negative or non-integer loop is invalid", () => {
    const [s] = run(speak("Please hold", { loop: "0" }))
    assert.deepStrictEqual(s && s._tag === "Speak" ? s.duration : undefined, { _tag: "UntilCallEnds" })
    invalid(response(speak("x", { loop: "-1" })))
    invalid(response(speak("x", { loop: "1.5" })))
  })

  it("XML-6 Speak reads the text inside SSML elements and refuses other children or no text", () => {
    const [s] = run(element("Speak", {}, "Hello ", [element("emphasis", {}, "world")]))
    assert.strictEqual(s && s._tag === "Speak" ? s.text : "", "Hello world")
    invalid(response(element("Speak", {}, "Hi", [element("Play", {}, "https://e.com/a.mp3")])))
    invalid(response(speak("   ")))
  })

  it("XML-6 Play takes an absolute URL and lasts 5 seconds a loop, or follows the duration model given", () => {
    const [p] = run(element("Play", { loop: "2" }, " https://e.com/a.mp3 "))
    assert.deepStrictEqual(p, {
      _tag: "Play",
      url: "https://e.com/a.mp3",
      loop: 2,
      duration: { _tag: "Seconds", seconds: 10 }
    })
    const custom = Program.compile(response(element("Play", {}, "https://e.com/a.mp3")), {
      origin: "Answer",
      callUuid: uuid,
      durations: { speakCharactersPerSecond: 10, playSeconds: 42 }
    })
    const first = Program.next(custom, Program.start).instruction
    assert.deepStrictEqual(first._tag === "Play" ? first.duration : undefined, {
      _tag: "Seconds",
      seconds: 42
    })
    invalid(response(element("Play", {}, "a.mp3")))
  })

  it("XML-7 Wait lasts length seconds, default 1, an integer greater than 0", () => {
    assert.deepStrictEqual(run(element("Wait"))[0], { _tag: "Wait", seconds: 1 })
    assert.deepStrictEqual(
      run(element("Wait", { length: "30", silence: "true", minSilence: "500", beep: "false" }))[0],
      {
        _tag: "Wait",
        seconds: 30
      }
    )
    invalid(response(element("Wait", { length: "0" })))
    invalid(response(element("Wait", { silence: "sometimes" })))
    invalid(response(element("Wait", { minSilence: "0" })))
    invalid(response(element("Wait", { duration: "3" })))
  })

  it("XML-8 Hangup ends the call from Answer XML; reason is rejected or busy; schedule defers it", () => {
    const steps = run(element("Hangup", { reason: "busy" }), speak("never said"))
    assert.deepStrictEqual(steps, [
      { _tag: "Hangup", hangup: { cause: "Normal Hangup", code: 4000, source: "Answer XML" }, reason: "busy" }
    ])
    const scheduled = run(element("Hangup", { schedule: "60" }), speak("said meanwhile"))
    assert.deepStrictEqual(
      scheduled.map((i) => i._tag),
      ["ScheduleHangup", "Speak", "End"]
    )
    assert.strictEqual(scheduled[0]!._tag === "ScheduleHangup" ? scheduled[0]!.after : 0, 60)
    invalid(response(element("Hangup", { reason: "tired" })))
  })

  it("XML-9 Redirect fetches its URL by method (default POST) and nothing after it runs", () => {
    const steps = run(speak("One moment"), element("Redirect", {}, "https://e.com/next"), speak("never"))
    assert.deepStrictEqual(steps.at(-1), { _tag: "Redirect", url: "https://e.com/next", method: "POST" })
    assert.strictEqual(steps.length, 2)
    assert.deepStrictEqual(run(element("Redirect", { method: "get" }, "https://e.com/x"))[0], {
      _tag: "Redirect",
      url: "https://e.com/x",
      method: "GET"
    })
    invalid(response(element("Redirect", { method: "PUT" }, "https://e.com/x")))
    invalid(response(element("Redirect", {}, "next.xml")))
  })

  it("XML-10 valid Plivo elements that are not emulated are skipped and take no time", () => {
    const steps = run(element("GetDigits", { action: "https://e.com/d" }, "", [speak("Press 1")]), mpc())
    assert.deepStrictEqual(steps[0], { _tag: "Skip", element: "GetDigits" })
    assert.strictEqual(steps[1]!._tag, "JoinMpc")
  })

  it("XML-11 a <MultiPartyCall> step carries the request for the call running the document", () => {
    const [join] = run(mpc("agent"))
    if (join?._tag !== "JoinMpc") assert.fail("expected a JoinMpc step")
    assert.deepStrictEqual(join.join.request.target, { _tag: "Transfer", callUuid: uuid })
    assert.strictEqual(join.join.request.role, "Agent")
  })

  it("XML-15 after the MPC the call goes on with the next element", () => {
    const program = compile(response(mpc(), speak("Thanks for waiting")))
    const joined = Program.next(program, Program.start)
    assert.strictEqual(joined.instruction._tag, "JoinMpc")
    // The driver resumes at the cursor after the join when the member leaves the MPC alive.
    assert.strictEqual(Program.next(program, joined.cursor).instruction._tag, "Speak")
  })
})
