/**
 * DLV-6: an attempt whose kept-alive connection was closed by the receiver as it was reused (the
 * receiver's keep-alive timeout ran out at that moment) goes again on a new connection within the
 * same attempt; any other transport failure is the attempt's outcome.
 */
import { createServer, type Socket } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { makeAgents, send } from "../../src/delivery/Attempt.js"
import type { Outcome } from "../../src/delivery/Policy.js"

const ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"

/**
 * A receiver on raw sockets: a connection's first request is answered 200 (kept alive); a second
 * request on the same connection resets it. `resetAll`: every request resets its connection.
 */
const receiver = async (resetAll: boolean) => {
  let connections = 0
  const server = createServer((socket: Socket) => {
    connections++
    let requests = 0
    socket.on("data", (chunk) => {
      if (!chunk.toString("latin1").includes("\r\n\r\n")) return
      requests++
      if (resetAll || requests > 1) socket.resetAndDestroy()
      else socket.write(ok)
    })
    socket.on("error", () => {})
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/cb`,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r()))
  }
}

const once = (agents: ReturnType<typeof makeAgents>, url: string) =>
  new Promise<Outcome>((resolve) =>
    send(
      agents,
      { method: "POST", url, headers: { "Content-Type": "text/plain", "Content-Length": "1" }, body: "x" },
      { timeoutMs: 5_000, bodyLimit: 1024 },
      resolve
    )
  )

describe("Attempt", () => {
  it("DLV-6: a reused connection reset by the receiver is retried once on a new one, in the same attempt", async () => {
    const r = await receiver(false)
    const agents = makeAgents()
    try {
      expect(await once(agents, r.url)).toEqual({ _tag: "Acknowledged", status: 200 })
      // The second attempt reuses the connection, which the receiver resets: a new one answers.
      expect(await once(agents, r.url)).toEqual({ _tag: "Acknowledged", status: 200 })
      expect(r.connections()).toBe(2)
    } finally {
      agents.close()
      await r.close()
    }
  })

  it("DLV-6: a reset on a new connection is the attempt's failure (no second try)", async () => {
    const r = await receiver(true)
    const agents = makeAgents()
    try {
      const outcome = await once(agents, r.url)
      expect(outcome._tag).toBe("Transport")
      expect(r.connections()).toBe(1)
    } finally {
      agents.close()
      await r.close()
    }
  })
})
