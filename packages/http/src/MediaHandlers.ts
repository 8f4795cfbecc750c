/**
 * The handlers of the media group (`Api.ts`, forms in `MediaApi.ts`): start an MPC (SDK-4), a
 * member's own recording (PREC) and audio played to members (PLAY). Typed like the MPC group's:
 * `Authorization` has found the account, `BodyLimit` has read the body, the payload is decoded; each
 * hands one event to the account's engine and answers the typed reply or Plivo's error (SDK-34:
 * every refusal Plivo's `{api_id, error}`, never a 5xx).
 *
 * @since 0.2.0
 */
import { HttpApiBuilder } from "@effect/platform"
import * as Effect from "effect/Effect"
import { MpcApi } from "./Api.js"
import { members, submitted, withMpc } from "./MpcHandlers.js"
import * as Outcome from "./Outcome.js"

/** PREC-1: a participant recording names one member. */
const oneMember = (apiId: string, raw: string) => {
  const selector = members(raw)
  return selector === undefined || selector === "all" || selector.length !== 1
    ? Effect.fail(Outcome.failure(400, apiId, "member_id: expected one member id"))
    : Effect.succeed(selector[0])
}

const someMembers = (apiId: string, raw: string) => {
  const member = members(raw)
  return member === undefined
    ? Effect.fail(
        Outcome.failure(400, apiId, "member_id: expected a member id, a comma list of them, or all")
      )
    : Effect.succeed(member)
}

const recording =
  (tag: "StopMemberRecording" | "PauseMemberRecording" | "ResumeMemberRecording") =>
  ({ path }: { readonly path: { readonly mpcKey: string; readonly memberId: string } }) =>
    withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
      Effect.flatMap(oneMember(apiId, path.memberId), (memberId) =>
        Effect.asVoid(submitted(engine, apiId, { _tag: tag, apiId, mpc, memberId }, "RecordingChanged"))
      )
    )

/**
 * The handlers of the media group.
 *
 * @since 0.2.0
 * @category handlers
 */
export const mediaHandlers = HttpApiBuilder.group(MpcApi, "media", (handlers) =>
  Effect.succeed(
    handlers
      // SDK-4: `{"status": "active"}` on the MPC resource.
      .handle("startMpc", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.asVoid(submitted(engine, apiId, { _tag: "StartMpc", apiId, mpc }, "MpcStarted"))
        )
      )
      .handle("startMemberRecording", ({ path, payload }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.flatMap(oneMember(apiId, path.memberId), (memberId) =>
            Effect.map(
              submitted(
                engine,
                apiId,
                {
                  _tag: "StartMemberRecording",
                  apiId,
                  mpc,
                  memberId,
                  ...(payload.file_format === undefined ? {} : { fileFormat: payload.file_format }),
                  ...(payload.record_track_type === undefined
                    ? {}
                    : { trackType: payload.record_track_type }),
                  ...(payload.recording_callback_url === undefined
                    ? {}
                    : {
                        callback: {
                          url: payload.recording_callback_url,
                          method: payload.recording_callback_method ?? "POST"
                        }
                      })
                },
                "RecordingStarted"
              ),
              (r) => Outcome.bodies.RecordingStarted(apiId, r)
            )
          )
        )
      )
      .handle("stopMemberRecording", recording("StopMemberRecording"))
      .handle("pauseMemberRecording", recording("PauseMemberRecording"))
      .handle("resumeMemberRecording", recording("ResumeMemberRecording"))
      .handle("playAudio", ({ path, payload }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.flatMap(someMembers(apiId, path.memberId), (member) => {
            // PLAY-1: `url` as the SDK sends it, or `urls` as Plivo's page names it.
            const url = payload.url ?? payload.urls
            if (url === undefined) return Effect.fail(Outcome.failure(400, apiId, "url: required (or urls)"))
            return Effect.map(
              submitted(engine, apiId, { _tag: "PlayAudio", apiId, mpc, member, url }, "AudioQueued"),
              (r) => Outcome.bodies.AudioQueued(apiId, r)
            )
          })
        )
      )
      .handle("stopAudio", ({ path }) =>
        withMpc(path.mpcKey, (apiId, mpc, { engine }) =>
          Effect.flatMap(someMembers(apiId, path.memberId), (member) =>
            Effect.asVoid(submitted(engine, apiId, { _tag: "StopAudio", apiId, mpc, member }, "AudioStopped"))
          )
        )
      )
  )
)
