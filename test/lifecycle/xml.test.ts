/**
 * XML-1 to XML-16 in the rules engine: an inbound call run by its application's XML, step by step
 * on the virtual clock, into an MPC by `<MultiPartyCall>`, and on after it.
 */
import { assert, describe, it } from "@effect/vitest"
import { PMap, Xml } from "@mpc-kit/domain"
import { type Cmd, callbacks, Harness, ofTag, T0 } from "../support/Harness.js"

const CALLER = "+14155550123"
const NUMBER = "+18005550100"
const ANSWER = "https://app.example.com/answer"
const HANGUP = "https://app.example.com/hangup"
const STATUS = "https://app.example.com/mpc-status"

const el = Xml.Document.element
const doc = (...children: ReadonlyArray<Xml.Document.Element>): Xml.Document.Document => ({
  root: el("Response", {}, "", children)
})
const mpcElement = (name: string, attributes: Record<string, string> = {}) =>
  el("MultiPartyCall", { role: "customer", statusCallbackUrl: STATUS, ...attributes }, name)

/** An inbound call to the application; returns its UUID and the commands of its arrival. */
const inbound = (h: Harness) => {
  const r = h.send({
    _tag: "InboundCall",
    at: h.now,
    apiId: h.apiId(),
    from: CALLER,
    to: NUMBER,
    answer: { url: ANSWER, method: "POST" },
    hangup: { url: HANGUP, method: "POST" }
  })
  const created = ofTag(r.commands, "Respond")[0]!.outcome
  if (created._tag !== "CallCreated") throw new Error("not created")
  return { uuid: created.callUuid, commands: r.commands }
}
const fetched = (
  h: Harness,
  callUuid: string,
  document: Xml.Document.Document,
  origin: Xml.Program.Origin = "Answer"
) => h.send({ _tag: "XmlFetched", at: h.now, callUuid, origin, document })
const hangupOf = (commands: ReadonlyArray<Cmd>) =>
  ofTag(commands, "HangupCall").map((c) => [c.cause, c.code, c.source])
const hangupCallbacks = (commands: ReadonlyArray<Cmd>) =>
  callbacks(commands).filter((c) => c.kind === "hangup")

describe("XML-1 the answer URL", () => {
  it("XML-1 an inbound call with an application is answered and asks its answer URL with Plivo's parameters", () => {
    const h = new Harness()
    const { uuid, commands } = inbound(h)
    assert.deepStrictEqual(ofTag(commands, "FetchCallXml"), [
      {
        _tag: "FetchCallXml",
        callUuid: uuid,
        url: ANSWER,
        method: "POST",
        origin: "Answer",
        params: {
          CallUUID: uuid,
          From: CALLER,
          To: NUMBER,
          Direction: "inbound",
          CallStatus: "in-progress",
          Event: "StartApp"
        }
      }
    ])
    assert.strictEqual(h.call(uuid).state, "answered")
  })
})

describe("XML-11 <MultiPartyCall> joins the MPC as a transfer does", () => {
  it("XML-11 XML-16 the caller joins with the element's defaults and no call-status callbacks; MPC callbacks go", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const r = fetched(h, uuid, doc(mpcElement("support-42")))
    const mpc = h.mpc("support-42")
    assert.deepStrictEqual(
      mpc.members.map((m) => [
        m.callUuid,
        m.role,
        m.direction,
        m.coachMode,
        m.startMpcOnEnter,
        m.endMpcOnExit
      ]),
      [[uuid, "Customer", "inbound", false, true, false]]
    )
    assert.strictEqual(mpc.settings.maxParticipants, 10)
    assert.strictEqual(mpc.settings.maxDuration, 14_400)
    assert.deepStrictEqual(ofTag(r.commands, "DialLeg"), [])
    assert.deepStrictEqual(ofTag(r.commands, "Respond"), [])
    assert.deepStrictEqual(callbacks(r.commands, "call"), [])
    assert.includeMembers(
      callbacks(r.commands, "status").map((c) => c.event),
      ["MPCInitialized", "ParticipantJoin"]
    )
  })

  it("XML-12 the element's recordingCallbackMethod defaults to GET", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    fetched(h, uuid, doc(mpcElement("rec", { recordingCallbackUrl: "https://app.example.com/rec" })))
    assert.deepStrictEqual(h.mpc("rec").settings.recordingCallback, {
      url: "https://app.example.com/rec",
      method: "GET"
    })
  })
})

describe("XML-3 an invalid document hangs the call up and changes nothing else", () => {
  it("XML-3 XML-17 an invalid attribute: 8011, the hangup callback says so, no MPC is made", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const before = h.state
    const r = fetched(h, uuid, doc(el("Speak", {}, "hello"), mpcElement("bad", { maxParticipants: "11" })))
    assert.deepStrictEqual(hangupOf(r.commands), [["Invalid Answer XML", 8011, "Error"]])
    assert.deepStrictEqual(
      hangupCallbacks(r.commands).map((c) => [
        c.url,
        c.params.HangupCauseName,
        c.params.HangupCauseCode,
        c.params.CallUUID
      ]),
      [[HANGUP, "Invalid Answer XML", "8011", uuid]]
    )
    // Nothing of the document ran: no MPC, no timer, no other command.
    assert.strictEqual(PMap.size(h.state.mpcs), PMap.size(before.mpcs))
    assert.isUndefined(PMap.get(h.state.liveNames, "bad"))
    assert.deepStrictEqual(
      r.commands.map((c) => c._tag),
      ["HangupCall", "SendCallback"]
    )
    assert.strictEqual(h.call(uuid).state, "ended")
  })

  it("XML-3 XML-19 an unreadable document (invalid XML) hangs up with 8011 too", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const r = h.send({
      _tag: "XmlFetchFailed",
      at: h.now,
      callUuid: uuid,
      origin: "Answer",
      unreadable: true,
      reason: "invalid XML"
    })
    assert.deepStrictEqual(hangupOf(r.commands), [["Invalid Answer XML", 8011, "Error"]])
    assert.strictEqual(hangupCallbacks(r.commands)[0]!.params.HangupCauseName, "Invalid Answer XML")
  })
})

describe("XML-4 an answer URL that cannot be had", () => {
  it("XML-4 down, slow or 500: the call hangs up with Error Reaching Answer URL 7011", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const r = h.send({
      _tag: "XmlFetchFailed",
      at: h.now,
      callUuid: uuid,
      origin: "Answer",
      unreadable: false,
      reason: "HTTP status 500"
    })
    assert.deepStrictEqual(hangupOf(r.commands), [["Error Reaching Answer URL", 7011, "Error"]])
    assert.strictEqual(PMap.size(h.state.mpcs), 0)
  })
})

describe("XML-6 XML-7 Speak and Wait take time on the clock", () => {
  it("XML-6 XML-7 a Speak of 30 characters (2 s) and a Wait of 3 s: the caller joins exactly 5 s after the document came", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    fetched(
      h,
      uuid,
      doc(el("Speak", {}, "Please hold for the next agent"), el("Wait", { length: "3" }), mpcElement("q"))
    )
    assert.isUndefined(PMap.get(h.state.liveNames, "q"))
    h.advance(4_999)
    assert.isUndefined(PMap.get(h.state.liveNames, "q"))
    const fired = h.advance(1)
    assert.strictEqual(h.mpc("q").members[0]!.joinedAt, T0 + 5_000)
    assert.lengthOf(fired, 1)
  })
})

describe("XML-5 XML-8 the end of the document", () => {
  it("XML-5 after the last element the call hangs up with End Of XML Instructions 4010", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    fetched(h, uuid, doc(el("Wait", { length: "2" })))
    const fired = h.advance(2_000)
    assert.deepStrictEqual(hangupOf(fired.flatMap((f) => f.result.commands)), [
      ["End Of XML Instructions", 4010, "Plivo"]
    ])
  })

  it("XML-8 <Hangup> ends the call with 4000 from Answer XML; the elements after it never run", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const r = fetched(h, uuid, doc(el("Hangup"), mpcElement("never")))
    assert.deepStrictEqual(hangupOf(r.commands), [["Normal Hangup", 4000, "Answer XML"]])
    assert.isUndefined(PMap.get(h.state.liveNames, "never"))
  })
})

describe("XML-9 <Redirect>", () => {
  it("XML-9 fetches the new document and runs it in place of the rest; an invalid one gives 8014", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    const r = fetched(
      h,
      uuid,
      doc(el("Redirect", { method: "GET" }, "https://app.example.com/next"), el("Hangup"))
    )
    assert.deepStrictEqual(
      ofTag(r.commands, "FetchCallXml").map((c) => [c.url, c.method, c.origin, c.params.Event]),
      [["https://app.example.com/next", "GET", "Redirect", "Redirect"]]
    )
    assert.deepStrictEqual(ofTag(r.commands, "HangupCall"), [])
    // The Answer document is gone: a late answer for it is refused.
    assert.isDefined(fetched(h, uuid, doc(el("Hangup"))).refused)
    fetched(h, uuid, doc(mpcElement("after-redirect")), "Redirect")
    assert.lengthOf(h.mpc("after-redirect").members, 1)

    const h2 = new Harness()
    const second = inbound(h2)
    fetched(h2, second.uuid, doc(el("Redirect", {}, "https://app.example.com/next")))
    const bad = fetched(h2, second.uuid, doc(el("speak", {}, "lower case")), "Redirect")
    assert.deepStrictEqual(hangupOf(bad.commands), [["Invalid Redirect XML", 8014, "Error"]])
  })
})

describe("XML-15 after the MPC", () => {
  it("XML-15 a kicked member goes on with the next element (a Speak), then 4010; no 4020", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    fetched(h, uuid, doc(mpcElement("room", { stayAlone: "true" }), el("Speak", {}, "Goodbye")))
    const kick = h.send({
      _tag: "KickMember",
      at: h.now,
      apiId: h.apiId(),
      mpc: { _tag: "ByName", name: "room" },
      member: "all"
    })
    assert.deepStrictEqual(hangupOf(kick.commands), [])
    assert.strictEqual(h.call(uuid).state, "answered")
    const fired = h.advance(1_000).flatMap((f) => f.result.commands)
    assert.deepStrictEqual(hangupOf(fired), [["End Of XML Instructions", 4010, "Plivo"]])
  })

  it("XML-15 EXIT-1 a member with onExitActionUrl is moved by the on-exit XML into a second MPC", () => {
    const h = new Harness()
    const { uuid } = inbound(h)
    fetched(
      h,
      uuid,
      doc(mpcElement("first", { stayAlone: "true", onExitActionUrl: "https://app.example.com/exit" }))
    )
    const kick = h.send({
      _tag: "KickMember",
      at: h.now,
      apiId: h.apiId(),
      mpc: { _tag: "ByName", name: "first" },
      member: "all"
    })
    assert.deepStrictEqual(
      ofTag(kick.commands, "FetchXml").map((c) => [c.url, c.purpose, c.callUuid]),
      [["https://app.example.com/exit", "OnExitAction", uuid]]
    )
    const r = fetched(h, uuid, doc(mpcElement("second")), "Action")
    assert.isUndefined(r.refused)
    assert.deepStrictEqual(
      h.mpc("second").members.map((m) => m.callUuid),
      [uuid]
    )
    assert.strictEqual(h.call(uuid).state, "in-mpc")
  })

  it("XML-3 an invalid on-exit document gives Invalid Action XML 8012; XML-4 one that cannot be had 7012", () => {
    for (const [unreadable, expected] of [
      [true, ["Invalid Action XML", 8012, "Error"]],
      [false, ["Error Reaching Action URL", 7012, "Error"]]
    ] as const) {
      const h = new Harness()
      const { uuid } = inbound(h)
      fetched(
        h,
        uuid,
        doc(mpcElement("first", { stayAlone: "true", onExitActionUrl: "https://app.example.com/exit" }))
      )
      h.send({
        _tag: "KickMember",
        at: h.now,
        apiId: h.apiId(),
        mpc: { _tag: "ByName", name: "first" },
        member: "all"
      })
      const r = h.send({
        _tag: "XmlFetchFailed",
        at: h.now,
        callUuid: uuid,
        origin: "Action",
        unreadable,
        reason: "x"
      })
      assert.deepStrictEqual(hangupOf(r.commands), [[...expected]])
    }
  })
})
