import { AddParticipantParams, State, Step, Timers } from "@mpc-kit/domain"
import * as Either from "effect/Either"

// Your service keeps one state per account and feeds it events; `step` says what to do.
let state = State.make({ authId: "MA0000000000000000000", cps: 2 }, Date.UTC(2026, 0, 5, 9, 0, 0))
let timers = Timers.empty

const handle = (event: Parameters<typeof Step.step>[1]) => {
  const { state: next, commands, refused } = Step.step(state, event)
  state = next
  timers = Timers.apply(timers, commands) // SetTimer / CancelTimer: schedule them however you like
  if (refused !== undefined) console.log(`refused (${refused._tag}, ${refused.rule}): ${refused.message}`)
  for (const c of commands) {
    if (c._tag === "SendCallback") console.log(`callback ${c.event} -> ${c.url}`)
    else if (c._tag === "HangupCall") console.log(`hang up ${c.callUuid.slice(-4)}: ${c.cause} (${c.code})`)
    else if (c._tag !== "SetTimer" && c._tag !== "CancelTimer") console.log(c._tag)
  }
  return commands
}

// An agent is dialled on two destinations at once.
const request = Either.getOrThrow(
  AddParticipantParams.decode({
    role: "Agent",
    from: "+12025550000",
    to: "+12025551111<+12025552222",
    status_callback_url: "https://example.com/mpc"
  })
)
const added = handle({
  _tag: "AddParticipant",
  at: state.now,
  apiId: "api-1",
  mpc: { _tag: "ByName", name: "support" },
  request
})
const respond = added.find((c) => c._tag === "Respond")
const legs = respond?._tag === "Respond" && respond.outcome._tag === "Added" ? respond.outcome.legs : []
const [first, second] = legs.map((c) => c.callUuid)

// The network reports back: the second destination answers first and wins the race.
handle({ _tag: "LegAnswered", at: state.now + 3000, callUuid: second! })
console.log(`next timer: ${Timers.next(timers)?.timerId.split(":")[0]}`)
void first
