/**
 * XML written by the official `plivo` SDK's builder, read by the emulator's parser and decoded by
 * the domain: what users' real answer servers send must mean what Plivo says it means.
 */

import { assert, describe, it } from "@effect/vitest"
import { AddParticipantParams, type AddParticipantRequest, Xml } from "@mpc-kit/domain"
import { AddParticipantArbitrary } from "@mpc-kit/domain/testing"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import * as plivo from "plivo"
import * as Parser from "../src/xml/Parser.js"

/** The builder's methods these tests use (its type declarations lack `addMultiPartyCall`). */
interface SdkResponse {
  addSpeak(body: string, attributes?: Record<string, unknown>): unknown
  addPlay(body: string, attributes?: Record<string, unknown>): unknown
  addWait(attributes?: Record<string, unknown>): unknown
  addRedirect(body: string, attributes?: Record<string, unknown>): unknown
  addHangup(attributes?: Record<string, unknown>): unknown
  addGetDigits(attributes?: Record<string, unknown>): unknown
  addMultiPartyCall(body: string, attributes: Record<string, unknown>): unknown
  toXML(): string
}
const SdkResponse = plivo.Response as unknown as new () => SdkResponse

const uuid = "0b7b4242-8ee8-4872-b447-81b4ce972eae"

/** An answer document with one `<MultiPartyCall>`, as the SDK writes it (it fills in the attributes it is given). */
const sdkMpc = (name: string, attributes: Record<string, unknown>): string => {
  const response = new SdkResponse()
  response.addMultiPartyCall(name, { ...attributes })
  return response.toXML()
}

const parsed = (xml: string): Xml.Document.Document => {
  const document = Parser.parseDocument(xml)
  if (Either.isLeft(document)) assert.fail(`expected the SDK's XML to parse, got: ${document.left}\n${xml}`)
  return document.right
}

const compile = (xml: string, origin: Xml.Program.Origin = "Answer") =>
  Xml.Program.compile(parsed(xml), { origin, callUuid: uuid })

/** The `<MultiPartyCall>` of an SDK-built document, decoded. */
const joined = (xml: string): Xml.MultiPartyCall.Join => {
  const program = compile(xml)
  if (program._tag === "Invalid")
    assert.fail(`expected a valid document, got: ${program.invalid.error.error}`)
  const join = program.steps.find((s) => s._tag === "JoinMpc")
  if (join?._tag !== "JoinMpc") return assert.fail("no <MultiPartyCall> step")
  return join.join
}

/** The API path's decode of the same call joining. */
const api = (params: Record<string, unknown>): AddParticipantRequest.AddParticipantRequest => {
  const r = AddParticipantParams.decode({ ...params, call_uuid: uuid })
  if (Either.isLeft(r)) assert.fail(`expected the API parameters to decode, got: ${r.left.error}`)
  return r.right
}

const invalid = (xml: string, origin: Xml.Program.Origin = "Answer"): Xml.Program.Invalid => {
  const program = compile(xml, origin)
  if (program._tag === "Valid") assert.fail(`expected an invalid document:\n${xml}`)
  return program.invalid
}

/** The SDK's XML with one attribute's value replaced, as a hand-edited or other-language answer would be. */
const withAttribute = (xml: string, attribute: string, value: string) => {
  const pattern = new RegExp(` ${attribute}="[^"]*"`)
  return pattern.test(xml)
    ? xml.replace(pattern, () => ` ${attribute}="${value}"`)
    : xml.replace("<MultiPartyCall ", () => `<MultiPartyCall ${attribute}="${value}" `)
}

describe("the SDK's <MultiPartyCall> read by the emulator", () => {
  it("XML-11 XML-12 with only a role, the SDK's explicit defaults decode to the API's defaults, but GET for the recording callback", () => {
    const xml = sdkMpc("support-42", { role: "Customer" })
    assert.include(xml, 'recordingCallbackMethod="GET"')
    const join = joined(xml)
    assert.strictEqual(join.mpcName, "support-42")
    assert.deepStrictEqual(join.request, api({ role: "Customer" }))
    assert.deepStrictEqual(join.extras, { transcript: false })
    const withUrl = joined(sdkMpc("r", { role: "agent", recordingCallbackUrl: "https://example.com/rec" }))
    assert.deepStrictEqual(withUrl.request.mpc.recordingCallback, {
      url: "https://example.com/rec",
      method: "GET"
    })
    assert.strictEqual(
      api({ role: "agent", recording_callback_url: "https://example.com/rec" }).mpc.recordingCallback?.method,
      "POST"
    )
  })

  it("XML-11 range edges written by the SDK decode; one past each edge is refused naming the attribute", () => {
    const edges: ReadonlyArray<readonly [string, number, number]> = [
      ["maxDuration", 300, 28_800],
      ["maxParticipants", 2, 10],
      ["recordMinMemberCount", 1, 2]
    ]
    for (const [attribute, min, max] of edges) {
      for (const value of [min, max]) {
        const join = joined(sdkMpc("edges", { role: "Agent", [attribute]: value }))
        const mpc = join.request.mpc as unknown as Record<string, number>
        assert.strictEqual(mpc[attribute], value, `${attribute}=${value}`)
      }
      // The SDK refuses these itself; a hand-edited document gets past it and the emulator refuses it.
      assert.throws(() => sdkMpc("edges", { role: "Agent", [attribute]: max + 1 }))
      for (const value of [min - 1, max + 1]) {
        const bad = invalid(withAttribute(sdkMpc("edges", { role: "Agent" }), attribute, String(value)))
        assert.deepStrictEqual(
          bad.error.issues.map((i) => i.parameter),
          [attribute]
        )
        assert.strictEqual(bad.hangup.code, 8011)
      }
    }
  })

  it("XML-11 every attribute the SDK writes is understood, and matches the API's parameter", () => {
    const attributes = {
      role: "supervisor",
      maxDuration: 600,
      maxParticipants: 4,
      recordMinMemberCount: 2,
      waitMusicUrl: "https://example.com/wait",
      waitMusicMethod: "POST",
      agentHoldMusicUrl: "https://example.com/agent-hold",
      customerHoldMusicUrl: "https://example.com/customer-hold",
      customerHoldMusicMethod: "post",
      record: true,
      recordFileFormat: "wav",
      recordingCallbackUrl: "https://example.com/rec",
      recordingCallbackMethod: "POST",
      statusCallbackUrl: "https://example.com/status?a=1&b=2",
      statusCallbackMethod: "GET",
      statusCallbackEvents: "participant-speak-events, mpc-state-changes, add-participant-api-events",
      stayAlone: true,
      mute: true,
      hold: true,
      endMpcOnExit: true,
      enterSound: "none",
      exitSound: "https://example.com/bye",
      exitSoundMethod: "POST",
      onExitActionUrl: "https://example.com/exit",
      onExitActionMethod: "GET",
      relayDTMFInputs: true,
      recordParticipantTrack: true,
      startRecordingAudio: "https://example.com/start-tone",
      stopRecordingAudio: "https://example.com/stop-tone",
      stopRecordingAudioMethod: "POST"
    }
    const join = joined(sdkMpc("all-of-them", attributes))
    assert.deepStrictEqual(
      join.request,
      api({
        role: "supervisor",
        max_duration: 600,
        max_participants: 4,
        record_min_member_count: 2,
        wait_music_url: "https://example.com/wait",
        wait_music_method: "POST",
        agent_hold_music_url: "https://example.com/agent-hold",
        customer_hold_music_url: "https://example.com/customer-hold",
        customer_hold_music_method: "post",
        record: true,
        record_file_format: "wav",
        recording_callback_url: "https://example.com/rec",
        recording_callback_method: "POST",
        status_callback_url: "https://example.com/status?a=1&b=2",
        status_callback_method: "GET",
        status_callback_events: "participant-speak-events, mpc-state-changes, add-participant-api-events",
        stay_alone: true,
        mute: true,
        hold: true,
        end_mpc_on_exit: true,
        enter_sound: "none",
        exit_sound: "https://example.com/bye",
        exit_sound_method: "POST",
        on_exit_action_url: "https://example.com/exit",
        on_exit_action_method: "GET",
        relay_dtmf_inputs: true,
        record_participant_track: true
      })
    )
    assert.deepStrictEqual(join.extras, {
      transcript: false,
      startRecordingAudio: { url: "https://example.com/start-tone", method: "GET" },
      stopRecordingAudio: { url: "https://example.com/stop-tone", method: "POST" }
    })
  })

  it("XML-18 the node SDK cannot write coachMode or startMpcOnEnter false; the element means what its XML says", () => {
    const xml = sdkMpc("quirk", { role: "Supervisor", coachMode: false, startMpcOnEnter: false })
    assert.include(xml, 'coachMode="true"')
    assert.include(xml, 'startMpcOnEnter="true"')
    const written = joined(xml).request
    assert.deepStrictEqual([written.coachMode, written.startMpcOnEnter], [true, true])
    const edited = joined(
      withAttribute(withAttribute(xml, "coachMode", "false"), "startMpcOnEnter", "false")
    ).request
    assert.deepStrictEqual([edited.coachMode, edited.startMpcOnEnter], [false, false])
  })

  it("XML-3 XML-17 an invalid attribute value hangs the call up with Invalid Answer XML 8011, naming the attribute", () => {
    const base = sdkMpc("support-42", { role: "Customer" })
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["role", "manager"],
      ["waitMusicMethod", "PUT"],
      ["record", "yes"],
      ["recordFileFormat", "ogg"],
      ["statusCallbackEvents", "everything"],
      ["enterSound", "beep:9"],
      ["statusCallbackUrl", "example.com/status"],
      ["maxDuration", ""]
    ]
    for (const [attribute, value] of cases) {
      const bad = invalid(withAttribute(base, attribute, value))
      assert.deepStrictEqual(
        bad.hangup,
        { cause: "Invalid Answer XML", code: 8011, source: "Error" },
        attribute
      )
      assert.deepStrictEqual(
        bad.error.issues.map((i) => i.parameter),
        [attribute]
      )
      assert.strictEqual(bad.element, "MultiPartyCall")
    }
    assert.strictEqual(invalid(withAttribute(base, "role", "manager"), "Redirect").hangup.code, 8014)
  })

  it("XML-14 an attribute the element has not (an API parameter, or a misspelling) is invalid XML", () => {
    const base = sdkMpc("support-42", { role: "Customer" })
    for (const attribute of ["callerName", "ringTimeout", "relayDtmfInputs", "max_duration"]) {
      const bad = invalid(withAttribute(base, attribute, "1"))
      assert.deepStrictEqual(
        bad.error.issues.map((i) => i.parameter),
        [attribute]
      )
    }
    // The SDK itself refuses them.
    assert.throws(() => sdkMpc("x", { role: "Agent", callerName: "Ann" }), /Not a valid attribute/)
  })

  it("XML-3 XML-19 XML that is not well-formed cannot be read, and the call hangs up with 8011", () => {
    const xml = sdkMpc("support-42", { role: "Customer", statusCallbackUrl: "https://example.com/s?a=1&b=2" })
    assert.include(xml, "&amp;")
    for (const broken of [
      xml.slice(0, -5),
      xml.replace("</MultiPartyCall>", ""),
      xml.replace("&amp;", "&"),
      `${xml}<Response/>`
    ]) {
      assert.isTrue(Either.isLeft(Parser.parseDocument(broken)), broken)
    }
    assert.deepStrictEqual(Xml.Program.invalidCause("Answer"), Xml.Program.Hangups.invalidAnswerXml)
  })

  it("XML-20 a DTD or entity attack around SDK XML is refused before any expansion", () => {
    const body = sdkMpc("support-42", { role: "Customer" }).replace("support-42", "&lol3;")
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE Response [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
${body}`
    const refused = Parser.parseDocument(laughs)
    assert.isTrue(Either.isLeft(refused) && refused.left.includes("DOCTYPE"))
    const external = `<!DOCTYPE Response SYSTEM "file:///etc/passwd">${sdkMpc("x", { role: "Agent" })}`
    assert.isTrue(Either.isLeft(Parser.parseDocument(external)))
    const undeclared = Parser.parseDocument(body)
    assert.isTrue(Either.isLeft(undeclared) && undeclared.left.includes("undefined entity"))
  })

  it("XML-19 an SDK document over the size or element limits is refused", () => {
    const response = new SdkResponse()
    for (let k = 0; k < 1200; k++) response.addWait({ length: 1 })
    const tooMany = Parser.parseDocument(response.toXML())
    assert.isTrue(Either.isLeft(tooMany) && tooMany.left.includes("elements"))
    const long = new SdkResponse()
    long.addSpeak("x".repeat(70_000))
    const tooBig = Parser.parseDocument(long.toXML())
    assert.isTrue(Either.isLeft(tooBig) && tooBig.left.includes("character limit"))
  })
})

describe("an SDK answer document as a program", () => {
  it("XML-1 XML-6 XML-7 XML-11 XML-5 Speak and Wait before the element take time, then the MPC, then 4010", () => {
    const response = new SdkResponse()
    response.addSpeak("Thanks for calling. Please hold.", { voice: "MAN", language: "en-GB", loop: 2 })
    response.addWait({ length: 3 })
    response.addMultiPartyCall("support-42", { role: "customer", waitMusicUrl: "https://example.com/wait" })
    const steps = Xml.Program.instructions(compile(response.toXML()))
    assert.deepStrictEqual(
      steps.map((s) => s._tag),
      ["Speak", "Wait", "JoinMpc", "End"]
    )
    const [speak, wait, , end] = steps
    assert.deepStrictEqual(speak?._tag === "Speak" ? speak.duration : undefined, {
      _tag: "Seconds",
      seconds: 6
    })
    assert.deepStrictEqual(wait, { _tag: "Wait", seconds: 3 })
    assert.deepStrictEqual(end, {
      _tag: "End",
      hangup: { cause: "End Of XML Instructions", code: 4010, source: "Plivo" }
    })
  })

  it("XML-9 XML-8 XML-10 Redirect ends the document; Hangup ends the call; GetDigits is skipped", () => {
    const redirect = new SdkResponse()
    redirect.addPlay("https://example.com/hello.mp3", { loop: 1 })
    redirect.addRedirect("https://example.com/next?step=2&x=1", { method: "GET" })
    redirect.addSpeak("never")
    assert.deepStrictEqual(Xml.Program.instructions(compile(redirect.toXML())).at(-1), {
      _tag: "Redirect",
      url: "https://example.com/next?step=2&x=1",
      method: "GET"
    })
    const hangup = new SdkResponse()
    hangup.addGetDigits({ action: "https://example.com/digits" })
    hangup.addHangup({ reason: "busy" })
    assert.deepStrictEqual(
      Xml.Program.instructions(compile(hangup.toXML())).map((s) => s._tag),
      ["Skip", "Hangup"]
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const camelToApi = Xml.MultiPartyCall.apiParameters as Record<string, string>

const url = fc
  .tuple(fc.constantFrom("http", "https"), fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/), fc.webPath())
  .map(([scheme, host, path]) => `${scheme}://${host}.example.com${path}`)
const method = fc.constantFrom("GET", "POST", "get", "Post")
const groups = [
  "mpc-state-changes",
  "participant-state-changes",
  "participant-speak-events",
  "participant-digit-input-events",
  "add-participant-api-events"
]

/** Attribute sets the node SDK accepts and writes faithfully (XML-18: coachMode and startMpcOnEnter only true). */
const sdkAttributes = fc.record(
  {
    role: fc.constantFrom("agent", "Agent", "supervisor", "CUSTOMER", "customer"),
    maxDuration: fc.integer({ min: 300, max: 28_800 }),
    maxParticipants: fc.integer({ min: 2, max: 10 }),
    recordMinMemberCount: fc.constantFrom(1, 2),
    waitMusicUrl: url,
    waitMusicMethod: method,
    agentHoldMusicUrl: url,
    agentHoldMusicMethod: method,
    customerHoldMusicUrl: url,
    customerHoldMusicMethod: method,
    record: fc.boolean(),
    recordFileFormat: fc.constantFrom("mp3", "wav", "WAV"),
    recordingCallbackUrl: url,
    recordingCallbackMethod: method,
    statusCallbackEvents: fc
      .subarray(groups, { minLength: 1 })
      .chain((g) => fc.constantFrom(",", ", ").map((sep) => g.join(sep))),
    statusCallbackUrl: url,
    statusCallbackMethod: method,
    stayAlone: fc.boolean(),
    coachMode: fc.constant(true),
    mute: fc.boolean(),
    hold: fc.boolean(),
    startMpcOnEnter: fc.constant(true),
    endMpcOnExit: fc.boolean(),
    enterSound: fc.oneof(fc.constantFrom("none", "beep:1", "beep:2"), url),
    enterSoundMethod: method,
    exitSound: fc.oneof(fc.constantFrom("none", "beep:1", "beep:2"), url),
    exitSoundMethod: method,
    onExitActionUrl: url,
    onExitActionMethod: method,
    relayDTMFInputs: fc.boolean(),
    recordParticipantTrack: fc.boolean()
  },
  { requiredKeys: ["role"] }
)

/** Whether XML 1.0 can carry the text at all (no control characters, no lone surrogates). */
const writable = (text: string): boolean =>
  [...text].every((c) => {
    const code = c.codePointAt(0)!
    return (
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000
    )
  })

/** The text as a double-quoted attribute value. */
const escapeAttribute = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;")

const mpcName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,39}$/)

describe("properties", () => {
  it("XML-11 XML-12 any attribute set the SDK writes decodes to the API's request for the same parameters", () => {
    fc.assert(
      fc.property(mpcName, sdkAttributes, (name, attributes) => {
        const join = joined(sdkMpc(name, attributes))
        const params: Record<string, unknown> = {}
        for (const [key, value] of Object.entries(attributes)) params[camelToApi[key]!] = value
        // XML-12: the element's default verb for the recording callback, which the SDK writes out.
        params.recording_callback_method ??= "GET"
        assert.deepStrictEqual(join.request, api(params))
        assert.strictEqual(join.mpcName, name.trim())
      }),
      { numRuns: 300 }
    )
  })

  it("XML-3 XML-19 arbitrary text never throws: it parses and compiles, or is refused", () => {
    const sdkXml = fc.tuple(mpcName, sdkAttributes).map(([n, a]) => sdkMpc(n, a))
    const mutated = fc
      .tuple(sdkXml, fc.nat(), fc.nat(), fc.string({ maxLength: 20 }))
      .map(([xml, at, cut, insert]) => {
        const k = at % (xml.length + 1)
        return xml.slice(0, k) + insert + xml.slice(Math.min(xml.length, k + (cut % 8)))
      })
    const tokens = fc
      .array(
        fc.constantFrom(
          "<",
          ">",
          "/",
          "Response",
          "MultiPartyCall",
          "Speak",
          "Wait",
          " ",
          "=",
          '"',
          "'",
          "&",
          ";",
          "&amp;",
          "role",
          "agent",
          "<!DOCTYPE",
          "<![CDATA[",
          "]]>",
          "<!--",
          "-->",
          "x",
          "\n"
        ),
        { maxLength: 60 }
      )
      .map((parts) => parts.join(""))
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.fullUnicodeString(), tokens, mutated), (text) => {
        const document = Parser.parseDocument(text)
        if (Either.isRight(document)) {
          for (const origin of Xml.Program.Origin.literals) {
            const program = Xml.Program.compile(document.right, { origin, callUuid: uuid })
            const all = Xml.Program.instructions(program)
            assert.isAbove(all.length, 0)
          }
        } else {
          assert.isString(document.left)
        }
      }),
      { numRuns: 1000 }
    )
  })

  it("XML-17 any invalid API value put into the SDK's XML is refused under the attribute's name", () => {
    const invalidByAttribute = Object.entries(camelToApi)
      .filter(([, parameter]) => AddParticipantArbitrary.invalidValues[parameter] !== undefined)
      .map(([attribute, parameter]) =>
        AddParticipantArbitrary.invalidValues[parameter]!.filter(
          (v): v is string | number => (typeof v === "string" || typeof v === "number") && String(v) !== ""
        ).map((v) => [attribute, String(v)] as const)
      )
    fc.assert(
      fc.property(fc.oneof(...invalidByAttribute), ([attribute, value]) => {
        fc.pre(writable(value))
        const xml = withAttribute(sdkMpc("props", { role: "Agent" }), attribute, escapeAttribute(value))
        const program = compile(xml)
        assert.strictEqual(program._tag, "Invalid", `${attribute}="${value}"`)
        if (program._tag === "Invalid")
          assert.include(
            program.invalid.error.issues.map((i) => i.parameter),
            attribute
          )
      }),
      { numRuns: 300 }
    )
  })
})
