/**
 * The engine's outputs in one place (Engine.Outputs): wherever callbacks go (the store's outbox
 * through the journal, a memory outbox, or `CallbackSender`), XML is fetched the same way: a
 * call's `FetchXml` (LIFE-3: Play, Speak and Wait; anything unreachable or invalid is silence) and
 * the documents that run calls (XML-1, XML-9, XML-15), signed with the account's token. Fetches run
 * off the engine's turn, so a slow URL never holds the account up.
 *
 * @since 0.2.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Engine from "./Engine.js"
import type { Account } from "./Tenants.js"
import * as Xml from "./Xml.js"
import * as Fetcher from "./xml/Fetcher.js"

/**
 * The fetchers of one account's XML (Node's HTTP client).
 *
 * @since 0.2.0
 * @category layers
 */
export const fetchers = (account: Account): Layer.Layer<Xml.XmlFetcher | Fetcher.DocumentFetcher> =>
  Layer.merge(Xml.layerFetcher(), Fetcher.layerDocumentFetcher({ authToken: account.authToken })).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )

/**
 * The fetching half of the outputs, from the fetchers.
 *
 * @since 0.2.0
 * @category layers
 */
export const fetching: Effect.Effect<
  Pick<Engine.Outputs, "fetchXml" | "fetchDocument">,
  never,
  Xml.XmlFetcher | Fetcher.DocumentFetcher
> = Effect.gen(function* () {
  const xml = yield* Xml.XmlFetcher
  const documents = yield* Fetcher.DocumentFetcher
  return {
    fetchXml: (c) => Effect.asVoid(Effect.forkDaemon(xml.fetch(c.url, c.method, c.purpose))),
    fetchDocument: documents.fetch
  }
})

/**
 * An account's outputs: its callbacks to `callback`, its XML fetched.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  account: Account,
  callback: Engine.Outputs["callback"]
): Layer.Layer<Engine.EngineOutputs> =>
  Layer.effect(
    Engine.EngineOutputs,
    Effect.map(fetching, (f) => ({ callback, ...f }) satisfies Engine.Outputs)
  ).pipe(Layer.provide(fetchers(account)))
