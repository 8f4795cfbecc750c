/**
 * The add-participant request on the wire: the page's snake_case parameters as JSON values or form
 * strings, decoded to an `AddParticipantRequest` with every default applied (PARAM-1 to PARAM-19),
 * or refused with the parameters at fault.
 *
 * @example
 * import { AddParticipantParams } from "@mpc-kit/domain"
 *
 * const result = AddParticipantParams.decode({ role: "agent", from: "+12025550000", to: "+12025551111<sip:ann@example.com" })
 * // Either.right({ role: "Agent", target: { _tag: "DialOut", destinations: [...] , ... }, ... })
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  type AddParticipantRequest,
  Address,
  CallerName,
  CallUuidPattern,
  ConfirmKey,
  characterCount,
  Defaults,
  DelayDial,
  type Destination,
  EventGroup,
  formatAddress,
  HttpMethod,
  HttpUrl,
  isHttpUrl,
  MaxCallerNameLength,
  MaxDestinations,
  MaxDuration,
  MaxParticipants,
  PhoneNumberPattern,
  RecordFileFormat,
  RecordMinMemberCount,
  RingTimeout,
  Role,
  SipHeader,
  SipHostPattern,
  SipUserPattern,
  type Sound,
  type Webhook
} from "./AddParticipantRequest.js"
import { describeValue, fromParseError, type InvalidRequest, invalidParameter } from "./InvalidRequest.js"
import {
  BooleanParam,
  Invalid,
  intListParam,
  intParam,
  param,
  WireNumber,
  WireString,
  wordParam
} from "./Param.js"

// ---------------------------------------------------------------------------------------------
// Single parameters
// ---------------------------------------------------------------------------------------------

/**
 * PARAM-1: `Agent`, `Supervisor` or `Customer`, in any case.
 *
 * @since 0.1.0
 * @category decoding
 */
export const RoleParam = wordParam(Role.literals)

/**
 * PARAM-6: `GET` or `POST`, in any case.
 *
 * @since 0.1.0
 * @category decoding
 */
export const MethodParam = wordParam(HttpMethod.literals)

/**
 * PARAM-12: `mp3` or `wav`, in any case.
 *
 * @since 0.1.0
 * @category decoding
 */
export const RecordFileFormatParam = wordParam(RecordFileFormat.literals)

/**
 * PARAM-18: an absolute http(s) URL.
 *
 * @since 0.1.0
 * @category decoding
 */
export const UrlParam = param<string, string>({
  expected: "an absolute http(s) URL",
  encoded: WireString,
  type: HttpUrl,
  parse: (i) => (isHttpUrl(i) ? i : undefined),
  format: (a) => a
})

const phoneOrNumber = (i: string | number): string | undefined => {
  if (typeof i === "number") return Number.isSafeInteger(i) && i >= 0 ? String(i) : undefined
  return PhoneNumberPattern.test(i) ? i : undefined
}

/**
 * PARAM-2: the caller ID of the outbound legs: a phone number.
 *
 * @since 0.1.0
 * @category decoding
 */
export const FromParam = param<string, string | number>({
  expected: "a phone number (digits with an optional leading +)",
  encoded: WireNumber,
  type: Schema.String.pipe(Schema.pattern(PhoneNumberPattern)),
  parse: phoneOrNumber,
  format: (a) => a
})

const sipUri = /^sip:([^@]+)@(.+)$/i

/**
 * PARAM-3: one destination address, or a reason it is not one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseAddress = (s: string): Address | undefined => {
  if (PhoneNumberPattern.test(s)) return { _tag: "PhoneNumber", number: s }
  const m = sipUri.exec(s)
  if (m !== null && SipUserPattern.test(m[1]!) && SipHostPattern.test(m[2]!)) {
    return { _tag: "SipUri", user: m[1]!, host: m[2]! }
  }
  return undefined
}

type Destinations = readonly [Address, ...Array<Address>]

/**
 * PARAM-3: one to 20 destinations joined by `<`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const ToParam = param<Destinations, string | number>({
  expected: `1 to ${MaxDestinations} phone numbers (digits, optional leading +) or SIP URIs (sip:user@host) joined by '<'`,
  encoded: WireNumber,
  type: Schema.NonEmptyArray(Address),
  parse: (i) => {
    if (typeof i === "number") {
      const n = phoneOrNumber(i)
      return n === undefined ? undefined : [{ _tag: "PhoneNumber", number: n }]
    }
    const parts = i.split("<")
    if (parts.length > MaxDestinations)
      return new Invalid(`${parts.length} destinations, at most ${MaxDestinations}`)
    const out: Array<Address> = []
    for (let k = 0; k < parts.length; k++) {
      const a = parseAddress(parts[k]!)
      if (a === undefined) {
        return parts.length === 1
          ? undefined
          : new Invalid(
              `destination ${k + 1} (${describeValue(parts[k])}) is neither a phone number nor a SIP URI`
            )
      }
      out.push(a)
    }
    return out as unknown as Destinations
  },
  format: (a) => a.map(formatAddress).join("<")
})

/**
 * XFER-1: the UUID of a live call.
 *
 * @since 0.1.0
 * @category decoding
 */
export const CallUuidParam = param<string, string>({
  expected: "a call UUID (like 0b7b4242-8ee8-4872-b447-81b4ce972eae)",
  encoded: WireString,
  type: Schema.String.pipe(Schema.pattern(CallUuidPattern)),
  parse: (i) => (CallUuidPattern.test(i) ? i : undefined),
  format: (a) => a
})

/**
 * PARAM-5: a caller name of at most 50 characters.
 *
 * @since 0.1.0
 * @category decoding
 */
export const CallerNameParam = param<string, string>({
  expected: `a caller name of at most ${MaxCallerNameLength} characters`,
  encoded: WireString,
  type: CallerName,
  parse: (i) => {
    const n = characterCount(i)
    return n <= MaxCallerNameLength ? i : new Invalid(`${n} characters`)
  },
  format: (a) => a
})

/**
 * PARAM-7: one of `0`–`9`, `#`, `*` (a JSON integer 0–9 is taken as its digit).
 *
 * @since 0.1.0
 * @category decoding
 */
export const ConfirmKeyParam = param<ConfirmKey, string | number>({
  expected: "one of 0-9, # or *",
  encoded: WireNumber,
  type: ConfirmKey,
  parse: (i) => {
    const s = typeof i === "number" ? (Number.isInteger(i) ? String(i) : "") : i
    return (ConfirmKey.literals as ReadonlyArray<string>).includes(s) ? (s as ConfirmKey) : undefined
  },
  format: (a) => a
})

/**
 * PARAM-8
 *
 * @since 0.1.0
 * @category decoding
 */
export const RingTimeoutParam = intListParam(RingTimeout, 15, 120)
/**
 * PARAM-9
 *
 * @since 0.1.0
 * @category decoding
 */
export const DelayDialParam = intListParam(DelayDial, 0, 120)
/**
 * PARAM-10
 *
 * @since 0.1.0
 * @category decoding
 */
export const MaxDurationParam = intParam(MaxDuration, 300, 28_800)
/**
 * PARAM-11
 *
 * @since 0.1.0
 * @category decoding
 */
export const MaxParticipantsParam = intParam(MaxParticipants, 2, 10)
/**
 * PARAM-13
 *
 * @since 0.1.0
 * @category decoding
 */
export const RecordMinMemberCountParam = intParam(RecordMinMemberCount, 1, 2)

const groupByLower = new Map<string, EventGroup>(EventGroup.literals.map((g) => [g, g]))
const groupOrder = new Map<EventGroup, number>(EventGroup.literals.map((g, k) => [g, k]))

/**
 * PARAM-14: a comma-separated list of event groups, trimmed, in any case and order.
 *
 * @since 0.1.0
 * @category decoding
 */
export const StatusCallbackEventsParam = param<ReadonlyArray<EventGroup>, string>({
  expected: `a comma-separated list of ${EventGroup.literals.join(", ")}`,
  encoded: WireString,
  type: Schema.Array(EventGroup).pipe(Schema.minItems(1)),
  parse: (i) => {
    const set = new Set<EventGroup>()
    for (const raw of i.split(",")) {
      const item = raw.trim().toLowerCase()
      if (item === "") continue
      const g = groupByLower.get(item)
      if (g === undefined) return new Invalid(`${describeValue(raw.trim())} is not an event group`)
      set.add(g)
    }
    if (set.size === 0) return undefined
    return [...set].sort((a, b) => groupOrder.get(a)! - groupOrder.get(b)!)
  },
  format: (a) => a.join(",")
})

/**
 * PARAM-16: what a sound parameter names, before its `*_method` is attached.
 *
 * @since 0.1.0
 * @category models
 */
export const SoundSpec = Schema.Union(
  Schema.TaggedStruct("Silence", {}),
  Schema.TaggedStruct("Beep", { count: Schema.Literal(1, 2) }),
  Schema.TaggedStruct("SoundXml", { url: HttpUrl })
)
/**
 * The type of {@link SoundSpec}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type SoundSpec = typeof SoundSpec.Type

/**
 * PARAM-16: `none`, `beep:1`, `beep:2` or an http(s) URL returning Play/Speak/Wait XML.
 *
 * @since 0.1.0
 * @category decoding
 */
export const SoundParam = param<SoundSpec, string>({
  expected: "none, beep:1, beep:2 or an absolute http(s) URL",
  encoded: WireString,
  type: SoundSpec,
  parse: (i) => {
    switch (i.toLowerCase()) {
      case "none":
        return { _tag: "Silence" }
      case "beep:1":
        return { _tag: "Beep", count: 1 }
      case "beep:2":
        return { _tag: "Beep", count: 2 }
      default:
        return isHttpUrl(i) ? { _tag: "SoundXml", url: i } : undefined
    }
  },
  format: (a) => (a._tag === "Silence" ? "none" : a._tag === "Beep" ? `beep:${a.count}` : a.url)
})

type HeaderSets = readonly [ReadonlyArray<SipHeader>, ...Array<ReadonlyArray<SipHeader>>]
const headerPair = /^([A-Za-z0-9]{1,24})=([A-Za-z0-9]{1,120})$/

/**
 * PARAM-17: `key=value` pairs joined by `,`, one set per destination joined by `<`. A malformed
 * pair is refused (not dropped); an empty set means no headers for that destination.
 *
 * @since 0.1.0
 * @category decoding
 */
export const SipHeadersParam = param<HeaderSets, string>({
  expected:
    "key=value pairs joined by ',' (names of 1-24 and values of 1-120 letters or digits), one set per destination joined by '<'",
  encoded: WireString,
  type: Schema.NonEmptyArray(Schema.Array(SipHeader)),
  parse: (i) => {
    const sets = i.split("<")
    const out: Array<ReadonlyArray<SipHeader>> = []
    for (let k = 0; k < sets.length; k++) {
      const set = sets[k]!
      const headers: Array<SipHeader> = []
      if (set !== "") {
        const names = new Set<string>()
        for (const pair of set.split(",")) {
          const m = headerPair.exec(pair)
          const where = sets.length > 1 ? ` in set ${k + 1}` : ""
          if (m === null) return new Invalid(`${describeValue(pair)}${where} is not a valid pair`)
          if (names.has(m[1]!)) return new Invalid(`${m[1]}${where} is given twice`)
          names.add(m[1]!)
          headers.push({ name: m[1]!, value: m[2]! })
        }
      }
      out.push(headers)
    }
    return out as unknown as HeaderSets
  },
  format: (a) => a.map((set) => set.map((h) => `${h.name}=${h.value}`).join(",")).join("<")
})

// ---------------------------------------------------------------------------------------------
// The parameter set
// ---------------------------------------------------------------------------------------------

const opt = <A, I>(s: Schema.Schema<A, I>) => Schema.optionalWith(s, { exact: true })

/**
 * Every parameter of the page, each decoded on its own (PARAM-1 to PARAM-18). Unknown parameters
 * are ignored (PARAM-19). Cross-parameter rules and defaults come next, in `AddParticipantRequestFromParams`.
 *
 * @since 0.1.0
 * @category models
 */
export const AddParticipantParamsFields = Schema.Struct({
  role: Schema.propertySignature(RoleParam).annotations({
    missingMessage: () => "is required: one of Agent, Supervisor, Customer"
  }),
  from: opt(FromParam),
  to: opt(ToParam),
  call_uuid: opt(CallUuidParam),
  caller_name: opt(CallerNameParam),
  call_status_callback_url: opt(UrlParam),
  call_status_callback_method: opt(MethodParam),
  confirm_key: opt(ConfirmKeyParam),
  confirm_key_sound_url: opt(UrlParam),
  confirm_key_sound_method: opt(MethodParam),
  ring_timeout: opt(RingTimeoutParam),
  delay_dial: opt(DelayDialParam),
  max_duration: opt(MaxDurationParam),
  max_participants: opt(MaxParticipantsParam),
  wait_music_url: opt(UrlParam),
  wait_music_method: opt(MethodParam),
  agent_hold_music_url: opt(UrlParam),
  agent_hold_music_method: opt(MethodParam),
  customer_hold_music_url: opt(UrlParam),
  customer_hold_music_method: opt(MethodParam),
  record: opt(BooleanParam),
  record_file_format: opt(RecordFileFormatParam),
  recording_callback_url: opt(UrlParam),
  recording_callback_method: opt(MethodParam),
  record_min_member_count: opt(RecordMinMemberCountParam),
  record_participant_track: opt(BooleanParam),
  status_callback_url: opt(UrlParam),
  status_callback_method: opt(MethodParam),
  status_callback_events: opt(StatusCallbackEventsParam),
  stay_alone: opt(BooleanParam),
  coach_mode: opt(BooleanParam),
  mute: opt(BooleanParam),
  hold: opt(BooleanParam),
  start_mpc_on_enter: opt(BooleanParam),
  end_mpc_on_exit: opt(BooleanParam),
  enter_sound: opt(SoundParam),
  enter_sound_method: opt(MethodParam),
  exit_sound: opt(SoundParam),
  exit_sound_method: opt(MethodParam),
  on_exit_action_url: opt(UrlParam),
  on_exit_action_method: opt(MethodParam),
  relay_dtmf_inputs: opt(BooleanParam),
  sip_headers: opt(SipHeadersParam)
}).annotations({ identifier: "AddParticipantParams" })
/**
 * The type of {@link AddParticipantParamsFields}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type AddParticipantParamsFields = typeof AddParticipantParamsFields.Type
/**
 * The wire form: what a client may send.
 *
 * @since 0.1.0
 * @category models
 */
export type AddParticipantWire = typeof AddParticipantParamsFields.Encoded

/**
 * The names of every known parameter.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parameterNames: ReadonlyArray<keyof AddParticipantWire> = Object.keys(
  AddParticipantParamsFields.fields
) as Array<keyof AddParticipantWire>

const isAbsent = (u: unknown): boolean => u === null || u === undefined || u === ""

/**
 * [decision] A JSON `null` or an empty string is the same as leaving the parameter out: clients
 * send `null` for unset fields and HTML forms send empty inputs.
 *
 * @since 0.1.0
 * @category models
 */
export const AddParticipantParams = Schema.transform(
  Schema.declare(
    (u): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u),
    {
      identifier: "Parameters",
      jsonSchema: { type: "object" },
      message: (issue) => ({
        message: `expected an object of parameters, got ${describeValue(issue.actual)}`,
        override: true
      })
    }
  ),
  AddParticipantParamsFields,
  {
    strict: false,
    decode: (record) => {
      let out: Record<string, unknown> | undefined
      for (const key in record) {
        if (isAbsent(record[key])) {
          out ??= { ...record }
          delete out[key]
        }
      }
      return out ?? record
    },
    encode: (params) => params
  }
)

// ---------------------------------------------------------------------------------------------
// Cross-parameter rules and defaults
// ---------------------------------------------------------------------------------------------

const webhook = (
  url: string | undefined,
  method: HttpMethod | undefined,
  fallback: HttpMethod
): Webhook | undefined => (url === undefined ? undefined : { url, method: method ?? fallback })

const sound = (
  spec: SoundSpec | undefined,
  method: HttpMethod | undefined,
  fallback: Sound,
  fallbackMethod: HttpMethod
): Sound =>
  spec === undefined
    ? fallback
    : spec._tag === "SoundXml"
      ? { _tag: "SoundXml", url: spec.url, method: method ?? fallbackMethod }
      : spec

/** Picks value `k` of a per-destination list given once for all or once per destination. */
const nth = <A>(values: ReadonlyArray<A> | undefined, k: number, fallback: A): A =>
  values === undefined ? fallback : values.length === 1 ? values[0]! : values[k]!

/** Adds optional keys only when present, as `exactOptionalPropertyTypes` wants. */
const withOptional = <T extends object, O extends Record<string, unknown>>(base: T, optional: O) => {
  const out: Record<string, unknown> = base as Record<string, unknown>
  for (const key in optional) if (optional[key] !== undefined) out[key] = optional[key]
  return out as T & { [K in keyof O]?: Exclude<O[K], undefined> }
}

const resolve = (
  p: AddParticipantParamsFields,
  ast: Schema.Schema.Any["ast"]
): Either.Either<AddParticipantRequest, ParseResult.ParseIssue> => {
  const issues: Array<ParseResult.ParseIssue> = []
  const refuse = (parameter: keyof AddParticipantParamsFields, message: string) => {
    issues.push(new ParseResult.Pointer(parameter, p, new ParseResult.Type(ast, p, message)))
  }

  // PARAM-2: dial out (from + to) or transfer (call_uuid), exactly one of the two.
  const dialling = p.from !== undefined || p.to !== undefined
  if (p.call_uuid !== undefined) {
    if (dialling) {
      refuse(
        "call_uuid",
        "cannot be combined with from and to: give call_uuid to transfer a call, or from and to to dial out"
      )
    }
  } else if (p.from === undefined && p.to === undefined) {
    refuse("from", "is required (with to) unless call_uuid is given")
    refuse("to", "is required (with from) unless call_uuid is given")
  } else if (p.to === undefined) {
    refuse("to", "is required with from (or give call_uuid instead of both)")
  } else if (p.from === undefined) {
    refuse("from", "is required with to (or give call_uuid instead of both)")
  }

  const count = p.to?.length ?? 1
  // PARAM-4: parallel dialling only for Agents.
  if (count > 1 && p.role !== "Agent") {
    refuse("to", `several destinations (${count}) are allowed only with role Agent, not ${p.role}`)
  }
  // PARAM-8, PARAM-9, PARAM-17: one value for all destinations, or exactly one per destination.
  if (p.to !== undefined) {
    const perDestination = [
      ["ring_timeout", p.ring_timeout?.length],
      ["delay_dial", p.delay_dial?.length],
      ["sip_headers", p.sip_headers?.length]
    ] as const
    for (const [name, n] of perDestination) {
      if (n !== undefined && n !== 1 && n !== count) {
        refuse(name, `expected 1 value or ${count} joined by '<' (one per destination), got ${n}`)
      }
    }
  }

  if (issues.length > 0) {
    return Either.left(
      new ParseResult.Composite(ast, p, issues as [ParseResult.ParseIssue, ...Array<ParseResult.ParseIssue>])
    )
  }

  let target: AddParticipantRequest["target"]
  if (p.call_uuid !== undefined) {
    target = { _tag: "Transfer", callUuid: p.call_uuid }
  } else {
    const to = p.to!
    const destinations = to.map(
      (address, k): Destination => ({
        address,
        delayDial: nth(p.delay_dial, k, Defaults.delayDial),
        ringTimeout: nth(p.ring_timeout, k, Defaults.ringTimeout),
        sipHeaders: nth(p.sip_headers, k, [])
      })
    ) as unknown as readonly [Destination, ...Array<Destination>]
    target = withOptional(
      {
        _tag: "DialOut" as const,
        from: p.from!,
        // PARAM-5: the caller name defaults to the caller ID.
        callerName: p.caller_name ?? p.from!,
        destinations
      },
      {
        confirmKey: p.confirm_key,
        confirmKeySound: webhook(
          p.confirm_key_sound_url,
          p.confirm_key_sound_method,
          Defaults.confirmKeySoundMethod
        ),
        callStatusCallback: webhook(
          p.call_status_callback_url,
          p.call_status_callback_method,
          Defaults.callStatusCallbackMethod
        )
      }
    )
  }

  const mpc = withOptional(
    {
      maxDuration: p.max_duration ?? Defaults.maxDuration,
      maxParticipants: p.max_participants ?? Defaults.maxParticipants,
      recordFileFormat: p.record_file_format ?? Defaults.recordFileFormat,
      recordMinMemberCount: p.record_min_member_count ?? Defaults.recordMinMemberCount,
      statusCallbackEvents: p.status_callback_events ?? Defaults.statusCallbackEvents
    },
    {
      waitMusic: webhook(p.wait_music_url, p.wait_music_method, Defaults.waitMusicMethod),
      agentHoldMusic: webhook(
        p.agent_hold_music_url,
        p.agent_hold_music_method,
        Defaults.agentHoldMusicMethod
      ),
      customerHoldMusic: webhook(
        p.customer_hold_music_url,
        p.customer_hold_music_method,
        Defaults.customerHoldMusicMethod
      ),
      recordingCallback: webhook(
        p.recording_callback_url,
        p.recording_callback_method,
        Defaults.recordingCallbackMethod
      ),
      statusCallback: webhook(p.status_callback_url, p.status_callback_method, Defaults.statusCallbackMethod)
    }
  )

  return Either.right(
    withOptional(
      {
        role: p.role,
        target,
        mute: p.mute ?? Defaults.mute,
        hold: p.hold ?? Defaults.hold,
        coachMode: p.coach_mode ?? Defaults.coachMode,
        stayAlone: p.stay_alone ?? Defaults.stayAlone,
        startMpcOnEnter: p.start_mpc_on_enter ?? Defaults.startMpcOnEnter,
        endMpcOnExit: p.end_mpc_on_exit ?? Defaults.endMpcOnExit,
        relayDtmfInputs: p.relay_dtmf_inputs ?? Defaults.relayDtmfInputs,
        record: p.record ?? Defaults.record,
        recordParticipantTrack: p.record_participant_track ?? Defaults.recordParticipantTrack,
        enterSound: sound(
          p.enter_sound,
          p.enter_sound_method,
          Defaults.enterSound,
          Defaults.enterSoundMethod
        ),
        exitSound: sound(p.exit_sound, p.exit_sound_method, Defaults.exitSound, Defaults.exitSoundMethod),
        mpc
      },
      { onExitAction: webhook(p.on_exit_action_url, p.on_exit_action_method, Defaults.onExitActionMethod) }
    )
  )
}

const soundSpec = (s: Sound): SoundSpec => (s._tag === "SoundXml" ? { _tag: "SoundXml", url: s.url } : s)

/** Every value written out, so that decoding the result gives the same request back. */
const unresolve = (r: AddParticipantRequest): AddParticipantParamsFields => {
  const t = r.target
  const dial =
    t._tag === "DialOut"
      ? withOptional(
          {
            from: t.from,
            to: t.destinations.map((d) => d.address) as unknown as Destinations,
            caller_name: t.callerName,
            ring_timeout: t.destinations.map((d) => d.ringTimeout) as unknown as readonly [
              number,
              ...Array<number>
            ],
            delay_dial: t.destinations.map((d) => d.delayDial) as unknown as readonly [
              number,
              ...Array<number>
            ]
          },
          {
            sip_headers: t.destinations.some((d) => d.sipHeaders.length > 0)
              ? (t.destinations.map((d) => d.sipHeaders) as unknown as HeaderSets)
              : undefined,
            confirm_key: t.confirmKey,
            confirm_key_sound_url: t.confirmKeySound?.url,
            confirm_key_sound_method: t.confirmKeySound?.method,
            call_status_callback_url: t.callStatusCallback?.url,
            call_status_callback_method: t.callStatusCallback?.method
          }
        )
      : { call_uuid: t.callUuid }
  const m = r.mpc
  return withOptional(
    {
      role: r.role,
      ...dial,
      max_duration: m.maxDuration,
      max_participants: m.maxParticipants,
      record: r.record,
      record_file_format: m.recordFileFormat,
      record_min_member_count: m.recordMinMemberCount,
      record_participant_track: r.recordParticipantTrack,
      status_callback_events: m.statusCallbackEvents,
      stay_alone: r.stayAlone,
      coach_mode: r.coachMode,
      mute: r.mute,
      hold: r.hold,
      start_mpc_on_enter: r.startMpcOnEnter,
      end_mpc_on_exit: r.endMpcOnExit,
      relay_dtmf_inputs: r.relayDtmfInputs,
      enter_sound: soundSpec(r.enterSound),
      exit_sound: soundSpec(r.exitSound),
      enter_sound_method: r.enterSound._tag === "SoundXml" ? r.enterSound.method : Defaults.enterSoundMethod,
      exit_sound_method: r.exitSound._tag === "SoundXml" ? r.exitSound.method : Defaults.exitSoundMethod
    },
    {
      wait_music_url: m.waitMusic?.url,
      wait_music_method: m.waitMusic?.method,
      agent_hold_music_url: m.agentHoldMusic?.url,
      agent_hold_music_method: m.agentHoldMusic?.method,
      customer_hold_music_url: m.customerHoldMusic?.url,
      customer_hold_music_method: m.customerHoldMusic?.method,
      recording_callback_url: m.recordingCallback?.url,
      recording_callback_method: m.recordingCallback?.method,
      status_callback_url: m.statusCallback?.url,
      status_callback_method: m.statusCallback?.method,
      on_exit_action_url: r.onExitAction?.url,
      on_exit_action_method: r.onExitAction?.method
    }
  ) as AddParticipantParamsFields
}

/**
 * The decoded request as the output of `resolve`, which builds it only from parameters already
 * checked one by one: validating it again would cost more than all the rest of the decode. A
 * property test checks that every decoded request satisfies `AddParticipantRequest`; encoding
 * still checks each value, parameter by parameter, on its way back to the wire.
 */
const TrustedRequest: Schema.Schema<AddParticipantRequest> = Schema.declare(
  (u): u is AddParticipantRequest => typeof u === "object" && u !== null,
  { identifier: "AddParticipantRequest" }
)

/**
 * The whole request: wire parameters to the decoded, defaulted `AddParticipantRequest`, checking
 * PARAM-2, PARAM-4 and the per-destination counts of PARAM-8, PARAM-9 and PARAM-17. Encoding gives
 * back wire parameters with every value written out.
 *
 * @since 0.1.0
 * @category models
 */
export const AddParticipantRequestFromParams = Schema.transformOrFail(AddParticipantParams, TrustedRequest, {
  strict: true,
  decode: (p, _, ast) => resolve(p, ast),
  encode: (r) => ParseResult.succeed(unresolve(r))
})

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

const decodeEither = Schema.decodeUnknownEither(AddParticipantRequestFromParams, { errors: "all" })
const encodeEither = Schema.encodeEither(AddParticipantRequestFromParams)

/**
 * Decodes parameters given as an object (a parsed JSON body, or form fields). Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<AddParticipantRequest, InvalidRequest> =>
  Either.mapLeft(decodeEither(input), (e) => fromParseError(e))

/**
 * Turns a form body into an object of parameters; a parameter given more than once keeps all its
 * values (as a list, which every parameter refuses), rather than silently picking one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const formToRecord = (body: string | URLSearchParams): Record<string, string | Array<string>> => {
  const params = typeof body === "string" ? new URLSearchParams(body) : body
  const out: Record<string, string | Array<string>> = {}
  for (const [key, value] of params) {
    const prev = out[key]
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return out
}

/**
 * Decodes an `application/x-www-form-urlencoded` body. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeForm = (
  body: string | URLSearchParams
): Either.Either<AddParticipantRequest, InvalidRequest> => decode(formToRecord(body))

/**
 * Decodes a JSON body from its text; malformed JSON is refused like any other bad input. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = (text: string): Either.Either<AddParticipantRequest, InvalidRequest> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return Either.left(
      invalidParameter("body", `expected a JSON object of parameters: ${(e as Error).message}`)
    )
  }
  return decode(value)
}

/**
 * The wire parameters of a request, every value written out (as a JSON body would carry them).
 * Fails only for a value that is not a valid `AddParticipantRequest`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const encode = (request: AddParticipantRequest): Either.Either<AddParticipantWire, InvalidRequest> =>
  Either.mapBoth(encodeEither(request), {
    onLeft: (e) => fromParseError(e),
    onRight: (wire) => wire as AddParticipantWire
  })

/**
 * The request as a form body (`application/x-www-form-urlencoded`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const encodeForm = (request: AddParticipantRequest): Either.Either<string, InvalidRequest> =>
  Either.map(encode(request), (wire) => {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(wire)) form.set(key, String(value))
    return form.toString()
  })
