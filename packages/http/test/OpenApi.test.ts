/**
 * API-1 API-2: `/openapi.json` describes what is served: every route of the API with its request
 * and response schemas, and real responses validate against the documented schemas.
 */
import { HttpApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { MpcApi } from "../src/Api.js"
import { account, addPath, call, start } from "./support/Emulator.js"

type Json = Record<string, unknown>
type JsonSchema = Json & { $ref?: string }

/** The routes the API declares (what the server serves), as OpenAPI path templates. */
const declared = (): Array<{ method: string; path: string; payload: boolean; name: string }> => {
  const out: Array<{ method: string; path: string; payload: boolean; name: string }> = []
  HttpApi.reflect(MpcApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      out.push({
        name: endpoint.name,
        method: endpoint.method.toLowerCase(),
        path: endpoint.path.replace(/:(\w+)/g, "{$1}"),
        payload: endpoint.payloadSchema._tag === "Some"
      })
    }
  })
  return out
}

/** A small JSON Schema checker for what Effect's OpenAPI generator emits. */
const validate = (root: Json, schema: JsonSchema, value: unknown, at = "$"): Array<string> => {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace("#/components/schemas/", "")
    return validate(root, ((root.components as Json).schemas as Json)[name] as JsonSchema, value, at)
  }
  const anyOf = (schema.anyOf ?? schema.oneOf) as Array<JsonSchema> | undefined
  if (anyOf !== undefined) {
    const all = anyOf.map((s) => validate(root, s, value, at))
    return all.some((e) => e.length === 0) ? [] : [`${at}: matches none of ${anyOf.length} schemas`]
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${at}: not one of ${schema.enum}`]
  const type = schema.type as string | undefined
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value
  if (type !== undefined) {
    const ok =
      type === kind ||
      (type === "integer" && kind === "number" && Number.isInteger(value)) ||
      (schema.nullable === true && value === null)
    if (!ok) return [`${at}: expected ${type}, got ${kind}`]
  }
  const errors: Array<string> = []
  if (kind === "object" && schema.properties !== undefined) {
    const object = value as Json
    for (const r of (schema.required as Array<string> | undefined) ?? [])
      if (!(r in object)) errors.push(`${at}.${r}: missing`)
    for (const [k, s] of Object.entries(schema.properties as Json))
      if (k in object) errors.push(...validate(root, s as JsonSchema, object[k], `${at}.${k}`))
    if (schema.additionalProperties === false)
      for (const k of Object.keys(object))
        if (!(k in (schema.properties as Json))) errors.push(`${at}.${k}: not documented`)
  }
  if (kind === "array" && schema.items !== undefined) {
    const items = value as Array<unknown>
    for (let i = 0; i < items.length; i++)
      errors.push(...validate(root, schema.items as JsonSchema, items[i], `${at}[${i}]`))
  }
  return errors
}

const documented = (spec: Json, method: string, path: string, status: number): JsonSchema | undefined => {
  const op = ((spec.paths as Json)[path] as Json | undefined)?.[method] as Json | undefined
  const response = (op?.responses as Json | undefined)?.[String(status)] as Json | undefined
  return ((response?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as
    | JsonSchema
    | undefined
}

describe("OpenAPI", () => {
  it.scoped("API-1 /openapi.json lists every served route with its request and response schemas", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const spec = (yield* call(base, "GET", "/openapi.json")).body as Json
      const routes = declared()
      // 24, the media group's 7 (start MPC, participant recording, play audio) and dead letters.
      assert.strictEqual(routes.length, 32)
      for (const route of routes) {
        const op = ((spec.paths as Json)[route.path] as Json | undefined)?.[route.method] as Json | undefined
        assert.isDefined(op, `${route.method} ${route.path} is documented`)
        const responses = Object.keys(op!.responses as Json)
        assert.isTrue(
          responses.some((s) => s.startsWith("2")),
          `${route.name} documents its success`
        )
        for (const status of ["400", "401", "404", "413", "429"])
          assert.include(responses, status, `${route.name} documents ${status}`)
        assert.deepStrictEqual(
          validate(spec, documented(spec, route.method, route.path, 401)!, { api_id: "x", error: "y" }),
          [],
          `${route.name}'s 401 is Plivo's error`
        )
        if (route.payload) {
          const content = Object.keys((op!.requestBody as Json).content as Json)
          assert.include(content, "application/json", route.name)
        }
        // Served: the route answers (here unauthenticated: 401), never the router's 404 or 405.
        const concrete = route.path.replace(/\{(\w+)\}/g, (_, p: string) =>
          p === "authId" ? account.authId : "x"
        )
        const r = yield* call(base, route.method.toUpperCase(), concrete, undefined, {
          authorization: "Basic eDp5"
        })
        assert.strictEqual(r.status, 401, `${route.method} ${concrete}`)
      }
      // Both wire forms of the add-participant body are documented.
      const add = (
        (spec.paths as Json)["/v1/Account/{authId}/MultiPartyCall/name_{mpcName}/Participant"] as Json
      ).post as Json
      assert.includeMembers(Object.keys((add.requestBody as Json).content as Json), [
        "application/json",
        "application/x-www-form-urlencoded"
      ])
    })
  )

  it.scoped("API-1 API-2 real responses validate against the documented schemas", () =>
    Effect.gen(function* () {
      const base = yield* start()
      const spec = (yield* call(base, "GET", "/openapi.json")).body as Json
      const mpcs = "/v1/Account/{authId}/MultiPartyCall"
      const check = (method: string, path: string, status: number, body: unknown) => {
        const schema = documented(spec, method, path, status)
        assert.isDefined(schema, `${method} ${path} ${status} is documented`)
        assert.deepStrictEqual(validate(spec, schema!, body), [], `${method} ${path} ${status}`)
      }
      const added = yield* call(base, "POST", addPath("docs"), {
        role: "Agent",
        from: "+12025550000",
        to: "+12025551111"
      })
      assert.strictEqual(added.status, 201)
      check("post", `${mpcs}/name_{mpcName}/Participant`, 201, added.body)
      const refused = yield* call(base, "POST", addPath("docs"), { role: "Nobody" })
      check("post", `${mpcs}/name_{mpcName}/Participant`, refused.status, refused.body)
      const leg = (added.body!.calls as Array<{ call_uuid: string }>)[0]!.call_uuid
      assert.strictEqual((yield* call(base, "POST", `/emulator/v1/calls/${leg}/answer`)).status, 204)
      const mpcPath = `/v1/Account/${account.authId}/MultiPartyCall`
      check("get", mpcs, 200, (yield* call(base, "GET", `${mpcPath}/`)).body)
      check("get", `${mpcs}/{mpcKey}`, 200, (yield* call(base, "GET", `${mpcPath}/name_docs/`)).body)
      const missing = yield* call(base, "GET", `${mpcPath}/name_missing/`)
      check("get", `${mpcs}/{mpcKey}`, missing.status, missing.body)
      check(
        "get",
        `${mpcs}/{mpcKey}/Participant`,
        200,
        (yield* call(base, "GET", `${mpcPath}/name_docs/Participant/`)).body
      )
      const update = yield* call(base, "POST", `${mpcPath}/name_docs/Participant/all/`, { mute: "true" })
      check("post", `${mpcs}/{mpcKey}/Participant/{memberId}`, update.status, update.body)
      const record = yield* call(base, "POST", `${mpcPath}/name_docs/Record/`, {})
      check("post", `${mpcs}/{mpcKey}/Record`, record.status, record.body)
      // The media group's answers (SDK-14, SDK-18): a member's own recording and a play.
      const member = (
        (yield* call(base, "GET", `${mpcPath}/name_docs/Participant/`)).body!.objects as Array<{
          member_id: string
        }>
      )[0]!.member_id
      const own = yield* call(base, "POST", `${mpcPath}/name_docs/Participant/${member}/Record/`, {})
      assert.strictEqual(own.status, 202, own.text)
      check("post", `${mpcs}/{mpcKey}/Participant/{memberId}/Record`, 202, own.body)
      const played = yield* call(base, "POST", `${mpcPath}/name_docs/Member/${member}/Play/`, {
        url: "https://example.com/a.mp3"
      })
      assert.strictEqual(played.status, 202, played.text)
      check("post", `${mpcs}/{mpcKey}/Member/{memberId}/Play`, 202, played.body)
      const badPlay = yield* call(base, "POST", `${mpcPath}/name_docs/Member/${member}/Play/`, {})
      check("post", `${mpcs}/{mpcKey}/Member/{memberId}/Play`, badPlay.status, badPlay.body)
      check("get", "/emulator/v1/calls", 200, (yield* call(base, "GET", "/emulator/v1/calls")).body)
      check("get", "/emulator/v1/clock", 200, (yield* call(base, "GET", "/emulator/v1/clock")).body)
      const advance = yield* call(base, "POST", "/emulator/v1/clock/advance", { seconds: -1 })
      check("post", "/emulator/v1/clock/advance", advance.status, advance.body)
    })
  )
})
