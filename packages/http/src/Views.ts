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
 * SDK-25: an MPC's resource URI, by its UUID, so an ended MPC's URI never names a newer MPC of the
 * same name.
 *
 * @since 0.1.0
 * @category uris
 */
export const mpcUri = (account: Account, uuid: string): string =>
  `/v1/Account/${encodeURIComponent(account.authId)}/MultiPartyCall/uuid_${encodeURIComponent(uuid)}/`

/**
 * SDK-27: the `sub_account` of a subaccount's MPC (its resource URI under the main account), else null.
 *
 * @since 0.2.0
 * @category uris
 */
export const subAccountUri = (account: Account, main: Account | undefined): string | null =>
  main === undefined || main.authId === account.authId
    ? null
    : `/v1/Account/${encodeURIComponent(main.authId)}/Subaccount/${encodeURIComponent(account.authId)}/`

/** The views are values of the view schemas; the endpoints' success schemas encode them. */
const encodeMpc = (v: typeof MpcView.Type) => v
const encodeParticipant = (v: typeof ParticipantView.Type) => v
const encodeCall = (v: typeof CallView.Type) => v

const billed = (seconds: number, ratePerMinute: number) => {
  const minutes = Math.ceil(seconds / 60)
  return { billed_duration: minutes * 60, billed_amount: (minutes * ratePerMinute).toFixed(5) }
}

/**
 * Plivo's MPC object (SDK-23..SDK-27), as get (SDK-2) and list (SDK-1) answer it; billed at the domain's MPC rate
 * (`State.Config.mpcRatePerMinute`). `main` is the main account when `account` is a subaccount.
 *
 * @since 0.1.0
 * @category views
 */
export const mpcView = (account: Account, config: State.Config, m: State.Mpc, main?: Account) => {
  const ended = m.status === "Ended" && m.endedAt !== undefined
  const duration = ended ? Math.round((m.endedAt! - m.createdAt) / 1000) : null
  const bill = duration === null ? undefined : billed(duration, config.mpcRatePerMinute)
  const resource = mpcUri(account, m.uuid)
  return encodeMpc({
    billed_amount: bill?.billed_amount ?? null,
    billed_duration: bill?.billed_duration ?? null,
    creation_time: Timestamp.format(m.createdAt),
    duration,
    end_time: ts(m.endedAt),
    friendly_name: m.name,
    mpc_uuid: m.uuid,
    participants: `${resource}Participant/`,
    // SDK-26: no recording state once the MPC has ended.
    recording:
      m.status === "Ended"
        ? null
        : m.recording.status === "Recording"
          ? "recording"
          : m.recording.status === "Paused"
            ? "paused"
            : "not-recording",
    resource_uri: resource,
    start_time: ts(m.startedAt),
    status: m.status,
    stay_alone: m.members.some((x) => x.stayAlone),
    sub_account: subAccountUri(account, main),
    termination_cause: ended ? (m.termination?.cause ?? null) : null,
    termination_cause_code: ended ? (m.termination?.code ?? null) : null
  })
}

/**
 * Plivo's participant object (SDK-20..SDK-22), as get participant (SDK-7) and list participants
 * (SDK-6) answer it: a member present, or one that has left (with its exit,
 * duration and billing at the call rate, and null mute, hold and coach mode).
 *
 * @since 0.1.0
 * @category views
 */
export const participantView = (account: Account, m: State.Mpc, p: State.Member, config?: State.Config) => {
  const exit = p.exit
  const duration = exit === undefined ? null : Math.max(0, Math.round((exit.at - p.joinedAt) / 1000))
  const bill = duration === null ? undefined : billed(duration, config?.callRatePerMinute ?? 0)
  return encodeParticipant({
    billed_amount: bill?.billed_amount ?? null,
    billed_duration: bill?.billed_duration ?? null,
    call_uuid: p.callUuid,
    coach_mode: exit === undefined ? p.coachMode : null,
    duration,
    end_mpc_on_exit: p.endMpcOnExit,
    exit_cause: exit?.cause ?? null,
    exit_time: ts(exit?.at),
    hold: exit === undefined ? p.hold : null,
    join_time: Timestamp.format(p.joinedAt),
    member_address: State.memberAddress(p),
    member_id: p.id,
    mpc_uuid: m.uuid,
    mute: exit === undefined ? p.mute : null,
    resource_uri: `${mpcUri(account, m.uuid)}Participant/${encodeURIComponent(p.id)}/`,
    // SDK-20: lower-case, whatever case the request used.
    role: p.role.toLowerCase(),
    start_mpc_on_enter: p.startMpcOnEnter
  })
}

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
