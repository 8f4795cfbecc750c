/**
 * ADDR-2, ADDR-4: which MPC a name reaches, and which request's settings an MPC keeps.
 */
import { assert, describe, it } from "@effect/vitest"
import { byName, FROM, Harness, join } from "../support/Harness.js"

describe("addressing", () => {
  it("ADDR-4 MPC-level settings come from the request that creates the MPC; later values are ignored, not errors", () => {
    const h = new Harness({ cps: 10 })
    join(h, "desk", "+12025551111", {
      max_participants: 3,
      max_duration: 600,
      status_callback_url: "https://a.example/status",
      record_min_member_count: 2
    })
    const settings = h.mpc("desk").settings
    const later = h.add("desk", {
      role: "Agent",
      from: FROM,
      to: "+12025552222",
      max_participants: 10,
      max_duration: 28_800,
      status_callback_url: "https://b.example/status",
      record_min_member_count: 1,
      wait_music_url: "https://b.example/wait.xml"
    })
    assert.strictEqual(later.refused, undefined)
    assert.deepStrictEqual(h.mpc("desk").settings, settings)
    assert.strictEqual(h.mpc("desk").settings.maxParticipants, 3)
    assert.strictEqual(h.mpc("desk").settings.statusCallback?.url, "https://a.example/status")
  })

  it("ADDR-2 a name whose MPC has ended makes a new MPC, with the new request's settings", () => {
    const h = new Harness({ cps: 10 })
    const first = join(h, "desk", "+12025551111", { max_participants: 3 })
    h.send({ _tag: "EndMpc", at: h.now, apiId: h.apiId(), mpc: byName("desk") })
    assert.strictEqual(h.mpcByUuid(first.mpcUuid).status, "Ended")
    const second = join(h, "desk", "+12025552222", { max_participants: 5 })
    assert.notStrictEqual(second.mpcUuid, first.mpcUuid)
    assert.strictEqual(h.mpc("desk").settings.maxParticipants, 5)
  })
})
