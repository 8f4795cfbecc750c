/**
 * API-1: Plivo's MPC and participant objects and the emulator's call object, built from the
 * domain's state and encoded by the view schemas of `Api.ts`, so what is served is what
 * `/openapi.json` documents.
 *
 * @since 0.1.0
 */
import { type Event, PMap, State, Timestamp } from "@mpc-kit/domain"
import type { CallView, MpcView, ParticipantView } from "./Api.js"
import type { Account } from "./Tenants.js"

/**
 * `name_x` or `uuid_y` (ADDR-1).
 *
 * @since 0.1.0
 * @category keys
 */
export const parseKey = (key: string): Event.MpcRef | undefined =>
  key.startsWith("name_") && key.length > 5
    ? { _tag: "ByName", name: key.slice(5) }
    : key.startsWith("uuid_") && key.length > 5
      ? { _tag: "ByUuid", uuid: key.slice(5) }
      : undefined

/**
 * The MPC a key names: the live one of a name, else its latest ended one; by UUID, any.
 *
 * @since 0.1.0
 * @category lookups
 */
export const findMpc = (state: State.State, ref: Event.MpcRef): State.Mpc | undefined => {
  if (ref._tag === "ByUuid") return State.mpc(state, ref.uuid)
  const live = State.liveMpc(state, ref.name)
  if (live !== undefined) return live
  let latest: State.Mpc | undefined
  PMap.forEach(state.mpcs, (m) => {
    if (m.name === ref.name && (latest === undefined || m.createdAt > latest.createdAt)) latest = m
  })
  return latest
}

const ts = (ms: number | undefined) => (ms === undefined ? null : Timestamp.format(ms))

/**
 * An MPC's resource URI; the name is percent-encoded, so `a/b` or `a?b#c` stay one path segment.
 *
 * @since 0.1.0
 * @category uris
 */
export const mpcUri = (account: Account, name: string): string =>
  `/v1/Account/${encodeURIComponent(account.authId)}/MultiPartyCall/name_${encodeURIComponent(name)}/`

/** The views are values of the view schemas; the endpoints' success schemas encode them. */
const encodeMpc = (v: typeof MpcView.Type) => v
const encodeParticipant = (v: typeof ParticipantView.Type) => v
const encodeCall = (v: typeof CallView.Type) => v

/**
 * Plivo's MPC object; billed at the domain's MPC rate (`State.Config.mpcRatePerMinute`).
 *
 * @since 0.1.0
 * @category views
 */
export const mpcView = (account: Account, config: State.Config, m: State.Mpc) => {
  const ended = m.status === "Ended" && m.endedAt !== undefined
  const duration = ended ? Math.round((m.endedAt! - m.createdAt) / 1000) : null
  const minutes = duration === null ? 0 : Math.ceil(duration / 60)
  const resource = mpcUri(account, m.name)
  return encodeMpc({
    billed_amount: ended ? (minutes * config.mpcRatePerMinute).toFixed(5) : null,
    billed_duration: ended ? String(minutes * 60) : null,
    creation_time: Timestamp.format(m.createdAt),
    duration: duration === null ? null : String(duration),
    end_time: ts(m.endedAt),
    friendly_name: m.name,
    mpc_uuid: m.uuid,
    participants: `${resource}Participant/`,
    recording:
      m.recording.status === "Recording"
        ? "recording"
        : m.recording.status === "Paused"
          ? "paused"
          : "not-recording",
    resource_uri: resource,
    start_time: ts(m.startedAt),
    status: m.status,
    stay_alone: m.members.some((x) => x.stayAlone),
    sub_account: null,
    termination_cause: m.termination?.cause ?? null,
    termination_cause_code: m.termination?.code ?? null
  })
}

/**
 * Plivo's participant object (current members).
 *
 * @since 0.1.0
 * @category views
 */
export const participantView = (account: Account, m: State.Mpc, p: State.Member) =>
  encodeParticipant({
    billed_amount: null,
    billed_duration: null,
    call_uuid: p.callUuid,
    coach_mode: p.coachMode,
    duration: null,
    end_mpc_on_exit: p.endMpcOnExit,
    exit_cause: null,
    exit_time: null,
    hold: p.hold,
    join_time: Timestamp.format(p.joinedAt),
    member_id: p.id,
    mpc_uuid: m.uuid,
    mute: p.mute,
    resource_uri: `${mpcUri(account, m.name)}Participant/${encodeURIComponent(p.id)}/`,
    role: p.role,
    start_mpc_on_enter: p.startMpcOnEnter
  })

/**
 * EMULATOR.md's view of a call.
 *
 * @since 0.1.0
 * @category views
 */
export const callView = (mpcUuid: string | null, c: State.Call) =>
  encodeCall({
    call_uuid: c.uuid,
    from: c.from,
    to: c.to,
    state: c.state === "dialing" ? "ringing" : c.state,
    mpc_uuid: mpcUuid,
    member_id: c.memberId ?? null,
    ...(c.hangup === undefined ? {} : { hangup_cause: c.hangup.cause, hangup_cause_code: c.hangup.code })
  })
