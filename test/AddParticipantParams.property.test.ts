import { assert, describe, it } from "@effect/vitest"
import { AddParticipantParams, AddParticipantRequest } from "@mpc-kit/domain"
import { AddParticipantArbitrary } from "@mpc-kit/domain/testing"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"

const runs = { numRuns: 1_000 }
const isRequest = Schema.is(AddParticipantRequest.AddParticipantRequest)

/** The destination count a valid wire request asks for (0 for a transfer). */
const destinationCount = (wire: Record<string, unknown>): number =>
  wire.to === undefined ? 0 : String(wire.to).split("<").length

const toForm = (wire: Record<string, unknown>): string => {
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(wire)) {
    // A form carries strings only; structured extras have no form encoding.
    if (v !== null && typeof v !== "object") form.set(k, String(v))
  }
  return form.toString()
}

describe("add-participant request properties", () => {
  it("PARAM-1..PARAM-19: every valid request decodes, with one destination per '<' part and the role spelled canonically", () => {
    fc.assert(
      fc.property(AddParticipantArbitrary.validWireRequest, (wire) => {
        const r = AddParticipantParams.decode(wire)
        if (Either.isLeft(r)) throw new Error(`refused: ${r.left.error}`)
        const req = r.right
        // The decoder does not re-validate what it builds (see TrustedRequest): this is the check.
        assert.isTrue(isRequest(req), `not a valid AddParticipantRequest: ${JSON.stringify(req)}`)
        assert.strictEqual(req.role.toLowerCase(), String(wire.role).toLowerCase())
        if (req.target._tag === "DialOut") {
          assert.strictEqual(req.target.destinations.length, destinationCount(wire))
        } else {
          assert.strictEqual(req.target.callUuid, wire.call_uuid)
        }
      }),
      runs
    )
  })

  it("PARAM-1..PARAM-19: decoding a valid request's form body gives the same request as its JSON body", () => {
    fc.assert(
      fc.property(AddParticipantArbitrary.validWireRequest, (wire) => {
        const json = AddParticipantParams.decode(wire)
        const form = AddParticipantParams.decodeForm(toForm(wire))
        assert.deepStrictEqual(form, json)
      }),
      runs
    )
  })

  it("PARAM-1..PARAM-19: a decoded request survives encode then decode, as JSON and as a form", () => {
    fc.assert(
      fc.property(AddParticipantArbitrary.validWireRequest, (wire) => {
        const req = Either.getOrThrow(AddParticipantParams.decode(wire))
        const encoded = Either.getOrThrow(AddParticipantParams.encode(req))
        assert.deepStrictEqual(AddParticipantParams.decode(encoded), Either.right(req))
        const form = Either.getOrThrow(AddParticipantParams.encodeForm(req))
        assert.deepStrictEqual(AddParticipantParams.decodeForm(form), Either.right(req))
      }),
      runs
    )
  })

  it("PARAM-1..PARAM-19: a decoded request is canonical: its JSON decodes back byte for byte (traces compare as text)", () => {
    const decodeRequest = Schema.decodeUnknownSync(AddParticipantRequest.AddParticipantRequest)
    fc.assert(
      fc.property(AddParticipantArbitrary.validWireRequest, (wire) => {
        const text = JSON.stringify(Either.getOrThrow(AddParticipantParams.decode(wire)))
        assert.strictEqual(JSON.stringify(decodeRequest(JSON.parse(text))), text)
      }),
      runs
    )
  })

  it("PARAM-1..PARAM-18: any single parameter set to a value it refuses is refused with an issue naming that parameter", () => {
    fc.assert(
      fc.property(
        AddParticipantArbitrary.validWireRequest,
        AddParticipantArbitrary.invalidParameter,
        (wire, [name, value]) => {
          const r = AddParticipantParams.decode({ ...wire, [name]: value })
          if (Either.isRight(r)) throw new Error(`accepted ${name}=${JSON.stringify(value)}`)
          const named = r.left.issues.filter((i) => i.parameter === name)
          assert.isAbove(named.length, 0, `issues: ${r.left.error}`)
          for (const issue of named) assert.notInclude(issue.message, "undefined")
          assert.strictEqual(r.left.error.includes("\n"), false)
        }
      ),
      runs
    )
  })

  it("PARAM-19: decoding any JSON value or any object of parameters never throws and answers Right or an InvalidRequest", () => {
    const names = AddParticipantParams.parameterNames as ReadonlyArray<string>
    const anyParams = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), fc.anything(), {
      maxKeys: 12
    })
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), anyParams), (input) => {
        const r = AddParticipantParams.decode(input)
        if (Either.isLeft(r)) {
          assert.strictEqual(r.left._tag, "InvalidRequest")
          assert.isAbove(r.left.issues.length, 0)
          assert.isString(r.left.error)
        }
      }),
      runs
    )
  })

  it("PARAM-19: decoding any form string and any JSON text never throws", () => {
    const names = AddParticipantParams.parameterNames as ReadonlyArray<string>
    const pair = fc
      .tuple(fc.oneof(fc.constantFrom(...names), fc.string()), fc.oneof(fc.string(), fc.fullUnicodeString()))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    const structuredForm = fc.array(pair, { maxLength: 10 }).map((ps) => ps.join("&"))
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.fullUnicodeString(), structuredForm), (body) => {
        const form = AddParticipantParams.decodeForm(body)
        const json = AddParticipantParams.decodeJson(body)
        assert.isTrue(Either.isEither(form) && Either.isEither(json))
      }),
      runs
    )
  })
})
