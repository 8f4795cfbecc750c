import { execFile } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { attachConnectProxy, type Certificates, files, makeCertificates } from "../src/Proxy.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const authId = "MAZDQ1ZDQ5MDI4ZDQ5MDI4"
const authToken = "emulator-test-token-0123456789"

interface Received {
  readonly method: string
  readonly url: string
  readonly host: string | undefined
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  readonly encrypted: boolean
  readonly body: string
}

const ADD_PATH = /^\/v1\/Account\/(MA[A-Z0-9]+)\/MultiPartyCall\/name_x\/Participant\/$/
const addParticipantResponse = {
  api_id: "e9b2f6d4-8e1a-4b3c-9d2e-0a1b2c3d4e5f",
  calls: [{ to: "+12025551111", from: "+12025550000", call_uuid: "c0ffee00-0000-4000-8000-000000000001" }],
  message: "add participant action initiated",
  request_uuid: "d00dfeed-0000-4000-8000-000000000002"
}

let dir: string
let certs: Certificates
let server: http.Server
let port: number
const received: Array<Received> = []
const connects: Array<string> = []
const proxyErrors: Array<string> = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mpc-kit-proxy-"))
  certs = makeCertificates(path.join(dir, "tls"))
  server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const url = req.url ?? ""
      received.push({
        method: req.method ?? "",
        url,
        host: req.headers.host,
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        encrypted: (req.socket as tls.TLSSocket).encrypted === true,
        body: Buffer.concat(chunks).toString("utf8")
      })
      const ok = req.method === "POST" && ADD_PATH.test(url)
      res
        .writeHead(ok ? 201 : 404, { "content-type": "application/json" })
        .end(JSON.stringify(ok ? addParticipantResponse : { api_id: "x", error: "not found" }))
    })
  })
  server.on("connect", (req: http.IncomingMessage) => connects.push(req.url ?? ""))
  attachConnectProxy(
    server,
    { key: certs.keyPem, cert: certs.certPem },
    {
      onError: (e) => proxyErrors.push(e.message)
    }
  )
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  fs.rmSync(dir, { recursive: true, force: true })
})

// The official SDK, in a child process: NODE_EXTRA_CA_CERTS is read only when node starts.
const SDK_SCRIPT = `
const plivo = require("plivo")
const client = new plivo.Client(process.env.AUTH_ID, process.env.AUTH_TOKEN, { proxy: process.env.SDK_PROXY })
client.multiPartyCalls
  .addParticipant("Agent", { friendlyName: "x", from: "+12025550000", to: "+12025551111" })
  .then(
    (response) => process.stdout.write("OK " + JSON.stringify(response)),
    (error) => {
      process.stdout.write("ERROR " + (error instanceof Error ? error.message : String(error)))
      process.exitCode = 1
    }
  )
`

const runSdk = (caPath: string | undefined) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(https?|no|all)_proxy$/i.test(k) && k !== "NODE_EXTRA_CA_CERTS") env[k] = v
  Object.assign(env, { AUTH_ID: authId, AUTH_TOKEN: authToken, SDK_PROXY: `http://127.0.0.1:${port}` })
  if (caPath !== undefined) env.NODE_EXTRA_CA_CERTS = caPath
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    // cwd: packages/http, where `plivo` (a devDependency) resolves.
    execFile(
      process.execPath,
      ["-e", SDK_SCRIPT],
      { cwd: packageDir, env, timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          stdout,
          stderr
        })
    )
  })
}

/** Opens a CONNECT tunnel by hand: the proxy's status and the socket. */
const connect = (target: string) =>
  new Promise<{ status: number; socket: import("node:net").Socket; body: string }>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "CONNECT", path: target })
    req.on("connect", (res: http.IncomingMessage, socket: import("node:net").Socket, head: Buffer) => {
      let body = head.toString("utf8")
      if (res.statusCode === 200) {
        resolve({ status: 200, socket, body })
        return
      }
      socket.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8")
      })
      socket.on("close", () => resolve({ status: res.statusCode ?? 0, socket, body }))
    })
    req.on("error", reject)
    req.end()
  })

/** A GET through a tunnel, over TLS that trusts only `ca`. */
const getThroughTunnel = async (ca: string, url: string) => {
  const tunnel = await connect("api.plivo.com:443")
  const secure = tls.connect({ socket: tunnel.socket, servername: "api.plivo.com", ca })
  return new Promise<string>((resolve, reject) => {
    let text = ""
    secure.on("secureConnect", () =>
      secure.write(`GET ${url} HTTP/1.1\r\nHost: api.plivo.com\r\nConnection: close\r\n\r\n`)
    )
    secure.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8")
    })
    secure.on("end", () => resolve(text))
    secure.on("error", reject)
  })
}

describe("makeCertificates", () => {
  it("makes a CA and an api.plivo.com leaf it signed, valid for a year, RSA 2048, with ca.pem on disk", () => {
    const ca = new crypto.X509Certificate(certs.caPem)
    const leaf = new crypto.X509Certificate(certs.certPem)
    assert.strictEqual(certs.caPath, path.join(dir, "tls", "ca.pem"))
    assert.strictEqual(fs.readFileSync(certs.caPath, "utf8"), certs.caPem)
    assert.isTrue(ca.ca)
    assert.isFalse(leaf.ca)
    assert.isTrue(leaf.checkIssued(ca))
    assert.isTrue(leaf.verify(ca.publicKey))
    assert.isTrue(leaf.checkPrivateKey(crypto.createPrivateKey(certs.keyPem)))
    assert.strictEqual(leaf.checkHost("api.plivo.com"), "api.plivo.com")
    assert.strictEqual(leaf.checkHost("localhost"), "localhost")
    assert.strictEqual(leaf.checkIP("127.0.0.1"), "127.0.0.1")
    assert.isUndefined(leaf.checkHost("example.com"))
    assert.include(leaf.subjectAltName ?? "", "DNS:api.plivo.com")
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000
    assert.isTrue(days > 364 && days <= 365, `${days} days`)
    assert.strictEqual(crypto.createPrivateKey(certs.keyPem).asymmetricKeyDetails?.modulusLength, 2048)
    assert.strictEqual(ca.publicKey.asymmetricKeyDetails?.modulusLength, 2048)
    // Keys are readable by their owner only.
    assert.strictEqual(fs.statSync(path.join(dir, "tls", files.caKey)).mode & 0o077, 0)
    assert.strictEqual(fs.statSync(path.join(dir, "tls", files.key)).mode & 0o077, 0)
  })

  it("reuses what the directory holds, re-issues a bad leaf with the same CA, and replaces a bad CA", () => {
    const other = path.join(dir, "reuse")
    const first = makeCertificates(other)
    const started = performance.now()
    assert.deepStrictEqual(makeCertificates(other), first)
    assert.isBelow(performance.now() - started, 100, "no key generation when reusing")

    fs.writeFileSync(path.join(other, files.cert), "garbage")
    const releafed = makeCertificates(other)
    assert.strictEqual(releafed.caPem, first.caPem)
    assert.notStrictEqual(releafed.certPem, first.certPem)

    // A leaf that does not go with its key is re-issued too.
    fs.writeFileSync(path.join(other, files.key), first.keyPem)
    const rekeyed = makeCertificates(other)
    assert.strictEqual(rekeyed.caPem, first.caPem)
    assert.isTrue(
      new crypto.X509Certificate(rekeyed.certPem).checkPrivateKey(crypto.createPrivateKey(rekeyed.keyPem))
    )

    fs.rmSync(path.join(other, files.caKey))
    const replaced = makeCertificates(other)
    assert.notStrictEqual(replaced.caPem, first.caPem)
    assert.isTrue(
      new crypto.X509Certificate(replaced.certPem).checkIssued(new crypto.X509Certificate(replaced.caPem))
    )
  })
})

describe("attachConnectProxy", () => {
  it("the official plivo SDK reaches the server through CONNECT api.plivo.com:443 and TLS", async () => {
    received.length = 0
    const out = await runSdk(certs.caPath)
    assert.strictEqual(out.code, 0, out.stdout + out.stderr)
    assert.isTrue(out.stdout.startsWith("OK "), out.stdout)
    const response = JSON.parse(out.stdout.slice(3))
    assert.strictEqual(response.apiId, addParticipantResponse.api_id)
    assert.strictEqual(response.message, "add participant action initiated")

    assert.include(connects, "api.plivo.com:443")
    assert.strictEqual(received.length, 1)
    const [request] = received
    assert.strictEqual(request?.method, "POST")
    assert.strictEqual(request?.url, `/v1/Account/${authId}/MultiPartyCall/name_x/Participant/`)
    assert.strictEqual(request?.host, "api.plivo.com")
    assert.isTrue(request?.encrypted)
    assert.strictEqual(
      request?.authorization,
      `Basic ${Buffer.from(`${authId}:${authToken}`).toString("base64")}`
    )
    assert.include(request?.contentType ?? "", "application/json")
    const body = JSON.parse(request?.body ?? "{}")
    assert.strictEqual(body.role, "Agent")
    assert.strictEqual(body.from, "+12025550000")
    assert.strictEqual(body.to, "+12025551111")
    assert.strictEqual(body.caller_name, "+12025550000")
  })

  it("without the CA the SDK's call fails on the self-signed chain, and nothing is served", async () => {
    received.length = 0
    const out = await runSdk(undefined)
    assert.notStrictEqual(out.code, 0)
    assert.include(out.stdout, "self-signed certificate in certificate chain")
    assert.strictEqual(received.length, 0)
  })

  it("a CONNECT to another host gets a 403 and the socket closed", async () => {
    const answer = await connect("example.com:443")
    assert.strictEqual(answer.status, 403)
    assert.include(answer.body, "example.com:443")
    const plainPort = await connect("api.plivo.com:80")
    assert.strictEqual(plainPort.status, 403)
  })

  it("serves requests through the tunnel to a client that trusts the CA, and survives broken clients", async () => {
    // Garbage instead of a TLS hello, then a client that hangs up at once.
    const garbage = await connect("api.plivo.com:443")
    garbage.socket.write("GET / HTTP/1.1\r\n\r\n")
    await new Promise((resolve) => garbage.socket.on("close", resolve))
    const rude = await connect("API.PLIVO.COM:443")
    rude.socket.destroy()
    // A client that does not trust this CA.
    const stranger = makeCertificates(path.join(dir, "stranger"))
    const distrust = await getThroughTunnel(stranger.caPem, "/").then(
      () => "connected",
      (e: Error) => e.message
    )
    assert.include(distrust, "self-signed certificate in certificate chain")

    received.length = 0
    const text = await getThroughTunnel(certs.caPem, `/v1/Account/${authId}/MultiPartyCall/name_x`)
    assert.match(text, /^HTTP\/1\.1 404/)
    assert.strictEqual(received[0]?.method, "GET")
    assert.isTrue(received[0]?.encrypted)
    assert.isAbove(proxyErrors.length, 0)
  })
})
