/**
 * Reaching the emulator with Plivo's official SDKs, whose API base URL is fixed to
 * `https://api.plivo.com`: they accept an HTTP proxy, and send `CONNECT api.plivo.com:443` to it.
 * The emulator's own HTTP server answers that CONNECT itself, ends the TLS session with a
 * certificate for `api.plivo.com` signed by a local CA (which the SDK's process must trust, e.g.
 * with `NODE_EXTRA_CA_CERTS=<ca.pem>`), and serves the decrypted requests with its usual handler.
 *
 * @since 0.1.0
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import type * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import type { Duplex } from "node:stream"
import * as tls from "node:tls"
import * as Data from "effect/Data"
import forge from "node-forge"

/**
 * The certificates the proxy presents, and the CA to trust.
 *
 * @since 0.1.0
 * @category proxy
 */
export interface Certificates {
  /** Where the CA certificate was written (for `NODE_EXTRA_CA_CERTS`). */
  readonly caPath: string
  readonly caPem: string
  /** The leaf's private key (PKCS#8 PEM). */
  readonly keyPem: string
  /**
   * The leaf certificate for `api.plivo.com`, followed by the CA's (PEM): the chain the proxy
   * presents, so that a client that does not trust the CA says so ("self-signed certificate in
   * certificate chain") rather than "unable to verify the first certificate".
   */
  readonly certPem: string
}

/**
 * The names the leaf certificate is valid for.
 *
 * @since 0.1.0
 * @category constants
 */
export const leafDnsNames: ReadonlyArray<string> = ["api.plivo.com", "localhost"]
/**
 * The IP addresses the leaf certificate names besides `api.plivo.com`.
 *
 * @since 0.1.0
 * @category constants
 */
export const leafIpAddresses: ReadonlyArray<string> = ["127.0.0.1"]

/**
 * Where the local CA is kept by default: the user's own data directory (`$XDG_DATA_HOME`, else
 * `~/.local/share`), never a shared temporary folder another local user could plant a CA in.
 *
 * @since 0.1.0
 * @category proxy
 */
export const defaultCaDir = (env: NodeJS.ProcessEnv = process.env): string =>
  path.join(
    env.XDG_DATA_HOME !== undefined && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(os.homedir(), ".local", "share"),
    "mpc-kit",
    "ca"
  )

/**
 * The CA's folder belongs to another local user, who could have planted a CA there: `makeCertificates`
 * refuses to use it.
 *
 * @since 0.2.0
 * @category errors
 */
export class CaDirNotOwned extends Data.TaggedError("CaDirNotOwned")<{
  readonly dir: string
  readonly message: string
}> {}

/**
 * The files `makeCertificates` keeps in its directory.
 *
 * @since 0.1.0
 * @category constants
 */
export const files = {
  ca: "ca.pem",
  caKey: "ca-key.pem",
  cert: "api.plivo.com.pem",
  key: "api.plivo.com-key.pem"
} as const

const DAY = 24 * 60 * 60 * 1000
const VALIDITY = 365 * DAY
/** A certificate with less than this left is renewed. */
const RENEW_BEFORE = DAY

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

const readText = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
const writeText = (file: string, text: string, mode: number) => {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`
  fs.writeFileSync(temporary, text, { mode })
  fs.renameSync(temporary, file)
}

const fresh = (cert: crypto.X509Certificate, now: number): boolean =>
  Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) - RENEW_BEFORE > now

const validCa = (caPem: string, caKeyPem: string, now: number): boolean => {
  try {
    const ca = new crypto.X509Certificate(caPem)
    return (
      ca.ca &&
      fresh(ca, now) &&
      ca.checkPrivateKey(crypto.createPrivateKey(caKeyPem)) &&
      ca.verify(ca.publicKey)
    )
  } catch {
    return false
  }
}

const validLeaf = (caPem: string, certPem: string, keyPem: string, now: number): boolean => {
  try {
    const ca = new crypto.X509Certificate(caPem)
    const leaf = new crypto.X509Certificate(certPem)
    return (
      certPem.includes(caPem.trim()) &&
      !leaf.ca &&
      fresh(leaf, now) &&
      leaf.checkIssued(ca) &&
      leaf.verify(ca.publicKey) &&
      leaf.checkPrivateKey(crypto.createPrivateKey(keyPem)) &&
      leafDnsNames.every((name) => leaf.checkHost(name, { wildcards: false }) === name) &&
      leafIpAddresses.every((ip) => leaf.checkIP(ip) === ip)
    )
  } catch {
    return false
  }
}

/** An RSA 2048 key pair made by node (much faster than forge's), in both forms. */
const keyPair = () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" }
  })
  return {
    pem: privateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey)
  }
}

/** A positive serial number of 16 random bytes, its first byte in 0x40–0x7f (minimal DER). */
const serialNumber = (): string => {
  const bytes = crypto.randomBytes(16)
  bytes[0] = (bytes[0]! & 0x3f) | 0x40
  return bytes.toString("hex")
}

const stamp = (cert: forge.pki.Certificate, now: number) => {
  cert.serialNumber = serialNumber()
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000)
  cert.validity.notAfter = new Date(now + VALIDITY)
}

const makeCa = (now: number) => {
  const keys = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  stamp(cert, now)
  const name = [
    { name: "commonName", value: "mpc-kit local Plivo emulator CA" },
    { name: "organizationName", value: "mpc-kit" }
  ]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" }
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { caPem: forge.pki.certificateToPem(cert), caKeyPem: keys.pem }
}

const makeLeaf = (caPem: string, caKeyPem: string, now: number) => {
  const ca = forge.pki.certificateFromPem(caPem)
  const caKey = forge.pki.privateKeyFromPem(caKeyPem)
  const keys = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  stamp(cert, now)
  cert.setSubject([{ name: "commonName", value: "api.plivo.com" }])
  cert.setIssuer(ca.subject.attributes)
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...leafDnsNames.map((value) => ({ type: 2, value })),
        ...leafIpAddresses.map((ip) => ({ type: 7, ip }))
      ]
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() }
  ])
  cert.sign(caKey, forge.md.sha256.create())
  return { certPem: `${forge.pki.certificateToPem(cert).trim()}\n${caPem.trim()}\n`, keyPem: keys.pem }
}

/**
 * A CA and an `api.plivo.com` leaf it signed (SANs `api.plivo.com`, `localhost`, `127.0.0.1`; RSA
 * 2048; valid for a year), kept in `dir` (`ca.pem` is the file to trust). What `dir` already holds
 * is reused while valid, so a CA once trusted stays the same across restarts: the leaf alone is
 * re-issued by the same CA when it is missing, invalid or within a day of expiring, and the CA is
 * replaced only when it is itself missing, invalid or about to expire. Synchronous: meant for
 * start-up.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCertificates = (dir: string): Certificates => {
  // Only its owner may plant or read a CA here: the folder is made (or narrowed to) mode 0700.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const stat = fs.statSync(dir)
  if (typeof process.getuid === "function" && stat.uid !== process.getuid())
    throw new CaDirNotOwned({ dir, message: `${dir} belongs to another user: refusing to keep a CA there` })
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700)
  const at = (file: string) => path.join(dir, file)
  const now = Date.now()

  let caPem = readText(at(files.ca))
  let caKeyPem = readText(at(files.caKey))
  if (caPem === undefined || caKeyPem === undefined || !validCa(caPem, caKeyPem, now)) {
    ;({ caPem, caKeyPem } = makeCa(now))
    writeText(at(files.caKey), caKeyPem, 0o600)
    writeText(at(files.ca), caPem, 0o644)
  }

  let certPem = readText(at(files.cert))
  let keyPem = readText(at(files.key))
  if (certPem === undefined || keyPem === undefined || !validLeaf(caPem, certPem, keyPem, now)) {
    ;({ certPem, keyPem } = makeLeaf(caPem, caKeyPem, now))
    writeText(at(files.key), keyPem, 0o600)
    writeText(at(files.cert), certPem, 0o644)
  }

  return { caPath: at(files.ca), caPem, keyPem, certPem }
}

// ---------------------------------------------------------------------------------------------
// The CONNECT proxy
// ---------------------------------------------------------------------------------------------

/**
 * Options of `attachConnectProxy`.
 *
 * @since 0.1.0
 * @category proxy
 */
export interface ConnectProxyOptions {
  /** The `host:port` targets answered (default `api.plivo.com:443`); others get a 403. */
  readonly hosts?: ReadonlyArray<string>
  /** Told of errors on the proxied sockets (which never crash the process); ignored by default. */
  readonly onError?: (error: Error) => void
}

const forbidden = (target: string): string => {
  const body = `CONNECT to ${target} is not served here\n`
  return [
    "HTTP/1.1 403 Forbidden",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body
  ].join("\r\n")
}

/**
 * Answers `CONNECT api.plivo.com:443` (or the `hosts` given) on a plain HTTP server: replies
 * `200 Connection Established`, ends TLS on the client's socket with the given key and certificate,
 * and hands the decrypted connection to the same server (as a `connection` event), so its usual
 * request handler serves it. Other targets get a 403 and the socket is closed. Returns a function
 * that detaches the proxy.
 *
 * @since 0.1.0
 * @category proxy
 */
export const attachConnectProxy = (
  server: http.Server,
  credentials: { readonly key: string; readonly cert: string },
  options: ConnectProxyOptions = {}
): (() => void) => {
  const allowed = new Set((options.hosts ?? ["api.plivo.com:443"]).map((host) => host.toLowerCase()))
  const secureContext = tls.createSecureContext({ key: credentials.key, cert: credentials.cert })
  const onError = (error: Error) => {
    try {
      options.onError?.(error)
    } catch {
      // A failing reporter must not crash the process either.
    }
  }

  const onConnect = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", onError)
    const target = req.url ?? ""
    if (!allowed.has(target.toLowerCase())) {
      socket.end(forbidden(target))
      return
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
    // Bytes the client sent before waiting for the answer (its TLS hello) belong to the tunnel.
    if (head.length > 0) socket.unshift(head)
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext })
    secure.on("error", onError)
    server.emit("connection", secure)
  }

  server.on("connect", onConnect)
  return () => {
    server.off("connect", onConnect)
  }
}
