/**
 * Starting an MPC by API (Plivo's "activate a multiparty call").
 *
 * Rules: SDK-4, LIFE-1, LIFE-2.
 *
 * @internal
 */
import type { Event } from "../Event.js"
import { type Refusal, refusal } from "../Outcome.js"
import { startMpc } from "./Lifecycle.js"
import { liveMpc, respond } from "./Management.js"
import { isRefusal, type Tx } from "./Tx.js"

/** SDK-4: an Initialized MPC becomes Active, as when a member with `start_mpc_on_enter` joins. */
export const startMpcByApi = (tx: Tx, e: Extract<Event, { _tag: "StartMpc" }>): Refusal | undefined => {
  const mpc = liveMpc(tx, e.mpc)
  if (isRefusal(mpc)) return mpc
  // SDK-4, SDK-34: like Plivo, an MPC that is not in the initialized state is not found.
  if (mpc.status !== "Initialized")
    return refusal(
      "NotFound",
      "SDK-4",
      ["mpc"],
      `multiparty call ${mpc.name} is not in the initialized state`
    )
  startMpc(tx, tx.draft(mpc))
  respond(tx, e.apiId, { _tag: "MpcStarted", mpcUuid: mpc.uuid })
  return undefined
}
