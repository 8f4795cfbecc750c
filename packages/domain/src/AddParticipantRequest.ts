/**
 * The add-participant request once decoded: every parameter checked, every default applied and every
 * `<`-delimited list split per destination. Later code reads these values and never parses the wire
 * form again. The wire form (snake_case, strings, defaults) lives in `AddParticipantParams`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * PARAM-1: the three roles, spelled as the page spells them.
 *
 * @since 0.1.0
 * @category models
 */
export const Role = Schema.Literal("Agent", "Supervisor", "Customer")
/**
 * The type of {@link Role}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Role = typeof Role.Type

/**
 * PARAM-6: the verb of every `*_method` parameter.
 *
 * @since 0.1.0
 * @category models
 */
export const HttpMethod = Schema.Literal("GET", "POST")
/**
 * The type of {@link HttpMethod}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpMethod = typeof HttpMethod.Type

/**
 * PARAM-7: the keys a callee may be asked to press.
 *
 * @since 0.1.0
 * @category models
 */
export const ConfirmKey = Schema.Literal("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "*")
/**
 * The type of {@link ConfirmKey}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfirmKey = typeof ConfirmKey.Type

/**
 * PARAM-12: the recording file formats.
 *
 * @since 0.1.0
 * @category models
 */
export const RecordFileFormat = Schema.Literal("mp3", "wav")
/**
 * The type of {@link RecordFileFormat}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordFileFormat = typeof RecordFileFormat.Type

/**
 * PARAM-14: the groups of status callback events one can subscribe to, in the page's order.
 *
 * @since 0.1.0
 * @category models
 */
export const EventGroup = Schema.Literal(
  "mpc-state-changes",
  "participant-state-changes",
  "participant-digit-input-events",
  "participant-speak-events",
  "add-participant-api-events",
  "participant-audio-events"
)
/**
 * The type of {@link EventGroup}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type EventGroup = typeof EventGroup.Type

/**
 * PARAM-18: true for an absolute `http:` or `https:` URL with a host.
 *
 * @since 0.1.0
 * @category guards
 */
export const isHttpUrl = (s: string): boolean => {
  if (!/^https?:\/\/[^\s/?#]/i.test(s)) return false
  // `URL.canParse` is pure: it reads no state and always answers the same for the same string.
  return URL.canParse(s)
}

/**
 * PARAM-18: an absolute http(s) URL, kept exactly as given (callbacks are signed over it).
 *
 * @since 0.1.0
 * @category models
 */
export const HttpUrl = Schema.String.pipe(
  Schema.filter(isHttpUrl, {
    message: () => "expected an absolute http(s) URL",
    arbitrary: () => (fc) =>
      fc
        .tuple(
          fc.constantFrom("http", "https"),
          fc.domain(),
          fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
          fc.webPath()
        )
        .map(
          ([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? "" : `:${port}`}${path}`
        )
  })
).annotations({ identifier: "HttpUrl" })

/**
 * A URL Plivo requests, with the verb to request it by.
 *
 * @since 0.1.0
 * @category models
 */
export const Webhook = Schema.Struct({ url: HttpUrl, method: HttpMethod })
/**
 * The type of {@link Webhook}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Webhook = typeof Webhook.Type

/**
 * PARAM-3: a phone number: digits with an optional leading `+` (E.164 allows at most 15 digits).
 *
 * @since 0.1.0
 * @category models
 */
export const PhoneNumberPattern = /^\+?[0-9]{1,15}$/
/**
 * A destination that is a phone number (digits, an optional leading `+`).
 *
 * @since 0.1.0
 * @category models
 */
export const PhoneNumber = Schema.TaggedStruct("PhoneNumber", {
  number: Schema.String.pipe(Schema.pattern(PhoneNumberPattern))
})
/**
 * The type of {@link PhoneNumber}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type PhoneNumber = typeof PhoneNumber.Type

/**
 * PARAM-3: the user part of a SIP URI (an endpoint username and the characters RFC 3261 leaves unescaped).
 *
 * @since 0.1.0
 * @category models
 */
export const SipUserPattern = /^[A-Za-z0-9][A-Za-z0-9._~+-]{0,63}$/
/**
 * PARAM-3: a host name or IPv4 address, with an optional port.
 *
 * @since 0.1.0
 * @category models
 */
export const SipHostPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?$/

/**
 * PARAM-3: a SIP URI `sip:user@host`, split once so nothing downstream parses it again.
 *
 * @since 0.1.0
 * @category models
 */
export const SipUri = Schema.TaggedStruct("SipUri", {
  user: Schema.String.pipe(Schema.pattern(SipUserPattern)),
  host: Schema.String.pipe(Schema.pattern(SipHostPattern))
})
/**
 * The type of {@link SipUri}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type SipUri = typeof SipUri.Type

/**
 * PARAM-3: where a leg is dialled.
 *
 * @since 0.1.0
 * @category models
 */
export const Address = Schema.Union(PhoneNumber, SipUri)
/**
 * The type of {@link Address}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Address = typeof Address.Type

/**
 * The address as Plivo shows it in responses and callbacks (`to`, `MemberAddress`).
 *
 * @since 0.1.0
 * @category models
 */
export const formatAddress = (address: Address): string =>
  address._tag === "PhoneNumber" ? address.number : `sip:${address.user}@${address.host}`

/**
 * PARAM-17: one SIP header as the user named it (Plivo sends it prefixed with `X-PH-`).
 *
 * @since 0.1.0
 * @category models
 */
export const SipHeader = Schema.Struct({
  name: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9]{1,24}$/)),
  value: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9]{1,120}$/))
})
/**
 * The type of {@link SipHeader}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type SipHeader = typeof SipHeader.Type

/**
 * PARAM-8: the ring timeout range, in seconds.
 *
 * @since 0.1.0
 * @category models
 */
export const RingTimeout = Schema.Int.pipe(Schema.between(15, 120))
/**
 * PARAM-9: the dial delay range, in seconds.
 *
 * @since 0.1.0
 * @category models
 */
export const DelayDial = Schema.Int.pipe(Schema.between(0, 120))
/**
 * PARAM-10: the MPC's maximum duration range, in seconds.
 *
 * @since 0.1.0
 * @category models
 */
export const MaxDuration = Schema.Int.pipe(Schema.between(300, 28_800))
/**
 * PARAM-11: the member limit range.
 *
 * @since 0.1.0
 * @category models
 */
export const MaxParticipants = Schema.Int.pipe(Schema.between(2, 10))
/**
 * PARAM-13: the member count at which recording may start.
 *
 * @since 0.1.0
 * @category models
 */
export const RecordMinMemberCount = Schema.Literal(1, 2)
/**
 * The type of {@link RecordMinMemberCount}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type RecordMinMemberCount = typeof RecordMinMemberCount.Type

/**
 * PARAM-3, PARAM-8, PARAM-9, PARAM-17: one destination with its own delay, ring timeout and headers.
 *
 * @since 0.1.0
 * @category models
 */
export const Destination = Schema.Struct({
  address: Address,
  delayDial: DelayDial,
  ringTimeout: RingTimeout,
  sipHeaders: Schema.Array(SipHeader)
})
/**
 * The type of {@link Destination}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Destination = typeof Destination.Type

/**
 * PARAM-16: what plays on the bridge when a member enters or exits.
 *
 * @since 0.1.0
 * @category models
 */
export const Sound = Schema.Union(
  Schema.TaggedStruct("Silence", {}),
  Schema.TaggedStruct("Beep", { count: Schema.Literal(1, 2) }),
  Schema.TaggedStruct("SoundXml", { url: HttpUrl, method: HttpMethod })
)
/**
 * The type of {@link Sound}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Sound = typeof Sound.Type

/**
 * PARAM-3: at most 20 destinations in one request.
 *
 * @since 0.1.0
 * @category constants
 */
export const MaxDestinations = 20
/**
 * PARAM-5: caller names are at most 50 characters.
 *
 * @since 0.1.0
 * @category constants
 */
export const MaxCallerNameLength = 50

/**
 * The number of characters (code points, not UTF-16 units) of a string.
 *
 * @since 0.1.0
 * @category models
 */
export const characterCount = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // A high surrogate followed by a low one is a single character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    n++
  }
  return n
}

/**
 * PARAM-5: a caller name of at most 50 characters.
 *
 * @since 0.1.0
 * @category models
 */
export const CallerName = Schema.String.pipe(
  Schema.filter((s) => characterCount(s) <= MaxCallerNameLength, {
    message: () => `expected at most ${MaxCallerNameLength} characters`,
    arbitrary: () => (fc) => fc.string({ maxLength: MaxCallerNameLength })
  })
)

/**
 * XFER-1: a call UUID.
 *
 * @since 0.1.0
 * @category models
 */
export const CallUuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
/**
 * A call UUID, as the transfer form of the request names it.
 *
 * @since 0.1.0
 * @category models
 */
export const CallUuid = Schema.String.pipe(Schema.pattern(CallUuidPattern))

/**
 * PARAM-2, PARAM-3, PARAM-5, DIAL-1: dial one or several destinations (a parallel race); the
 * first to answer (and confirm, CONFIRM-1) joins.
 *
 * @since 0.1.0
 * @category models
 */
export const DialOut = Schema.TaggedStruct("DialOut", {
  from: PhoneNumber.fields.number,
  callerName: CallerName,
  destinations: Schema.NonEmptyArray(Destination).pipe(Schema.maxItems(MaxDestinations)),
  confirmKey: Schema.optionalWith(ConfirmKey, { exact: true }),
  confirmKeySound: Schema.optionalWith(Webhook, { exact: true }),
  callStatusCallback: Schema.optionalWith(Webhook, { exact: true })
})
/**
 * The type of {@link DialOut}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type DialOut = typeof DialOut.Type

/**
 * PARAM-2, XFER-1: move a live call into the MPC.
 *
 * @since 0.1.0
 * @category models
 */
export const Transfer = Schema.TaggedStruct("Transfer", { callUuid: CallUuid })
/**
 * The type of {@link Transfer}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Transfer = typeof Transfer.Type

/**
 * ADDR-4: the MPC-level settings. The request that creates an MPC fixes them; later requests'
 * values are checked but have no effect.
 *
 * @since 0.1.0
 * @category models
 */
export const MpcSettings = Schema.Struct({
  maxDuration: MaxDuration,
  maxParticipants: MaxParticipants,
  recordFileFormat: RecordFileFormat,
  recordMinMemberCount: RecordMinMemberCount,
  /** Distinct groups, in the order of `EventGroup`'s literals. */
  statusCallbackEvents: Schema.Array(EventGroup),
  // Optional fields last, in the order the decoder adds them: decoded values are in the schema's key
  // order, so a request survives a JSON round trip byte for byte.
  waitMusic: Schema.optionalWith(Webhook, { exact: true }),
  agentHoldMusic: Schema.optionalWith(Webhook, { exact: true }),
  customerHoldMusic: Schema.optionalWith(Webhook, { exact: true }),
  recordingCallback: Schema.optionalWith(Webhook, { exact: true }),
  statusCallback: Schema.optionalWith(Webhook, { exact: true })
})
/**
 * The type of {@link MpcSettings}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MpcSettings = typeof MpcSettings.Type

/**
 * An add-participant request, fully decoded and defaulted.
 *
 * @since 0.1.0
 * @category models
 */
export const AddParticipantRequest = Schema.Struct({
  role: Role,
  target: Schema.Union(DialOut, Transfer),
  mute: Schema.Boolean,
  hold: Schema.Boolean,
  coachMode: Schema.Boolean,
  stayAlone: Schema.Boolean,
  startMpcOnEnter: Schema.Boolean,
  endMpcOnExit: Schema.Boolean,
  relayDtmfInputs: Schema.Boolean,
  record: Schema.Boolean,
  recordParticipantTrack: Schema.Boolean,
  enterSound: Sound,
  exitSound: Sound,
  mpc: MpcSettings,
  onExitAction: Schema.optionalWith(Webhook, { exact: true })
}).annotations({ identifier: "AddParticipantRequest" })
/**
 * The type of {@link AddParticipantRequest}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type AddParticipantRequest = typeof AddParticipantRequest.Type

/**
 * The defaults the page gives, by parameter.
 *
 * @since 0.1.0
 * @category constants
 */
export const Defaults = {
  /** PARAM-6 */
  callStatusCallbackMethod: "POST",
  confirmKeySoundMethod: "GET",
  waitMusicMethod: "GET",
  agentHoldMusicMethod: "GET",
  customerHoldMusicMethod: "GET",
  recordingCallbackMethod: "POST",
  statusCallbackMethod: "POST",
  enterSoundMethod: "GET",
  exitSoundMethod: "GET",
  onExitActionMethod: "POST",
  /** PARAM-8 */
  ringTimeout: 45,
  /** PARAM-9 */
  delayDial: 0,
  /** PARAM-10 */
  maxDuration: 14_400,
  /** PARAM-11 */
  maxParticipants: 10,
  /** PARAM-12 */
  record: false,
  recordFileFormat: "mp3",
  recordParticipantTrack: false,
  /** PARAM-13 */
  recordMinMemberCount: 1,
  /** PARAM-14 */
  statusCallbackEvents: ["mpc-state-changes", "participant-state-changes"],
  /** PARAM-15 */
  stayAlone: false,
  coachMode: true,
  mute: false,
  hold: false,
  startMpcOnEnter: true,
  endMpcOnExit: false,
  relayDtmfInputs: false,
  /** PARAM-16 */
  enterSound: { _tag: "Beep", count: 1 },
  exitSound: { _tag: "Beep", count: 2 }
} as const satisfies {
  readonly [K: string]: string | number | boolean | ReadonlyArray<EventGroup> | Sound
}
