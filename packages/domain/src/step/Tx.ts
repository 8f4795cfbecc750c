/**
 * One step's working set: the drafts it writes, the ids it takes, the commands it emits; timer ids and
 * small predicates shared by the rule families.
 *
 * Rules: CONFIRM-2, DIAL-2, DIAL-3, LIFE-5, CPS-1, LIFE-10, SOUND-2.
 *
 * @internal
 */

import type { EventGroup } from "../AddParticipantRequest.js"
import type { Command } from "../Command.js"
import { uuid } from "../Ids.js"
import type { Refusal } from "../Outcome.js"
import * as PMap from "../PMap.js"
import type { Call, Cps, Member, Mpc, State } from "../State.js"

/**
 * CONFIRM-2: how long a callee has to press the confirm key.
 *
 * @since 0.1.0
 * @category rules
 */
export const ConfirmTimeoutMs = 30_000

/**
 * Stable timer ids, derived from what the timer belongs to.
 *
 * @since 0.1.0
 * @category timers
 */
export const TimerId = {
  /** DIAL-2 */
  delay: (callUuid: string) => `delay:${callUuid}`,
  /** DIAL-3 */
  ring: (callUuid: string) => `ring:${callUuid}`,
  /** CONFIRM-2 */
  confirm: (callUuid: string) => `confirm:${callUuid}`,
  /** LIFE-5 */
  maxDuration: (mpcUuid: string) => `maxdur:${mpcUuid}`,
  /** CPS-1 */
  cps: "cps",
  /** XML-6, XML-7: the current step of a call's document is done; XML-15: go on after the MPC. */
  xml: (callUuid: string) => `xml:${callUuid}`,
  /** XML-8: a scheduled `<Hangup>`. */
  xmlHangup: (callUuid: string) => `xmlhangup:${callUuid}`
} as const

export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
export type Draft = Mutable<Mpc>

/** Tells a refusal from the MPC, members or call a lookup found. */
export const isRefusal = (x: object): x is Refusal => "rule" in x

/** Which group of `status_callback_events` each status event belongs to (PARAM-14, CB-1). */
export const groupOf: Record<string, EventGroup> = {
  MPCInitialized: "mpc-state-changes",
  MPCStart: "mpc-state-changes",
  MPCEnd: "mpc-state-changes",
  ParticipantJoin: "participant-state-changes",
  ParticipantExit: "participant-state-changes",
  ParticipantMute: "participant-state-changes",
  ParticipantUnmute: "participant-state-changes",
  ParticipantHold: "participant-state-changes",
  ParticipantUnhold: "participant-state-changes",
  ParticipantCoachModeStart: "participant-state-changes",
  ParticipantCoachModeStop: "participant-state-changes",
  ParticipantSpeakStart: "participant-speak-events",
  ParticipantSpeakStop: "participant-speak-events",
  ParticipantDigitInput: "participant-digit-input-events",
  AddParticipantByAPIActionInitiated: "add-participant-api-events",
  AddParticipantByAPIActionCompleted: "add-participant-api-events",
  ParticipantAudioPlayed: "participant-audio-events",
  ParticipantAudioStopped: "participant-audio-events"
}

export const isLive = (c: Call): boolean => c.state !== "ended"
/** Read through a function so TypeScript does not keep a narrowing across calls that change it. */
export const isEnded = (d: Mpc): boolean => d.status === "Ended"
/** The network has a call for it (it was dialled, or it exists already). */
export const onNetwork = (c: Call): boolean =>
  c.state === "dialing" ||
  c.state === "ringing" ||
  c.state === "answered" ||
  c.state === "confirming" ||
  c.state === "in-mpc"
/** LIFE-10, SOUND-2: a supervisor in coach mode. */
export const isCoach = (m: Member): boolean => m.role === "Supervisor" && m.coachMode
export const money = (minutes: number, rate: number): string => (minutes * rate).toFixed(5)
export const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000))

/** One step's working set. */
export class Tx {
  readonly out: Array<Command> = []
  readonly config: State["config"]
  readonly now: number
  nextId: number
  mpcs: State["mpcs"]
  liveNames: State["liveNames"]
  callIndex: State["callIndex"]
  calls: State["calls"]
  /** The CPS queue as this step sees it: read-only, since it may be the input state's; see `writableCps`. */
  cps: Cps
  private cpsDraft: Mutable<Cps> | undefined
  /** MPCs copied for this step (usually one). */
  private readonly drafts: Array<Draft> = []
  /** MPCs in the middle of ending (so their members' exits do not end them again). */
  private ending: Array<string> | undefined

  constructor(
    readonly state: State,
    now: number
  ) {
    this.config = state.config
    this.now = now
    this.nextId = state.nextId
    this.mpcs = state.mpcs
    this.liveNames = state.liveNames
    this.callIndex = state.callIndex
    this.calls = state.calls
    this.cps = state.cps
  }

  id(): string {
    return uuid(this.config.seed, this.nextId++)
  }

  /** Member ids are numbers, as Plivo's are. */
  memberId(): string {
    return String(this.nextId++)
  }

  emit(c: Command): void {
    this.out.push(c)
  }

  setTimer(timerId: string, at: number): void {
    this.out.push({ _tag: "SetTimer", timerId, at })
  }

  cancelTimer(timerId: string): void {
    this.out.push({ _tag: "CancelTimer", timerId })
  }

  /** Arrays this step copied and may change in place; the state's own arrays are never touched. */
  private readonly copies: Array<ReadonlyArray<unknown>> = []

  writable<A>(xs: ReadonlyArray<A>): Array<A> {
    for (const c of this.copies) if (c === xs) return xs as Array<A>
    const copy = xs.slice()
    this.copies.push(copy)
    return copy
  }

  /** An MPC as this step sees it: its draft when it has one. */
  mpc(uuid: string): Mpc | undefined {
    for (const d of this.drafts) if (d.uuid === uuid) return d
    return PMap.get(this.mpcs, uuid)
  }

  /** A writable copy of an MPC, made once per step. */
  draft(mpc: Mpc): Draft {
    for (const d of this.drafts) if (d.uuid === mpc.uuid) return d
    const d: Draft = { ...mpc }
    this.drafts.push(d)
    return d
  }

  /** Registers an MPC this step created (a fresh object, so writable). */
  newDraft(d: Draft): Draft {
    this.drafts.push(d)
    return d
  }

  /** A copy of the CPS queue this step may change, made once per step. */
  writableCps(): Mutable<Cps> {
    if (this.cpsDraft === undefined) {
      this.cpsDraft = { ...this.cps }
      this.cps = this.cpsDraft
    }
    return this.cpsDraft
  }

  isEnding(uuid: string): boolean {
    return this.ending?.includes(uuid) === true
  }

  markEnding(uuid: string): void {
    if (this.ending === undefined) this.ending = [uuid]
    else this.ending.push(uuid)
  }

  commit(): State {
    let mpcs = this.mpcs
    for (const d of this.drafts) mpcs = PMap.set(mpcs, d.uuid, d)
    return {
      config: this.config,
      now: this.now,
      nextId: this.nextId,
      mpcs,
      liveNames: this.liveNames,
      callIndex: this.callIndex,
      calls: this.calls,
      cps: this.cps
    }
  }
}
