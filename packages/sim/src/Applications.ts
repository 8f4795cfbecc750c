/**
 * XML-1: the simulated applications: numbers whose answer URL returns a document, and the
 * documents other URLs return (`<Redirect>`, `on_exit_action_url`). A scenario writes documents as
 * data (`Scenario.Application`); the simulator turns them into the domain's parsed `Document` and
 * feeds it back as `XmlFetched` a little after the fetch, as a fast answer server would. A URL the
 * scenario does not know cannot be had (XML-4).
 *
 * @since 0.2.0
 */
import { type Event, Xml } from "@mpc-kit/domain"
import type { Application, Scenario } from "./Scenario.js"

/**
 * The contact centre's number.
 *
 * @since 0.2.0
 * @category applications
 */
export const CENTRE = "+18005550100"

/**
 * XML-1: how long the simulated answer server takes to return a document, in ms.
 *
 * @since 0.2.0
 * @category applications
 */
export const FetchMs = 200

/** The answer URL the simulator gives the application of `number`. */
const answerUrl = (number: string): string => `https://sim.invalid/answer/${encodeURIComponent(number)}`

/**
 * The contact centre's application when customers come in by XML: `<MultiPartyCall>` into the
 * customer's own MPC.
 *
 * @since 0.2.0
 * @category applications
 */
export const centreApplication: Application = [
  { element: "Speak", text: "Thank you for calling. Please hold for the next agent." },
  {
    element: "MultiPartyCall",
    attributes: { role: "customer", waitMusicMethod: "GET", endMpcOnExit: "true" },
    text: "cc-{id}"
  }
]

/**
 * The application of a number, if it has one.
 *
 * @since 0.2.0
 * @category applications
 */
export const of = (scenario: Scenario, number: string): Application | undefined =>
  scenario.numbers?.[number] ??
  (scenario.contactCentre?.customersByXml === true && number === CENTRE ? centreApplication : undefined)

/**
 * XML-1: the event of an inbound call to a number with an application.
 *
 * @since 0.2.0
 * @category applications
 */
export const inbound = (
  at: number,
  apiId: string,
  from: string,
  to: string
): Extract<Event.Event, { _tag: "InboundCall" }> => ({
  _tag: "InboundCall",
  at,
  apiId,
  from,
  to,
  answer: { url: answerUrl(to), method: "POST" }
})

const fill = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(/\{(id|from|to)\}/g, (_, k: string) => values[k] ?? "")

/**
 * A document as the domain's parsed `Document`, with `{id}`, `{from}`, `{to}` filled in.
 *
 * @since 0.2.0
 * @category applications
 */
export const toDocument = (
  application: Application,
  values: Readonly<Record<string, string>>
): Xml.Document.Document => ({
  root: Xml.Document.element(
    "Response",
    {},
    "",
    application.map((e) =>
      Xml.Document.element(
        e.element,
        Object.fromEntries(Object.entries(e.attributes ?? {}).map(([k, v]) => [k, fill(v, values)])),
        fill(e.text ?? "", values)
      )
    )
  )
})

/** The document a URL returns in the scenario. */
const documentAt = (scenario: Scenario, url: string): Application | undefined => {
  const own = scenario.documents?.[url]
  if (own !== undefined) return own
  const prefix = "https://sim.invalid/answer/"
  return url.startsWith(prefix) ? of(scenario, decodeURIComponent(url.slice(prefix.length))) : undefined
}

/**
 * XML-1, XML-4: the answer to a document fetch, scheduled `FetchMs` later on the network's side.
 *
 * @since 0.2.0
 * @category applications
 */
export const fetched = (
  now: number,
  callUuid: string,
  url: string,
  origin: Xml.Program.Origin,
  network: (at: number, event: Event.Event & { readonly callUuid: string }) => void,
  scenario: Scenario,
  call: (callUuid: string) => { readonly id: string; readonly from: string; readonly to: string }
): void => {
  const at = now + FetchMs
  const application = documentAt(scenario, url)
  if (application === undefined) {
    network(at, {
      _tag: "XmlFetchFailed",
      at,
      callUuid,
      origin,
      unreadable: false,
      reason: `no document at ${url}`
    })
    return
  }
  network(at, { _tag: "XmlFetched", at, callUuid, origin, document: toDocument(application, call(callUuid)) })
}
