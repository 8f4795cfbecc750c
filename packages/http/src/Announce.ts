/**
 * SDK-35: the start-up line for the official SDKs: the proxy URL with the port the emulator listens
 * on (the real one when `PORT=0` picked a free port), printed once it listens.
 *
 * @since 0.2.0
 */
import { HttpServer } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The line: the proxy URL and the CA file the SDK's process must trust.
 *
 * @since 0.2.0
 * @category lines
 */
export const proxyLine = (host: string, port: number, caFile: string): string =>
  `official SDKs: proxy http://${host}:${port} and NODE_EXTRA_CA_CERTS=${caFile}`

/**
 * A layer that prints `proxyLine` with the server's bound port, after the server listens.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (host: string, caFile: string, print: (line: string) => void) =>
  Layer.effectDiscard(
    Effect.map(HttpServer.HttpServer, (server) => {
      const address = server.address
      if (address._tag === "TcpAddress") print(proxyLine(host, address.port, caFile))
    })
  )
