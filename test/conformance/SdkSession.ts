/**
 * Runs the official SDK's session (sdk-session.cjs) once in a child process against a running emulator,
 * through the emulator's proxy, trusting its CA; returns what each MPC method sent, got and resolved.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { account, sub } from "../../packages/http/test/support/Emulator.js"

/** One SDK method's outcome. */
export interface Outcome {
  readonly ok: boolean
  readonly wire?: {
    readonly method: string
    readonly url: string
    readonly sent: string | null
    readonly status: number
    readonly body: unknown
  }
  readonly parsed?: unknown
  readonly isArray?: boolean
  readonly meta?: unknown
  readonly error?: string
}

const script = readFileSync(fileURLToPath(new URL("./sdk-session.cjs", import.meta.url)), "utf8")
// `plivo` is a devDependency of packages/http: `node -e` resolves modules from its working directory.
const cwd = fileURLToPath(new URL("../../packages/http/", import.meta.url))

export const runSession = (base: string, caPath: string) =>
  new Promise<Record<string, Outcome>>((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(https?|no|all)_proxy$/i.test(k)) env[k] = v
    }
    Object.assign(env, {
      AUTH_ID: account.authId,
      AUTH_TOKEN: account.authToken,
      SUB_ID: sub.authId,
      SUB_TOKEN: sub.authToken,
      SDK_PROXY: base,
      EMULATOR: base,
      NODE_EXTRA_CA_CERTS: caPath
    })
    execFile(process.execPath, ["-e", script], { cwd, env, timeout: 50_000 }, (error, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout) as Record<string, Outcome>)
      } catch {
        reject(new Error(`the SDK session printed no result (${String(error)}): ${stderr.slice(0, 2000)}`))
      }
    })
  })
