import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Xml from "../src/Xml.js"

const ok = (xml: string): ReadonlyArray<Xml.Verb> => {
  const result = Xml.parse(xml)
  if (Either.isLeft(result)) throw new Error(`expected verbs, got: ${result.left}`)
  return result.right
}
const refused = (xml: string): string => {
  const result = Xml.parse(xml)
  if (Either.isRight(result)) throw new Error(`expected a refusal, got: ${JSON.stringify(result.right)}`)
  return result.left
}

const play = (url: string, loop = 1): Xml.Verb => Xml.Play.make({ url, loop })
const speak = (
  text: string,
  more: Partial<{ voice: string; language: string; loop: number }> = {}
): Xml.Verb => Xml.Speak.make({ text, voice: "WOMAN", language: "en-US", loop: 1, ...more })
const wait = (length = 1): Xml.Verb => Xml.Wait.make({ length })

describe("Xml.parse", () => {
  it("LIFE-3 keeps Play, Speak and Wait in document order", () => {
    assert.deepStrictEqual(
      ok(`<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Speak>Welcome</Speak>
  <Wait length="2"/>
  <Play>https://example.com/a.mp3</Play>
  <Speak voice="MAN" language="en-GB" loop="3">Please hold</Speak>
  <Play loop="0">https://example.com/music.mp3</Play>
</Response>`),
      [
        speak("Welcome"),
        wait(2),
        play("https://example.com/a.mp3"),
        speak("Please hold", { voice: "MAN", language: "en-GB", loop: 3 }),
        play("https://example.com/music.mp3", 0)
      ]
    )
  })

  it("LIFE-3 CONFIRM-1 ignores every other element, with what it holds", () => {
    assert.deepStrictEqual(
      ok(`<Response>
  <Dial><Number>+12025550000</Number></Dial>
  <Speak>one</Speak>
  <GetDigits action="https://example.com/d"><Speak>inside GetDigits</Speak><Play>https://x/y.mp3</Play></GetDigits>
  <Hangup/>
  <Redirect>https://example.com/next</Redirect>
  <Play>https://example.com/two.mp3</Play>
  <play>https://example.com/lower-case-is-another-element.mp3</play>
  <Record maxLength="10"/>
</Response>`),
      [speak("one"), play("https://example.com/two.mp3")]
    )
    assert.deepStrictEqual(ok("<Response/>"), [])
    assert.deepStrictEqual(ok("<Response>\n  <!-- nothing to play -->\n</Response>"), [])
  })

  it("LIFE-3 reads loop and length, with Plivo's defaults, and refuses invalid values", () => {
    assert.deepStrictEqual(ok("<Response><Wait/><Play>u</Play><Speak>t</Speak></Response>"), [
      wait(1),
      play("u"),
      speak("t")
    ])
    assert.deepStrictEqual(ok(`<Response><Wait length=' 7 '/><Play loop="12">u</Play></Response>`), [
      wait(7),
      play("u", 12)
    ])
    assert.include(refused(`<Response><Play loop="-1">u</Play></Response>`), `loop="-1"`)
    assert.include(refused(`<Response><Play loop="two">u</Play></Response>`), "expected an integer")
    assert.include(refused(`<Response><Wait length="0"/></Response>`), "expected an integer from 1")
    assert.include(refused(`<Response><Speak loop="1.5">t</Speak></Response>`), "expected an integer")
    assert.include(refused(`<Response><Play loop="99999999999999999999">u</Play></Response>`), "integer")
    assert.include(refused("<Response><Play>  </Play></Response>"), "<Play> without a URL")
    assert.include(refused("<Response><Speak/></Response>"), "<Speak> without text")
    // Attributes of ignored elements are not checked.
    assert.deepStrictEqual(ok(`<Response><Dial timeout="soon"/></Response>`), [])
  })

  it("LIFE-3 copes with nesting and odd white space", () => {
    assert.deepStrictEqual(
      ok(`\uFEFF<?xml version="1.0"?>
<!-- leading comment -->
<Response >
\t<Play
    loop = "2"
  >
      https://example.com/a.mp3
  </Play >
  <Speak   voice='Polly.Joanna'  language="en-US">Hello
     <break time="1s"/>   there, <emphasis>dear</emphasis>   caller
  </Speak>
  <Wait
    length="3"
  />
</Response>
<!-- trailing comment -->
`),
      [
        play("https://example.com/a.mp3", 2),
        speak("Hello there, dear caller", { voice: "Polly.Joanna" }),
        wait(3)
      ]
    )
  })

  it("CONFIRM-1 takes CDATA in Speak as text", () => {
    assert.deepStrictEqual(
      ok(
        "<Response><Speak>Press <![CDATA[1 & then <#>]]> now</Speak><Play><![CDATA[https://x/a.mp3?a=1&b=2]]></Play></Response>"
      ),
      [speak("Press 1 & then <#> now"), play("https://x/a.mp3?a=1&b=2")]
    )
  })

  it("LIFE-3 decodes the predefined entities and character references", () => {
    assert.deepStrictEqual(
      ok(
        `<Response><Speak voice="&quot;A&apos;">Tom &amp; Jerry &lt;3 &gt; &#72;&#x69; &#x1F600;</Speak><Play>https://x/a.mp3?a=1&amp;b=2</Play></Response>`
      ),
      [speak("Tom & Jerry <3 > Hi \u{1F600}", { voice: `"A'` }), play("https://x/a.mp3?a=1&b=2")]
    )
    // XML-20: a bare '&', an undefined entity or a reference to a character XML forbids is refused.
    refused("<Response><Speak>AT&T</Speak></Response>")
    assert.include(refused("<Response><Speak>&nbsp;</Speak></Response>"), "undefined entity")
    assert.include(refused("<Response><Speak>&#0;</Speak></Response>"), "malformed character entity")
    assert.include(refused("<Response><Speak>&#xD800;</Speak></Response>"), "malformed character entity")
    assert.include(refused(`<Response><Play loop="&x;">u</Play></Response>`), "undefined entity")
  })

  it("XML-20 LIFE-3 refuses a DOCTYPE and entity declarations: the billion laughs are refused at once", () => {
    const lols = [
      `<!ENTITY lol0 "lol">`,
      ...Array.from({ length: 9 }, (_, k) => `<!ENTITY lol${k + 1} "${`&lol${k};`.repeat(10)}">`)
    ]
    const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  ${lols.join("\n  ")}
]>
<Response><Speak>&lol9;</Speak></Response>`
    const started = performance.now()
    const reason = refused(billionLaughs)
    assert.isBelow(performance.now() - started, 50)
    assert.include(reason, "DOCTYPE declarations are refused")
    assert.include(reason, "line 13")
    assert.include(refused(`<!DOCTYPE Response SYSTEM "file:///etc/passwd"><Response/>`), "DOCTYPE")
    assert.include(refused(`<Response><!ENTITY x "y"></Response>`), "incorrect syntax")
    // An undeclared entity is never looked up anywhere either.
    assert.include(refused("<Response><Speak>&lol9;</Speak></Response>"), "undefined entity")
  })

  it("LIFE-3 refuses what is not well-formed XML with a Plivo <Response> root", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["", "must contain a root element"],
      ["   \n ", "must contain a root element"],
      ["hello", "text data outside of root node"],
      ['{"speak": "hello"}', "text data outside of root node"],
      ["<html><body>Not found</body></html>", "the root element is <html>, not <Response>"],
      ["<response><Speak>x</Speak></response>", "not <Response>"],
      ["<Response><Speak>x</Response>", "unexpected close tag"],
      ["<Response><Speak>x</Speak>", "unclosed tag: Response"],
      ["<Response></Response><Response></Response>", "only one root"],
      ["<Response/>trailing", "text data outside of root node"],
      ["<Response><Play loop=2>u</Play></Response>", "unquoted attribute value"],
      [`<Response><Play loop="1" loop="2">u</Play></Response>`, "the attribute loop is repeated"],
      [`<Response><Play loop="1"voice="x">u</Play></Response>`, "no whitespace between attributes"],
      [`<Response><Speak a="<">x</Speak></Response>`, "disallowed character"],
      ["<Response><Speak>x</Speak", "unclosed tag: Speak"],
      ["<Response><Speak", "unclosed tag"],
      ["<Response><!-- x </Response>", "unclosed tag"],
      ["<Response><![CDATA[x</Response>", "unclosed tag"],
      ["<Response>]]></Response>", `"]]>" is disallowed`],
      ["<Response><1x/></Response>", "disallowed character in tag name"],
      [`<Response/><?xml version="1.0"?>`, "XML declaration must be at the start"],
      ["</Response>", "unmatched closing tag"]
    ]
    for (const [xml, reason] of cases) assert.include(refused(xml), reason, xml)
    assert.include(refused("<Response>\n  <Speak>x</Spek>\n</Response>"), "line 2, column 17")
  })

  it("XML-19 refuses documents over the limits of size, elements, depth, attributes and time", () => {
    assert.include(refused(`<Response>${" ".repeat(64 * 1024)}</Response>`), "character limit")
    assert.include(refused(`<Response>${"<Wait/>".repeat(1000)}</Response>`), "more than 1000 elements")
    assert.deepStrictEqual(ok(`<Response>${"<Wait/>".repeat(999)}</Response>`).length, 999)
    const nested = (depth: number) =>
      `<Response>${"<a>".repeat(depth - 1)}${"</a>".repeat(depth - 1)}<Wait/></Response>`
    assert.deepStrictEqual(ok(nested(16)), [wait(1)])
    assert.include(refused(nested(17)), "nested deeper than 16")
    const attributes = (n: number) =>
      `<Response><Speak ${Array.from({ length: n }, (_, k) => `a${k}="v"`).join(" ")}>x</Speak></Response>`
    assert.deepStrictEqual(ok(attributes(64)).length, 1)
    assert.include(refused(attributes(65)), "more than 64 attributes")
    // The clock is read between chunks: a parse that the clock says took too long is refused.
    let t = 0
    const slow = Xml.parse(`<Response>${"<Wait/>".repeat(100)}</Response>`, {
      now: () => (t += 600),
      chunk: 64
    })
    assert.isTrue(Either.isLeft(slow) && slow.left.includes("parsing took over 1000 ms"))
  })

  it("XML-19 deep nesting is refused at the depth limit, without recursion", () => {
    const depth = 5_000
    const deep = `<Response>${"<a>".repeat(depth)}${"</a>".repeat(depth)}<Wait/></Response>`
    assert.include(
      Xml.parse(deep).pipe(
        Either.flip,
        Either.getOrElse(() => "")
      ),
      "nested deeper than 16"
    )
  })
})

// ---------------------------------------------------------------------------------------------
// The fetcher against a real loopback server
// ---------------------------------------------------------------------------------------------

interface Seen {
  readonly method: string
  readonly url: string
  readonly contentType: string | undefined
  readonly body: string
}

const XML = `<Response><Speak>Please enter 5 to accept the call.</Speak><Wait length="2"/></Response>`

interface Loopback {
  readonly base: string
  readonly seen: Array<Seen>
  /** The paths whose response was closed (ended or aborted). */
  readonly closed: Array<string>
  readonly server: http.Server
}

const startServer = Effect.acquireRelease(
  Effect.async<Loopback>((resume) => {
    const seen: Array<Seen> = []
    const closed: Array<string> = []
    const server = http.createServer((req, res) => {
      let body = ""
      req.setEncoding("utf8")
      req.on("data", (chunk: string) => {
        body += chunk
      })
      req.on("end", () => {
        const url = req.url ?? "/"
        seen.push({ method: req.method ?? "", url, contentType: req.headers["content-type"], body })
        res.on("close", () => closed.push(url))
        switch (url) {
          case "/ok":
            res.writeHead(200, { "content-type": "application/xml" }).end(XML)
            return
          case "/missing":
            res.writeHead(404, { "content-type": "text/plain" }).end("Not found")
            return
          case "/broken":
            res.writeHead(500).end("<Response><Speak>error page</Speak></Response>")
            return
          case "/not-xml":
            res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>")
            return
          case "/hang":
            return // never answers
          case "/slow-body":
            res.writeHead(200, { "content-type": "application/xml" })
            res.write("<Response><Speak>")
            return // never ends
          case "/big-declared": {
            const big = `<Response><Speak>${"x".repeat(4096)}</Speak></Response>`
            res.writeHead(200, { "content-type": "application/xml", "content-length": big.length }).end(big)
            return
          }
          case "/big-endless": {
            // Chunked, no Content-Length, and it would never end: only an incremental reader stops.
            res.writeHead(200, { "content-type": "application/xml" })
            res.write("<Response><Speak>")
            const timer = setInterval(() => res.write("x".repeat(512)), 1)
            res.on("close", () => clearInterval(timer))
            return
          }
          case "/latin1":
            res.writeHead(200).end(Buffer.from("<Response><Speak>caf\xe9</Speak></Response>", "latin1"))
            return
          default:
            res.writeHead(404).end()
        }
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ base: `http://127.0.0.1:${port}`, seen, closed, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const warnings: Array<string> = []
const captureWarnings = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    if (logLevel._tag === "Warning") warnings.push(String(Array.isArray(message) ? message[0] : message))
  })
)

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["node:http client", NodeHttpClient.layer],
  ["undici client", NodeHttpClient.layerUndici],
  ["fetch client", FetchHttpClient.layer]
]

describe.each(clients)("XmlFetcher (%s)", (_, clientLayer) => {
  const fetcher = (options: Xml.FetcherOptions) =>
    Xml.layerFetcher(options).pipe(Layer.provide(clientLayer), Layer.provide(captureWarnings))
  const limits = { timeout: "300 millis", maxBytes: 1024 } as const

  const withFetcher = <A>(
    f: (fetch: Context.Tag.Service<typeof Xml.XmlFetcher>["fetch"], server: Loopback) => Effect.Effect<A>
  ) =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startServer
        const { fetch } = yield* Xml.XmlFetcher
        return yield* f(fetch, server)
      })
    ).pipe(Effect.provide(fetcher(limits)))

  it.live("LIFE-3 CONFIRM-1 GET: a 200 with XML gives the verbs", () =>
    withFetcher((fetch, server) =>
      Effect.gen(function* () {
        const result = yield* fetch(`${server.base}/ok`, "GET", "ConfirmKeySound")
        assert.deepStrictEqual(
          result,
          Either.right([speak("Please enter 5 to accept the call."), wait(2)] as ReadonlyArray<Xml.Verb>)
        )
        assert.strictEqual(server.seen[0]?.method, "GET")
        assert.strictEqual(server.seen[0]?.body, "")
      })
    )
  )

  it.live("LIFE-3 POST sends an empty form body", () =>
    withFetcher((fetch, server) =>
      Effect.gen(function* () {
        const result = yield* fetch(`${server.base}/ok`, "POST", "WaitMusic")
        assert.isTrue(Either.isRight(result))
        assert.strictEqual(server.seen[0]?.method, "POST")
        assert.strictEqual(server.seen[0]?.contentType, "application/x-www-form-urlencoded")
        assert.strictEqual(server.seen[0]?.body, "")
      })
    )
  )

  it.live("LIFE-3 a 404, a 500 or a page that is not Plivo XML is silence, with a warning", () =>
    withFetcher((fetch, server) =>
      Effect.gen(function* () {
        warnings.length = 0
        assert.deepStrictEqual(
          yield* fetch(`${server.base}/missing`, "GET", "EnterSound"),
          Either.left("HTTP status 404")
        )
        assert.deepStrictEqual(
          yield* fetch(`${server.base}/broken`, "POST", "ExitSound"),
          Either.left("HTTP status 500")
        )
        const notXml = yield* fetch(`${server.base}/not-xml`, "GET", "AgentHoldMusic")
        assert.include(
          Either.getLeft(notXml).pipe((o) => (o._tag === "Some" ? o.value : "")),
          "not <Response>"
        )
        const latin1 = yield* fetch(`${server.base}/latin1`, "GET", "CustomerHoldMusic")
        assert.deepStrictEqual(latin1, Either.left("the body is not UTF-8"))
        assert.strictEqual(warnings.length, 4)
        assert.include(warnings[0], "EnterSound XML gives silence: HTTP status 404")
      })
    )
  )

  it.live("LIFE-3 an unreachable URL or an invalid one is silence", () =>
    withFetcher((fetch) =>
      Effect.gen(function* () {
        // A port that was just free: connection refused.
        const port = yield* Effect.async<number>((resume) => {
          const s = http.createServer().listen(0, "127.0.0.1", () => {
            const { port } = s.address() as AddressInfo
            s.close(() => resume(Effect.succeed(port)))
          })
        })
        const refusedResult = yield* fetch(`http://127.0.0.1:${port}/x`, "GET", "WaitMusic")
        assert.isTrue(Either.isLeft(refusedResult))
        const invalid = yield* fetch("not a url", "POST", "WaitMusic")
        assert.isTrue(Either.isLeft(invalid))
      })
    )
  )

  it.live("LIFE-3 a server that never answers is silence once the time limit has passed", () =>
    withFetcher((fetch, server) =>
      Effect.gen(function* () {
        const started = Date.now()
        const hang = yield* fetch(`${server.base}/hang`, "GET", "WaitMusic")
        const slowBody = yield* fetch(`${server.base}/slow-body`, "GET", "WaitMusic")
        const elapsed = Date.now() - started
        assert.deepStrictEqual(hang, Either.left("no complete answer within 300ms"))
        assert.deepStrictEqual(slowBody, Either.left("no complete answer within 300ms"))
        assert.isAtLeast(elapsed, 580)
        assert.isBelow(elapsed, 2000)
        // The requests were aborted, not left hanging.
        yield* Effect.sleep("100 millis")
        assert.includeMembers(server.closed, ["/hang", "/slow-body"])
      })
    )
  )

  it.live("LIFE-3 a body over the size limit is silence, declared or read as it comes", () =>
    withFetcher((fetch, server) =>
      Effect.gen(function* () {
        const declared = yield* fetch(`${server.base}/big-declared`, "GET", "EnterSound")
        assert.deepStrictEqual(declared, Either.left("the body (4132 bytes) is over the 1024-byte limit"))
        // Stopped by the size limit as the bytes came, not by the time limit: it never ends.
        const endless = yield* fetch(`${server.base}/big-endless`, "GET", "EnterSound")
        assert.deepStrictEqual(endless, Either.left("the body is over the 1024-byte limit"))
        yield* Effect.sleep("100 millis")
        assert.include(server.closed, "/big-endless")
      })
    )
  )
})
