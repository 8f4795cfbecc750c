/**
 * What the delivery engine does after an attempt (DLV-6, DLV-7, DLV-8): pure functions of the
 * attempt's outcome, the attempt count and the clock.
 *
 * @since 0.1.0
 */

/**
 * How one attempt ended.
 *
 * @since 0.1.0
 * @category delivery
 */
export type Outcome =
  | { readonly _tag: "Acknowledged"; readonly status: number }
  | { readonly _tag: "Status"; readonly status: number }
  | { readonly _tag: "Transport"; readonly detail: string }
  | { readonly _tag: "Timeout" }

/**
 * What to do next with the callback.
 *
 * @since 0.1.0
 * @category delivery
 */
export type Decision =
  | { readonly _tag: "Ack" }
  | { readonly _tag: "Retry"; readonly at: number; readonly reason: string }
  | { readonly _tag: "DeadLetter"; readonly reason: string }

/**
 * The retry settings.
 *
 * @since 0.1.0
 * @category delivery
 */
export interface RetryPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialDelay: number
  /** Growth of the delay per retry. */
  readonly factor: number
  /** DLV-6: the longest delay, in ms. */
  readonly maxDelay: number
  /** DLV-7: how long after it was written a callback may still be retried, in ms. */
  readonly horizon: number
}

/**
 * DLV-6: the delay before retry number `failures` (1 for the first retry), capped.
 *
 * @since 0.1.0
 * @category delivery
 */
export const backoff = (policy: RetryPolicy, failures: number): number =>
  Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** Math.max(0, failures - 1))

/**
 * DLV-8: statuses worth retrying: the receiver is down or asks to slow down.
 *
 * @since 0.1.0
 * @category delivery
 */
export const retryableStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429

/**
 * A one-line summary of an outcome (all that is kept of a failure: DLV-10).
 *
 * @since 0.1.0
 * @category delivery
 */
export const summary = (outcome: Outcome): string => {
  switch (outcome._tag) {
    case "Acknowledged":
    case "Status":
      return `Status ${outcome.status}`
    case "Transport":
      return `Transport: ${outcome.detail}`
    case "Timeout":
      return "Timeout"
  }
}

/**
 * The decision after an attempt. `failures` counts the failed attempts before this one,
 * `createdAt` is when the callback was written, `now` the time the attempt ended.
 *
 * @since 0.1.0
 * @category delivery
 */
export const decide = (
  policy: RetryPolicy,
  outcome: Outcome,
  failures: number,
  createdAt: number,
  now: number
): Decision => {
  if (outcome._tag === "Acknowledged") return { _tag: "Ack" }
  const reason = summary(outcome)
  // DLV-8: a status that will not heal by itself (1xx, 3xx, most 4xx) is final.
  if (outcome._tag === "Status" && !retryableStatus(outcome.status)) return { _tag: "DeadLetter", reason }
  const at = now + backoff(policy, failures + 1)
  // DLV-7: past the horizon the callback is given up on, with the last failure as the reason.
  if (at - createdAt > policy.horizon)
    return { _tag: "DeadLetter", reason: `${reason} (retry horizon passed)` }
  return { _tag: "Retry", at, reason }
}
