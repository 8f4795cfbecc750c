import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as AddParticipantParams from "../src/AddParticipantParams.js"
import type { AddParticipantRequest, DialOut } from "../src/AddParticipantRequest.js"
import { Defaults } from "../src/AddParticipantRequest.js"
import type { ParameterIssue } from "../src/InvalidRequest.js"

const base = { role: "Agent", from: "+12025550000", to: "+12025551111" } as const
const uuid = "0b7b4242-8ee8-4872-b447-81b4ce972eae"

/** Decodes and fails the test, listing the issues, when the request is refused. */
const ok = (input: unknown): AddParticipantRequest => {
  const r = AddParticipantParams.decode(input)
  if (Either.isLeft(r)) assert.fail(`expected the request to decode, got: ${r.left.error}`)
  return r.right
}

/** Decodes and fails the test when the request is accepted. */
const refused = (input: unknown): ReadonlyArray<ParameterIssue> => {
  const r = AddParticipantParams.decode(input)
  if (Either.isRight(r)) assert.fail(`expected a refusal, got ${JSON.stringify(r.right)}`)
  return r.left.issues
}

/** Asserts the request is refused with exactly one issue, about `parameter`, and returns its message. */
const refusedFor = (input: unknown, parameter: string): string => {
  const issues = refused(input)
  assert.deepStrictEqual(
    issues.map((i) => i.parameter),
    [parameter],
    `issues: ${JSON.stringify(issues)}`
  )
  return issues[0]!.message
}

const dial = (r: AddParticipantRequest): DialOut => {
  assert.strictEqual(r.target._tag, "DialOut")
  return r.target as DialOut
}

describe("AddParticipantParams", () => {
  describe("PARAM-1 role", () => {
    it("PARAM-1 accepts each role in any case and spells it canonically", () => {
      for (const [sent, role] of [
        ["Agent", "Agent"],
        ["agent", "Agent"],
        ["SUPERVISOR", "Supervisor"],
        ["customer", "Customer"]
      ] as const) {
        assert.strictEqual(ok({ ...base, role: sent }).role, role)
      }
    })
    it("PARAM-1 refuses a missing role, naming it", () => {
      const { role: _, ...rest } = base
      assert.include(refusedFor(rest, "role"), "is required")
    })
    it("PARAM-1 refuses an unknown role with the allowed values", () => {
      assert.strictEqual(
        refusedFor({ ...base, role: "Coach" }, "role"),
        'expected one of Agent, Supervisor, Customer, got "Coach"'
      )
    })
  })

  describe("PARAM-2 dial out or transfer", () => {
    it("PARAM-2 from + to dials out", () => {
      const t = dial(ok(base))
      assert.strictEqual(t.from, "+12025550000")
      assert.deepStrictEqual(t.destinations[0].address, { _tag: "PhoneNumber", number: "+12025551111" })
    })
    it("PARAM-2 call_uuid alone transfers", () => {
      assert.deepStrictEqual(ok({ role: "Customer", call_uuid: uuid }).target, {
        _tag: "Transfer",
        callUuid: uuid
      })
    })
    it("PARAM-2 refuses call_uuid together with to (and from)", () => {
      assert.include(
        refusedFor({ ...base, call_uuid: uuid }, "call_uuid"),
        "cannot be combined with from and to"
      )
      assert.include(
        refusedFor({ role: "Agent", to: "123", call_uuid: uuid }, "call_uuid"),
        "cannot be combined"
      )
    })
    it("PARAM-2 refuses from without to, and to without from", () => {
      assert.include(refusedFor({ role: "Agent", from: "123" }, "to"), "is required with from")
      assert.include(refusedFor({ role: "Agent", to: "123" }, "from"), "is required with to")
    })
    it("PARAM-2 refuses a request with neither form, naming from and to", () => {
      assert.deepStrictEqual(
        refused({ role: "Agent" }).map((i) => i.parameter),
        ["from", "to"]
      )
    })
    it("PARAM-2 refuses a malformed call_uuid", () => {
      refusedFor({ role: "Agent", call_uuid: "not-a-uuid" }, "call_uuid")
    })
  })

  describe("PARAM-3 destinations", () => {
    it("PARAM-3 splits destinations on '<' into tagged phone numbers and SIP URIs, in order", () => {
      const t = dial(ok({ ...base, to: "14156667777<14156667778<sip:john1234@phone.plivo.com" }))
      assert.deepStrictEqual(
        t.destinations.map((d) => d.address),
        [
          { _tag: "PhoneNumber", number: "14156667777" },
          { _tag: "PhoneNumber", number: "14156667778" },
          { _tag: "SipUri", user: "john1234", host: "phone.plivo.com" }
        ]
      )
    })
    it("PARAM-3 accepts 20 destinations and refuses 21", () => {
      const n = (k: number) =>
        Array.from({ length: k }, (_, i) => `1415555${String(i).padStart(4, "0")}`).join("<")
      assert.strictEqual(dial(ok({ ...base, to: n(20) })).destinations.length, 20)
      assert.include(refusedFor({ ...base, to: n(21) }, "to"), "21 destinations, at most 20")
    })
    it("PARAM-3 names the destination that is neither a number nor a SIP URI", () => {
      assert.include(refusedFor({ ...base, to: "14156667777<bob" }, "to"), 'destination 2 ("bob")')
    })
    it("PARAM-3 refuses empty destinations, a bare '+', 16 digits and SIP URIs without user or host", () => {
      for (const to of ["1<", "+", "1234567890123456", "sip:@host.com", "sip:user@", "tel:123"]) {
        refusedFor({ ...base, to }, "to")
      }
    })
    it("PARAM-3 takes a JSON number as a phone number", () => {
      assert.deepStrictEqual(dial(ok({ ...base, to: 14155551234 })).destinations[0].address, {
        _tag: "PhoneNumber",
        number: "14155551234"
      })
    })
  })

  describe("PARAM-4 parallel dialling", () => {
    it("PARAM-4 allows several destinations for an Agent", () => {
      assert.strictEqual(dial(ok({ ...base, to: "1<2<3" })).destinations.length, 3)
    })
    it("PARAM-4 refuses three destinations with role Customer, and two with Supervisor", () => {
      assert.strictEqual(
        refusedFor({ ...base, role: "Customer", to: "1<2<3" }, "to"),
        "several destinations (3) are allowed only with role Agent, not Customer"
      )
      refusedFor({ ...base, role: "supervisor", to: "1<2" }, "to")
    })
  })

  describe("PARAM-5 caller_name", () => {
    it("PARAM-5 defaults to the from number", () => {
      assert.strictEqual(dial(ok(base)).callerName, "+12025550000")
    })
    it("PARAM-5 accepts 50 characters and refuses 51", () => {
      assert.strictEqual(dial(ok({ ...base, caller_name: "x".repeat(50) })).callerName, "x".repeat(50))
      assert.include(refusedFor({ ...base, caller_name: "x".repeat(51) }, "caller_name"), "51 characters")
    })
    it("PARAM-5 counts characters, not UTF-16 units", () => {
      assert.strictEqual(dial(ok({ ...base, caller_name: "😀".repeat(50) })).callerName.length, 100)
      refusedFor({ ...base, caller_name: "😀".repeat(51) }, "caller_name")
    })
  })

  describe("PARAM-6 methods", () => {
    const methods = [
      ["call_status_callback", "POST"],
      ["confirm_key_sound", "GET"],
      ["wait_music", "GET"],
      ["agent_hold_music", "GET"],
      ["customer_hold_music", "GET"],
      ["recording_callback", "POST"],
      ["status_callback", "POST"],
      ["on_exit_action", "POST"]
    ] as const
    const webhookOf = (r: AddParticipantRequest, name: (typeof methods)[number][0]) => {
      const t = dial(r)
      switch (name) {
        case "call_status_callback":
          return t.callStatusCallback
        case "confirm_key_sound":
          return t.confirmKeySound
        case "wait_music":
          return r.mpc.waitMusic
        case "agent_hold_music":
          return r.mpc.agentHoldMusic
        case "customer_hold_music":
          return r.mpc.customerHoldMusic
        case "recording_callback":
          return r.mpc.recordingCallback
        case "status_callback":
          return r.mpc.statusCallback
        case "on_exit_action":
          return r.onExitAction
      }
    }
    it("PARAM-6 applies each *_method default the page gives", () => {
      for (const [name, method] of methods) {
        const r = ok({ ...base, [`${name}_url`]: "https://example.com/cb" })
        assert.deepStrictEqual(webhookOf(r, name), { url: "https://example.com/cb", method }, name)
      }
      const sounds = ok({ ...base, enter_sound: "https://e.com/in.xml", exit_sound: "https://e.com/out.xml" })
      assert.deepStrictEqual(sounds.enterSound, {
        _tag: "SoundXml",
        url: "https://e.com/in.xml",
        method: "GET"
      })
      assert.deepStrictEqual(sounds.exitSound, {
        _tag: "SoundXml",
        url: "https://e.com/out.xml",
        method: "GET"
      })
    })
    it("PARAM-6 takes GET and POST in any case", () => {
      for (const [name] of methods) {
        const r = ok({ ...base, [`${name}_url`]: "https://example.com/cb", [`${name}_method`]: "get" })
        assert.strictEqual(webhookOf(r, name)?.method, "GET", name)
      }
    })
    it("PARAM-6 refuses any other verb, naming the parameter", () => {
      for (const [name] of methods) {
        assert.strictEqual(
          refusedFor({ ...base, [`${name}_method`]: "PUT" }, `${name}_method`),
          'expected one of GET, POST, got "PUT"'
        )
      }
      refusedFor({ ...base, enter_sound_method: "DELETE" }, "enter_sound_method")
      refusedFor({ ...base, exit_sound_method: "PATCH" }, "exit_sound_method")
    })
  })

  describe("PARAM-7 confirm_key", () => {
    it("PARAM-7 accepts each allowed key", () => {
      for (const key of ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "*"]) {
        assert.strictEqual(dial(ok({ ...base, confirm_key: key })).confirmKey, key)
      }
    })
    it("PARAM-7 refuses A, 10 and **", () => {
      assert.strictEqual(
        refusedFor({ ...base, confirm_key: "A" }, "confirm_key"),
        'expected one of 0-9, # or *, got "A"'
      )
      refusedFor({ ...base, confirm_key: "10" }, "confirm_key")
      refusedFor({ ...base, confirm_key: "**" }, "confirm_key")
    })
    it("PARAM-7 has no confirm key unless one is given", () => {
      assert.isUndefined(dial(ok(base)).confirmKey)
    })
  })

  describe("PARAM-8 ring_timeout", () => {
    it("PARAM-8 defaults to 45", () => {
      assert.strictEqual(dial(ok(base)).destinations[0].ringTimeout, 45)
    })
    it("PARAM-8 accepts 15 and 120, refuses 14 and 121", () => {
      assert.strictEqual(dial(ok({ ...base, ring_timeout: 15 })).destinations[0].ringTimeout, 15)
      assert.strictEqual(dial(ok({ ...base, ring_timeout: "120" })).destinations[0].ringTimeout, 120)
      assert.include(refusedFor({ ...base, ring_timeout: 14 }, "ring_timeout"), "an integer from 15 to 120")
      refusedFor({ ...base, ring_timeout: "121" }, "ring_timeout")
    })
    it("PARAM-8 refuses fractions and non-digits", () => {
      for (const v of [20.5, "20.0", "abc", " 20", true])
        refusedFor({ ...base, ring_timeout: v }, "ring_timeout")
    })
    it("PARAM-8 takes one value per destination joined by '<', or one for all", () => {
      const each = dial(ok({ ...base, to: "1<2", ring_timeout: "20<60" }))
      assert.deepStrictEqual(
        each.destinations.map((d) => d.ringTimeout),
        [20, 60]
      )
      const all = dial(ok({ ...base, to: "1<2<3", ring_timeout: "30" }))
      assert.deepStrictEqual(
        all.destinations.map((d) => d.ringTimeout),
        [30, 30, 30]
      )
      assert.include(refusedFor({ ...base, to: "1<2<3", ring_timeout: "20<60" }, "ring_timeout"), "got 2")
    })
  })

  describe("PARAM-9 delay_dial", () => {
    it("PARAM-9 defaults to 0, accepts 0 and 120, refuses -1 and 121", () => {
      assert.strictEqual(dial(ok(base)).destinations[0].delayDial, 0)
      assert.strictEqual(dial(ok({ ...base, delay_dial: "120" })).destinations[0].delayDial, 120)
      refusedFor({ ...base, delay_dial: -1 }, "delay_dial")
      refusedFor({ ...base, delay_dial: 121 }, "delay_dial")
    })
    it("PARAM-9 applies several values in order and one value to every destination", () => {
      assert.deepStrictEqual(
        dial(ok({ ...base, to: "1<2<3", delay_dial: "0<5<10" })).destinations.map((d) => d.delayDial),
        [0, 5, 10]
      )
      assert.deepStrictEqual(
        dial(ok({ ...base, to: "1<2", delay_dial: 7 })).destinations.map((d) => d.delayDial),
        [7, 7]
      )
    })
    it("PARAM-9 refuses delay_dial 1<2<3 for two destinations", () => {
      assert.strictEqual(
        refusedFor({ ...base, to: "1<2", delay_dial: "1<2<3" }, "delay_dial"),
        "expected 1 value or 2 joined by '<' (one per destination), got 3"
      )
    })
    it("PARAM-9 names the value out of range in a list", () => {
      assert.include(refusedFor({ ...base, to: "1<2", delay_dial: "1<200" }, "delay_dial"), 'value 2 ("200")')
    })
  })

  describe("PARAM-10 max_duration", () => {
    it("PARAM-10 defaults to 14400, accepts 300 and 28800, refuses 299 and 28801", () => {
      assert.strictEqual(ok(base).mpc.maxDuration, 14_400)
      assert.strictEqual(ok({ ...base, max_duration: 300 }).mpc.maxDuration, 300)
      assert.strictEqual(ok({ ...base, max_duration: "28800" }).mpc.maxDuration, 28_800)
      refusedFor({ ...base, max_duration: 299 }, "max_duration")
      refusedFor({ ...base, max_duration: 28_801 }, "max_duration")
    })
  })

  describe("PARAM-11 max_participants", () => {
    it("PARAM-11 defaults to 10, accepts 2 and 10, refuses 1 and 11", () => {
      assert.strictEqual(ok(base).mpc.maxParticipants, 10)
      assert.strictEqual(ok({ ...base, max_participants: 2 }).mpc.maxParticipants, 2)
      assert.strictEqual(ok({ ...base, max_participants: "10" }).mpc.maxParticipants, 10)
      assert.strictEqual(
        refusedFor({ ...base, max_participants: 1 }, "max_participants"),
        "expected an integer from 2 to 10, got 1"
      )
      assert.strictEqual(
        refusedFor({ ...base, max_participants: "11" }, "max_participants"),
        'expected an integer from 2 to 10, got "11"'
      )
    })
  })

  describe("PARAM-12 recording options", () => {
    it("PARAM-12 defaults record false, mp3, no participant track", () => {
      const r = ok(base)
      assert.strictEqual(r.record, false)
      assert.strictEqual(r.mpc.recordFileFormat, "mp3")
      assert.strictEqual(r.recordParticipantTrack, false)
    })
    it("PARAM-12 accepts wav in any case and booleans as strings", () => {
      const r = ok({ ...base, record: "true", record_file_format: "WAV", record_participant_track: true })
      assert.strictEqual(r.record, true)
      assert.strictEqual(r.mpc.recordFileFormat, "wav")
      assert.strictEqual(r.recordParticipantTrack, true)
    })
    it("PARAM-12 refuses other formats and non-booleans", () => {
      refusedFor({ ...base, record_file_format: "ogg" }, "record_file_format")
      assert.strictEqual(
        refusedFor({ ...base, record: "yes" }, "record"),
        'expected true or false, got "yes"'
      )
      refusedFor({ ...base, record_participant_track: 1 }, "record_participant_track")
    })
  })

  describe("PARAM-13 record_min_member_count", () => {
    it("PARAM-13 defaults to 1, accepts 1 and 2 (numbers or strings), refuses 0 and 3", () => {
      assert.strictEqual(ok(base).mpc.recordMinMemberCount, 1)
      assert.strictEqual(ok({ ...base, record_min_member_count: "2" }).mpc.recordMinMemberCount, 2)
      assert.strictEqual(ok({ ...base, record_min_member_count: 1 }).mpc.recordMinMemberCount, 1)
      refusedFor({ ...base, record_min_member_count: 0 }, "record_min_member_count")
      refusedFor({ ...base, record_min_member_count: "3" }, "record_min_member_count")
    })
  })

  describe("PARAM-14 status_callback_events", () => {
    it("PARAM-14 defaults to mpc-state-changes,participant-state-changes", () => {
      assert.deepStrictEqual(ok(base).mpc.statusCallbackEvents, [
        "mpc-state-changes",
        "participant-state-changes"
      ])
    })
    it("PARAM-14 trims, ignores case, order and repeats, and keeps a canonical order", () => {
      const r = ok({
        ...base,
        status_callback_events:
          " Participant-Audio-Events , mpc-state-changes,participant-speak-events,mpc-state-changes"
      })
      assert.deepStrictEqual(r.mpc.statusCallbackEvents, [
        "mpc-state-changes",
        "participant-speak-events",
        "participant-audio-events"
      ])
    })
    it("PARAM-14 accepts every group", () => {
      const all =
        "mpc-state-changes,participant-state-changes,participant-digit-input-events,participant-speak-events,add-participant-api-events,participant-audio-events"
      assert.strictEqual(ok({ ...base, status_callback_events: all }).mpc.statusCallbackEvents.length, 6)
    })
    it("PARAM-14 names the unknown group", () => {
      assert.include(
        refusedFor(
          { ...base, status_callback_events: "mpc-state-changes,participant-events" },
          "status_callback_events"
        ),
        '"participant-events" is not an event group'
      )
      refusedFor({ ...base, status_callback_events: " , " }, "status_callback_events")
    })
  })

  describe("PARAM-15 booleans", () => {
    it("PARAM-15 applies each default", () => {
      const r = ok(base)
      assert.deepStrictEqual(
        [r.stayAlone, r.coachMode, r.mute, r.hold, r.startMpcOnEnter, r.endMpcOnExit, r.relayDtmfInputs],
        [false, true, false, false, true, false, false]
      )
    })
    it("PARAM-15 takes true/false natively or as strings in any case (Python sends True)", () => {
      const r = ok({
        ...base,
        stay_alone: "True",
        coach_mode: "false",
        mute: true,
        hold: "TRUE",
        start_mpc_on_enter: false,
        end_mpc_on_exit: "true",
        relay_dtmf_inputs: "true"
      })
      assert.deepStrictEqual(
        [r.stayAlone, r.coachMode, r.mute, r.hold, r.startMpcOnEnter, r.endMpcOnExit, r.relayDtmfInputs],
        [true, false, true, true, false, true, true]
      )
    })
    it("PARAM-15 refuses 1, 0 and yes", () => {
      for (const name of [
        "stay_alone",
        "coach_mode",
        "mute",
        "hold",
        "start_mpc_on_enter",
        "end_mpc_on_exit",
        "relay_dtmf_inputs"
      ]) {
        for (const v of [1, "0", "yes"]) refusedFor({ ...base, [name]: v }, name)
      }
    })
  })

  describe("PARAM-16 enter_sound and exit_sound", () => {
    it("PARAM-16 defaults to beep:1 and beep:2", () => {
      const r = ok(base)
      assert.deepStrictEqual(r.enterSound, Defaults.enterSound)
      assert.deepStrictEqual(r.exitSound, { _tag: "Beep", count: 2 })
    })
    it("PARAM-16 accepts none, beep:1, beep:2 and URLs with their method", () => {
      assert.deepStrictEqual(ok({ ...base, enter_sound: "none" }).enterSound, { _tag: "Silence" })
      assert.deepStrictEqual(ok({ ...base, enter_sound: "beep:2" }).enterSound, { _tag: "Beep", count: 2 })
      assert.deepStrictEqual(ok({ ...base, exit_sound: "beep:1" }).exitSound, { _tag: "Beep", count: 1 })
      assert.deepStrictEqual(
        ok({ ...base, exit_sound: "http://example.com/bye.xml", exit_sound_method: "post" }).exitSound,
        { _tag: "SoundXml", url: "http://example.com/bye.xml", method: "POST" }
      )
    })
    it("PARAM-16 refuses beep:3 and non-http URLs", () => {
      refusedFor({ ...base, enter_sound: "beep:3" }, "enter_sound")
      refusedFor({ ...base, exit_sound: "ftp://example.com/x.xml" }, "exit_sound")
    })
  })

  describe("PARAM-17 sip_headers", () => {
    it("PARAM-17 parses key=value pairs joined by ','", () => {
      assert.deepStrictEqual(
        dial(ok({ ...base, sip_headers: "head1=val1,head2=val2" })).destinations[0].sipHeaders,
        [
          { name: "head1", value: "val1" },
          { name: "head2", value: "val2" }
        ]
      )
    })
    it("PARAM-17 gives each destination its own set, or one set to all", () => {
      const each = dial(ok({ ...base, to: "1<2<3", sip_headers: "key1=value1<key2=value2<" }))
      assert.deepStrictEqual(
        each.destinations.map((d) => d.sipHeaders),
        [[{ name: "key1", value: "value1" }], [{ name: "key2", value: "value2" }], []]
      )
      const all = dial(ok({ ...base, to: "1<2", sip_headers: "a=1" }))
      assert.deepStrictEqual(
        all.destinations.map((d) => d.sipHeaders),
        [[{ name: "a", value: "1" }], [{ name: "a", value: "1" }]]
      )
      refusedFor({ ...base, to: "1<2<3", sip_headers: "a=1<b=2" }, "sip_headers")
    })
    it("PARAM-17 refuses a SIP header key with '-'", () => {
      assert.include(
        refusedFor({ ...base, sip_headers: "x-id=1" }, "sip_headers"),
        '"x-id=1" is not a valid pair'
      )
    })
    it("PARAM-17 refuses malformed pairs instead of dropping them", () => {
      for (const h of ["a=", "=1", "a", "a=1,", "a=b=c", "a=1,a=2", "a=v_1"])
        refusedFor({ ...base, sip_headers: h }, "sip_headers")
    })
    it("PARAM-17 allows names of 24 and values of 120 characters, not one more", () => {
      ok({ ...base, sip_headers: `${"n".repeat(24)}=${"v".repeat(120)}` })
      refusedFor({ ...base, sip_headers: `${"n".repeat(25)}=v` }, "sip_headers")
      refusedFor({ ...base, sip_headers: `n=${"v".repeat(121)}` }, "sip_headers")
    })
  })

  describe("PARAM-18 URLs", () => {
    const urls = [
      "call_status_callback_url",
      "confirm_key_sound_url",
      "wait_music_url",
      "agent_hold_music_url",
      "customer_hold_music_url",
      "recording_callback_url",
      "status_callback_url",
      "on_exit_action_url"
    ]
    it("PARAM-18 keeps absolute http and https URLs exactly as given", () => {
      const url = "https://Example.com:8443/a/b?x=1&y=%20#frag"
      assert.strictEqual(ok({ ...base, status_callback_url: url }).mpc.statusCallback?.url, url)
      ok({ ...base, wait_music_url: "http://127.0.0.1:9000/music.xml" })
    })
    it("PARAM-18 refuses relative, non-http and malformed URLs, naming the parameter", () => {
      for (const name of urls) {
        for (const url of ["/relative", "example.com/x", "ftp://example.com", "http://", "http:// x.com"]) {
          assert.include(
            refusedFor({ ...base, [name]: url }, name),
            "expected an absolute http(s) URL",
            `${name}=${url}`
          )
        }
      }
    })
  })

  describe("PARAM-19 unknown parameters", () => {
    it("PARAM-19 ignores the extra fields SDKs send", () => {
      const r = ok({ ...base, dial_music: "Real", is_voice_request: "true", whatever: { nested: [1] } })
      assert.deepStrictEqual(r, ok(base))
    })
    it("PARAM-19 never ignores a known parameter with a wrong type", () => {
      refusedFor({ ...base, mute: { value: true } }, "mute")
      refusedFor({ ...base, ring_timeout: [20] }, "ring_timeout")
    })
    it("PARAM-19 [decision] treats null and empty strings as not given", () => {
      assert.deepStrictEqual(
        ok({ ...base, ring_timeout: null, confirm_key: "", wait_music_url: null, caller_name: "" }),
        ok(base)
      )
    })
  })

  describe("bodies", () => {
    it("decodes a form body, with the values as strings", () => {
      const r = AddParticipantParams.decodeForm(
        "role=agent&from=%2B12025550000&to=14156667777%3C14156667778&ring_timeout=30&mute=true&dial_music=Real"
      )
      assert.isTrue(Either.isRight(r))
      const req = Either.getOrThrow(r)
      assert.strictEqual(req.mute, true)
      assert.deepStrictEqual(
        dial(req).destinations.map((d) => d.ringTimeout),
        [30, 30]
      )
    })
    it("refuses a parameter given twice in a form body, naming it", () => {
      const r = AddParticipantParams.decodeForm("role=Agent&from=1&to=2&to=3")
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r))
        assert.deepStrictEqual(
          r.left.issues.map((i) => i.parameter),
          ["to"]
        )
    })
    it("refuses malformed JSON and non-object bodies under 'body'", () => {
      for (const text of ["{", "[1,2]", "null", '"role"', "42"]) {
        const r = AddParticipantParams.decodeJson(text)
        assert.isTrue(Either.isLeft(r), text)
        if (Either.isLeft(r)) assert.strictEqual(r.left.issues[0].parameter, "body")
      }
    })
    it("reports every refused parameter at once, in one Plivo-style line", () => {
      const r = AddParticipantParams.decode({
        ...base,
        ring_timeout: 14,
        max_participants: 11,
        confirm_key: "A"
      })
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r)) {
        assert.deepStrictEqual(
          r.left.issues.map((i) => i.parameter),
          ["confirm_key", "ring_timeout", "max_participants"]
        )
        assert.strictEqual(
          r.left.error,
          "confirm_key: expected one of 0-9, # or *, got \"A\"; ring_timeout: expected an integer from 15 to 120, or one per destination joined by '<', got 14; max_participants: expected an integer from 2 to 10, got 11"
        )
        assert.notInclude(r.left.error, "undefined")
      }
    })
    it("accepts the page's curl example and the Node SDK's full body", () => {
      ok({ to: "+12025551111", from: "+12025550000", role: "Agent", start_mpc_on_enter: true })
      const sdk = {
        role: "Agent",
        from: "+12025550000",
        to: "+12025551111",
        call_status_callback_method: "POST",
        confirm_key_sound_method: "GET",
        dial_music: "Real",
        ring_timeout: 45,
        delay_dial: 0,
        max_duration: 14400,
        max_participants: 10,
        record_min_member_count: 1,
        wait_music_method: "GET",
        agent_hold_music_method: "GET",
        customer_hold_music_method: "GET",
        recording_callback_method: "GET",
        status_callback_method: "GET",
        on_exit_action_method: "POST",
        record: "false",
        record_file_format: "mp3",
        status_callback_events: "mpc-state-changes,participant-state-changes",
        stay_alone: "false",
        coach_mode: "true",
        mute: "false",
        hold: "false",
        start_mpc_on_enter: "true",
        end_mpc_on_exit: "false",
        relay_dtmf_inputs: "false",
        enter_sound: "beep:1",
        enter_sound_method: "GET",
        exit_sound: "beep:2",
        exit_sound_method: "GET",
        start_recording_audio_method: "GET",
        stop_recording_audio_method: "GET",
        record_participant_track: "false",
        is_voice_request: "true",
        caller_name: "+12025550000"
      }
      assert.deepStrictEqual(ok(sdk), ok(base))
    })
  })

  describe("encode", () => {
    it("writes every value out, and decoding that gives the same request", () => {
      const r = ok({
        ...base,
        to: "1<sip:a@b.c",
        ring_timeout: "20<30",
        sip_headers: "a=1<",
        exit_sound: "https://x.y/z"
      })
      const wire = Either.getOrThrow(AddParticipantParams.encode(r))
      assert.strictEqual(wire.ring_timeout, "20<30")
      assert.strictEqual(wire.to, "1<sip:a@b.c")
      assert.deepStrictEqual(ok(wire), r)
      const form = Either.getOrThrow(AddParticipantParams.encodeForm(r))
      assert.deepStrictEqual(Either.getOrThrow(AddParticipantParams.decodeForm(form)), r)
    })
  })
})
