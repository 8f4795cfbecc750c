import type { Call, Member, Mpc } from "../State.js"
import type { Draft, Tx } from "./Tx.js"

export const findCall = (d: Mpc, callUuid: string): Call | undefined => {
  const calls = d.calls
  for (let i = 0; i < calls.length; i++) if (calls[i]!.uuid === callUuid) return calls[i]
  return undefined
}

export const putCall = (tx: Tx, d: Draft, call: Call): void => {
  const calls = tx.writable(d.calls)
  let i = calls.length - 1
  while (i >= 0 && calls[i]!.uuid !== call.uuid) i--
  if (i < 0) calls.push(call)
  else calls[i] = call
  d.calls = calls
}

/** A call new to the MPC (a fresh UUID), added at the end without looking for it first. */
export const appendCall = (tx: Tx, d: Draft, call: Call): void => {
  const calls = tx.writable(d.calls)
  calls.push(call)
  d.calls = calls
}

export const findMember = (d: Mpc, memberId: string): Member | undefined =>
  d.members.find((m) => m.id === memberId)

export const putMember = (tx: Tx, d: Draft, member: Member): void => {
  const members = tx.writable(d.members)
  for (let i = 0; i < members.length; i++) if (members[i]!.id === member.id) members[i] = member
  d.members = members
}

/** A copy with some fields changed; optional fields are set to `undefined`, never deleted (one shape). */
export const patch = <T extends object>(base: T, changes: Partial<T>): T => ({ ...base, ...changes })

/** A call with every field present, in one order (one shape). */
export const newCall = (
  fields: Pick<Call, "uuid" | "direction" | "from" | "to" | "state" | "createdAt"> & Partial<Call>
): Call => ({
  uuid: fields.uuid,
  direction: fields.direction,
  from: fields.from,
  to: fields.to,
  state: fields.state,
  requestUuid: fields.requestUuid,
  destination: fields.destination,
  callerName: fields.callerName,
  callStatusCallback: fields.callStatusCallback,
  queueSeq: fields.queueSeq,
  createdAt: fields.createdAt,
  initiatedAt: fields.initiatedAt,
  ringingAt: fields.ringingAt,
  answeredAt: fields.answeredAt,
  endedAt: fields.endedAt,
  delayAt: fields.delayAt,
  ringTimeoutAt: fields.ringTimeoutAt,
  confirmAt: fields.confirmAt,
  memberId: fields.memberId,
  hangup: fields.hangup,
  handedOff: fields.handedOff,
  xml: fields.xml
})
