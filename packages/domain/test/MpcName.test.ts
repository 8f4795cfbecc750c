import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as MpcName from "../src/MpcName.js"

describe("MpcName", () => {
  it("ADDR-1 accepts a friendly name from the path", () => {
    for (const name of ["testmpc", "my_mpc", "Sales Queue 7", "x", "n".repeat(100)]) {
      assert.isTrue(Either.isRight(MpcName.decode(name)), name)
    }
  })
  it("ADDR-1 refuses an empty, blank, over-long or control-character name with a clear error", () => {
    for (const name of ["", "   ", "n".repeat(101), "a\nb", 42, undefined]) {
      const r = MpcName.decode(name)
      assert.isTrue(Either.isLeft(r), String(name))
      if (Either.isLeft(r)) {
        assert.strictEqual(r.left.issues[0].parameter, "mpc_name")
        assert.include(r.left.error, "expected a non-blank name of at most 100 characters")
      }
    }
  })
})
