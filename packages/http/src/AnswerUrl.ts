/**
 * XML-1: the network control API's inbound calls with an application. `POST /emulator/v1/calls`
 * with `answer_url` (and `answer_method`, default POST; `hangup_url`, `hangup_method`) makes an
 * inbound call that is answered and runs the XML its answer URL returns; without it, a bare live
 * call for the API to transfer (XFER-1).
 *
 * @since 0.2.0
 */
import type * as Engine from "./Engine.js"
import type * as Params from "./Params.js"

/**
 * XML-1: the event a create-call body asks for.
 *
 * @since 0.2.0
 * @category network
 */
export const createCall = (apiId: string, body: typeof Params.CreateCallParams.Type): Engine.Input => {
  if (body.answer_url === undefined) return { _tag: "CreateCall", apiId, from: body.from, to: body.to }
  return {
    _tag: "InboundCall",
    apiId,
    from: body.from,
    to: body.to,
    answer: { url: body.answer_url, method: body.answer_method ?? "POST" },
    ...(body.hangup_url === undefined
      ? {}
      : { hangup: { url: body.hangup_url, method: body.hangup_method ?? "POST" } })
  }
}
