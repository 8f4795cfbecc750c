import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  account,
  addPath,
  call,
  receiver,
  start,
  sub,
  subAuth,
  until,
  validateV3
} from "./support/Emulator.js"

type Calls = {
  calls: Array<{ call_uuid: string; state: string; hangup_cause?: string; hangup_cause_code?: number }>
}

/** The official SDK in a child process (NODE_EXTRA_CA_CERTS is read only at start-up), through the proxy. */
const sdkAddParticipant = (base: string, caPath: string) =>
  Effect.promise(
    () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const script = `
          const plivo = require("plivo");
          const client = new plivo.Client(process.env.AUTH_ID, process.env.AUTH_TOKEN, { proxy: process.env.SDK_PROXY });
          client.multiPartyCalls.addParticipant("Agent", { friendlyName: "sdk-mpc", from: "+12025550000", to: "+12025551111<+12025552222" })
            .then((r) => { console.log(JSON.stringify(r)); })
            .catch((e) => { console.error(String(e).split("\\n")[0]); process.exit(3); });`
        const env: Record<string, string> = {}
        for (const [k, v] of Object.entries(process.env)) {
          if (v !== undefined && !/^(https?|no|all)_proxy$/i.test(k)) env[k] = v
        }
        Object.assign(env, {
          AUTH_ID: account.authId,
          AUTH_TOKEN: account.authToken,
          SDK_PROXY: base,
          NODE_EXTRA_CA_CERTS: caPath
        })
        execFile(
          process.execPath,
          ["-e", script],
          { cwd: fileURLToPath(new URL("..", import.meta.url)), env, timeout: 20_000 },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr })
        )
      })
  )

describe("the emulator over real HTTP", () => {
  it.scopedLive(
    "ADDR-1 the official plivo SDK's multiPartyCalls.addParticipant reaches the emulator through its proxy",
    () =>
      Effect.gen(function* () {
        const caDir = mkdtempSync(join(tmpdir(), "mpc-kit-ca-"))
        const base = yield* start({ proxyCaDir: caDir })
        const r = yield* sdkAddParticipant(base, join(caDir, "ca.pem"))
        assert.strictEqual(r.code, 0, r.stderr)
        const body = JSON.parse(r.stdout) as {
          apiId: string
          message: string
          calls: Array<{ callUuid: string; to: string }>
        }
        assert.strictEqual(body.message, "add participant action initiated")
        assert.deepStrictEqual(
          body.calls.map((c) => c.to),
          ["+12025551111", "+12025552222"]
        )
        const list = (yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as Calls
        assert.deepStrictEqual(
          list.calls.map((c) => c.state),
          ["ringing", "ringing"]
        )
      })
  )

  it.scopedLive(
    "CB-2 CB-5 CB-8 a race's callbacks reach a real receiver, signed, in SequenceNumber order",
    () =>
      Effect.gen(function* () {
        const hook = yield* receiver
        const base = yield* start()
        const r = yield* call(base, "POST", addPath("hooks"), {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111<+12025552222",
          status_callback_url: `${hook.url}/status`,
          status_callback_events: "mpc-state-changes,participant-state-changes,add-participant-api-events",
          call_status_callback_url: `${hook.url}/calls`
        })
        const [first, second] = (r.body!.calls as Array<{ call_uuid: string }>).map((c) => c.call_uuid)
        yield* call(base, "POST", `/emulator/v1/calls/${second}/answer`)
        // 5 status callbacks; 3 call callbacks per leg (Initiated, Ringing, then Hangup or Answered).
        yield* until("11 callbacks", () => hook.received.length >= 11)
        const status = hook.received.filter((x) => x.path === "/status")
        assert.deepStrictEqual(
          status.map((x) => x.params.EventName),
          [
            "MPCInitialized",
            "AddParticipantByAPIActionInitiated",
            "ParticipantJoin",
            "MPCStart",
            "AddParticipantByAPIActionCompleted"
          ]
        )
        assert.deepStrictEqual(
          status.map((x) => Number(x.params.SequenceNumber)),
          status.map((_, k) => k + 1)
        )
        const calls = hook.received.filter((x) => x.path === "/calls")
        const firstEvents = calls.filter((x) => x.params.CallUUID === first).map((x) => x.params.EventName)
        assert.deepStrictEqual(firstEvents, ["Initiated", "Ringing", "Hangup"])
        assert.strictEqual(
          calls.find((x) => x.params.CallUUID === first && x.params.EventName === "Hangup")?.params
            .PlivoHangupCauseCode,
          "9000"
        )
        for (const x of hook.received) {
          assert.isTrue(
            validateV3("POST", `${hook.url}${x.path}`, x.nonce, account.authToken, x.signature, x.params),
            x.path
          )
        }
      })
  )

  it.scoped("API-1 ADDR-1 the page's curl example returns the page's response shape", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const r = yield* call(base, "POST", addPath("testmpc"), {
        to: "+12025551111",
        from: "+12025550000",
        role: "Agent",
        start_mpc_on_enter: true
      })
      assert.strictEqual(r.status, 201)
      assert.deepStrictEqual(Object.keys(r.body!).sort(), ["api_id", "calls", "message", "request_uuid"])
      assert.strictEqual(r.body!.message, "add participant action initiated")
      const calls = r.body!.calls as Array<Record<string, string>>
      assert.deepStrictEqual(Object.keys(calls[0]!).sort(), ["call_uuid", "from", "to"])
      assert.strictEqual(calls[0]!.to, "+12025551111")
    })
  )

  it.scoped(
    "RACE-2 a two-destination race where the second answers first: LOST RACE 9000 for the first",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const r = yield* call(base, "POST", addPath("race"), {
          role: "Agent",
          from: "+12025550000",
          to: "+12025551111<+12025552222"
        })
        const [first, second] = (r.body!.calls as Array<{ call_uuid: string }>).map((c) => c.call_uuid)
        assert.strictEqual((yield* call(base, "POST", `/emulator/v1/calls/${second}/answer`)).status, 204)
        const list = (yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as Calls
        const byId = new Map(list.calls.map((c) => [c.call_uuid, c]))
        assert.strictEqual(byId.get(second!)?.state, "in-mpc")
        assert.deepStrictEqual(
          [byId.get(first!)?.hangup_cause, byId.get(first!)?.hangup_cause_code],
          ["Lost Race", 9000]
        )
        // EMULATOR.md: an action that does not fit the call's state is a 409 that says why.
        const late = yield* call(base, "POST", `/emulator/v1/calls/${first}/answer`)
        assert.strictEqual(late.status, 409)
        assert.include(String(late.body!.error), "ended")
      })
  )

  it.scoped("CONFIRM-2 9110 on the virtual clock: POST clock/advance 29.999 s then 0.001 s", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const r = yield* call(base, "POST", addPath("confirm"), {
        role: "Agent",
        from: "+12025550000",
        to: "+12025551111",
        confirm_key: "5"
      })
      const leg = (r.body!.calls as Array<{ call_uuid: string }>)[0]!.call_uuid
      yield* call(base, "POST", `/emulator/v1/calls/${leg}/answer`)
      assert.strictEqual(
        (yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 29.999 })).status,
        204
      )
      const before = ((yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as Calls).calls[0]!
      assert.strictEqual(before.state, "confirming")
      yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 0.001 })
      const after = ((yield* call(base, "GET", "/emulator/v1/calls?mpc=confirm")).body as unknown as Calls)
        .calls[0]!
      assert.strictEqual(after.hangup_cause_code, 9110)
      const clock = (yield* call(base, "GET", "/emulator/v1/clock")).body!
      assert.deepStrictEqual(clock, { now: "2026-01-05T09:00:30.000Z", mode: "virtual" })
    })
  )

  it.scoped("ADDR-3 fifty concurrent adds to one new name over HTTP make one MPC", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const results = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) =>
          call(base, "POST", addPath("crowd"), {
            role: "Customer",
            from: "+12025550000",
            to: `+1202555${1000 + i}`
          }),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(results.map((r) => r.status))], [201])
      const list = (yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as {
        calls: Array<{ mpc_uuid: string }>
      }
      assert.strictEqual(list.calls.length, 50)
      assert.strictEqual(new Set(list.calls.map((c) => c.mpc_uuid)).size, 1)
    })
  )

  it.scoped("API-2 API-3 bad input gets Plivo's {api_id, error}, never a 500, and changes nothing", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const cases = [
        { path: addPath("a"), body: "{not json", status: 400 },
        { path: addPath("a"), body: "role=Agent", headers: { "content-type": "text/plain" }, status: 400 },
        { path: addPath("a"), body: { role: "Agent", from: "1", to: "2", ring_timeout: 14 }, status: 400 },
        {
          path: addPath("a"),
          body: { role: "Agent", from: "1", to: "2" },
          headers: { authorization: "Basic eDp5" },
          status: 401
        },
        {
          path: addPath("a").replace(account.authId, "MAOTHERACCOUNT000000"),
          body: { role: "Agent", from: "1", to: "2" },
          status: 401
        },
        { path: "/v1/Account/nope", body: undefined, status: 404 },
        {
          path: `/v1/Account/${account.authId}/MultiPartyCall/name_/Participant/`,
          body: { role: "Agent" },
          status: 400
        }
      ]
      for (const c of cases) {
        const r = yield* call(base, "POST", c.path, c.body, c.headers ?? {})
        assert.strictEqual(r.status, c.status, JSON.stringify(c))
        assert.deepStrictEqual(Object.keys(r.body ?? {}).sort(), ["api_id", "error"], JSON.stringify(c))
      }
      const list = (yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as Calls
      assert.strictEqual(list.calls.length, 0)
    })
  )
})

describe("the MPC calls around add participant", () => {
  const mpcPath = (key: string) => `/v1/Account/${account.authId}/MultiPartyCall/${key}`

  it.scoped(
    "API-1 get, list (filters, meta/objects), participants, update (form body), kick, recording, end",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const customer = (yield* call(base, "POST", "/emulator/v1/calls", {
          from: "+14155550100",
          to: "+18005550100"
        })).body!.call_uuid as string
        yield* call(base, "POST", addPath("desk"), {
          role: "Customer",
          call_uuid: customer,
          stay_alone: true
        })
        const added = yield* call(base, "POST", addPath("desk"), {
          role: "Agent",
          from: "+18005550100",
          to: "+12025551111"
        })
        yield* call(
          base,
          "POST",
          `/emulator/v1/calls/${(added.body!.calls as Array<{ call_uuid: string }>)[0]!.call_uuid}/answer`
        )

        const mpc = yield* call(base, "GET", mpcPath("name_desk"))
        assert.strictEqual(mpc.status, 200)
        assert.strictEqual(mpc.body!.status, "Active")
        assert.strictEqual(mpc.body!.friendly_name, "desk")
        assert.isNull(mpc.body!.end_time)
        const byUuid = yield* call(base, "GET", mpcPath(`uuid_${mpc.body!.mpc_uuid}`))
        assert.strictEqual(byUuid.body!.mpc_uuid, mpc.body!.mpc_uuid)

        const list = (yield* call(base, "GET", `${mpcPath("")}?status=active&friendly_name=desk`)).body!
        assert.deepStrictEqual((list.meta as { count: number }).count, 1)
        assert.strictEqual((list.objects as Array<{ friendly_name: string }>)[0]!.friendly_name, "desk")
        assert.strictEqual(
          ((yield* call(base, "GET", `${mpcPath("")}?status=ended`)).body!.meta as { count: number }).count,
          0
        )

        const participants = (yield* call(base, "GET", `${mpcPath("name_desk")}/Participant/`)).body!
          .objects as Array<{
          member_id: string
          role: string
          mute: boolean
        }>
        assert.deepStrictEqual(
          participants.map((p) => p.role),
          // SDK-20: lower-case in responses, whatever case the request used.
          ["customer", "agent"]
        )
        const agent = participants[1]!
        const update = yield* call(
          base,
          "POST",
          `${mpcPath("name_desk")}/Participant/${agent.member_id}/`,
          "mute=true",
          {
            "content-type": "application/x-www-form-urlencoded"
          }
        )
        assert.strictEqual(update.status, 202)
        const one = (yield* call(base, "GET", `${mpcPath("name_desk")}/Participant/${agent.member_id}`)).body!
        assert.strictEqual(one.mute, true)
        assert.strictEqual(
          (yield* call(base, "POST", `${mpcPath("name_desk")}/Participant/${agent.member_id}/`, {
            mute: "maybe"
          })).status,
          400
        )

        const rec = yield* call(base, "POST", `${mpcPath("name_desk")}/Record/`, { file_format: "wav" })
        assert.strictEqual(rec.status, 202)
        assert.include(String(rec.body!.recording_url), ".wav")
        assert.strictEqual((yield* call(base, "POST", `${mpcPath("name_desk")}/Record/Pause/`)).status, 204)
        assert.strictEqual((yield* call(base, "POST", `${mpcPath("name_desk")}/Record/Resume/`)).status, 204)
        assert.strictEqual((yield* call(base, "GET", mpcPath("name_desk"))).body!.recording, "recording")

        assert.strictEqual(
          (yield* call(base, "DELETE", `${mpcPath("name_desk")}/Participant/${agent.member_id}/`)).status,
          204
        )
        // SDK-22: a kicked member stays readable, with its exit.
        const kicked = yield* call(base, "GET", `${mpcPath("name_desk")}/Participant/${agent.member_id}`)
        assert.strictEqual(kicked.status, 200)
        assert.strictEqual(kicked.body!.exit_cause, "Kicked Out Of Multiparty Call")
        assert.isNull(kicked.body!.mute)
        assert.strictEqual((yield* call(base, "GET", `${mpcPath("name_desk")}/Participant/999/`)).status, 404)
        assert.strictEqual((yield* call(base, "DELETE", mpcPath("name_desk"))).status, 204)
        const ended = (yield* call(base, "GET", mpcPath("name_desk"))).body!
        assert.deepStrictEqual([ended.status, ended.termination_cause_code], ["Ended", 3000])
        assert.strictEqual((yield* call(base, "DELETE", mpcPath("name_desk"))).status, 404)
      })
  )

  it.scoped(
    "API-2 a wrong method on a path the API serves is a 405, an unknown path a 404, both in Plivo's form",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const wrong = yield* call(base, "PUT", "/emulator/v1/calls")
        assert.strictEqual(wrong.status, 405)
        assert.deepStrictEqual(Object.keys(wrong.body!).sort(), ["api_id", "error"])
        assert.strictEqual((yield* call(base, "PATCH", addPath("x"))).status, 405)
        assert.strictEqual((yield* call(base, "GET", "/v2/nothing")).status, 404)
      })
  )
})

describe("accounts", () => {
  const subAddPath = (name: string) => `/v1/Account/${sub.authId}/MultiPartyCall/name_${name}/Participant/`
  const body = { role: "Agent", from: "+12025550000", to: "+12025551111" }

  it.scoped(
    "ADDR-5 API-3 a subaccount has its own MPC names; the main account may act for it, not the reverse",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const main = yield* call(base, "POST", addPath("shared"), body)
        const inSub = yield* call(base, "POST", subAddPath("shared"), body, { authorization: subAuth })
        assert.deepStrictEqual([main.status, inSub.status], [201, 201])
        const mainMpc = (yield* call(base, "GET", `/v1/Account/${account.authId}/MultiPartyCall/name_shared`))
          .body!
        const subMpc = (yield* call(
          base,
          "GET",
          `/v1/Account/${sub.authId}/MultiPartyCall/name_shared`,
          undefined,
          { authorization: subAuth }
        )).body!
        assert.notStrictEqual(mainMpc.mpc_uuid, subMpc.mpc_uuid)
        // The main account may act on its subaccount's path; the subaccount may not act on the main account's.
        assert.strictEqual(
          (yield* call(base, "GET", `/v1/Account/${sub.authId}/MultiPartyCall/name_shared`)).status,
          200
        )
        const denied = yield* call(base, "POST", addPath("other"), body, { authorization: subAuth })
        assert.strictEqual(denied.status, 401)
        assert.deepStrictEqual(Object.keys(denied.body!).sort(), ["api_id", "error"])
        // The network's side is scoped to the authenticated account.
        const mainCalls = (yield* call(base, "GET", "/emulator/v1/calls")).body as unknown as Calls
        const subCalls = (yield* call(base, "GET", "/emulator/v1/calls", undefined, {
          authorization: subAuth
        })).body as unknown as Calls
        assert.deepStrictEqual([mainCalls.calls.length, subCalls.calls.length], [1, 1])
        assert.notStrictEqual(mainCalls.calls[0]!.call_uuid, subCalls.calls[0]!.call_uuid)
      })
  )
})
