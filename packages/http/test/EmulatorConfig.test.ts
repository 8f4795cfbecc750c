import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as EmulatorConfig from "../src/EmulatorConfig.js"

const refused = (env: Record<string, string>) => {
  const r = EmulatorConfig.fromEnv(env)
  if (Either.isRight(r)) assert.fail(`accepted ${JSON.stringify(env)}`)
  return r.left
}
const accepted = (env: Record<string, string>) => {
  const r = EmulatorConfig.fromEnv(env)
  if (Either.isLeft(r)) assert.fail(r.left.join("\n"))
  return r.right
}

describe("the emulator's environment", () => {
  it("defaults: 127.0.0.1:8080, real clock, 2 calls per second, no subaccounts, credentials unset", () => {
    const env = accepted({})
    assert.deepStrictEqual(
      { host: env.host, port: env.port, clock: env.clock, cps: env.cps, subaccounts: env.subaccounts },
      { host: "127.0.0.1", port: 8080, clock: "real", cps: 2, subaccounts: [] }
    )
    assert.isTrue(Option.isNone(env.authId) && Option.isNone(env.authToken) && Option.isNone(env.caDir))
  })

  it("reads every variable", () => {
    const env = accepted({
      HOST: "0.0.0.0",
      PORT: "0",
      PLIVO_AUTH_ID: "MA1234567890ABCDEFGH",
      PLIVO_AUTH_TOKEN: "secret",
      MPC_CLOCK: "virtual",
      MPC_CPS: "10",
      MPC_SUBACCOUNTS: "SA1:one, SA2:t:w:o",
      MPC_CA_DIR: "ca"
    })
    assert.strictEqual(env.port, 0)
    assert.strictEqual(env.clock, "virtual")
    assert.strictEqual(env.cps, 10)
    assert.deepStrictEqual(env.subaccounts, [
      { authId: "SA1", authToken: "one" },
      { authId: "SA2", authToken: "t:w:o" }
    ])
    assert.deepStrictEqual(
      [env.authId, env.authToken, env.caDir],
      [Option.some("MA1234567890ABCDEFGH"), Option.some("secret"), Option.some("ca")]
    )
  })

  it("a bad value is refused with a line naming the variable, what it must be and what it got", () => {
    assert.deepStrictEqual(refused({ PORT: "abc" }), [
      'PORT must be a port number from 0 to 65535 (0 picks a free one), got "abc"'
    ])
    assert.deepStrictEqual(refused({ MPC_CLOCK: "fast" }), ['MPC_CLOCK must be real or virtual, got "fast"'])
    assert.deepStrictEqual(refused({ MPC_CPS: "0" }), [
      'MPC_CPS must be a whole number of calls per second, at least 1, got "0"'
    ])
    for (const port of ["65536", "-1", "8080.5", " ", "1e3"])
      assert.match(refused({ PORT: port })[0]!, /^PORT /)
    for (const cps of ["-2", "1.5", "two", ""]) assert.match(refused({ MPC_CPS: cps })[0]!, /^MPC_CPS /)
    assert.match(refused({ HOST: "" })[0]!, /^HOST /)
  })

  it("every bad variable is named at once", () => {
    assert.deepStrictEqual(
      refused({ PORT: "abc", MPC_CLOCK: "fast", MPC_CPS: "0" }).map((l) => l.split(" ")[0]),
      ["PORT", "MPC_CLOCK", "MPC_CPS"]
    )
  })

  it("a refused secret is not echoed", () => {
    const [line] = refused({ MPC_SUBACCOUNTS: "SA1:hunter2,SA2" })
    assert.strictEqual(line, "MPC_SUBACCOUNTS must be SAID:token pairs joined by commas (entry 2 is not)")
    assert.notInclude(refused({ PLIVO_AUTH_TOKEN: "" })[0]!, "got")
  })
})
