/**
 * A throwaway PostgreSQL server for the store tests (STORE-8): `initdb` in a temporary directory,
 * `pg_ctl start` on a free port, a fresh database per call of `createDatabase`, `stop` removes it
 * all. Run as root, the server runs as the `postgres` user (PostgreSQL refuses root). A missing
 * PostgreSQL throws, naming what to install: the tests fail, they are not skipped.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const install =
  "PostgreSQL is required by the store tests and was not found: install it with `apt-get install -y postgresql` (or run scripts/postgres.sh)"

/** The directory holding `initdb` and `pg_ctl`. */
export const binDir = (root = "/usr/lib/postgresql", path = process.env.PATH ?? ""): string => {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions[0] !== undefined) return join(root, versions[0], "bin")
  for (const dir of path.split(":"))
    if (dir !== "" && existsSync(join(dir, "pg_ctl")) && existsSync(join(dir, "initdb"))) return dir
  throw new Error(install)
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      srv.close(() => resolve(port))
    })
  })

export interface PgServer {
  readonly port: number
  /** A fresh, empty database; its URL. */
  readonly createDatabase: (name: string) => string
  readonly stop: () => void
}

/** Starts a server (`fsync` off unless asked: tests do not survive power cuts); call `stop` after. */
export const startPostgres = async (options: { readonly fsync?: boolean } = {}): Promise<PgServer> => {
  const bin = binDir()
  const root = process.getuid?.() === 0
  let user = process.env.USER ?? "postgres"
  if (root) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" })
    } catch {
      throw new Error(`${install}: the \`postgres\` user is missing`)
    }
    user = "postgres"
  }
  const dir = mkdtempSync(join(tmpdir(), "mpc-kit-pg-"))
  chmodSync(dir, 0o755)
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim())
    chownSync(dir, uid, gid)
  }
  const run = (cmd: string, args: ReadonlyArray<string>) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe" })
  const data = join(dir, "data")
  const port = await freePort()
  run("initdb", ["-D", data, "-A", "trust", "-U", user, "--no-sync"])
  run("pg_ctl", [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=${options.fsync === true ? "on" : "off"}`,
    "-l",
    join(dir, "log"),
    "-w",
    "start"
  ])
  let stopped = false
  return {
    port,
    createDatabase: (name) => {
      run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name])
      return `postgres://${user}@127.0.0.1:${port}/${name}`
    },
    stop: () => {
      if (stopped) return
      stopped = true
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
