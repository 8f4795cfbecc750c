/**
 * One delivery attempt over HTTP: the signed request (CB-8) with the idempotency key (DLV-3), no
 * tracing headers (DLV-11), the response body read up to a limit and then dropped (DLV-9), and the
 * result as an `Outcome` (never an error: nothing of a failure outlives the attempt, DLV-10).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { Command } from "@mpc-kit/domain"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { buildRequest, makeNonce } from "../CallbackSender.js"
import type { Outcome } from "./Policy.js"

/**
 * DLV-3: the header carrying the callback's idempotency key.
 *
 * @since 0.1.0
 * @category constants
 */
export const idempotencyHeader = "X-Mpc-Kit-Idempotency-Key"

/**
 * The request of one attempt: signed with a fresh nonce, keyed by the outbox id.
 *
 * @since 0.1.0
 * @category delivery
 */
export const request = (
  authToken: string,
  callback: Command.SendCallback,
  key: string
): HttpClientRequest.HttpClientRequest =>
  buildRequest(authToken, callback, makeNonce()).pipe(HttpClientRequest.setHeader(idempotencyHeader, key))

/**
 * DLV-11: the client with trace propagation off (the platform client adds b3 and traceparent).
 *
 * @since 0.1.0
 * @category delivery
 */
export const untraced = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  client.pipe(HttpClient.withTracerPropagation(false))

/**
 * Runs one attempt within `timeout` (request and the bounded body read). The body is read until
 * `bodyLimit` bytes have been seen, then the stream is closed, which drops the connection.
 *
 * @since 0.1.0
 * @category delivery
 */
export const attempt = (
  client: HttpClient.HttpClient,
  req: HttpClientRequest.HttpClientRequest,
  options: { readonly timeout: Duration.Duration; readonly bodyLimit: number }
): Effect.Effect<Outcome> =>
  client.execute(req).pipe(
    Effect.flatMap((response) =>
      // DLV-9: count the bytes, keep none, stop past the limit.
      Stream.runFoldWhile(
        response.stream,
        0,
        (n) => n <= options.bodyLimit,
        (n, chunk) => n + chunk.length
      ).pipe(
        Effect.orElseSucceed(() => 0),
        Effect.as<Outcome>(
          response.status >= 200 && response.status < 300
            ? { _tag: "Acknowledged", status: response.status }
            : { _tag: "Status", status: response.status }
        )
      )
    ),
    Effect.catchAll((e) =>
      Effect.succeed<Outcome>({
        _tag: "Transport",
        detail: firstLine(e.cause === undefined ? e.message : String(e.cause))
      })
    ),
    Effect.timeoutTo({
      duration: options.timeout,
      onTimeout: (): Outcome => ({ _tag: "Timeout" }),
      onSuccess: (o) => o
    }),
    Effect.catchAllDefect((d) => Effect.succeed<Outcome>({ _tag: "Transport", detail: firstLine(String(d)) }))
  )

const firstLine = (s: string): string => {
  const line = s.split("\n", 1)[0] ?? ""
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}
