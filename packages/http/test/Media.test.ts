/**
 * The calls the media group serves, over real HTTP: start an MPC (SDK-4), a member's own recording
 * (PREC) and audio played to members (PLAY), with their callbacks at a real receiver; every refusal
 * Plivo's `{api_id, error}` with a 4xx that changes nothing (SDK-34); the list filters' 400s
 * (SDK-28..SDK-30) and the start-up proxy line (SDK-35).
 */
import { HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Announce from "../src/Announce.js"
import * as Server from "../src/Server.js"
import { account, addPath, call, type Json, receiver, start, T0, until } from "./support/Emulator.js"

const mpcPath = (key: string) => `/v1/Account/${account.authId}/MultiPartyCall/${key}`

/** Adds a participant to `name`, answers its leg; returns its call UUID and member id. */
const join = (base: string, name: string, to: string, extra: Json = {}) =>
  Effect.gen(function* () {
    const added = yield* call(base, "POST", addPath(name), {
      role: "Agent",
      from: "+12025550000",
      to,
      ...extra
    })
    assert.strictEqual(added.status, 201, added.text)
    const callUuid = (added.body!.calls as Array<{ call_uuid: string }>)[0]!.call_uuid
    yield* call(base, "POST", `/emulator/v1/calls/${callUuid}/answer`)
    const listed = yield* call(base, "GET", `${mpcPath(`name_${name}`)}/Participant/?call_uuid=${callUuid}`)
    const objects = listed.body!.objects as Array<{ member_id: string }>
    return { callUuid, memberId: objects[0]!.member_id }
  })

const refusedWith = (
  r: { status: number; body: Json | undefined; text: string },
  status: number,
  mentions: RegExp
) => {
  assert.strictEqual(r.status, status, r.text)
  assert.deepStrictEqual(Object.keys(r.body!).sort(), ["api_id", "error"])
  assert.match(String(r.body!.error), mentions)
}

const snapshot = (base: string, key: string) =>
  Effect.map(
    Effect.all([call(base, "GET", mpcPath(key)), call(base, "GET", `${mpcPath(key)}/Participant/`)]),
    ([m, p]) => {
      const { api_id: _a, ...mpc } = m.body!
      const { api_id: _b, ...participants } = p.body!
      return { mpc, participants }
    }
  )

describe("start an MPC", () => {
  it.scoped(
    "SDK-4 SDK-34 start makes an Initialized MPC Active (204); other states and bad bodies are refused",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        yield* join(base, "wait", "+12025551111", { start_mpc_on_enter: false, stay_alone: true })
        assert.strictEqual((yield* call(base, "GET", mpcPath("name_wait"))).body!.status, "Initialized")
        const before = yield* snapshot(base, "name_wait")
        refusedWith(yield* call(base, "POST", `${mpcPath("name_wait")}/`, { status: "ended" }), 400, /status/)
        refusedWith(yield* call(base, "POST", `${mpcPath("name_wait")}/`, {}), 400, /status/)
        refusedWith(
          yield* call(base, "POST", `${mpcPath("name_nothing")}/`, { status: "active" }),
          404,
          /nothing/
        )
        assert.deepStrictEqual(yield* snapshot(base, "name_wait"), before)
        const started = yield* call(base, "POST", `${mpcPath("name_wait")}/`, { status: "ACTIVE" })
        assert.strictEqual(started.status, 204, started.text)
        assert.strictEqual(started.text, "")
        const after = (yield* call(base, "GET", mpcPath("name_wait"))).body!
        assert.strictEqual(after.status, "Active")
        assert.isNotNull(after.start_time)
        // Plivo: a start is for an MPC "in the initiated state" only.
        refusedWith(
          yield* call(base, "POST", `${mpcPath("name_wait")}/`, { status: "active" }),
          404,
          /initialized/
        )
      })
  )
})

describe("participant recording", () => {
  it.scoped(
    "PREC-1 PREC-2 PREC-3 PREC-5 start, pause, resume, stop with their callbacks; a start after a stop is a new recording",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const hook = yield* receiver
        const a = yield* join(base, "prec", "+12025551111")
        yield* join(base, "prec", "+12025552222")
        const rec = `${mpcPath("name_prec")}/Participant/${a.memberId}/Record/`
        const first = yield* call(base, "POST", rec, {
          file_format: "WAV",
          recording_callback_url: `${hook.url}/prec`,
          record_track_type: "PARTICIPANT"
        })
        assert.strictEqual(first.status, 202, first.text)
        assert.strictEqual(first.body!.message, "MPC: prec participant record started")
        const id = String(first.body!.recording_id)
        assert.strictEqual(
          first.body!.recording_url,
          `https://media.plivo.com/v1/Account/${account.authId}/Recording/${id}.wav`
        )
        assert.isString(first.body!.request_uuid)
        yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 10 })
        assert.strictEqual(
          (yield* call(base, "POST", `${rec}Pause/`, { record_track_type: "all" })).status,
          204
        )
        yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 5 })
        assert.strictEqual((yield* call(base, "POST", `${rec}Resume/`)).status, 204)
        yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 3 })
        assert.strictEqual((yield* call(base, "DELETE", rec, { record_track_type: "all" })).status, 204)
        const again = yield* call(base, "POST", rec, { recording_callback_url: `${hook.url}/prec` })
        assert.strictEqual(again.status, 202, again.text)
        assert.notStrictEqual(again.body!.recording_id, id)
        yield* until("five recording callbacks", () => hook.at("/prec").length >= 5)
        const got = hook.at("/prec").map((c) => c.params)
        assert.deepStrictEqual(
          got.map((p) => [p.EventName, p.SequenceNumber, p.MemberID]),
          [
            ["ParticipantRecordingInitiated", "1", a.memberId],
            ["ParticipantRecordingPaused", "2", a.memberId],
            ["ParticipantRecordingResumed", "3", a.memberId],
            ["ParticipantRecordingCompleted", "4", a.memberId],
            ["ParticipantRecordingInitiated", "5", a.memberId]
          ]
        )
        const completed = got[3]!
        assert.strictEqual(completed.RecordingUUID, id)
        assert.strictEqual(completed.RecordingFormat, "wav")
        // 18 s recorded, 5 of them paused.
        assert.strictEqual(completed.RecordingDuration, "13")
        assert.strictEqual(completed.RecordingStartTime, "2026-01-05 09:00:00+00:00")
        assert.strictEqual(completed.RecordingEndTime, "2026-01-05 09:00:18+00:00")
      })
  )

  it.scoped(
    "PREC-3 PREC-4 a member's recording completes when it leaves; then it is no longer recordable (404)",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const hook = yield* receiver
        const a = yield* join(base, "prec2", "+12025551111", { stay_alone: true })
        const b = yield* join(base, "prec2", "+12025552222", { stay_alone: true })
        const rec = `${mpcPath("name_prec2")}/Participant/${b.memberId}/Record/`
        assert.strictEqual(
          (yield* call(base, "POST", rec, { recording_callback_url: `${hook.url}/r` })).status,
          202
        )
        yield* call(base, "POST", `/emulator/v1/calls/${b.callUuid}/hangup`)
        yield* until("the completed callback", () => hook.at("/r").length >= 2)
        assert.deepStrictEqual(
          hook.at("/r").map((c) => c.params.EventName),
          ["ParticipantRecordingInitiated", "ParticipantRecordingCompleted"]
        )
        refusedWith(yield* call(base, "POST", rec, {}), 404, /member/)
        assert.strictEqual(
          (yield* call(base, "POST", `${mpcPath("name_prec2")}/Participant/${a.memberId}/Record/`, {}))
            .status,
          202
        )
      })
  )

  it.scoped("PREC-4 SDK-34 refusals name the fault with a 4xx and change nothing", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const a = yield* join(base, "prec3", "+12025551111", { stay_alone: true })
      const rec = `${mpcPath("name_prec3")}/Participant/${a.memberId}/Record/`
      const before = yield* snapshot(base, "name_prec3")
      refusedWith(yield* call(base, "DELETE", rec, {}), 400, /not running/)
      refusedWith(yield* call(base, "POST", `${rec}Pause/`, {}), 400, /not running/)
      refusedWith(yield* call(base, "POST", `${rec}Resume/`, {}), 400, /not running/)
      refusedWith(yield* call(base, "POST", rec, { file_format: "ogg" }), 400, /file_format/)
      refusedWith(yield* call(base, "POST", rec, { record_track_type: "left" }), 400, /record_track_type/)
      refusedWith(
        yield* call(base, "POST", rec, { recording_callback_url: "ftp://x" }),
        400,
        /recording_callback_url/
      )
      refusedWith(
        yield* call(base, "POST", rec, "{not json", { "content-type": "application/json" }),
        400,
        /body/
      )
      refusedWith(
        yield* call(base, "POST", `${mpcPath("name_prec3")}/Participant/77/Record/`, {}),
        404,
        /member 77/
      )
      refusedWith(
        yield* call(base, "POST", `${mpcPath("name_prec3")}/Participant/all/Record/`, {}),
        400,
        /member_id/
      )
      assert.deepStrictEqual(yield* snapshot(base, "name_prec3"), before)
      assert.strictEqual((yield* call(base, "POST", rec, {})).status, 202)
      refusedWith(yield* call(base, "POST", rec, {}), 400, /already running/)
      assert.strictEqual((yield* call(base, "POST", `${rec}Pause/`, {})).status, 204)
      refusedWith(yield* call(base, "POST", `${rec}Pause/`, {}), 400, /already paused/)
      assert.strictEqual((yield* call(base, "POST", `${rec}Resume/`, {})).status, 204)
      refusedWith(yield* call(base, "POST", `${rec}Resume/`, {}), 400, /not paused/)
      assert.strictEqual((yield* call(base, "DELETE", mpcPath("name_prec3"))).status, 204)
      const uuid = String((yield* call(base, "GET", mpcPath("name_prec3"))).body!.mpc_uuid)
      refusedWith(
        yield* call(base, "POST", `${mpcPath(`uuid_${uuid}`)}/Participant/${a.memberId}/Record/`, {}),
        404,
        /no ongoing multiparty call/
      )
    })
  )
})

describe("play audio to members", () => {
  const audio = "https://example.com/hello.mp3"

  it.scoped(
    "PLAY-1 PLAY-2 PLAY-4 PLAY-5 a play to one member answers Plivo's body, sends ParticipantAudioPlayed/Stopped; stop with all leaves it playing",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const hook = yield* receiver
        const events = {
          status_callback_url: `${hook.url}/status`,
          status_callback_events: "participant-audio-events"
        }
        const a = yield* join(base, "play", "+12025551111", events)
        const b = yield* join(base, "play", "+12025552222")
        const play = (member: string) => `${mpcPath("name_play")}/Member/${member}/Play/`
        const queued = yield* call(base, "POST", play(a.memberId), { url: audio })
        assert.strictEqual(queued.status, 202, queued.text)
        assert.deepStrictEqual(
          { ...queued.body!, api_id: "x" },
          { api_id: "x", message: "play queued into MPC", mpcMemberId: [a.memberId], mpcName: "play" }
        )
        // PLAY-1: `urls`, as Plivo's page names it, is taken too.
        const both = yield* call(base, "POST", play(`${a.memberId},${b.memberId}`), { urls: audio })
        assert.deepStrictEqual(both.body!.mpcMemberId, [a.memberId, b.memberId])
        // PLAY-5: `all` does not stop what was started per member id.
        refusedWith(yield* call(base, "DELETE", play("all"), {}), 404, /no audio/)
        const stopped = yield* call(base, "DELETE", play(`${a.memberId},${b.memberId}`), {})
        assert.strictEqual(stopped.status, 204, stopped.text)
        refusedWith(yield* call(base, "DELETE", play(a.memberId), {}), 404, /no audio/)
        assert.strictEqual((yield* call(base, "POST", play("all"), { url: audio })).status, 202)
        assert.strictEqual((yield* call(base, "DELETE", play("all"), {})).status, 204)
        // The MPC's status URL (fixed by its first request) hears of every member's audio.
        yield* until("the audio events", () => hook.at("/status").length >= 10)
        assert.deepStrictEqual(
          hook.at("/status").map((c) => [c.params.EventName, c.params.MemberID]),
          [
            ["ParticipantAudioPlayed", a.memberId],
            // A second play replaces the first.
            ["ParticipantAudioStopped", a.memberId],
            ["ParticipantAudioPlayed", a.memberId],
            ["ParticipantAudioPlayed", b.memberId],
            ["ParticipantAudioStopped", a.memberId],
            ["ParticipantAudioStopped", b.memberId],
            ["ParticipantAudioPlayed", a.memberId],
            ["ParticipantAudioPlayed", b.memberId],
            ["ParticipantAudioStopped", a.memberId],
            ["ParticipantAudioStopped", b.memberId]
          ]
        )
      })
  )

  it.scoped("PLAY-4 PLAY-6 a play lasts until its member leaves, which stops it", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const hook = yield* receiver
      const events = {
        status_callback_url: `${hook.url}/status`,
        status_callback_events: "participant-audio-events"
      }
      const a = yield* join(base, "play2", "+12025551111", { ...events, stay_alone: true })
      yield* join(base, "play2", "+12025552222", { stay_alone: true })
      assert.strictEqual(
        (yield* call(base, "POST", `${mpcPath("name_play2")}/Member/${a.memberId}/Play/`, { url: audio }))
          .status,
        202
      )
      yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: 3600 })
      yield* call(base, "POST", `/emulator/v1/calls/${a.callUuid}/hangup`)
      yield* until("the stop", () => hook.at("/status").length >= 2)
      assert.deepStrictEqual(
        hook.at("/status").map((c) => c.params.EventName),
        ["ParticipantAudioPlayed", "ParticipantAudioStopped"]
      )
    })
  )

  it.scoped(
    "PLAY-1 PLAY-2 SDK-34 a missing or bad URL is a 400 naming it; an unknown member a 404; nothing plays",
    () =>
      Effect.gen(function* () {
        const base = yield* start()
        const a = yield* join(base, "play3", "+12025551111")
        const play = (member: string) => `${mpcPath("name_play3")}/Member/${member}/Play/`
        refusedWith(yield* call(base, "POST", play(a.memberId), {}), 400, /url/)
        refusedWith(yield* call(base, "POST", play(a.memberId), { url: "file:///etc/passwd" }), 400, /url/)
        refusedWith(yield* call(base, "POST", play(`${a.memberId},404`), { url: audio }), 404, /member 404/)
        refusedWith(yield* call(base, "POST", play(","), { url: audio }), 400, /member_id/)
        refusedWith(yield* call(base, "DELETE", play(a.memberId), {}), 404, /no audio/)
        refusedWith(
          yield* call(base, "POST", `${mpcPath("name_none")}/Member/1/Play/`, { url: audio }),
          404,
          /none/
        )
      })
  )
})

describe("bad bodies on the media routes", () => {
  it.scopedLive(
    "SDK-34 PREC-4 PLAY-1 property: arbitrary bodies, content types and member ids get a 2xx or a 4xx {api_id, error}, and a 4xx changes nothing",
    () =>
      Effect.gen(function* () {
        const base = yield* start({ seed: 3 })
        yield* join(base, "bodies", "+12025551111", { stay_alone: true })
        yield* join(base, "bodies", "+12025552222", { stay_alone: true })
        const routes = [
          ["POST", ""],
          ["POST", "/Participant/{m}/Record/"],
          ["DELETE", "/Participant/{m}/Record/"],
          ["POST", "/Participant/{m}/Record/Pause/"],
          ["POST", "/Participant/{m}/Record/Resume/"],
          ["POST", "/Member/{m}/Play/"],
          ["DELETE", "/Member/{m}/Play/"]
        ] as const
        const value = fc.oneof(
          fc.jsonValue(),
          fc.constantFrom(
            "active",
            "ACTIVE",
            "wav",
            "mp3",
            "all",
            "both",
            "https://example.com/a.mp3",
            "ftp://x"
          )
        )
        const keys = fc.constantFrom(
          "status",
          "file_format",
          "record_track_type",
          "recording_callback_url",
          "recording_callback_method",
          "url",
          "urls",
          "other"
        )
        const body = fc.oneof(
          fc.string(),
          fc.dictionary(keys, value, { maxKeys: 4 }).map((o) => JSON.stringify(o)),
          fc.jsonValue().map((v) => JSON.stringify(v))
        )
        const member = fc.oneof(
          fc.constantFrom("1", "2", "3", "4", "5", "all", "1,2", ",", "%20", "x"),
          fc.string().map(encodeURIComponent)
        )
        const type = fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain")
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.constantFrom(...routes),
              member,
              body,
              type,
              async ([method, route], m, b, t) => {
                const path = `${mpcPath("name_bodies")}${route.replace("{m}", m)}`
                const before = await Effect.runPromise(snapshot(base, "name_bodies"))
                const r = await Effect.runPromise(call(base, method, path, b, { "content-type": t }))
                if (r.status >= 200 && r.status < 300) return
                assert.isTrue(
                  r.status >= 400 && r.status < 500,
                  `${method} ${path} ${b} -> ${r.status} ${r.text}`
                )
                assert.deepStrictEqual(Object.keys(r.body!).sort(), ["api_id", "error"], r.text)
                assert.deepStrictEqual(await Effect.runPromise(snapshot(base, "name_bodies")), before, r.text)
              }
            ),
            { numRuns: 150 }
          )
        )
      })
  )
})

describe("list filters", () => {
  it.scoped("SDK-28 SDK-29 SDK-30 each filter value that does not parse is a 400 naming its parameter", () =>
    Effect.gen(function* () {
      const base = yield* start()
      yield* join(base, "f", "+12025551111")
      const list = (q: string) => call(base, "GET", `${mpcPath("")}?${q}`)
      refusedWith(yield* list("creation_time__gt=2026-01-05T09:00:00Z"), 400, /creation_time__gt/)
      refusedWith(yield* list("creation_time_lte=2026-02-30 09:00"), 400, /creation_time_lte/)
      refusedWith(yield* list("end_time__lt=yesterday"), 400, /end_time__lt/)
      refusedWith(yield* list("termination_cause_code=1.5"), 400, /termination_cause_code/)
      refusedWith(yield* list("status=paused"), 400, /status/)
      refusedWith(yield* list("limit=21"), 400, /limit/)
      refusedWith(yield* list("offset=-1"), 400, /offset/)
      refusedWith(yield* list("sub_account=SA999999999999999999"), 400, /sub_account/)
      const count = (q: string) => Effect.map(list(q), (r) => (r.body!.meta as { count: number }).count)
      assert.strictEqual(yield* count("creation_time_gte=2026-01-05 09:00"), 1)
      assert.strictEqual(yield* count("creation_time__gt=2026-01-05 09:00:00.000001"), 0)
      // An end-time bound leaves out MPCs that have not ended.
      assert.strictEqual(yield* count("end_time__lt=2030-01-01 00:00"), 0)
    })
  )
})

describe("start-up", () => {
  it.scoped("SDK-35 with port 0 the proxy line names the port the server listens on", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const context = yield* Layer.build(
        Announce.layer("127.0.0.1", "/ca/ca.pem", (line) => lines.push(line)).pipe(
          Layer.provideMerge(
            Server.layer({
              host: "127.0.0.1",
              port: 0,
              account,
              clock: "virtual",
              cps: 10,
              start: T0,
              seed: 1
            })
          )
        )
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      assert.strictEqual(address._tag, "TcpAddress")
      const port = address._tag === "TcpAddress" ? address.port : -1
      assert.isAbove(port, 0)
      assert.deepStrictEqual(lines, [
        `official SDKs: proxy http://127.0.0.1:${port} and NODE_EXTRA_CA_CERTS=/ca/ca.pem`
      ])
    })
  )
})
