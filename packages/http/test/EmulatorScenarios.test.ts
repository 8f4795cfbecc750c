/**
 * End-to-end scenarios over real HTTP: a real emulator on loopback, a real webhook receiver, the
 * network played through `/emulator/v1/`, callbacks checked as they arrive (signed, in order).
 */
import { assert, describe, it } from "@effect/vitest"
import { AddParticipantArbitrary } from "@mpc-kit/domain/testing"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Server from "../src/Server.js"
import {
  account,
  addPath,
  call,
  type Json,
  type Received,
  type Receiver,
  type Reply,
  receiver,
  request,
  start,
  until,
  validateV3
} from "./support/Emulator.js"

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

interface CallView {
  readonly call_uuid: string
  readonly from: string
  readonly to: string
  readonly state: string
  readonly mpc_uuid: string | null
  readonly member_id: string | null
  readonly hangup_cause?: string
  readonly hangup_cause_code?: number
}

/** Live calls; with `mpc`, the calls of that MPC (live or ended, STORE-10). */
const listCalls = async (base: string, mpc?: string): Promise<ReadonlyArray<CallView>> => {
  const r = await request(base, "GET", `/emulator/v1/calls${mpc === undefined ? "" : `?mpc=${mpc}`}`)
  assert.strictEqual(r.status, 200, r.text)
  return (r.body as { calls: ReadonlyArray<CallView> }).calls
}

const calls = (base: string, mpc?: string) => Effect.promise(() => listCalls(base, mpc))

const callOf = (base: string, uuid: string, mpc?: string) =>
  Effect.map(calls(base, mpc), (list) => {
    const found = list.find((c) => c.call_uuid === uuid)
    assert.isDefined(found, `call ${uuid} is in GET /emulator/v1/calls`)
    return found!
  })

/** `POST /emulator/v1/calls`: a live answered call in no MPC. */
const createCall = (base: string, from: string, to: string) =>
  Effect.map(call(base, "POST", "/emulator/v1/calls", { from, to }), (r) => {
    assert.strictEqual(r.status, 201, r.text)
    return String(r.body!.call_uuid)
  })

/** Adds a participant; asserts the 201 and returns the response's calls. */
const add = (base: string, name: string, body: Json) =>
  Effect.map(call(base, "POST", addPath(name), body), (r) => {
    assert.strictEqual(r.status, 201, r.text)
    return r.body!.calls as ReadonlyArray<{ to: string; from: string; call_uuid: string }>
  })

/** A network action on a call (`answer`, `hangup`, ...): 204. */
const network = (base: string, uuid: string, action: string, body?: Json) =>
  Effect.map(call(base, "POST", `/emulator/v1/calls/${uuid}/${action}`, body), (r) =>
    assert.strictEqual(r.status, 204, `${action} ${uuid}: ${r.text}`)
  )

/** Dials one destination for `name` and answers it; returns the leg's call_uuid. */
const dialAndAnswer = (base: string, name: string, body: Json) =>
  Effect.gen(function* () {
    const legs = yield* add(base, name, body)
    const leg = legs[0]!.call_uuid
    yield* network(base, leg, "answer")
    return leg
  })

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

const isPlivoError = (r: Reply) =>
  r.body !== undefined &&
  JSON.stringify(Object.keys(r.body).sort()) === JSON.stringify(["api_id", "error"]) &&
  typeof r.body.api_id === "string" &&
  typeof r.body.error === "string"

const assertSigned = (hook: Receiver, x: Received) =>
  assert.isTrue(
    validateV3("POST", `${hook.url}${x.path}`, x.nonce, account.authToken, x.signature, x.params),
    `${x.path} ${x.params.EventName} carries a valid X-Plivo-Signature-V3`
  )

const events = (xs: ReadonlyArray<Received>) => xs.map((x) => x.params.EventName)

const allGroups =
  "mpc-state-changes,participant-state-changes,participant-digit-input-events," +
  "participant-speak-events,add-participant-api-events,participant-audio-events"

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

describe("emulator scenarios over real HTTP", () => {
  it.scopedLive(
    "REC-1 REC-4 CB-8 record_min_member_count 2: no recording until the agent joins, then MPCRecordingInitiated #1, signed",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start({ seed: 7 })
        const customer = yield* createCall(base, "+14155550100", "+12025550000")
        yield* add(base, "rec", {
          role: "Customer",
          call_uuid: customer,
          record: true,
          record_min_member_count: 2,
          recording_callback_url: `${hook.url}/rec`,
          status_callback_url: `${hook.url}/status`,
          status_callback_events: "mpc-state-changes,participant-state-changes,add-participant-api-events"
        })
        const mpcUuid = (yield* callOf(base, customer)).mpc_uuid
        assert.isString(mpcUuid)
        const agentLegs = yield* add(base, "rec", { role: "Agent", from: "+12025550000", to: "+12025551111" })
        const agent = agentLegs[0]!.call_uuid
        // The customer is in, alone; the agent's leg rings. Every status callback so far has arrived.
        yield* until(
          "the agent request's AddParticipantByAPIActionInitiated",
          () =>
            events(hook.at("/status")).filter((e) => e === "AddParticipantByAPIActionInitiated").length === 2
        )
        assert.deepStrictEqual(events(hook.at("/status")), [
          "MPCInitialized",
          "AddParticipantByAPIActionInitiated",
          "ParticipantJoin",
          "MPCStart",
          "AddParticipantByAPIActionCompleted",
          "AddParticipantByAPIActionInitiated"
        ])
        yield* sleep(150)
        assert.deepStrictEqual(hook.at("/rec"), [], "no recording callback while one member is in")

        yield* network(base, agent, "answer")
        yield* until("MPCRecordingInitiated", () => hook.at("/rec").length >= 1)
        const initiated = hook.at("/rec")[0]!
        assert.strictEqual(initiated.params.EventName, "MPCRecordingInitiated")
        assert.strictEqual(initiated.params.SequenceNumber, "1")
        assert.strictEqual(initiated.params.MPCUUID, mpcUuid)
        assert.strictEqual(initiated.params.MPCName, "rec")
        assertSigned(hook, initiated)

        // The trace agrees: the recording started on the agent's answer, not before.
        const trace = (yield* call(base, "GET", `/emulator/v1/mpcs/${mpcUuid}/trace`))
          .body as unknown as Array<{
          kind: string
          event?: { _tag: string; callUuid?: string }
          command?: { _tag: string; memberId?: string }
        }>
        const answered = trace.findIndex(
          (e) => e.kind === "event" && e.event?._tag === "LegAnswered" && e.event.callUuid === agent
        )
        const recordStarts = trace
          .map((e, k) =>
            e.kind === "command" && e.command?._tag === "RecordStart" && e.command.memberId === undefined
              ? k
              : -1
          )
          .filter((k) => k >= 0)
        assert.isAbove(answered, 0)
        assert.strictEqual(recordStarts.length, 1)
        assert.isAbove(recordStarts[0]!, answered)
      })
  )

  it.scopedLive(
    "LIFE-8 stay_alone false: two of three members hang up, the last is removed, MPCEnd with 1010",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start({ seed: 7 })
        const customer = yield* createCall(base, "+14155550100", "+12025550000")
        yield* add(base, "alone", {
          role: "Customer",
          call_uuid: customer,
          status_callback_url: `${hook.url}/status`
        })
        // A first member waiting alone for others is not affected.
        const agent = yield* dialAndAnswer(base, "alone", {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111"
        })
        const supervisor = yield* dialAndAnswer(base, "alone", {
          role: "Supervisor",
          from: "+12025550000",
          to: "sip:boss@example.com"
        })
        const joined = yield* calls(base)
        assert.deepStrictEqual(
          joined.map((c) => c.state),
          ["in-mpc", "in-mpc", "in-mpc"]
        )
        const mpcUuid = joined[0]!.mpc_uuid!
        assert.strictEqual(new Set(joined.map((c) => c.mpc_uuid)).size, 1)

        yield* network(base, customer, "hangup")
        // Two members remain: the MPC goes on.
        assert.strictEqual((yield* callOf(base, agent)).state, "in-mpc")
        assert.strictEqual((yield* callOf(base, supervisor)).state, "in-mpc")

        yield* network(base, agent, "hangup")
        yield* until("MPCEnd", () => events(hook.at("/status")).includes("MPCEnd"))
        const status = hook.at("/status")
        const end = status.find((x) => x.params.EventName === "MPCEnd")!
        assert.strictEqual(end.params.MPCTerminationCauseCode, "1010")
        assert.strictEqual(end.params.MPCTerminationCause, "Stay Alone Not Permitted")
        assert.strictEqual(end.params.MPCUUID, mpcUuid)
        assert.strictEqual(status.at(-1)!.params.EventName, "MPCEnd", "MPCEnd is the stream's last callback")
        const exits = status.filter((x) => x.params.EventName === "ParticipantExit")
        assert.deepStrictEqual(
          exits.map((x) => [x.params.ParticipantCallUUID, x.params.ParticipantExitCause]),
          [
            [customer, "Normal Hangup"],
            [agent, "Normal Hangup"],
            [supervisor, "Multiparty Call Ended"]
          ]
        )
        const byId = new Map((yield* calls(base, mpcUuid)).map((c) => [c.call_uuid, c]))
        assert.deepStrictEqual(
          [customer, agent, supervisor].map((u) => [
            byId.get(u)?.state,
            byId.get(u)?.hangup_cause,
            byId.get(u)?.hangup_cause_code
          ]),
          [
            ["ended", "Normal Hangup", 4000],
            ["ended", "Normal Hangup", 4000],
            ["ended", "Multiparty Call Ended", 4020]
          ]
        )
        for (const x of status) assertSigned(hook, x)
      })
  )

  it.scopedLive(
    "XFER-1 XFER-2 CB-5 a created call joins at once with its own to/from/call_uuid, and never gets call-status callbacks",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start({ seed: 7 })
        const uuid = yield* createCall(base, "+14155550101", "+12025550001")
        const loose = yield* callOf(base, uuid)
        assert.deepStrictEqual(
          [loose.state, loose.mpc_uuid, loose.from, loose.to],
          ["answered", null, "+14155550101", "+12025550001"]
        )

        const r = yield* call(base, "POST", addPath("xfer"), {
          role: "Customer",
          call_uuid: uuid,
          call_status_callback_url: `${hook.url}/xfer-calls`,
          status_callback_url: `${hook.url}/status`
        })
        assert.strictEqual(r.status, 201, r.text)
        assert.deepStrictEqual(Object.keys(r.body!).sort(), ["api_id", "calls", "message", "request_uuid"])
        assert.strictEqual(r.body!.message, "add participant action initiated")
        assert.deepStrictEqual(r.body!.calls, [{ to: "+12025550001", from: "+14155550101", call_uuid: uuid }])
        // It joins at once: in the MPC on the response, no answer needed.
        const joined = yield* callOf(base, uuid)
        assert.strictEqual(joined.state, "in-mpc")
        assert.isString(joined.mpc_uuid)
        assert.isString(joined.member_id)

        // Control: a dialled leg in the same MPC does get its call-status callbacks.
        const agent = yield* dialAndAnswer(base, "xfer", {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111",
          call_status_callback_url: `${hook.url}/agent-calls`
        })
        assert.strictEqual((yield* callOf(base, agent)).mpc_uuid, joined.mpc_uuid)
        yield* network(base, uuid, "hangup")
        assert.strictEqual((yield* callOf(base, uuid, joined.mpc_uuid!)).hangup_cause_code, 4000)
        // The agent, left alone, is removed (LIFE-8): its Hangup and MPCEnd close both streams.
        yield* until(
          "the agent's Hangup and MPCEnd",
          () =>
            events(hook.at("/agent-calls")).includes("Hangup") &&
            events(hook.at("/status")).includes("MPCEnd")
        )
        assert.deepStrictEqual(events(hook.at("/agent-calls")), [
          "Initiated",
          "Ringing",
          "Answered",
          "Hangup"
        ])
        assert.isTrue(hook.at("/status").some((x) => x.params.ParticipantCallUUID === uuid))
        yield* sleep(200)
        assert.deepStrictEqual(
          hook.received.filter((x) => x.path === "/xfer-calls" || x.params.CallUUID === uuid),
          [],
          "no call-status callback for the transferred call, before or after its hangup"
        )

        // XFER-1: an unknown call, an ended call (once in an MPC, or never) are 404s in Plivo's form.
        const ended = yield* createCall(base, "+14155550102", "+12025550002")
        yield* network(base, ended, "hangup")
        for (const callUuid of ["8d1f2c3e-0000-4000-8000-000000000000", uuid, ended]) {
          const refused = yield* call(base, "POST", addPath("xfer-404"), {
            role: "Customer",
            call_uuid: callUuid
          })
          assert.strictEqual(refused.status, 404, `${callUuid}: ${refused.text}`)
          assert.isTrue(isPlivoError(refused), refused.text)
        }
      })
  )

  it.scopedLive(
    "CB-2 CB-8 two MPCs' status callbacks arrive with SequenceNumber 1, 2, 3, ... over joins and exits",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start({ seed: 7 })
        const scenario = (name: string, k: number) =>
          Effect.gen(function* () {
            const customer = yield* createCall(base, `+1415555020${k}`, "+12025550000")
            yield* add(base, name, {
              role: "Customer",
              call_uuid: customer,
              start_mpc_on_enter: false,
              status_callback_url: `${hook.url}/status`,
              status_callback_events: allGroups
            })
            // A two-leg race; the second answers.
            const legs = yield* add(base, name, {
              role: "Agent",
              from: "+12025550000",
              to: `+1202555111${k}<+1202555222${k}`
            })
            yield* network(base, legs[1]!.call_uuid, "answer")
            const agent = legs[1]!.call_uuid
            yield* network(base, agent, "speak", { speaking: true })
            yield* network(base, customer, "digits", { digits: "12#" })
            yield* network(base, agent, "speak", { speaking: false })
            const supervisor = yield* dialAndAnswer(base, name, {
              role: "Supervisor",
              from: "+12025550000",
              to: `+1202555333${k}`
            })
            yield* network(base, supervisor, "hangup")
            const late = yield* add(base, name, {
              role: "Agent",
              from: "+12025550000",
              to: `+1202555444${k}`
            })
            yield* network(base, late[0]!.call_uuid, "busy")
            yield* network(base, customer, "hangup")
          })
        yield* Effect.all([scenario("cb-a", 1), scenario("cb-b", 2)], { concurrency: "unbounded" })
        yield* until(
          "both MPCEnds",
          () => events(hook.at("/status")).filter((e) => e === "MPCEnd").length === 2
        )
        yield* sleep(100)
        const status = hook.at("/status")
        const streams = new Map<string, Array<Received>>()
        for (const x of status) {
          const list = streams.get(x.params.MPCUUID!) ?? []
          list.push(x)
          streams.set(x.params.MPCUUID!, list)
        }
        assert.strictEqual(streams.size, 2)
        for (const [mpc, stream] of streams) {
          assert.isAtLeast(stream.length, 15, mpc)
          assert.deepStrictEqual(
            stream.map((x) => x.params.SequenceNumber),
            stream.map((_, k) => String(k + 1)),
            `${mpc}: ${events(stream).join(", ")}`
          )
          assert.strictEqual(stream[0]!.params.EventName, "MPCInitialized")
          assert.strictEqual(stream.at(-1)!.params.EventName, "MPCEnd")
          for (const e of [
            "ParticipantJoin",
            "ParticipantExit",
            "MPCStart",
            "ParticipantSpeakStart",
            "ParticipantDigitInput",
            "ParticipantAudioPlayed",
            "AddParticipantByAPIActionCompleted"
          ]) {
            assert.include(events(stream), e, mpc)
          }
          for (const x of stream) assertSigned(hook, x)
        }
      })
  )

  it.scopedLive(
    "API-2 property: arbitrary bodies and content types get 201 or a 4xx {api_id, error}, and a refusal changes no call",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start({ seed: 7 })
        const sink = `${hook.url}/sink`
        // Valid URLs point at the local receiver, so no callback leaves the machine.
        const local = (r: AddParticipantArbitrary.WireRequest): Json =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [
              k,
              typeof v === "string" && /^https?:\/\//i.test(v) ? sink : v
            ])
          )
        const known = Object.keys(AddParticipantArbitrary.invalidValues)
        const randomKnown = fc
          .tuple(fc.constantFrom(...known), fc.oneof(fc.jsonValue(), fc.string()))
          .filter(([, v]) => !(typeof v === "string" && /^\s*https?:/i.test(v)))
        const objectBody: fc.Arbitrary<Json> = fc
          .tuple(
            fc.oneof(AddParticipantArbitrary.validWireRequest.map(local), fc.constant({})),
            fc.array(fc.oneof(AddParticipantArbitrary.invalidParameter, randomKnown), { maxLength: 3 })
          )
          .map(([valid, extra]) => {
            const out: Json = { ...valid }
            for (const [k, v] of extra) out[k] = v
            return out
          })
        type Body = { readonly raw: string } | { readonly value: unknown }
        const body: fc.Arbitrary<Body> = fc.oneof(
          fc.oneof(fc.string(), fc.string({ unit: "binary" })).map((raw) => ({ raw })),
          fc.jsonValue().map((value) => ({ value })),
          objectBody.map((value) => ({ value })),
          AddParticipantArbitrary.validWireRequest.map((r) => ({ value: local(r) }))
        )
        const contentType = fc.constantFrom("json", "form", "text", "none")
        // One long-lived MPC name, or a fresh one; with or without the trailing slash.
        const path = fc
          .tuple(
            fc.oneof(
              { weight: 3, arbitrary: fc.constant("prop") },
              { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]{1,12}$/) },
              fc.string().map(encodeURIComponent),
              // Hostile names: over 100 characters, bad escapes, characters that need escaping.
              fc.integer({ min: 101, max: 400 }).map((n) => "n".repeat(n)),
              fc.constantFrom("%zz", "%E0%A4%A", "a%", "%00", "a%2Fb", "a%3Fb%23c")
            ),
            fc.boolean()
          )
          .map(([name, slash]) => (slash ? addPath(name) : addPath(name).slice(0, -1)))
        // A transfer's call_uuid is mostly a live call made for it, sometimes an unknown one.
        const live = fc.boolean().chain((b) => (b ? fc.constant(true) : fc.boolean()))
        const formValue = (v: unknown) =>
          typeof v === "string" ? v : v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)
        const encode = (b: Body, type: string): string => {
          if ("raw" in b) return b.raw
          const v = b.value
          if (type === "form" && isObject(v)) {
            const form = new URLSearchParams()
            for (const [k, x] of Object.entries(v)) {
              // A list is sent as the key repeated, as forms carry several values.
              if (Array.isArray(x)) for (const item of x) form.append(k, formValue(item))
              else form.append(k, formValue(x))
            }
            return form.toString()
          }
          return JSON.stringify(v)
        }
        const header: Record<string, Record<string, string>> = {
          json: { "content-type": "application/json" },
          form: { "content-type": "application/x-www-form-urlencoded" },
          text: { "content-type": "text/plain" },
          none: {}
        }
        let created = 0
        let refused = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(body, contentType, path, live, async (generated, type, p, useLive) => {
              let b = generated
              if ("value" in b && useLive) {
                const v = b.value
                if (isObject(v) && typeof v.call_uuid === "string" && /^[0-9a-f-]{36}$/i.test(v.call_uuid)) {
                  const made = await request(base, "POST", "/emulator/v1/calls", {
                    from: "+14155550000",
                    to: "+1202"
                  })
                  b = { value: { ...v, call_uuid: String(made.body?.call_uuid) } }
                }
              }
              const before = await listCalls(base)
              const sent = encode(b, type)
              // Bytes, so fetch adds no content type of its own.
              const r = await request(base, "POST", p, new TextEncoder().encode(sent), header[type]!)
              const what = `${type} ${sent.slice(0, 300)} -> ${r.status} ${r.text.slice(0, 300)}`
              if (r.status === 201) {
                created++
                assert.deepStrictEqual(
                  Object.keys(r.body ?? {}).sort(),
                  ["api_id", "calls", "message", "request_uuid"],
                  what
                )
                return
              }
              refused++
              assert.isTrue(r.status >= 400 && r.status < 500, what)
              assert.isTrue(isPlivoError(r), what)
              assert.deepStrictEqual(
                await listCalls(base),
                before,
                `a refused request changed calls: ${what}`
              )
            }),
            { numRuns: 200 }
          )
        )
        // The property saw both sides.
        assert.isAbove(created, 0)
        assert.isAbove(refused, 0)
      })
  )

  it.scopedLive("API-2 a body over 256 KiB is a 413 in Plivo's form; one of exactly 256 KiB is taken", () =>
    Effect.gen(function* () {
      const base = yield* start({ seed: 7 })
      const padded = (bytes: number) => {
        const head = { role: "Agent", from: "+12025550000", to: "+12025551111", x_pad: "" }
        const overhead = Buffer.byteLength(JSON.stringify(head))
        return JSON.stringify({ ...head, x_pad: "a".repeat(bytes - overhead) })
      }
      const json = { "content-type": "application/json" }
      const over = padded(Server.MaxBodyBytes + 1)
      assert.strictEqual(Buffer.byteLength(over), 256 * 1024 + 1)
      const big = yield* call(base, "POST", addPath("big"), over, json)
      assert.strictEqual(big.status, 413, big.text)
      assert.isTrue(isPlivoError(big), big.text)
      const form = `role=Agent&from=12025550000&to=12025551111&x_pad=${"a".repeat(300 * 1024)}`
      const bigForm = yield* call(base, "POST", addPath("big"), form, {
        "content-type": "application/x-www-form-urlencoded"
      })
      assert.strictEqual(bigForm.status, 413, bigForm.text)
      assert.isTrue(isPlivoError(bigForm), bigForm.text)
      assert.deepStrictEqual(yield* calls(base), [], "a 413 changes nothing")

      const limit = padded(Server.MaxBodyBytes)
      assert.strictEqual(Buffer.byteLength(limit), 256 * 1024)
      const taken = yield* call(base, "POST", addPath("big"), limit, json)
      assert.strictEqual(taken.status, 201, taken.text)
    })
  )
})
