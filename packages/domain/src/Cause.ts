/**
 * Why calls hang up and why MPCs end, with Plivo's names and codes.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * PlivoHangupSource values.
 *
 * @since 0.1.0
 * @category models
 */
export const HangupSource = Schema.Literal(
  "Caller",
  "Callee",
  "Plivo",
  "API Request",
  "Answer XML",
  "Error",
  "Unknown"
)
/**
 * The type of {@link HangupSource}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type HangupSource = typeof HangupSource.Type

/**
 * A call's end: `PlivoHangupCause`, `PlivoHangupCauseCode`, `PlivoHangupSource`.
 *
 * @since 0.1.0
 * @category models
 */
export const Hangup = Schema.Struct({ cause: Schema.String, code: Schema.Int, source: HangupSource })
/**
 * The type of {@link Hangup}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Hangup = typeof Hangup.Type

const hangup = (cause: string, code: number, source: HangupSource): Hangup => ({ cause, code, source })

/**
 * The hangup causes the rules use.
 *
 * @since 0.1.0
 * @category constants
 */
export const Hangups = {
  /** DIAL-4 */
  noAnswer: hangup("No Answer", 3000, "Callee"),
  busy: hangup("Busy Line", 3010, "Callee"),
  rejected: hangup("Rejected", 3020, "Callee"),
  /** The far end hung up. */
  normal: hangup("Normal Hangup", 4000, "Callee"),
  /** LIFE-5, LIFE-6, LIFE-7, LIFE-8: the MPC ended around the member (or ringing leg). */
  mpcEnded: hangup("Multiparty Call Ended", 4020, "Plivo"),
  /** End MPC by API: the members' calls end with 4020 from an API request. */
  mpcEndedByApi: hangup("Multiparty Call Ended", 4020, "API Request"),
  /** Kick member by API. */
  kicked: hangup("Kicked Out Of Multiparty Call", 4030, "API Request"),
  /** DIAL-3 */
  ringTimeout: hangup("Ring Timeout Reached", 6010, "Plivo"),
  /** RACE-2 */
  lostRace: hangup("Lost Race", 9000, "Plivo"),
  /** LIFE-4 [decision]: the winner answered when the MPC had filled meanwhile. */
  mpcFull: hangup("Max Participants Reached", 9100, "Plivo"),
  /** CONFIRM-2 */
  confirmKeyFailed: hangup("Confirm Key Challenge Failed", 9110, "Plivo")
} as const

/**
 * An MPC's end: `MPCTerminationCause`, `MPCTerminationCauseCode`.
 *
 * @since 0.1.0
 * @category models
 */
export const Termination = Schema.Struct({ cause: Schema.String, code: Schema.Int })
/**
 * The type of {@link Termination}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type Termination = typeof Termination.Type

/**
 * The MPC termination causes the rules use.
 *
 * @since 0.1.0
 * @category constants
 */
export const Terminations = {
  /** LIFE-7 */
  noActiveParticipants: { cause: "No Active Participants", code: 1000 },
  /** LIFE-8 */
  stayAloneNotPermitted: { cause: "Stay Alone Not Permitted", code: 1010 },
  /** LIFE-6 [decision]: the page names no cause. */
  endMpcOnExit: { cause: "End MPC On Exit", code: 1020 },
  /** LIFE-5 */
  maxDurationReached: { cause: "Max Duration Reached", code: 2000 },
  /** SDK-24: end MPC by API, with Plivo's name for it. */
  endedByApi: { cause: "Hangup API Triggered", code: 3000 }
} as const satisfies Record<string, Termination>
