import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Invariants, PMap } from "@mpc-kit/domain"
import * as Either from "effect/Either"
import * as Scenario from "../src/Scenario.js"
import * as Simulation from "../src/Simulation.js"
import * as Timeline from "../src/Timeline.js"

const dir = fileURLToPath(new URL("../scenarios/", import.meta.url))
const load = (name: string): Scenario.Scenario => {
  const s = Scenario.decodeJson(readFileSync(`${dir}${name}.json`, "utf8"))
  if (Either.isLeft(s)) throw new Error(`${name}: ${s.left}`)
  return s.right
}

describe("inbound callers run by XML in the simulator", () => {
  it("XML-11: contact-centre customers join their MPC by <MultiPartyCall> after a <Speak> (XML-6), agents by the API", () => {
    const base = load("contact-centre-xml")
    const scenario = { ...base, contactCentre: { ...base.contactCentre!, customers: 40 } }
    const r = Simulation.run(scenario, { seed: 3, invariants: Invariants.all })
    const events = r.trace.flatMap((e) => (e.kind === "event" ? [e] : []))
    const fetched = events.filter((e) => e.event._tag === "XmlFetched" && e.refused === undefined)
    assert.strictEqual(fetched.length, 40)
    let customers = 0
    let agents = 0
    for (const mpc of PMap.values(r.state.mpcs)) {
      // The customer's call joined without any API request of its own (XFER-1 through the element).
      const customer = mpc.calls.find((c) => c.direction === "inbound")
      if (customer?.memberId !== undefined || customer?.handedOff === true) customers++
      if (mpc.calls.some((c) => c.direction === "outbound" && c.answeredAt !== undefined)) agents++
    }
    assert.isAtLeast(customers, 38)
    assert.isAtLeast(agents, 20)
    // XML-6: the Speak before the element takes its time on the virtual clock.
    const first = fetched[0]!
    const joins = r.trace.filter((e) => e.kind === "command" && e.command._tag === "Bridge" && e.t >= first.t)
    assert.isAbove(joins[0]!.t, first.t)
  })

  it("XML-4, XML-9: a Redirect to a URL the scenario does not know hangs the caller up with 7014", () => {
    const r = Simulation.run(
      {
        name: "unknown-document",
        numbers: { "+18005550111": [{ element: "Redirect", text: "https://example.com/nowhere" }] },
        actions: [{ at: 0, do: "call", id: "c", from: "+14155550100", to: "+18005550111" }]
      },
      { seed: 1, invariants: Invariants.all }
    )
    const hangups = r.trace.flatMap((e) =>
      e.kind === "command" && e.command._tag === "HangupCall" ? [e.command] : []
    )
    assert.deepStrictEqual(
      hangups.map((h) => [h.cause, h.code]),
      [["Error Reaching Redirect URL", 7014]]
    )
  })

  it("XML-1 XML-15 the timeline shows the documents that ran a caller: the answer XML, then the on-exit XML", () => {
    const r = Simulation.run(
      {
        name: "on-exit",
        numbers: {
          "+18005550100": [
            {
              element: "MultiPartyCall",
              attributes: {
                role: "customer",
                stayAlone: "true",
                onExitActionUrl: "https://app.example.com/exit"
              },
              text: "first-{id}"
            }
          ]
        },
        documents: {
          "https://app.example.com/exit": [
            { element: "MultiPartyCall", attributes: { role: "customer" }, text: "second" }
          ]
        },
        actions: [
          { at: 0, do: "call", id: "c", from: "+14155550100", to: "+18005550100" },
          { at: 10, do: "kick", mpc: "first-c", member: "all" }
        ]
      },
      { seed: 1, invariants: Invariants.all }
    )
    const first = Timeline.mpcsOf(r).find((m) => m.name === "first-c")!
    const svg = Timeline.svg(r, first.uuid, { width: 900 })
    assert.include(svg, "Answer XML: MultiPartyCall")
    assert.include(svg, "Action XML: MultiPartyCall")
    const second = [...PMap.values(r.state.mpcs)].find((m) => m.name === "second")!
    // The caller joined it (the run goes on until its max duration ends it).
    assert.lengthOf(second.calls, 1)
  })
})
