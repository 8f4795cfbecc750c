/** A real local HTTP receiver for the delivery tests: records every request, answers as told. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly params: Record<string, string>
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void

export interface Receiver {
  readonly origin: string
  readonly url: (path: string) => string
  readonly received: Array<Received>
  /** Resolves once `n` requests have arrived in all. */
  readonly waitFor: (n: number) => Promise<void>
  handler: Handler
  readonly close: () => Promise<void>
}

export const ok: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" })
  res.end("OK")
}

export const startReceiver = (handler: Handler = ok): Promise<Receiver> =>
  new Promise((resolve) => {
    const received: Array<Received> = []
    const waiters: Array<{ n: number; resolve: () => void }> = []
    const server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        const r: Received = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          params: Object.fromEntries(new URLSearchParams(body))
        }
        const index = received.length
        received.push(r)
        for (const w of waiters.splice(0)) {
          if (received.length >= w.n) w.resolve()
          else waiters.push(w)
        }
        receiver.handler(r, res, index)
      })
    })
    const receiver: Receiver = {
      origin: "",
      url: (path) => `${receiver.origin}${path}`,
      received,
      waitFor: (n) =>
        received.length >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r })),
      handler,
      close: () =>
        new Promise((r) => {
          server.closeAllConnections()
          server.close(() => r())
        })
    }
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      ;(receiver as { origin: string }).origin = `http://127.0.0.1:${port}`
      resolve(receiver)
    })
  })
