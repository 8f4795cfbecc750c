/**
 * Plivo's reference response shapes, one entry per multi-party-call method of the official Node SDK:
 * the status code and, field by field, the JSON types of the body, as Plivo's SDK fixtures and API
 * reference pages show them. Where those sources disagree, the entry follows the choice written in
 * spec/SDK.md (the rule named in `rule`).
 */

/** A JSON type as it appears on the wire. */
export type Kind = "string" | "integer" | "number" | "boolean" | "null" | "string[]" | "object" | "array"

/** One object's fields: every required field must be there, no field outside both lists may be. */
export interface ObjectShape {
  readonly required: Readonly<Record<string, ReadonlyArray<Kind>>>
  readonly optional?: Readonly<Record<string, ReadonlyArray<Kind>>>
  /** Shapes of nested objects (a field holding an object) or of each element of a field holding a list. */
  readonly nested?: Readonly<Record<string, ObjectShape>>
  /** The form a string field's value takes (enumerations, timestamps, URIs). */
  readonly values?: Readonly<Record<string, RegExp>>
  /** Relations between fields: each returns what is wrong with the object, in words. */
  readonly invariants?: ReadonlyArray<(o: Readonly<Record<string, unknown>>) => ReadonlyArray<string>>
}

/** What the SDK resolves with: a generic response object, `true`, or an array of resources. */
export type Parsed = "object" | "true" | "array"

export interface Reference {
  /** The rule of spec/SDK.md this method's test is named by. */
  readonly rule: string
  readonly http: { readonly method: "GET" | "POST" | "DELETE"; readonly path: string }
  readonly status: number
  /** `undefined`: an empty body (204). */
  readonly body: ObjectShape | undefined
  readonly parsed: Parsed
  /** Other rules of spec/SDK.md the checks of this method's test enforce. */
  readonly covers?: ReadonlyArray<string>
  /** Calls of the same method that must be refused: a 4xx (this one when given) naming the reason. */
  readonly refusals?: Readonly<Record<string, { readonly mentions: RegExp; readonly status?: number }>>
  /** Further calls of the same method, in other states, held to the same shape (e.g. an ended MPC). */
  readonly also?: ReadonlyArray<string>
}

const str: ReadonlyArray<Kind> = ["string"]
const strOrNull: ReadonlyArray<Kind> = ["string", "null"]
const intOrNull: ReadonlyArray<Kind> = ["integer", "null"]
const bool: ReadonlyArray<Kind> = ["boolean"]
const boolOrNull: ReadonlyArray<Kind> = ["boolean", "null"]

const meta: ObjectShape = {
  required: {
    count: ["integer"],
    limit: ["integer"],
    next: strOrNull,
    offset: ["integer"],
    previous: strOrNull
  }
}

/** Plivo's timestamps: `YYYY-MM-DD HH:mm:ss+hh:mm`. */
const timestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/
/** An amount in USD with five decimals, as Plivo's fixtures show it. */
const amount = /^\d+\.\d{5}$/
const mpcUri = "^/v1/Account/[A-Za-z0-9]+/MultiPartyCall/uuid_[0-9a-f-]+/"

const filled = (o: Readonly<Record<string, unknown>>, keys: ReadonlyArray<string>, when: string) =>
  keys.filter((k) => o[k] === null || o[k] === undefined).map((k) => `${k} is null although ${when}`)

const ends = [
  "end_time",
  "duration",
  "billed_duration",
  "billed_amount",
  "termination_cause",
  "termination_cause_code"
]

/**
 * SDK-23, SDK-26: an ended MPC carries its end, durations, amount and termination cause, and no
 * recording state; a live one the other way round.
 */
const mpcEnded = (o: Readonly<Record<string, unknown>>) =>
  o.status === "Ended"
    ? [...filled(o, ends, "Ended"), ...(o.recording === null ? [] : ["recording is set although Ended"])]
    : [
        ...ends.filter((k) => o[k] !== null).map((k) => `${k} is set although ${String(o.status)}`),
        ...filled(o, ["recording"], String(o.status))
      ]

/** SDK-22: a member that has left carries its exit and billing; mute and hold are null. */
const memberLeft = (o: Readonly<Record<string, unknown>>) =>
  o.exit_time === null
    ? filled(o, ["mute", "hold"], "the member is in the MPC")
    : [
        ...filled(o, ["exit_cause", "duration", "billed_duration", "billed_amount"], "the member has left"),
        ...["mute", "hold"]
          .filter((k) => o[k] !== null)
          .map((k) => `${k} is set although the member has left`)
      ]

/** An MPC as get and list show it (without `api_id`). */
export const mpcFields: ObjectShape["required"] = {
  billed_amount: strOrNull,
  billed_duration: intOrNull,
  creation_time: str,
  duration: intOrNull,
  end_time: strOrNull,
  friendly_name: str,
  mpc_uuid: str,
  participants: str,
  recording: strOrNull,
  resource_uri: str,
  start_time: strOrNull,
  status: str,
  stay_alone: bool,
  sub_account: strOrNull,
  termination_cause: strOrNull,
  termination_cause_code: intOrNull
}

/** A participant as get and list participant show it (without `api_id`). */
export const participantFields: ObjectShape["required"] = {
  billed_amount: strOrNull,
  billed_duration: intOrNull,
  call_uuid: str,
  coach_mode: boolOrNull,
  duration: intOrNull,
  end_mpc_on_exit: bool,
  exit_cause: strOrNull,
  exit_time: strOrNull,
  hold: boolOrNull,
  join_time: str,
  member_address: str,
  member_id: str,
  mpc_uuid: str,
  mute: boolOrNull,
  resource_uri: str,
  role: str,
  start_mpc_on_enter: bool
}

const mpcValues: ObjectShape["values"] = {
  status: /^(Initialized|Active|Ended)$/,
  recording: /^(recording|not-recording|paused)$/,
  creation_time: timestamp,
  start_time: timestamp,
  end_time: timestamp,
  billed_amount: amount,
  resource_uri: new RegExp(`${mpcUri}$`),
  participants: new RegExp(`${mpcUri}Participant/$`),
  sub_account: /^\/v1\/Account\/[A-Za-z0-9]+\/Subaccount\/SA[A-Za-z0-9]+\/$/
}

const participantValues: ObjectShape["values"] = {
  role: /^(agent|customer|supervisor)$/,
  join_time: timestamp,
  exit_time: timestamp,
  billed_amount: amount,
  member_id: /^[0-9]+$/,
  resource_uri: new RegExp(`${mpcUri}Participant/[0-9]+/$`)
}

const mpcShape: ObjectShape = { required: mpcFields, values: mpcValues, invariants: [mpcEnded] }
const participantShape: ObjectShape = {
  required: participantFields,
  values: participantValues,
  invariants: [memberLeft]
}

const recordingUrl =
  /^https:\/\/media\.plivo\.com\/v1\/Account\/[A-Za-z0-9]+\/Recording\/[0-9a-f-]+\.(mp3|wav)$/

const recordingStarted = (message: RegExp): ObjectShape => ({
  required: { api_id: str, message: str, recording_id: str, recording_url: str, request_uuid: str },
  values: { message, recording_url: recordingUrl }
})

const mpc = "/v1/Account/{auth_id}/MultiPartyCall"
const one = `${mpc}/{mpc_id}`

/** Every MPC method of the SDK, by its name on `client.multiPartyCalls`. */
export const references = {
  list: {
    rule: "SDK-1",
    covers: ["SDK-23", "SDK-25", "SDK-26", "SDK-27", "SDK-28", "SDK-29", "SDK-30", "SDK-34"],
    http: { method: "GET", path: `${mpc}/` },
    status: 200,
    body: {
      required: { api_id: str, meta: ["object"], objects: ["array"] },
      nested: { meta, objects: mpcShape }
    },
    parsed: "array",
    also: ["list.ended", "list.sub", "list.filtered", "list.created"],
    refusals: { "list.badCode": { status: 400, mentions: /termination_cause_code/ } }
  },
  get: {
    rule: "SDK-2",
    covers: ["SDK-23", "SDK-24", "SDK-25", "SDK-26"],
    http: { method: "GET", path: one },
    status: 200,
    body: { ...mpcShape, required: { api_id: str, ...mpcFields } },
    parsed: "object",
    also: ["get.ended"]
  },
  addParticipant: {
    rule: "SDK-3",
    http: { method: "POST", path: `${one}/Participant/` },
    status: 201,
    body: {
      required: { api_id: str, calls: ["array"], message: str, request_uuid: str },
      nested: { calls: { required: { call_uuid: str, from: str, to: str } } }
    },
    parsed: "object"
  },
  start: {
    rule: "SDK-4",
    http: { method: "POST", path: `${one}/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  stop: {
    rule: "SDK-5",
    http: { method: "DELETE", path: `${one}/` },
    status: 204,
    body: undefined,
    parsed: "true"
  },
  listParticipants: {
    rule: "SDK-6",
    covers: ["SDK-20", "SDK-21", "SDK-22", "SDK-25", "SDK-31"],
    http: { method: "GET", path: `${one}/Participant/` },
    status: 200,
    body: {
      required: { api_id: str, meta: ["object"], objects: ["array"] },
      nested: { meta, objects: participantShape }
    },
    parsed: "object",
    also: ["listParticipants.left", "listParticipants.byCall"]
  },
  getParticipant: {
    rule: "SDK-7",
    covers: ["SDK-20", "SDK-21", "SDK-22", "SDK-25"],
    http: { method: "GET", path: `${one}/Participant/{member_id}/` },
    status: 200,
    body: { ...participantShape, required: { api_id: str, ...participantFields } },
    parsed: "object",
    also: ["getParticipant.left"]
  },
  updateParticipant: {
    rule: "SDK-8",
    covers: ["SDK-32", "SDK-34"],
    refusals: { "updateParticipant.coachAll": { status: 400, mentions: /coach_mode/ } },
    http: { method: "POST", path: `${one}/Participant/{member_id}/` },
    status: 202,
    // The suite sends `mute` and `hold`: one result string for each attribute sent.
    body: {
      required: { api_id: str, mute: str, hold: str },
      values: {
        mute: /^MPC: .+ mute\/unmute member\(s\) succeeded$/,
        hold: /^MPC: .+ hold\/unhold member\(s\) succeeded$/
      }
    },
    parsed: "object"
  },
  kickParticipant: {
    rule: "SDK-9",
    http: { method: "DELETE", path: `${one}/Participant/{member_id}/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  startRecording: {
    rule: "SDK-10",
    covers: ["SDK-33"],
    also: ["startRecording.again"],
    http: { method: "POST", path: `${one}/Record/` },
    status: 202,
    body: recordingStarted(/^MPC: .+ record started$/),
    parsed: "object"
  },
  stopRecording: {
    rule: "SDK-11",
    http: { method: "DELETE", path: `${one}/Record/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  pauseRecording: {
    rule: "SDK-12",
    covers: ["SDK-33", "SDK-34"],
    refusals: { "pauseRecording.again": { mentions: /already paused/ } },
    http: { method: "POST", path: `${one}/Record/Pause/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  resumeRecording: {
    rule: "SDK-13",
    http: { method: "POST", path: `${one}/Record/Resume/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  startParticipantRecording: {
    rule: "SDK-14",
    covers: ["PREC-2"],
    http: { method: "POST", path: `${one}/Participant/{member_id}/Record/` },
    status: 202,
    body: recordingStarted(/^MPC: .+ participant record started$/),
    parsed: "object"
  },
  stopParticipantRecording: {
    rule: "SDK-15",
    http: { method: "DELETE", path: `${one}/Participant/{member_id}/Record/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  pauseParticipantRecording: {
    rule: "SDK-16",
    http: { method: "POST", path: `${one}/Participant/{member_id}/Record/Pause/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  resumeParticipantRecording: {
    rule: "SDK-17",
    http: { method: "POST", path: `${one}/Participant/{member_id}/Record/Resume/` },
    status: 204,
    body: undefined,
    parsed: "object"
  },
  startPlayAudio: {
    rule: "SDK-18",
    covers: ["PLAY-2"],
    http: { method: "POST", path: `${one}/Member/{member_id}/Play/` },
    status: 202,
    body: {
      required: { api_id: str, message: str, mpcMemberId: ["string[]"], mpcName: str },
      values: { message: /^play queued into MPC$/ }
    },
    parsed: "object"
  },
  stopPlayAudio: {
    rule: "SDK-19",
    http: { method: "DELETE", path: `${one}/Member/{member_id}/Play/` },
    status: 204,
    body: undefined,
    parsed: "object"
  }
} satisfies Record<string, Reference>

export type SdkMethod = keyof typeof references
