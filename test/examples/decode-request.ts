import { AddParticipantParams } from "@mpc-kit/domain"
import * as Either from "effect/Either"

// A parallel dial to a phone and a SIP endpoint; the second is dialled 10 s later.
const result = AddParticipantParams.decode({
  role: "agent",
  from: "+12025550000",
  to: "+12025551111<sip:ann@example.com",
  delay_dial: "0<10"
})

if (Either.isRight(result) && result.right.target._tag === "DialOut") {
  for (const d of result.right.target.destinations) {
    console.log(d.address._tag, `delay=${d.delayDial}`, `ring_timeout=${d.ringTimeout}`)
  }
}

// A refused request names every parameter at fault, in Plivo's one-line form.
const refused = AddParticipantParams.decode({
  role: "Customer",
  from: "+12025550000",
  to: "1<2",
  ring_timeout: 14
})
if (Either.isLeft(refused)) console.log(refused.left.error)
