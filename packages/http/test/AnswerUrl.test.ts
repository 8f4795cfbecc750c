/**
 * XML-1 to XML-16 end to end: an inbound call to an answer server written with the official `plivo`
 * SDK's XML builder, over real HTTP; the emulator fetches the answer URL signed as Plivo does and
 * runs the document.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as plivo from "plivo"
import { StoreSqlite } from "../src/store/Layers.js"
import * as Fetcher from "../src/xml/Fetcher.js"
import { account, addPath, call, type Json, receiver, start, until, validateV3 } from "./support/Emulator.js"

/** The builder's methods these tests use (its type declarations lack `addMultiPartyCall`). */
interface SdkResponse {
  addSpeak(body: string, attributes?: Record<string, unknown>): unknown
  addWait(attributes?: Record<string, unknown>): unknown
  addMultiPartyCall(body: string, attributes: Record<string, unknown>): unknown
  toXML(): string
}
const SdkResponse = plivo.Response as unknown as new () => SdkResponse

interface Asked {
  readonly path: string
  readonly url: string
  readonly params: Record<string, string>
  readonly signature: string
  readonly nonce: string
}

/** An answer server: each path answers with its own handler; every request is recorded. */
const answerServer = (routes: Record<string, (res: ServerResponse) => void>) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ url: string; asked: Array<Asked>; close: () => void }>((resolve) => {
          const asked: Array<Asked> = []
          let base = ""
          const server = createServer((req: IncomingMessage, res) => {
            let body = ""
            req.on("data", (c) => {
              body += c
            })
            req.on("end", () => {
              const path = (req.url ?? "").split("?")[0]!
              asked.push({
                path,
                url: `${base}${req.url}`,
                params: Object.fromEntries(new URLSearchParams(body)),
                signature: String(req.headers["x-plivo-signature-v3"] ?? ""),
                nonce: String(req.headers["x-plivo-signature-v3-nonce"] ?? "")
              })
              const route = routes[path]
              if (route === undefined) res.writeHead(404).end()
              else route(res)
            })
          })
          server.listen(0, "127.0.0.1", () => {
            const address = server.address()
            base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
            resolve({
              url: base,
              asked,
              close: () => {
                server.closeAllConnections()
                server.close()
              }
            })
          })
        })
    ),
    (s) => Effect.sync(s.close)
  )

/** The SDK refuses loopback URLs: documents name `https://hooks.example.com`, served as `hooks`. */
const HOOKS = "https://hooks.example.com"

const xml =
  (build: (r: SdkResponse) => void, hooks = "", edit: (xml: string) => string = (x) => x) =>
  (res: ServerResponse) => {
    const response = new SdkResponse()
    build(response)
    res
      .writeHead(200, { "content-type": "application/xml" })
      .end(edit(response.toXML().replaceAll(HOOKS, hooks)))
  }

interface CallRow {
  readonly call_uuid: string
  readonly state: string
  readonly mpc_uuid: string | null
  readonly hangup_cause?: string
  readonly hangup_cause_code?: number
}
const calls = (base: string) =>
  Effect.map(call(base, "GET", "/emulator/v1/calls"), (r) => (r.body as { calls: Array<CallRow> }).calls)

describe("inbound calls with an answer URL, over real HTTP", () => {
  // The same run without a store and on one (the default): both fetch the documents.
  it.scoped.each([
    ["without a store", {}],
    ["on a SQLite store", { durable: { store: StoreSqlite(":memory:") } }]
  ] as const)(
    "XML-1 XML-6 XML-11 XML-16 %s: the SDK-built answer puts the caller in the MPC after its Speak; an agent added by the API joins; the callbacks are Plivo's",
    ([, server]) =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const app = yield* answerServer({
          "/answer": xml((r) => {
            r.addSpeak("Thanks for calling support.")
            r.addMultiPartyCall("support-42", {
              role: "customer",
              statusCallbackUrl: `${HOOKS}/mpc`,
              statusCallbackEvents: "mpc-state-changes,participant-state-changes"
            })
          }, hook.url)
        })
        const base = yield* start({ server })
        const created = yield* call(base, "POST", "/emulator/v1/calls", {
          from: "+14155550123",
          to: "+18005550100",
          answer_url: `${app.url}/answer`,
          hangup_url: `${hook.url}/hangup`
        })
        assert.strictEqual(created.status, 201, created.text)
        const uuid = String((created.body as Json).call_uuid)
        yield* until("the answer URL is fetched", () => app.asked.length === 1)
        const asked = app.asked[0]!
        // XML-1: Plivo's parameters, signed as callbacks are.
        assert.deepInclude(asked.params, {
          CallUUID: uuid,
          From: "+14155550123",
          To: "+18005550100",
          Direction: "inbound",
          CallStatus: "in-progress"
        })
        assert.isTrue(
          validateV3("POST", asked.url, asked.nonce, account.authToken, asked.signature, asked.params)
        )
        // XML-6: the Speak (27 characters: 2 s) runs before the element, on the virtual clock.
        yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 1 })
        assert.strictEqual((yield* calls(base)).find((c) => c.call_uuid === uuid)?.mpc_uuid, null)
        yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 2 })
        yield* until("the caller is in the MPC", () =>
          hook.at("/mpc").some((c) => c.params.EventName === "ParticipantJoin")
        )
        const joined = (yield* calls(base)).find((c) => c.call_uuid === uuid)
        assert.strictEqual(joined?.state, "in-mpc")

        // An agent added by the API.
        const added = yield* call(base, "POST", addPath("support-42"), {
          role: "Agent",
          from: "+18005550100",
          to: "+14155550999"
        })
        assert.strictEqual(added.status, 201, added.text)
        const agent = (added.body!.calls as Array<{ call_uuid: string }>)[0]!.call_uuid
        yield* call(base, "POST", `/emulator/v1/calls/${agent}/answer`)
        yield* until(
          "both joins are called back",
          () => hook.at("/mpc").filter((c) => c.params.EventName === "ParticipantJoin").length === 2
        )
        const joins = hook
          .at("/mpc")
          .filter((c) => c.params.EventName === "ParticipantJoin")
          .map((c) => [c.params.ParticipantRole, c.params.ParticipantCallUUID === uuid])
        assert.deepStrictEqual(joins, [
          ["Customer", true],
          ["Agent", false]
        ])
        assert.includeMembers(
          hook.at("/mpc").map((c) => c.params.EventName),
          ["MPCInitialized", "MPCStart"]
        )
        // XML-16: no call-status callbacks for the inbound call.
        assert.deepStrictEqual(
          hook.received.filter(
            (c) => c.params.CallUUID === uuid && c.params.EventName !== undefined && c.path !== "/mpc"
          ),
          []
        )

        // The caller hangs up: the application's hangup_url hears it.
        yield* call(base, "POST", `/emulator/v1/calls/${uuid}/hangup`)
        yield* until("the hangup callback", () => hook.at("/hangup").length === 1)
        assert.strictEqual(hook.at("/hangup")[0]!.params.HangupCauseName, "Normal Hangup")
      })
  )

  it.scoped(
    "XML-3 XML-4 XML-17 an invalid attribute, invalid XML, a 500 or a URL that is down: the call hangs up with the cause, the hangup callback says so, no MPC is made",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const app = yield* answerServer({
          "/bad-attribute": xml(
            (r) => r.addMultiPartyCall("never", { role: "customer", maxParticipants: 10 }),
            "",
            // The SDK refuses 11 itself; an answer server in another language would send it.
            (x) => x.replace('maxParticipants="10"', 'maxParticipants="11"')
          ),
          "/bad-xml": (res) => res.writeHead(200).end("<Response><Speak>unclosed</Response>"),
          "/error": (res) => res.writeHead(500).end()
        })
        const base = yield* start()
        const cases = [
          [`${app.url}/bad-attribute`, "Invalid Answer XML", 8011],
          [`${app.url}/bad-xml`, "Invalid Answer XML", 8011],
          [`${app.url}/error`, "Error Reaching Answer URL", 7011],
          ["http://127.0.0.1:9/answer", "Error Reaching Answer URL", 7011]
        ] as const
        for (const [k, [url, cause, code]] of cases.entries()) {
          const created = yield* call(base, "POST", "/emulator/v1/calls", {
            from: "+14155550123",
            to: "+18005550100",
            answer_url: url,
            hangup_url: `${hook.url}/hangup/${k}`
          })
          const uuid = String((created.body as Json).call_uuid)
          yield* until(`the hangup callback of ${url}`, () => hook.at(`/hangup/${k}`).length === 1)
          const cb = hook.at(`/hangup/${k}`)[0]!
          assert.deepStrictEqual(
            [cb.params.CallUUID, cb.params.HangupCauseName, cb.params.HangupCauseCode],
            [uuid, cause, String(code)]
          )
          const row = (yield* calls(base)).find((c) => c.call_uuid === uuid)
          assert.deepStrictEqual([row?.state, row?.hangup_cause_code], ["ended", code])
        }
        // Nothing else changed: no MPC was made.
        const mpcs = yield* call(base, "GET", `/v1/Account/${account.authId}/MultiPartyCall/`)
        assert.strictEqual((mpcs.body as { objects: Array<unknown> }).objects.length, 0)
      })
  )

  it.scoped("XML-4 an answer URL slower than the fetch limit cannot be had", () =>
    Effect.gen(function* () {
      const app = yield* answerServer({ "/slow": () => undefined })
      const fetcher = yield* Fetcher.makeDocumentFetcher({ authToken: "t", timeout: "200 millis" }).pipe(
        Effect.provide(NodeHttpClient.layerUndici)
      )
      const result = yield* fetcher.fetch({
        callUuid: "c",
        url: `${app.url}/slow`,
        method: "POST",
        origin: "Answer",
        params: { CallUUID: "c" }
      })
      assert.deepStrictEqual(
        [result._tag, result._tag === "XmlFetchFailed" ? result.unreadable : undefined],
        ["XmlFetchFailed", false]
      )
    })
  )
})
