/**
 * The invariants of the rules, as pure predicates named by their rule IDs. Each looks at one step
 * (the state before, the event, what `step` returned) and says what broke, if anything. Checked
 * after every step, they cover whole histories: a property that holds for each step from the
 * initial state holds for every reachable state.
 *
 * @since 0.1.0
 */
import type { EventGroup } from "./AddParticipantRequest.js"
import type { Command, SendCallback } from "./Command.js"
import type { Event } from "./Event.js"
import { hears } from "./Hearing.js"
import * as PMap from "./PMap.js"
import { anyMember, type Call, type Mpc, type State } from "./State.js"
import type { StepResult } from "./Step.js"
import * as Timestamp from "./Timestamp.js"

/**
 * One step, as the invariants see it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transition {
  readonly before: State
  readonly event: Event
  readonly result: StepResult
}

/**
 * A named invariant: `check` returns what is wrong, or `undefined`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Invariant {
  readonly rule: string
  readonly description: string
  /** The breach found in one transition, as a sentence, or `undefined` when the rule holds. */
  readonly check: (t: Transition) => string | undefined
}

const statusRank = { Initialized: 0, Active: 1, Ended: 2 } as const

/** Visits the MPCs the step changed or created (a structural diff: the cost follows the change). */
const changedMpcs = (
  t: Transition,
  f: (after: Mpc, before: Mpc | undefined) => string | undefined
): string | undefined => {
  let found: string | undefined
  PMap.diff(t.before.mpcs, t.result.state.mpcs, (_, old, mpc) => {
    if (found === undefined && mpc !== undefined) found = f(mpc, old)
  })
  return found
}

const callbacks = (commands: ReadonlyArray<Command>): Array<SendCallback> =>
  commands.filter((c): c is SendCallback => c._tag === "SendCallback")

const requestOpen = (mpc: Mpc | undefined, requestUuid: string | undefined): boolean =>
  mpc !== undefined && requestUuid !== undefined && mpc.requests.some((r) => r.uuid === requestUuid)

const callOf = (state: State, callUuid: string): { mpc: Mpc | undefined; call: Call | undefined } => {
  const owner = PMap.get(state.callIndex, callUuid)
  const mpc = owner === undefined ? undefined : PMap.get(state.mpcs, owner)
  const call =
    mpc === undefined ? PMap.get(state.calls, callUuid) : mpc.calls.find((c) => c.uuid === callUuid)
  return { mpc, call }
}

const cb4Fields = [
  "MPCBilledAmount",
  "MPCBilledDuration",
  "MPCDuration",
  "MPCEndTime",
  "MPCTerminationCause",
  "MPCTerminationCauseCode"
] as const

/** CB-3: the fields that hold timestamps (`RingTime` is a duration). */
const timestampFields = new Set([
  "EventTimestamp",
  "MPCCreationTime",
  "MPCEndTime",
  "MPCStartTime",
  "ParticipantExitTime",
  "ParticipantJoinTime",
  "AnswerTime",
  "HangupTime",
  "InitiationTime",
  "RecordingEndTime",
  "RecordingStartTime"
])

/**
 * Every invariant.
 *
 * @since 0.1.0
 * @category constants
 */
export const all: ReadonlyArray<Invariant> = [
  {
    rule: "STEP",
    description: "a refused event leaves the state unchanged, and time never goes back",
    check: ({ before, result }) => {
      if (result.refused !== undefined && result.state !== before) return "a refused event changed the state"
      if (result.state.now < before.now) return `time went back from ${before.now} to ${result.state.now}`
      return undefined
    }
  },
  {
    rule: "RACE-1",
    description: "at most one participant joins per request",
    check: (t) =>
      changedMpcs(t, (mpc) => {
        const seen = new Set<string>()
        for (const c of mpc.calls) {
          if (c.memberId === undefined || c.requestUuid === undefined) continue
          if (seen.has(c.requestUuid)) return `request ${c.requestUuid} has two participants in ${mpc.uuid}`
          seen.add(c.requestUuid)
        }
        return undefined
      })
  },
  {
    rule: "RACE-3",
    description: "no leg is dialled once its race is decided",
    check: ({ result }) => {
      for (const c of result.commands) {
        if (c._tag !== "DialLeg") continue
        const { mpc, call } = callOf(result.state, c.callUuid)
        if (call === undefined) return `dialled an unknown call ${c.callUuid}`
        if (!requestOpen(mpc, call.requestUuid))
          return `dialled ${c.callUuid} after its request's race was decided`
      }
      return undefined
    }
  },
  {
    rule: "LEGS",
    description: "every leg ends exactly once: an ended call stays ended, and is hung up at most once",
    check: (t) => {
      const { before, result } = t
      const hungUp = new Set<string>()
      for (const c of result.commands) {
        if (c._tag !== "HangupCall") continue
        if (hungUp.has(c.callUuid)) return `call ${c.callUuid} hung up twice in one step`
        hungUp.add(c.callUuid)
        const was = callOf(before, c.callUuid).call
        if (was !== undefined && was.state === "ended") return `call ${c.callUuid} hung up after it had ended`
        const now = callOf(result.state, c.callUuid).call
        if (now === undefined || now.state !== "ended") return `call ${c.callUuid} hung up but not ended`
      }
      const hangupCallbacks = new Set<string>()
      for (const cb of callbacks(result.commands)) {
        if (cb.kind !== "call" || cb.event !== "Hangup") continue
        const id = cb.params.CallUUID!
        if (hangupCallbacks.has(id)) return `two Hangup callbacks for ${id}`
        hangupCallbacks.add(id)
        const was = callOf(before, id).call
        if (was !== undefined && was.state === "ended")
          return `a Hangup callback for ${id}, which had ended before`
      }
      return changedMpcs(t, (mpc, old) => {
        if (old === undefined) return undefined
        for (const c of old.calls) {
          if (c.state !== "ended") continue
          const now = mpc.calls.find((x) => x.uuid === c.uuid)
          if (now === undefined || now.state !== "ended" || now.endedAt !== c.endedAt)
            return `call ${c.uuid} came back after ending`
        }
        return undefined
      })
    }
  },
  {
    rule: "LIFE-4",
    description: "members never above max_participants",
    check: (t) =>
      changedMpcs(t, (mpc) =>
        mpc.members.length > mpc.settings.maxParticipants
          ? `${mpc.uuid} has ${mpc.members.length} members, max ${mpc.settings.maxParticipants}`
          : undefined
      )
  },
  {
    rule: "LIFE-1",
    description: "MPC status never goes back (Initialized → Active → Ended)",
    check: (t) =>
      changedMpcs(t, (mpc, old) =>
        old !== undefined && statusRank[mpc.status] < statusRank[old.status]
          ? `${mpc.uuid} went from ${old.status} to ${mpc.status}`
          : undefined
      )
  },
  {
    rule: "REC-1",
    description: "recording starts only at the threshold, and has started whenever the threshold is met",
    check: (t) => {
      for (const c of t.result.commands) {
        if (c._tag !== "RecordStart" || c.memberId !== undefined || t.event._tag === "StartRecording")
          continue
        const mpc = PMap.get(t.result.state.mpcs, c.mpcUuid)!
        const present = mpc.status === "Ended" ? [] : mpc.members
        if (present.length < mpc.settings.recordMinMemberCount)
          return `recording of ${mpc.uuid} started below the threshold`
        if (!present.some((m) => m.record))
          return `recording of ${mpc.uuid} started with no member asking for it`
      }
      return changedMpcs(t, (mpc) =>
        mpc.status !== "Ended" &&
        mpc.recording.status === "NotStarted" &&
        mpc.members.length >= mpc.settings.recordMinMemberCount &&
        mpc.members.some((m) => m.record)
          ? `${mpc.uuid} meets the recording threshold but is not recording`
          : undefined
      )
    }
  },
  {
    rule: "REC-2",
    description:
      "the MPC recording starts once by itself; only the start-recording API starts a new one, after a stop (SDK-33)",
    check: ({ before, event, result }) => {
      const started = new Set<string>()
      for (const c of result.commands) {
        if (c._tag !== "RecordStart" || c.memberId !== undefined) continue
        if (started.has(c.mpcUuid)) return `recording of ${c.mpcUuid} started twice in one step`
        started.add(c.mpcUuid)
        const old = PMap.get(before.mpcs, c.mpcUuid)
        if (old === undefined || old.recording.status === "NotStarted") continue
        const restarted =
          event._tag === "StartRecording" &&
          (old.recording.status === "Completed" || old.recording.status === "Failed")
        if (!restarted) return `recording of ${c.mpcUuid} started again`
      }
      return undefined
    }
  },
  {
    rule: "CB-2",
    description: "SequenceNumber goes up by one in each MPC stream, from 1",
    check: ({ before, result }) => {
      const last = new Map<string, number>()
      // PREC-3: a participant recording's callbacks (with MemberID) are a stream of the member's own.
      const counter = (mpc: Mpc | undefined, kind: string, memberId: string): number | undefined =>
        mpc === undefined
          ? undefined
          : kind === "status"
            ? mpc.statusSeq
            : memberId === ""
              ? mpc.recordingSeq
              : (anyMember(mpc, memberId)?.recordingSeq ?? 0)
      for (const cb of callbacks(result.commands)) {
        // XML-16: call-status and hangup_url callbacks are per call, not an MPC stream.
        if (cb.kind !== "status" && cb.kind !== "recording") continue
        // PREC-3: a participant recording's callbacks carry MemberID and count in the member's own stream.
        const memberId = cb.kind === "recording" ? (cb.params.MemberID ?? "") : ""
        const key = `${cb.kind}:${cb.mpcUuid}:${memberId}`
        let prev = last.get(key)
        if (prev === undefined) prev = counter(PMap.get(before.mpcs, cb.mpcUuid), cb.kind, memberId) ?? 0
        const seq = Number(cb.params.SequenceNumber)
        if (seq !== prev + 1) return `${cb.event} of ${cb.mpcUuid} has SequenceNumber ${seq} after ${prev}`
        last.set(key, seq)
      }
      for (const [key, seq] of last) {
        const [kind, uuid, memberId] = key.split(":") as [string, string, string]
        if (counter(PMap.get(result.state.mpcs, uuid), kind, memberId) !== seq)
          return `${key} counter is not ${seq}`
      }
      return undefined
    }
  },
  {
    rule: "CB-1",
    description: "status callbacks go only to the MPC's status URL, for subscribed groups",
    check: ({ result }) => {
      for (const cb of callbacks(result.commands)) {
        if (cb.kind !== "status") continue
        const mpc = PMap.get(result.state.mpcs, cb.mpcUuid)!
        const settings = mpc.settings
        if (settings.statusCallback?.url !== cb.url)
          return `${cb.event} sent to ${cb.url}, not the status URL`
        const group = groupOfEvent(cb.event)
        if (group === undefined || !settings.statusCallbackEvents.includes(group)) {
          return `${cb.event} sent though ${group ?? "its group"} is not subscribed`
        }
      }
      return undefined
    }
  },
  {
    rule: "CB-3",
    description: "callback timestamps are YYYY-MM-DD HH:mm:ss+hh:mm",
    check: ({ result }) => {
      for (const cb of callbacks(result.commands)) {
        for (const [k, v] of Object.entries(cb.params)) {
          if (v !== null && timestampFields.has(k) && !Timestamp.Pattern.test(v))
            return `${cb.event}.${k} = ${v}`
        }
      }
      return undefined
    }
  },
  {
    rule: "CB-4",
    description: "MPC billing, duration, end and termination are null until the MPC has ended",
    check: ({ result }) => {
      for (const cb of callbacks(result.commands)) {
        if (cb.kind !== "status") continue
        const nulls = cb4Fields.filter((f) => cb.params[f] === null).length
        if (cb.event === "MPCEnd" ? nulls !== 0 : nulls !== cb4Fields.length) {
          return `${cb.event} has ${cb4Fields.length - nulls} of the end-of-MPC fields set`
        }
      }
      return undefined
    }
  },
  {
    rule: "XFER-2",
    description: "no call status callback for a transferred call",
    check: ({ result }) => {
      for (const cb of callbacks(result.commands)) {
        if (cb.kind !== "call") continue
        const { call } = callOf(result.state, cb.params.CallUUID ?? "")
        if (call === undefined || call.direction !== "outbound" || call.requestUuid === undefined) {
          return `a ${cb.event} call status callback for ${cb.params.CallUUID}, which no request dialled`
        }
      }
      return undefined
    }
  },
  {
    rule: "XML-16",
    description:
      "a call run by XML gets no call-status callback, and one hangup_url callback, when it ends, naming its cause",
    check: ({ before, result }) => {
      const seen = new Set<string>()
      for (const cb of callbacks(result.commands)) {
        const id = cb.params.CallUUID ?? ""
        // An inbound call run by XML has no call-status URL; a leg the API dialled keeps its own
        // (`call_status_callback_url`) when its on-exit document runs it after the MPC (EXIT-1).
        const ran = callOf(result.state, id).call
        if (cb.kind === "call" && ran?.xml !== undefined && ran.direction === "inbound")
          return `a ${cb.event} call status callback for ${id}, which XML runs`
        if (cb.kind !== "hangup") continue
        if (seen.has(id)) return `two hangup_url callbacks for ${id}`
        seen.add(id)
        const was = callOf(before, id).call
        if (was !== undefined && was.state === "ended") return `a hangup_url callback for ${id}, ended before`
        const now = callOf(result.state, id).call
        if (now === undefined || now.state !== "ended" || now.hangup?.cause !== cb.params.HangupCauseName)
          return `a hangup_url callback for ${id} that is not its end`
      }
      return undefined
    }
  },
  {
    rule: "LIFE-10",
    description: "no Customer hears a Supervisor in coach mode",
    check: (t) =>
      changedMpcs(t, (mpc) => {
        for (const s of mpc.members) {
          if (s.role !== "Supervisor" || !s.coachMode) continue
          for (const l of mpc.members)
            if (l.role === "Customer" && hears(mpc, l, s)) return `customer ${l.id} hears coach ${s.id}`
        }
        return undefined
      })
  },
  {
    rule: "SOUND-2",
    description: "no enter or exit sound for a Supervisor in coach mode",
    check: ({ before, result }) => {
      for (const c of result.commands) {
        if (c._tag !== "PlaySound" && (c._tag !== "FetchXml" || c.purpose === "OnExitAction")) continue
        const memberId = c.memberId
        if (memberId === undefined) continue
        const mpc = PMap.get(result.state.mpcs, c.mpcUuid)
        const m =
          mpc?.members.find((x) => x.id === memberId) ??
          PMap.get(before.mpcs, c.mpcUuid)?.members.find((x) => x.id === memberId)
        if (m !== undefined && m.role === "Supervisor" && m.coachMode)
          return `a sound for coaching supervisor ${memberId}`
      }
      return undefined
    }
  },
  {
    rule: "LIFE-7",
    description: "after MPCEnd nothing of that MPC is alive and no timer of it is pending",
    check: (t) =>
      changedMpcs(t, (mpc) => {
        if (mpc.status !== "Ended") return undefined
        if (mpc.members.length > 0) return `ended ${mpc.uuid} still has members`
        if (mpc.requests.length > 0) return `ended ${mpc.uuid} still has open requests`
        if (mpc.maxDurationAt !== undefined) return `ended ${mpc.uuid} still has its max duration timer`
        if (mpc.recording.status === "Recording" || mpc.recording.status === "Paused")
          return `ended ${mpc.uuid} still records`
        if (PMap.get(t.result.state.liveNames, mpc.name) === mpc.uuid)
          return `ended ${mpc.uuid} still holds its name`
        const live = mpc.calls.find(
          (c) =>
            c.state !== "ended" ||
            c.delayAt !== undefined ||
            c.ringTimeoutAt !== undefined ||
            c.confirmAt !== undefined
        )
        if (live !== undefined) return `ended ${mpc.uuid} still has call ${live.uuid} ${live.state}`
        for (const c of mpc.calls) {
          if (c.queueSeq !== undefined) return `ended ${mpc.uuid} still queues call ${c.uuid}`
        }
        return undefined
      })
  },
  {
    rule: "ADDR-2",
    description: "each live name names exactly one ongoing MPC of that name",
    check: (t) => {
      const s = t.result.state
      let bad: string | undefined
      PMap.diff(t.before.liveNames, s.liveNames, (name, _, uuid) => {
        if (bad !== undefined || uuid === undefined) return
        const mpc = PMap.get(s.mpcs, uuid)
        if (mpc === undefined || mpc.status === "Ended" || mpc.name !== name)
          bad = `name ${name} points at ${uuid}`
      })
      return (
        bad ??
        changedMpcs(t, (mpc) => {
          const holder = PMap.get(s.liveNames, mpc.name)
          if (mpc.status !== "Ended" && holder !== mpc.uuid)
            return `ongoing ${mpc.uuid} lost its name ${mpc.name}`
          if (mpc.status === "Ended" && holder === mpc.uuid)
            return `ended ${mpc.uuid} still holds ${mpc.name}`
          return undefined
        })
      )
    }
  },
  {
    rule: "PLAY-3",
    description: "audio is played only to members present, each StartAudio matching the member's play",
    check: ({ result }) => {
      for (const c of result.commands) {
        if (c._tag !== "StartAudio") continue
        const m = PMap.get(result.state.mpcs, c.mpcUuid)?.members.find((x) => x.id === c.memberId)
        if (m === undefined) return `audio started for ${c.memberId}, who is not in ${c.mpcUuid}`
        if (m.audio?.url !== c.url || m.callUuid !== c.callUuid)
          return `audio started for ${c.memberId} does not match its play`
      }
      return undefined
    }
  },
  {
    rule: "PLAY-6",
    description: "a play never outlives its member: every member that left, or of an ended MPC, hears none",
    check: (t) =>
      changedMpcs(t, (mpc) => {
        for (const m of mpc.left ?? []) {
          if (m.audio !== undefined) return `member ${m.id} left ${mpc.uuid} with audio still playing`
          if (m.exit === undefined) return `member ${m.id} left ${mpc.uuid} without its exit`
        }
        return undefined
      })
  },
  {
    rule: "PREC-4",
    description: "a participant recording ends with its member, and only a member present is recorded",
    check: (t) =>
      changedMpcs(t, (mpc) => {
        for (const m of mpc.left ?? []) {
          const status = m.recording?.status
          if (status === "Recording" || status === "Paused")
            return `member ${m.id} left ${mpc.uuid} with its recording ${status}`
        }
        if (mpc.status === "Ended" && mpc.members.length > 0) return `ended ${mpc.uuid} still has members`
        return undefined
      })
  },
  {
    rule: "API-1",
    description: "every API request gets exactly one response, and other events none",
    check: ({ event, result }) => {
      const responses = result.commands.filter((c) => c._tag === "Respond").length
      const expected = "apiId" in event ? 1 : 0
      return responses === expected ? undefined : `${event._tag} got ${responses} responses`
    }
  }
]

const groupOfEvent = (event: string): EventGroup | undefined => {
  if (event.startsWith("MPC")) return "mpc-state-changes"
  if (event.startsWith("AddParticipantByAPIAction")) return "add-participant-api-events"
  if (event.startsWith("ParticipantSpeak")) return "participant-speak-events"
  if (event === "ParticipantDigitInput") return "participant-digit-input-events"
  if (event.startsWith("ParticipantAudio")) return "participant-audio-events"
  if (event.startsWith("Participant")) return "participant-state-changes"
  return undefined
}

/**
 * A broken invariant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Violation {
  readonly rule: string
  readonly description: string
  readonly detail: string
}

/**
 * Checks every invariant on one step.
 *
 * @since 0.1.0
 * @category invariants
 */
export const check = (t: Transition, invariants: ReadonlyArray<Invariant> = all): Array<Violation> => {
  const out: Array<Violation> = []
  for (const inv of invariants) {
    const detail = inv.check(t)
    if (detail !== undefined) out.push({ rule: inv.rule, description: inv.description, detail })
  }
  return out
}
