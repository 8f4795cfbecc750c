import { assert, describe, it } from "@effect/vitest"
import { AddParticipantArbitrary } from "@mpc-kit/domain/testing"
import * as fc from "effect/FastCheck"
import * as plivo from "plivo"
import { signedUrl, signV3 } from "../src/Signature.js"

const validate = (plivo as unknown as { validateV3Signature: (...args: Array<unknown>) => boolean })
  .validateV3Signature

const fieldName = fc.constantFrom(
  "EventName",
  "MPCUUID",
  "SequenceNumber",
  "MemberID",
  "CallUUID",
  "DigitInput",
  "a",
  "Z"
)
const params = fc.dictionary(fieldName, fc.oneof(fc.string(), fc.fullUnicodeString(), fc.constant("")), {
  maxKeys: 8
})
const token = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/)
const nonce = fc.stringMatching(/^[0-9]{10,20}$/)

describe("CB-8 X-Plivo-Signature-V3", () => {
  it("CB-8 signs the URL, the sorted form parameters and the nonce as Plivo's SDK checks them", () => {
    assert.strictEqual(
      signedUrl("POST", "https://example.com/status?b=2&a=1", { Z: "9", A: "x" }),
      "https://example.com/status?a=1&b=2.AxZ9"
    )
    assert.strictEqual(
      signedUrl("GET", "https://example.com/status?b=2", { A: "x" }),
      "https://example.com/status?A=x&b=2"
    )
    assert.strictEqual(signedUrl("POST", "http://127.0.0.1:9000/cb", {}), "http://127.0.0.1:9000/cb")
  })

  it("CB-8 every signature the emulator makes passes the official plivo SDK's validateV3Signature (POST and GET)", () => {
    fc.assert(
      fc.property(
        // The SDK's URI parser misreads IPv6 literal hosts ([::1]) and an "@" after the host, and it loses
        // a "__proto__" query key: no receiver using it could check such URLs, so they are left out here.
        AddParticipantArbitrary.httpUrl.filter(
          (u) => !u.includes("[") && !u.includes("@") && !u.includes("__proto__")
        ),
        params,
        token,
        nonce,
        fc.constantFrom<"GET" | "POST">("GET", "POST"),
        (url, p, authToken, n, method) => {
          const signature = signV3(authToken, method, url, p, n)
          assert.isTrue(
            validate(method, url, n, authToken, signature, p),
            `${method} ${url} ${JSON.stringify(p)}`
          )
          assert.isFalse(
            validate(method, url, n, `${authToken}x`, signature, p),
            "a wrong token must not validate"
          )
          if (Object.keys(p).length > 0) {
            const tampered = { ...p, [Object.keys(p)[0]!]: `${Object.values(p)[0]}!` }
            assert.isFalse(
              validate(method, url, n, authToken, signature, tampered),
              "changed parameters must not validate"
            )
          }
        }
      ),
      { numRuns: 1_000 }
    )
  })
})
