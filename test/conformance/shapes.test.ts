/**
 * The conformance suite's yardstick, checked on its own: the reference shapes accept bodies in the
 * form of Plivo's SDK fixtures, and refuse each deviation the conformance suite exists to catch.
 */
import { assert, describe, it } from "@effect/vitest"
import { camel, check } from "./check.js"
import { references } from "./shapes.js"

const uuid = "0a1b2c3d-0000-4000-8000-00000000abcd"
const base = `/v1/Account/MA0000000000000000AA/MultiPartyCall/uuid_${uuid}/`

/** An MPC ended by the API, in the form of the fixtures (values are this project's own). */
const endedMpc = {
  api_id: "f0e1d2c3-0000-4000-8000-000000000001",
  billed_amount: "0.00500",
  billed_duration: 60,
  creation_time: "2026-01-05 09:00:00+00:00",
  duration: 42,
  end_time: "2026-01-05 09:00:42+00:00",
  friendly_name: "desk",
  mpc_uuid: uuid,
  participants: `${base}Participant/`,
  recording: null,
  resource_uri: base,
  start_time: "2026-01-05 09:00:00+00:00",
  status: "Ended",
  stay_alone: false,
  sub_account: null,
  termination_cause: "Hangup API Triggered",
  termination_cause_code: 3000
}

/** A member that has left. */
const leftMember = {
  api_id: "f0e1d2c3-0000-4000-8000-000000000002",
  billed_amount: "0.00500",
  billed_duration: 60,
  call_uuid: "9f8e7d6c-0000-4000-8000-000000000003",
  coach_mode: null,
  duration: 30,
  end_mpc_on_exit: false,
  exit_cause: "Kicked Out of Multiparty Call",
  exit_time: "2026-01-05 09:00:30+00:00",
  hold: null,
  join_time: "2026-01-05 09:00:00+00:00",
  member_address: "+12025551111",
  member_id: "12",
  mpc_uuid: uuid,
  mute: null,
  resource_uri: `${base}Participant/12/`,
  role: "customer",
  start_mpc_on_enter: true
}

const mpcShape = references.get.body
const memberShape = references.getParticipant.body

describe("the reference shapes", () => {
  it("SDK-20 SDK-22 SDK-23 SDK-24 SDK-25 SDK-26 accept an ended MPC and a left member in the fixtures' form", () => {
    assert.deepStrictEqual(check(endedMpc, mpcShape), [])
    assert.deepStrictEqual(check(leftMember, memberShape), [])
    const live = { ...leftMember, exit_cause: null, exit_time: null, duration: null }
    assert.deepStrictEqual(
      check(
        { ...live, billed_duration: null, billed_amount: null, mute: false, hold: true, coach_mode: false },
        memberShape
      ),
      []
    )
  })

  it("SDK-20 SDK-21 SDK-23 SDK-25 SDK-26 refuse each deviation the emulator had", () => {
    const one = (body: object, shape: typeof mpcShape) => check(body, shape).length
    assert.strictEqual(one({ ...endedMpc, duration: "42" }, mpcShape), 1)
    assert.strictEqual(one({ ...endedMpc, billed_duration: "60" }, mpcShape), 1)
    assert.strictEqual(
      one(
        { ...endedMpc, resource_uri: "/v1/Account/MA0000000000000000AA/MultiPartyCall/name_desk/" },
        mpcShape
      ),
      1
    )
    assert.strictEqual(one({ ...endedMpc, recording: "not-recording" }, mpcShape), 1)
    assert.strictEqual(one({ ...endedMpc, end_time: null }, mpcShape), 1)
    assert.strictEqual(one({ ...endedMpc, extra: 1 }, mpcShape), 1)
    assert.strictEqual(one({ ...leftMember, role: "Customer" }, memberShape), 1)
    const { member_address: _, ...withoutAddress } = leftMember
    assert.strictEqual(one(withoutAddress, memberShape), 1)
    assert.strictEqual(one({ ...leftMember, mute: true }, memberShape), 1)
  })

  it("SDK-8 SDK-18 refuse a missing result string and a wrong message", () => {
    assert.deepStrictEqual(
      check(
        { api_id: "a", message: "update participant action accepted", mute: true, hold: false },
        references.updateParticipant.body
      ),
      [
        "body.message is not in Plivo's shape",
        "body.mute is boolean (true), not string",
        "body.hold is boolean (false), not string"
      ]
    )
    assert.lengthOf(
      check(
        { api_id: "a", message: "queued", mpcMemberId: ["1"], mpcName: "desk" },
        references.startPlayAudio.body
      ),
      1
    )
  })

  it("renames keys as the SDK does", () => {
    assert.deepStrictEqual(["api_id", "termination_cause_code", "mpcMemberId", "member_address"].map(camel), [
      "apiId",
      "terminationCauseCode",
      "mpcMemberId",
      "memberAddress"
    ])
  })
})
