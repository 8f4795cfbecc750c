import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import { Server } from "@mpc-kit/http"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as plivo from "plivo"

// The SDK's XML builder (its type declarations lack addMultiPartyCall, so they are given here).
const Response = plivo.Response as unknown as new () => {
  addSpeak(text: string): void
  addMultiPartyCall(name: string, attributes: Record<string, string>): void
  toXML(): string
}

// Your answer server, written as for Plivo: a greeting, then the caller waits in an MPC of its own.
const answers = createServer((req, res) => {
  let body = ""
  req.on("data", (chunk) => (body += chunk))
  req.on("end", () => {
    const call = new URLSearchParams(body)
    console.log(`answer URL asked: ${call.get("Direction")} call from ${call.get("From")}`)
    const response = new Response()
    response.addSpeak("Thanks for calling. An agent will be with you shortly.")
    response.addMultiPartyCall(`support-${call.get("From")?.slice(-4)}`, {
      role: "customer",
      statusCallbackUrl: "https://crm.example.com/mpc-events"
    })
    res.writeHead(200, { "content-type": "application/xml" }).end(response.toXML())
  })
})
await new Promise<void>((ready) => answers.listen(0, "127.0.0.1", ready))
const answerUrl = `http://127.0.0.1:${(answers.address() as { port: number }).port}/answer`

// A test against the emulator: a customer calls in, an agent is added by the API.
const account = { authId: "MA1234567890ABCDEFGH", authToken: "secret-token" }
const run = async (emulator: string) => {
  const api = async <T>(path: string, body?: object): Promise<T> => {
    const r = await fetch(`${emulator}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Basic ${btoa(`${account.authId}:${account.authToken}`)}`,
        "content-type": "application/json"
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return (r.status === 204 ? {} : r.json()) as Promise<T>
  }
  await api("/emulator/v1/calls", { from: "+14155550123", to: "+18005550100", answer_url: answerUrl })
  const mpcPath = `/v1/Account/${account.authId}/MultiPartyCall/name_support-0123/`
  let mpc = await api<{ mpc_uuid?: string }>(mpcPath)
  while (mpc.mpc_uuid === undefined) {
    await api("/emulator/v1/clock/advance", { seconds: 1 }) // the Speak takes 4 s of virtual time
    mpc = await api<{ mpc_uuid?: string }>(mpcPath)
  }
  const agent = await api<{ calls: Array<{ call_uuid: string }> }>(`${mpcPath}Participant/`, {
    role: "Agent",
    from: "+18005550100",
    to: "+14155550999"
  })
  for (const leg of agent.calls) await api(`/emulator/v1/calls/${leg.call_uuid}/answer`, {})
  type Entry = { command?: { _tag: string; event: string; params: Record<string, string | null> } }
  for (const entry of await api<Array<Entry>>(`/emulator/v1/mpcs/${mpc.mpc_uuid}/trace`)) {
    const c = entry.command
    if (c?._tag === "SendCallback")
      console.log(`callback ${c.event} ${c.params.ParticipantRole ?? ""}`.trim())
  }
}

// The emulator in this process, on a virtual clock.
const options = { host: "127.0.0.1", port: 0, quiet: true, account, clock: "virtual", cps: 10 } as const
await Effect.gen(function* () {
  const address = Context.get(yield* Layer.build(Server.layer(options)), HttpServer.HttpServer).address
  yield* Effect.promise(() => run(`http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`))
}).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.None), Effect.runPromise)
answers.close()
