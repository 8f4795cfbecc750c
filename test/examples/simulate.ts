import { Scenario, Simulation } from "@mpc-kit/sim"
import * as Either from "effect/Either"

// An agent is dialled on two phones at once; the second answers after 3 s and wins the race.
const scenario = Either.getOrThrow(
  Scenario.decode({
    name: "two-phones",
    callees: {
      "+14155550101": { outcome: "silent" },
      "+14155550102": { outcome: "answer", after: 3, hangupAfter: 60 }
    },
    actions: [
      {
        at: 0,
        do: "add",
        mpc: "support",
        params: { role: "Agent", from: "+18005550100", to: "+14155550101<+14155550102" }
      }
    ]
  })
)

const { metrics, trace } = Simulation.run(scenario, { seed: 1, trace: true })
console.log(`legs: ${metrics.legs}, joins: ${metrics.joins}`)
console.log(`legs by cause: ${JSON.stringify(metrics.legsByCause)}`)
console.log(`trace: ${trace.length} entries over ${metrics.virtualSeconds} virtual seconds`)
