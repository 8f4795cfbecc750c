/**
 * The MPC's friendly name, as it arrives in the path (`name_{mpc_name}`).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { describeValue, type InvalidRequest, invalidParameter } from "./InvalidRequest.js"

/**
 * [decision] At most 100 characters: the longest path parameter the HTTP router accepts.
 *
 * @since 0.1.0
 * @category constants
 */
export const MaxLength = 100

// Control characters have no place in a name that is echoed in callbacks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of this pattern
const control = /[\u0000-\u001f\u007f]/

/**
 * True for a name that is not blank, at most 100 characters and free of control characters.
 *
 * @since 0.1.0
 * @category guards
 */
export const isMpcName = (s: string): boolean => s.trim() !== "" && s.length <= MaxLength && !control.test(s)

/**
 * ADDR-1, ADDR-2: an MPC's friendly name.
 *
 * @since 0.1.0
 * @category models
 */
export const MpcName = Schema.String.pipe(
  Schema.filter(isMpcName, {
    message: (issue) => ({
      message: `expected a non-blank name of at most ${MaxLength} characters without control characters, got ${describeValue(issue.actual)}`,
      override: true
    }),
    arbitrary: () => (fc) => fc.string({ minLength: 1, maxLength: 40 }).filter(isMpcName)
  }),
  Schema.brand("MpcName")
).annotations({ identifier: "MpcName" })
/**
 * The type of {@link MpcName}'s values.
 *
 * @since 0.1.0
 * @category models
 */
export type MpcName = typeof MpcName.Type

/**
 * Decodes the `mpc_name` path parameter. Never throws.
 *
 * @since 0.1.0
 * @category models
 */
export const decode = (input: unknown): Either.Either<MpcName, InvalidRequest> =>
  typeof input === "string" && isMpcName(input)
    ? Either.right(input as MpcName)
    : Either.left(
        invalidParameter(
          "mpc_name",
          `expected a non-blank name of at most ${MaxLength} characters without control characters, got ${describeValue(input)}`
        )
      )
