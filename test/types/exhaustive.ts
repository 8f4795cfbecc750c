/**
 * Type-level proof that a handler of events or commands missing one variant does not compile: the
 * `absurd` default of an exhaustive `switch` (the pattern of `Step.step`, the simulator and the
 * emulator's engine) receives the forgotten variant instead of `never`. Checked by `tsc -b`; each
 * `@ts-expect-error` fails the build when the error it expects disappears.
 */
import type { Command, Event } from "@mpc-kit/domain"
import { absurd } from "effect/Function"
import * as Match from "effect/Match"

type Ev = Event.Event
type Cmd = Command.Command

/** Handles every event but `RecordingFailed`. */
export const missesAnEvent = (e: Ev): string => {
  switch (e._tag) {
    case "AddParticipant":
    case "CreateCall":
    case "LegRinging":
    case "LegAnswered":
    case "LegBusy":
    case "LegRejected":
    case "LegNoAnswer":
    case "CallHungUp":
    case "DigitsPressed":
    case "SpeakingChanged":
    case "TimerFired":
    case "UpdateMember":
    case "KickMember":
    case "EndMpc":
    case "StartRecording":
    case "StopRecording":
    case "PauseRecording":
    case "ResumeRecording":
      return e._tag
    default:
      // @ts-expect-error RecordingFailed is not handled, so `e` is not `never`.
      return absurd(e)
  }
}

/** Handles every command but `Respond`. */
export const missesACommand = (c: Cmd): string => {
  switch (c._tag) {
    case "DialLeg":
    case "HangupCall":
    case "Bridge":
    case "Unbridge":
    case "PlaySound":
    case "StartMusic":
    case "StopMusic":
    case "RecordStart":
    case "RecordPause":
    case "RecordResume":
    case "RecordStop":
    case "RelayDigits":
    case "SendCallback":
    case "FetchXml":
    case "SetTimer":
    case "CancelTimer":
      return c._tag
    default:
      // @ts-expect-error Respond is not handled, so `c` is not `never`.
      return absurd(c)
  }
}

/** The same with `Match.exhaustive`. */
export const matchMissesACommand = (c: Cmd): string =>
  Match.value(c).pipe(
    Match.tag(
      "DialLeg",
      "HangupCall",
      "Bridge",
      "Unbridge",
      "PlaySound",
      "StartMusic",
      "StopMusic",
      () => "a"
    ),
    Match.tag("RecordStart", "RecordPause", "RecordResume", "RecordStop", "RelayDigits", () => "b"),
    Match.tag("SendCallback", "FetchXml", "SetTimer", "CancelTimer", () => "c"),
    // @ts-expect-error Respond is not handled.
    Match.exhaustive
  )
