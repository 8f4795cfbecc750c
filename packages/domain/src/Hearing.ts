/**
 * LIFE-10, LIFE-11: who hears whom in an MPC, as a pure function of its members' roles, mute,
 * hold and coach mode.
 *
 * @since 0.1.0
 */
import type { Member, Mpc } from "./State.js"

/**
 * True when `listener` hears `speaker` on the bridge.
 *
 * - Nobody hears anybody before the MPC starts: waiting members hear the wait music (LIFE-2).
 * - A muted or held member is heard by nobody; a held member hears nobody (LIFE-11).
 * - A Supervisor in coach mode is heard by Agents only: never by Customers, nor by other Supervisors (LIFE-10).
 *
 * @since 0.1.0
 * @category rules
 */
export const hears = (mpc: Mpc, listener: Member, speaker: Member): boolean => {
  if (listener.id === speaker.id) return false
  if (mpc.status !== "Active") return false
  if (speaker.mute || speaker.hold || listener.hold) return false
  if (speaker.role === "Supervisor" && speaker.coachMode && listener.role !== "Agent") return false
  return true
}

/**
 * For each member (by id), the ids of the members it hears, in join order.
 *
 * @since 0.1.0
 * @category rules
 */
export const audible = (mpc: Mpc): Record<string, ReadonlyArray<string>> => {
  const out: Record<string, ReadonlyArray<string>> = {}
  for (const listener of mpc.members) {
    out[listener.id] = mpc.members.filter((speaker) => hears(mpc, listener, speaker)).map((s) => s.id)
  }
  return out
}

/**
 * PLAY-3: the audio the play API plays to a member, if any. Only that member hears it, over what it
 * hears otherwise (the bridge, or its wait or hold music, which the play does not replace); no other
 * member hears it.
 *
 * @since 0.2.0
 * @category audibility
 */
export const playedTo = (listener: Member): string | undefined => listener.audio?.url

/**
 * PLAY-3: for each member (by id), the audio played to it by the play API, in join order; members
 * hearing none are left out.
 *
 * @since 0.2.0
 * @category audibility
 */
export const plays = (mpc: Mpc): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const m of mpc.members) {
    const url = playedTo(m)
    if (url !== undefined) out[m.id] = url
  }
  return out
}
