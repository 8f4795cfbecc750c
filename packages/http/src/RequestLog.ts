/**
 * One logfmt line per request, written off the request's path: lines are queued and written in
 * one batch per turn of the event loop, so a slow stdout never holds a response. Off when the
 * minimum log level is above INFO (e.g. `Logger.minimumLogLevel(LogLevel.None)`).
 *
 * @since 0.1.0
 */
import type { HttpApp, HttpServerResponse } from "@effect/platform"
import { HttpServerRequest } from "@effect/platform"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"

let queued: Array<string> = []
let scheduled = false

const flush = () => {
  scheduled = false
  const lines = queued
  queued = []
  process.stdout.write(lines.join(""))
}

const quote = (s: string) => (/^[^\s"=]*$/.test(s) ? s : JSON.stringify(s))

/**
 * Queues one line; the batch is written on the next turn of the event loop.
 *
 * @since 0.1.0
 * @category logging
 */
export const enqueue = (line: string): void => {
  queued.push(line)
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
}

/**
 * A request's line (logfmt), timed from `started` (`performance.now()`).
 *
 * @since 0.1.0
 * @category logging
 */
export const line = (method: string, url: string, status: number, started: number): string =>
  `timestamp=${new Date().toISOString()} level=INFO message="Sent HTTP response" http.method=${method} http.url=${quote(url)} http.status=${status} http.ms=${(performance.now() - started).toFixed(2)}\n`

/**
 * Whether a minimum log level lets the request log through (INFO or below).
 *
 * @since 0.1.0
 * @category logging
 */
export const isOn = (minimum: LogLevel.LogLevel): boolean => !LogLevel.lessThan(LogLevel.Info, minimum)

/**
 * The middleware: times the request and queues its line once the response is known.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.withFiberRuntime((fiber) => {
    if (!isOn(fiber.getFiberRef(FiberRef.currentMinimumLogLevel))) return app
    const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
    const started = performance.now()
    return Effect.onExit(app, (exit) =>
      Effect.sync(() => {
        const status =
          exit._tag === "Success" ? (exit.value as HttpServerResponse.HttpServerResponse).status : 500
        enqueue(line(request.method, request.url, status, started))
      })
    )
  })
