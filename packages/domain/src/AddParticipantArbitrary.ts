/**
 * fast-check arbitraries of add-participant requests on the wire: valid ones in every form the
 * SDKs send (strings for numbers and booleans, any-case roles, extra fields, `null` for unset), and
 * invalid values for each parameter. Use them to property-test a service that accepts these requests.
 *
 * @since 0.1.0
 */
import * as fc from "effect/FastCheck"
import { EventGroup, MaxDestinations } from "./AddParticipantRequest.js"

/**
 * A wire request: what a JSON or form body carries.
 *
 * @since 0.1.0
 * @category testing
 */
export type WireRequest = Record<string, unknown>

const casing = (s: string): fc.Arbitrary<string> => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase())

/** An integer as a number or as its decimal string. */
const wireInt = (min: number, max: number): fc.Arbitrary<number | string> =>
  fc.integer({ min, max }).chain((n) => fc.constantFrom<number | string>(n, String(n)))

const wireBool: fc.Arbitrary<boolean | string> = fc
  .boolean()
  .chain((b) => fc.constantFrom<boolean | string>(b, String(b), String(b).toUpperCase()))

/**
 * PARAM-3: a phone number.
 *
 * @since 0.1.0
 * @category testing
 */
export const phoneNumber: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,15}$/))
  .map(([plus, digits]) => (plus ? `+${digits}` : digits))

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/)

/**
 * PARAM-3: a SIP URI.
 *
 * @since 0.1.0
 * @category testing
 */
export const sipUri: fc.Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~+-]{0,15}$/),
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
  )
  .map(([user, labels, port]) => `sip:${user}@${labels.join(".")}${port === undefined ? "" : `:${port}`}`)

/**
 * PARAM-3: a destination.
 *
 * @since 0.1.0
 * @category testing
 */
export const destination: fc.Arbitrary<string> = fc.oneof(phoneNumber, sipUri)

/**
 * PARAM-18: an absolute http(s) URL.
 *
 * @since 0.1.0
 * @category testing
 */
export const httpUrl: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("http", "https"),
    fc.oneof(fc.domain(), fc.constantFrom("localhost", "127.0.0.1", "[::1]")),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.webPath(),
    fc.option(fc.webQueryParameters(), { nil: undefined })
  )
  .map(
    ([scheme, host, port, path, query]) =>
      `${scheme}://${host}${port === undefined ? "" : `:${port}`}${path}${query === undefined ? "" : `?${query}`}`
  )

const method = fc.constantFrom("GET", "POST").chain(casing)

/**
 * XFER-1: a call UUID.
 *
 * @since 0.1.0
 * @category testing
 */
export const callUuid: fc.Arbitrary<string> = fc.uuid()

const headerSet = fc
  .uniqueArray(
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{1,24}$/), fc.stringMatching(/^[A-Za-z0-9]{1,120}$/)),
    { maxLength: 3, selector: ([name]) => name }
  )
  .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join(","))

/** One value for all `count` destinations, or one each, joined by `<` (PARAM-8, PARAM-9, PARAM-17). */
const perDestination = <A>(count: number, one: fc.Arbitrary<A>): fc.Arbitrary<A | string> =>
  count === 1
    ? one
    : fc.oneof(
        one,
        fc.array(one, { minLength: count, maxLength: count }).map((xs) => xs.join("<"))
      )

/** Optional parameters: absent, sometimes `null` or `""` (both mean absent), or a valid value. */
const optional = (arb: fc.Arbitrary<unknown>) =>
  fc.option(fc.oneof({ weight: 8, arbitrary: arb }, fc.constantFrom(null, "")), { nil: undefined, freq: 3 })

/** Fields Plivo's SDKs send that the page does not list (PARAM-19). */
const extras: fc.Arbitrary<WireRequest> = fc.record(
  {
    dial_music: fc.constantFrom("Real", "none"),
    is_voice_request: fc.constant("true"),
    start_recording_audio_method: fc.constant("GET"),
    x_custom: fc.jsonValue()
  },
  { requiredKeys: [] }
)

/**
 * A valid add-participant request as a client would send it: any role (parallel dialling only for
 * Agents), dial-out or transfer, every optional parameter absent or valid in one of its wire forms.
 *
 * @since 0.1.0
 * @category testing
 */
export const validWireRequest: fc.Arbitrary<WireRequest> = fc
  .tuple(fc.constantFrom("Agent", "Supervisor", "Customer"), fc.boolean())
  .chain(([role, transfer]) =>
    (transfer
      ? fc.constant(0)
      : role === "Agent"
        ? fc.integer({ min: 1, max: MaxDestinations })
        : fc.constant(1)
    ).chain((count) =>
      fc
        .tuple(
          casing(role),
          transfer
            ? fc.record({ call_uuid: callUuid })
            : fc.record({
                from: fc.oneof(phoneNumber, fc.integer({ min: 0, max: 2 ** 40 })),
                to: fc.array(destination, { minLength: count, maxLength: count }).map((ds) => ds.join("<"))
              }),
          fc.record(
            {
              caller_name: optional(fc.string({ maxLength: 50 })),
              call_status_callback_url: optional(httpUrl),
              call_status_callback_method: optional(method),
              confirm_key: optional(
                fc.oneof(
                  fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "*"),
                  fc.integer({ min: 0, max: 9 })
                )
              ),
              confirm_key_sound_url: optional(httpUrl),
              confirm_key_sound_method: optional(method),
              ring_timeout: optional(perDestination(Math.max(count, 1), wireInt(15, 120))),
              delay_dial: optional(perDestination(Math.max(count, 1), wireInt(0, 120))),
              max_duration: optional(wireInt(300, 28_800)),
              max_participants: optional(wireInt(2, 10)),
              wait_music_url: optional(httpUrl),
              wait_music_method: optional(method),
              agent_hold_music_url: optional(httpUrl),
              agent_hold_music_method: optional(method),
              customer_hold_music_url: optional(httpUrl),
              customer_hold_music_method: optional(method),
              record: optional(wireBool),
              record_file_format: optional(fc.constantFrom("mp3", "wav").chain(casing)),
              recording_callback_url: optional(httpUrl),
              recording_callback_method: optional(method),
              record_min_member_count: optional(wireInt(1, 2)),
              record_participant_track: optional(wireBool),
              status_callback_url: optional(httpUrl),
              status_callback_method: optional(method),
              status_callback_events: optional(
                fc
                  .uniqueArray(fc.constantFrom(...EventGroup.literals), { minLength: 1 })
                  .chain((gs) => fc.constantFrom(gs.join(","), gs.join(" , "), gs.join(",").toUpperCase()))
              ),
              stay_alone: optional(wireBool),
              coach_mode: optional(wireBool),
              mute: optional(wireBool),
              hold: optional(wireBool),
              start_mpc_on_enter: optional(wireBool),
              end_mpc_on_exit: optional(wireBool),
              enter_sound: optional(fc.oneof(fc.constantFrom("none", "beep:1", "beep:2", "BEEP:1"), httpUrl)),
              enter_sound_method: optional(method),
              exit_sound: optional(fc.oneof(fc.constantFrom("none", "beep:1", "beep:2", "None"), httpUrl)),
              exit_sound_method: optional(method),
              on_exit_action_url: optional(httpUrl),
              on_exit_action_method: optional(method),
              relay_dtmf_inputs: optional(wireBool),
              sip_headers: optional(perDestination(Math.max(count, 1), headerSet).filter((s) => s !== ""))
            },
            { requiredKeys: [] }
          ),
          extras
        )
        .map(([r, target, params, extra]) => {
          const out: WireRequest = { ...extra, role: r, ...target }
          for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v
          return out
        })
    )
  )

/** Values no parameter accepts: structures and non-finite numbers. */
const neverValid: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { minKeys: 1, maxKeys: 2 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1.5)
)

const outside = (min: number, max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer({ min: -1000, max: min - 1 }),
    fc.integer({ min: max + 1, max: 1_000_000 }),
    fc.integer({ min: max + 1, max: 1_000_000 }).map(String),
    fc.constantFrom(`${min}.5`, "abc", "1e2", " 20", "0x10", true)
  )

const badMethod = fc.oneof(
  fc.constantFrom("PUT", "DELETE", "PATCH", "GETX", "post "),
  fc.integer(),
  fc.boolean()
)
const badUrl = fc.oneof(
  fc.constantFrom(
    "ftp://example.com/x",
    "example.com/x",
    "/relative",
    "http://",
    "https//x.y",
    "mailto:a@b.c",
    "http:// x"
  ),
  fc.integer()
)
const badBool = fc.oneof(fc.constantFrom("yes", "no", "1", "0", "t", "truee"), fc.integer())
const badSound = fc.oneof(fc.constantFrom("beep", "beep:3", "beep:0", "silence", "ftp://x.y/z"), fc.integer())

/**
 * For each parameter, values it refuses (never `null` or `""`: those mean "not given").
 *
 * @since 0.1.0
 * @category constants
 */
export const invalidValues: { readonly [parameter: string]: fc.Arbitrary<unknown> } = {
  role: fc.oneof(fc.constantFrom("Admin", "agents", "Coach", "Agent ", "0"), fc.integer(), fc.boolean()),
  from: fc.oneof(
    fc.constantFrom("abc", "+", "++1", "1-202", "sip:a@b.c", "1234567890123456"),
    fc.integer({ min: -99, max: -1 })
  ),
  to: fc.oneof(
    fc.constantFrom("abc", "+", "1<", "<1", "1<<2", "sip:@host", "sip:user@", "sip:us er@h.com", "tel:123"),
    fc
      .array(phoneNumber, { minLength: MaxDestinations + 1, maxLength: MaxDestinations + 3 })
      .map((ds) => ds.join("<")),
    fc.boolean()
  ),
  call_uuid: fc.oneof(
    fc.constantFrom("abc", "0b7b4242-8ee8-4872-b447", "0b7b4242_8ee8_4872_b447_81b4ce972eae"),
    fc.integer()
  ),
  caller_name: fc.oneof(
    fc.string({ minLength: 51, maxLength: 80 }).filter((s) => [...s].length > 50),
    fc.integer(),
    fc.boolean()
  ),
  call_status_callback_url: badUrl,
  call_status_callback_method: badMethod,
  confirm_key: fc.oneof(fc.constantFrom("A", "10", "**", "#1", "a", "+"), fc.constantFrom(10, -1, 1.5)),
  confirm_key_sound_url: badUrl,
  confirm_key_sound_method: badMethod,
  ring_timeout: fc.oneof(outside(15, 120), fc.constantFrom("20<14", "14<20")),
  delay_dial: fc.oneof(outside(0, 120), fc.constantFrom("1<121", "-1")),
  max_duration: outside(300, 28_800),
  max_participants: outside(2, 10),
  wait_music_url: badUrl,
  wait_music_method: badMethod,
  agent_hold_music_url: badUrl,
  agent_hold_music_method: badMethod,
  customer_hold_music_url: badUrl,
  customer_hold_music_method: badMethod,
  record: badBool,
  record_file_format: fc.oneof(fc.constantFrom("ogg", "mp4", "wave", "mp3 "), fc.integer()),
  recording_callback_url: badUrl,
  recording_callback_method: badMethod,
  record_min_member_count: outside(1, 2),
  record_participant_track: badBool,
  status_callback_url: badUrl,
  status_callback_method: badMethod,
  status_callback_events: fc.oneof(
    fc.constantFrom("foo", "mpc-state-changes,foo", ",", "mpc state changes"),
    fc.integer()
  ),
  stay_alone: badBool,
  coach_mode: badBool,
  mute: badBool,
  hold: badBool,
  start_mpc_on_enter: badBool,
  end_mpc_on_exit: badBool,
  enter_sound: badSound,
  enter_sound_method: badMethod,
  exit_sound: badSound,
  exit_sound_method: badMethod,
  on_exit_action_url: badUrl,
  on_exit_action_method: badMethod,
  relay_dtmf_inputs: badBool,
  sip_headers: fc.oneof(
    fc.constantFrom(
      "a-b=1",
      "a=",
      "=1",
      "a=1,a=2",
      "a=1,",
      "a",
      "a=b=c",
      "a=1;b=2",
      `${"k".repeat(25)}=1`,
      `k=${"v".repeat(121)}`
    ),
    fc.integer()
  )
}

/**
 * A parameter and a value it refuses, mixed with values no parameter accepts.
 *
 * @since 0.1.0
 * @category testing
 */
export const invalidParameter: fc.Arbitrary<readonly [string, unknown]> = fc
  .constantFrom(...Object.keys(invalidValues))
  .chain((p) => fc.tuple(fc.constant(p), fc.oneof({ weight: 4, arbitrary: invalidValues[p]! }, neverValid)))
