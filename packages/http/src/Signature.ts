/**
 * CB-8: Plivo's `X-Plivo-Signature-V3`: Base64(HMAC-SHA256(auth token, signed URL + "." + nonce)),
 * where the signed URL is built as Plivo's SDK validators build it: the URL without its query, then
 * for GET its query parameters and the callback's, sorted, as `?k=v&k=v`; for POST the URL's own
 * query, then the form parameters sorted by name and concatenated as `namevalue` with no separator
 * at all (as the `plivo` npm SDK 4.79 checks them).
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto"
import { parse as parseQuery } from "node:querystring"

type Params = Readonly<Record<string, string | ReadonlyArray<string>>>

const toMultiMap = (query: string, params: Params): Map<string, Array<string>> => {
  const out = new Map<string, Array<string>>()
  const add = (k: string, v: string) => {
    const vs = out.get(k)
    if (vs === undefined) out.set(k, [v])
    else vs.push(v)
  }
  // Parsed as the SDKs parse it (node's querystring: a leading "?" is part of the first name).
  for (const [k, v] of Object.entries(parseQuery(query))) {
    if (typeof v === "string") add(k, v)
    else if (v !== undefined) for (const x of v) add(k, x)
  }
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string") add(k, v)
    else for (const x of v) add(k, x)
  }
  return out
}

const sortedQuery = (m: Map<string, Array<string>>): string =>
  [...m.keys()]
    .sort()
    .flatMap((k) =>
      m
        .get(k)!
        .slice()
        .sort()
        .map((v) => `${k}=${v}`)
    )
    .join("&")

const sortedConcat = (params: Params): string =>
  Object.keys(params)
    .sort()
    .flatMap((k) => {
      const v = params[k]!
      return typeof v === "string"
        ? [`${k}${v}`]
        : v
            .slice()
            .sort()
            .map((x) => `${k}${x}`)
    })
    .join("")

/**
 * The string Plivo signs for a callback (before `.nonce`).
 *
 * @since 0.1.0
 * @category signatures
 */
export const signedUrl = (method: "GET" | "POST", url: string, params: Params): string => {
  // Split as written (no normalisation): the validators see the URL exactly as the receiver knows it.
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(url)
  const base = m === null ? url : `${m[1]}${m[2]}`
  const query = sortedQuery(toMultiMap(m?.[3] ?? "", method === "GET" ? params : {}))
  if (method === "GET") return query.length > 0 ? `${base}?${query}` : base
  const hasParams = Object.keys(params).length > 0
  let out = base
  if (query.length > 0 || hasParams) out += `?${query}`
  if (query.length > 0 && hasParams) out += "."
  return out + sortedConcat(params)
}

/**
 * The value of `X-Plivo-Signature-V3` for a callback sent with `nonce`. (Plivo's Node validator
 * cannot verify every URL: it UTF-8-encodes the URL twice, and its URI parser misreads IPv6 literal
 * hosts and an `@` after the host. Callback URLs without those verify.)
 *
 * @since 0.1.0
 * @category signatures
 */
export const signV3 = (
  authToken: string,
  method: "GET" | "POST",
  url: string,
  params: Params,
  nonce: string
): string =>
  createHmac("sha256", authToken)
    .update(`${signedUrl(method, url, params)}.${nonce}`, "utf8")
    .digest("base64")
