/**
 * Decoded add-participant requests per second, for JSON and form bodies, beside a baseline measured
 * in the same run: parsing the same body text without any validation (`JSON.parse`,
 * `URLSearchParams`). The ratio says what the Schema decode costs on top of reading the bytes.
 *
 * Run: pnpm bench:decode   (options: --seconds N per measurement, default 1)
 */
import { AddParticipantParams } from "@mpc-kit/domain"
import * as Either from "effect/Either"

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 1

const bodies: Record<string, Record<string, unknown>> = {
  "page curl example": { to: "+12025551111", from: "+12025550000", role: "Agent", start_mpc_on_enter: true },
  "Node SDK body (36 fields)": {
    role: "Agent",
    from: "+12025550000",
    to: "+12025551111",
    call_status_callback_method: "POST",
    confirm_key_sound_method: "GET",
    dial_music: "Real",
    ring_timeout: 45,
    delay_dial: 0,
    max_duration: 14400,
    max_participants: 10,
    record_min_member_count: 1,
    wait_music_method: "GET",
    agent_hold_music_method: "GET",
    customer_hold_music_method: "GET",
    recording_callback_method: "GET",
    status_callback_method: "GET",
    on_exit_action_method: "POST",
    record: "false",
    record_file_format: "mp3",
    status_callback_events: "mpc-state-changes,participant-state-changes",
    stay_alone: "false",
    coach_mode: "true",
    mute: "false",
    hold: "false",
    start_mpc_on_enter: "true",
    end_mpc_on_exit: "false",
    relay_dtmf_inputs: "false",
    enter_sound: "beep:1",
    enter_sound_method: "GET",
    exit_sound: "beep:2",
    exit_sound_method: "GET",
    start_recording_audio_method: "GET",
    stop_recording_audio_method: "GET",
    record_participant_track: "false",
    is_voice_request: "true",
    caller_name: "+12025550000"
  },
  "parallel dial, 3 destinations, URLs": {
    role: "agent",
    from: "+12025550000",
    to: "14156667777<14156667778<sip:john1234@phone.plivo.com",
    ring_timeout: "30<45<60",
    delay_dial: "0<5<10",
    sip_headers: "queue=sales<queue=support,tier=2<",
    confirm_key: "5",
    status_callback_url: "https://example.com/mpc/status",
    call_status_callback_url: "https://example.com/mpc/calls",
    status_callback_events: "mpc-state-changes,participant-state-changes,add-participant-api-events"
  },
  "invalid (3 refused parameters)": {
    role: "Agent",
    from: "+12025550000",
    to: "+12025551111",
    ring_timeout: 14,
    max_participants: 11,
    confirm_key: "A"
  }
}

const toForm = (body: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString()

/** Calls `f` for about `seconds`, five rounds, and returns the median rate in calls per second. */
const rate = (f: () => unknown): number => {
  for (let i = 0; i < 2_000; i++) f() // warm-up
  const rounds: Array<number> = []
  for (let r = 0; r < 5; r++) {
    let n = 0
    const start = process.hrtime.bigint()
    const budget = BigInt(Math.round((seconds / 5) * 1e9))
    let elapsed = 0n
    while (elapsed < budget) {
      for (let i = 0; i < 200; i++) f()
      n += 200
      elapsed = process.hrtime.bigint() - start
    }
    rounds.push(n / (Number(elapsed) / 1e9))
  }
  rounds.sort((a, b) => a - b)
  return rounds[2]!
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(11)
let sink = 0
const keep = (x: unknown) => {
  if (x !== undefined) sink++
}

console.log(`node ${process.version}, ${seconds}s per figure (median of 5 rounds)\n`)
console.log(
  `${"request".padEnd(38)} ${"form".padStart(6)}  ${"baseline/s".padStart(11)}  ${"decoded/s".padStart(11)}  ratio`
)
for (const [name, body] of Object.entries(bodies)) {
  const json = JSON.stringify(body)
  const form = toForm(body)
  const expectOk = !name.startsWith("invalid")
  if (Either.isRight(AddParticipantParams.decodeJson(json)) !== expectOk)
    throw new Error(`${name}: unexpected outcome`)
  if (Either.isRight(AddParticipantParams.decodeForm(form)) !== expectOk)
    throw new Error(`${name}: unexpected form outcome`)

  const jsonBase = rate(() => keep(JSON.parse(json)))
  const jsonFull = rate(() => keep(AddParticipantParams.decodeJson(json)))
  console.log(
    `${name.padEnd(38)} ${"json".padStart(6)}  ${fmt(jsonBase)}  ${fmt(jsonFull)}  ${(jsonBase / jsonFull).toFixed(1)}x slower`
  )
  const formBase = rate(() => keep(Object.fromEntries(new URLSearchParams(form))))
  const formFull = rate(() => keep(AddParticipantParams.decodeForm(form)))
  console.log(
    `${"".padEnd(38)} ${"form".padStart(6)}  ${fmt(formBase)}  ${fmt(formFull)}  ${(formBase / formFull).toFixed(1)}x slower`
  )
}
if (sink === 0) throw new Error("nothing was measured")
console.log("\nbaseline: JSON.parse / URLSearchParams of the same body, without validation")
