/**
 * Conformance of the emulator with Plivo's response shapes, as the official `plivo` Node SDK sees them:
 * one emulator and one SDK session (a child process going through the emulator's proxy) for the whole
 * suite, then one test per MPC method of the SDK, named by its rule in spec/SDK.md. Each test checks
 * the request the SDK made (method, path), the status code, the body's field set and JSON types against
 * the reference shape (shapes.ts), and what the SDK resolved with.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { account, start, sub } from "../../packages/http/test/support/Emulator.js"
import { camel, check } from "./check.js"
import { type Outcome, runSession } from "./SdkSession.js"
import { type Reference, references, type SdkMethod } from "./shapes.js"

let scope: Scope.CloseableScope | undefined
let outcomes: Record<string, Outcome> = {}

beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  const caDir = mkdtempSync(join(tmpdir(), "mpc-kit-conformance-"))
  const base = await Effect.runPromise(Scope.extend(start({ proxyCaDir: caDir }), scope))
  outcomes = await runSession(base, join(caDir, "ca.pem"))
}, 60_000)

afterAll(async () => {
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
})

const pathPattern = (path: string) =>
  new RegExp(
    `^https://api\\.plivo\\.com${path
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{[a-z_]+\}/g, "[^/?]+")}(\\?.*)?$`
  )

/** Checks one recorded call of an SDK method against the method's reference. */
const conforms = (name: string, ref: Reference) => {
  const outcome = outcomes[name]
  assert.isDefined(outcome, `${name} was not called (session: ${JSON.stringify(outcomes.session)})`)
  const wire = outcome!.wire
  assert.isDefined(wire, `${name} got no HTTP answer: ${outcome!.error}`)
  const detail = `${name}: ${wire!.method} ${wire!.url} -> ${wire!.status} ${JSON.stringify(wire!.body)}`
  assert.strictEqual(wire!.method, ref.http.method, detail)
  assert.match(wire!.url, pathPattern(ref.http.path), detail)
  assert.strictEqual(wire!.status, ref.status, `status: ${detail}`)
  assert.isTrue(outcome!.ok, `the SDK rejected: ${outcome!.error}`)
  if (ref.body === undefined) {
    assert.oneOf(wire!.body, ["", undefined, null], `an empty body: ${detail}`)
  } else {
    assert.deepStrictEqual(check(wire!.body, ref.body), [], detail)
  }
  // What the SDK resolved with: its own renaming of the body's keys, plus the `id` it copies.
  const body = (ref.body === undefined ? {} : wire!.body) as Record<string, unknown>
  const keys = (o: object) =>
    Object.keys(o)
      .filter((x) => x !== "id")
      .sort()
  const renamed = (o: object) => Object.keys(o).map(camel).sort()
  if (ref.parsed === "true") assert.strictEqual(outcome!.parsed, true)
  else if (ref.parsed === "array") {
    assert.isTrue(outcome!.isArray, "the SDK resolves a list with an array")
    const objects = body.objects as Array<Record<string, unknown>>
    const parsed = outcome!.parsed as Array<Record<string, unknown>>
    assert.strictEqual(parsed.length, objects.length)
    parsed.forEach((p, k) => {
      assert.deepStrictEqual(keys(p), renamed(objects[k]!))
    })
    assert.deepStrictEqual(keys(outcome!.meta as object), renamed(body.meta as object))
  } else {
    assert.deepStrictEqual(keys(outcome!.parsed as object), renamed(body))
  }
  return body
}

/** SDK-34: a refusal is Plivo's `{api_id, error}` with a 4xx, and the SDK rejects. */
const refused = (name: string, expected: { readonly mentions: RegExp; readonly status?: number }) => {
  const outcome = outcomes[name]
  assert.isDefined(outcome?.wire, `${name} got no HTTP answer: ${outcome?.error}`)
  const wire = outcome!.wire!
  const detail = `${name}: ${wire.method} ${wire.url} -> ${wire.status} ${JSON.stringify(wire.body)}`
  if (expected.status === undefined) assert.isTrue(wire.status >= 400 && wire.status < 500, detail)
  else assert.strictEqual(wire.status, expected.status, detail)
  assert.deepStrictEqual(
    check(wire.body, { required: { api_id: ["string"], error: ["string"] } }),
    [],
    detail
  )
  assert.match((wire.body as Record<string, string>).error!, expected.mentions, detail)
  assert.isFalse(outcome!.ok, "the SDK rejects")
}

type Json = Record<string, unknown>
const objects = (body: Json) => (body.objects ?? []) as Array<Json>
/** The body another recorded call got (empty when it got none). */
const wireBody = (name: string) => (outcomes[name]?.wire?.body ?? {}) as Json

/** What the further calls must show besides the shape, by the rule that says so. */
const states: Record<string, (body: Json) => void> = {
  // SDK-24: an MPC ended by the API.
  "get.ended": (body) => {
    assert.strictEqual(body.status, "Ended")
    assert.strictEqual(body.termination_cause, "Hangup API Triggered")
    assert.strictEqual(body.termination_cause_code, 3000)
  },
  // SDK-27: the main account's list includes its subaccounts' MPCs; the filter keeps only those.
  "list.ended": (body) => {
    assert.isTrue(
      objects(body).some((o) => o.status === "Ended"),
      "the ended MPC is listed"
    )
    assert.isTrue(
      objects(body).some((o) => o.sub_account === `/v1/Account/${account.authId}/Subaccount/${sub.authId}/`),
      `the subaccount's MPC is listed (adding it: ${JSON.stringify(outcomes["addParticipant.sub"])})`
    )
  },
  "list.sub": (body) => {
    assert.isNotEmpty(objects(body))
    for (const o of objects(body)) {
      assert.strictEqual(o.sub_account, `/v1/Account/${account.authId}/Subaccount/${sub.authId}/`)
    }
  },
  // SDK-28: the filters the SDK sends are applied, not ignored.
  "list.filtered": (body) => {
    assert.isNotEmpty(objects(body), "the ended MPC matches the filters")
    for (const o of objects(body)) {
      assert.strictEqual(o.status, "Ended")
      assert.strictEqual(o.termination_cause_code, 3000)
    }
  },
  // SDK-28, SDK-29: the creation-time filter, as the SDK spells it, keeps only the first MPC.
  "list.created": (body) => {
    assert.isNotEmpty(objects(body))
    for (const o of objects(body))
      assert.isTrue(String(o.creation_time) < "2026-01-05 09:00:05", String(o.creation_time))
  },
  // SDK-31: the call_uuid filter keeps that call's entries only.
  "listParticipants.byCall": (body) => {
    const byCall = objects(body)
    assert.lengthOf(byCall, 1)
    assert.strictEqual(byCall[0]!.call_uuid, objects(wireBody("listParticipants"))[0]?.call_uuid)
  },
  // SDK-33: a recording started again after a stop is a new one.
  "startRecording.again": (body) =>
    assert.notStrictEqual(body.recording_id, wireBody("startRecording").recording_id),
  // SDK-22: a member that has left stays readable.
  "getParticipant.left": (body) => assert.isNotNull(body.exit_time),
  "listParticipants.left": (body) =>
    assert.isTrue(
      objects(body).some((o) => o.exit_time !== null),
      "the member that left is listed"
    )
}

describe("the official plivo SDK's MPC methods against the emulator", () => {
  for (const [method, ref] of Object.entries(references) as Array<[SdkMethod, Reference]>) {
    const rules = [ref.rule, ...(ref.covers ?? [])].join(" ")
    it(`${rules} multiPartyCalls.${method} answers ${ref.status} with Plivo's shape`, () => {
      conforms(method, ref)
      for (const further of ref.also ?? []) states[further]?.(conforms(further, ref) as Json)
      for (const [name, expected] of Object.entries(ref.refusals ?? {})) refused(name, expected)
    })
  }
})
