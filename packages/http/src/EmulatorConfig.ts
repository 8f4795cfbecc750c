/**
 * The emulator's environment, read through Effect's `Config`: HOST, PORT, PLIVO_AUTH_ID,
 * PLIVO_AUTH_TOKEN, MPC_CLOCK, MPC_CPS, MPC_SUBACCOUNTS and MPC_CA_DIR. A bad value is refused with a
 * line that names the variable, what it must be and what it got; every bad variable is named at once.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"

/**
 * What the environment sets. The credentials are absent when unset (the command then makes some).
 *
 * @since 0.1.0
 * @category config
 */
export interface EmulatorEnv {
  readonly host: string
  readonly port: number
  readonly authId: Option.Option<string>
  readonly authToken: Option.Option<string>
  readonly clock: "real" | "virtual"
  readonly cps: number
  readonly subaccounts: ReadonlyArray<{ readonly authId: string; readonly authToken: string }>
  /** Where the local CA is kept; absent means the command's default (a folder in the temp dir). */
  readonly caDir: Option.Option<string>
}

/**
 * A variable's text, checked and converted by `parse` (which returns the message when it refuses).
 * The refusal quotes the value, unless it may hold a secret.
 */
const checked = <A>(
  name: string,
  parse: (text: string) => Either.Either<A, string>,
  { secret = false } = {}
): Config.Config<A> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(parse(text), (message) =>
        ConfigError.InvalidData([], secret ? message : `${message}, got ${JSON.stringify(text)}`)
      )
    )
  )

const wholeNumber = (min: number, max: number, what: string) => (text: string) => {
  const n = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN
  return Number.isSafeInteger(n) && n >= min && n <= max ? Either.right(n) : Either.left(what)
}

const nonEmpty = (what: string) => (text: string) =>
  text.trim() === "" ? Either.left(what) : Either.right(text)

/**
 * ADDR-5: subaccounts as `SAID:token,SAID2:token2`, each with its own MPC names.
 *
 * @since 0.1.0
 * @category config
 */
export const parseSubaccounts = (
  text: string
): Either.Either<ReadonlyArray<{ readonly authId: string; readonly authToken: string }>, string> => {
  const entries = text
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
  const accounts = entries.map((x) => {
    const colon = x.indexOf(":")
    return { authId: x.slice(0, Math.max(colon, 0)), authToken: colon === -1 ? "" : x.slice(colon + 1) }
  })
  const bad = accounts.findIndex((a) => a.authId === "" || a.authToken === "")
  return bad === -1
    ? Either.right(accounts)
    : Either.left(`must be SAID:token pairs joined by commas (entry ${bad + 1} is not)`)
}

/**
 * The whole environment as one `Config`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<EmulatorEnv> = Config.all({
  host: checked("HOST", nonEmpty("must be a host name or address")).pipe(Config.withDefault("127.0.0.1")),
  port: checked(
    "PORT",
    wholeNumber(0, 65535, "must be a port number from 0 to 65535 (0 picks a free one)")
  ).pipe(Config.withDefault(8080)),
  authId: Config.option(checked("PLIVO_AUTH_ID", nonEmpty("must not be empty"))),
  authToken: Config.option(checked("PLIVO_AUTH_TOKEN", nonEmpty("must not be empty"), { secret: true })),
  clock: checked(
    "MPC_CLOCK",
    (text): Either.Either<"real" | "virtual", string> =>
      text === "real" || text === "virtual" ? Either.right(text) : Either.left("must be real or virtual")
  ).pipe(Config.withDefault<"real" | "virtual">("real")),
  cps: checked(
    "MPC_CPS",
    wholeNumber(1, 1_000_000, "must be a whole number of calls per second, at least 1")
  ).pipe(Config.withDefault(2)),
  subaccounts: checked("MPC_SUBACCOUNTS", parseSubaccounts, { secret: true }).pipe(Config.withDefault([])),
  caDir: Config.option(checked("MPC_CA_DIR", nonEmpty("must be a folder")))
})

/**
 * Every problem of a `ConfigError`, one line each: `PORT must be a port number ..., got "abc"`.
 *
 * @since 0.1.0
 * @category config
 */
export const describe = (error: ConfigError.ConfigError): ReadonlyArray<string> =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    orCase: (_, left: ReadonlyArray<string>, right: ReadonlyArray<string>) => [...left, ...right],
    invalidDataCase: (_, path, message) => [`${path.join(".")} ${message}`],
    missingDataCase: (_, path, message) => [`${path.join(".")} is missing: ${message}`],
    sourceUnavailableCase: (_, path, message) => [`${path.join(".")} cannot be read: ${message}`],
    unsupportedCase: (_, path, message) => [`${path.join(".")} ${message}`]
  })

/**
 * Reads the emulator's environment from `env` (e.g. `process.env`): the settings, or one line per bad variable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEnv = (
  env: Readonly<Record<string, string | undefined>>
): Either.Either<EmulatorEnv, ReadonlyArray<string>> => {
  const map = new Map(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const])))
  return Effect.runSync(
    Effect.either(Effect.withConfigProvider(config, ConfigProvider.fromMap(map))).pipe(
      Effect.map(Either.mapLeft(describe))
    )
  )
}
