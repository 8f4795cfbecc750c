/**
 * The contact-centre scenario at 10,000 and 100,000 MPCs: simulated events per second, wall time,
 * peak memory, and the ratio to `step` alone on the same events (replayed in the same process).
 * Each size runs in its own process so its peak memory is its own.
 *
 * Run: pnpm bench:sim   (options: --sizes 10000,100000)
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type Event, State, Step } from "@mpc-kit/domain"
import { type Scenario, Simulation } from "@mpc-kit/sim"

const arg = (name: string) => {
  const k = process.argv.indexOf(`--${name}`)
  return k < 0 ? undefined : process.argv[k + 1]
}

const scenarioOf = (customers: number): Scenario.Scenario => ({
  name: `contact-centre-${customers}`,
  account: { cps: 50 },
  contactCentre: {
    customers,
    arrivalsPerSecond: 20,
    // ~2,400 calls at once at 20 arrivals a second and 2 minutes' talk: enough agents that most answer.
    agents: Array.from({ length: 3000 }, (_, i) => `+1415${String(i).padStart(7, "0")}`),
    agentsPerCustomer: 2,
    agent: { outcome: { answer: 0.85, "no-answer": 0.1, reject: 0.05 }, after: { uniform: [2, 12] } },
    talkTime: { lognormal: { median: 120, sigma: 0.6 } },
    supervisorShare: 0.1,
    agentParams: {
      ring_timeout: 20,
      status_callback_url: "https://cc.example.com/mpc",
      call_status_callback_url: "https://cc.example.com/calls"
    },
    customerParams: {
      record: true,
      record_min_member_count: 2,
      recording_callback_url: "https://cc.example.com/recordings"
    }
  }
})

const one = (customers: number) => {
  const scenario = scenarioOf(customers)
  const t0 = process.hrtime.bigint()
  const result = Simulation.run(scenario, { seed: 1, trace: false })
  const simSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20
  // The same events again, collected, then through `step` alone.
  const events: Array<Event.Event> = []
  Simulation.run(scenario, {
    seed: 1,
    trace: false,
    onEntry: (e) => e.kind === "event" && events.push(e.event)
  })
  let state = State.make({ cps: 50, seed: 1 }, result.start)
  const t1 = process.hrtime.bigint()
  for (const e of events) state = Step.step(state, e).state
  const stepSeconds = Number(process.hrtime.bigint() - t1) / 1e9
  if (state.nextId !== result.state.nextId) throw new Error("the replay diverged from the simulation")
  console.log(
    JSON.stringify({
      customers,
      mpcs: result.metrics.mpcs,
      events: result.metrics.events,
      commands: result.metrics.commands,
      simSeconds,
      stepSeconds,
      peakRssMiB,
      heapMiB,
      joins: result.metrics.joins,
      legsByCause: result.metrics.legsByCause
    })
  )
}

if (arg("one") !== undefined) {
  one(Number(arg("one")))
} else {
  const sizes = (arg("sizes") ?? "10000,100000").split(",").map(Number)
  console.log(`node ${process.version}; contact centre, seed 1, each size in its own process\n`)
  console.log(
    `${"MPCs".padStart(8)} ${"events".padStart(10)} ${"sim s".padStart(7)} ${"events/s".padStart(10)} ${"step alone/s".padStart(13)} ${"sim/step".padStart(9)} ${"peak RSS".padStart(9)}`
  )
  for (const n of sizes) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--one", String(n)], {
      encoding: "utf8",
      maxBuffer: 1 << 24
    })
    const r = JSON.parse(out.trim().split("\n").pop()!)
    console.log(
      `${String(r.mpcs).padStart(8)} ${String(r.events).padStart(10)} ${r.simSeconds.toFixed(2).padStart(7)} ${Math.round(
        r.events / r.simSeconds
      )
        .toLocaleString("en-US")
        .padStart(10)} ${Math.round(r.events / r.stepSeconds)
        .toLocaleString("en-US")
        .padStart(
          13
        )} ${(r.simSeconds / r.stepSeconds).toFixed(2).padStart(8)}x ${`${r.peakRssMiB.toFixed(0)} MiB`.padStart(9)}`
    )
    console.log(`         joins ${r.joins}; legs by cause ${JSON.stringify(r.legsByCause)}`)
  }
}
