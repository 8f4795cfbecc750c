// One session of the official `plivo` SDK against the emulator, run in a child process (it must start
// with NODE_EXTRA_CA_CERTS). It calls every multi-party-call method once, in an order that gives each
// one something to act on, and prints one JSON object: for each method, what was sent, the status and
// raw body the wire carried, and what the SDK resolved (or the error it rejected with).
const path = require("node:path")
const plivo = require("plivo")
const axios = require(require.resolve("axios", { paths: [path.dirname(require.resolve("plivo"))] }))

// The SDK makes a fresh axios instance per voice request: watch each one's responses.
let wire
const create = axios.create
axios.create = function (...args) {
  const instance = create.apply(this, args)
  const seen = (r) => ({
    method: String(r.config.method).toUpperCase(),
    url: r.config.url,
    sent: r.config.data === undefined ? null : String(r.config.data),
    status: r.status,
    body: r.data
  })
  instance.interceptors.response.use(
    (r) => {
      wire = seen(r)
      return r
    },
    (e) => {
      if (e.response) wire = seen(e.response)
      return Promise.reject(e)
    }
  )
  return instance
}

const { AUTH_ID, AUTH_TOKEN, SUB_ID, SUB_TOKEN, SDK_PROXY, EMULATOR } = process.env
const client = new plivo.Client(AUTH_ID, AUTH_TOKEN, { proxy: SDK_PROXY })
const mpc = client.multiPartyCalls
const auth = `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString("base64")}`
const network = async (method, route, body) => {
  const r = await fetch(`${EMULATOR}/emulator/v1/${route}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await r.text()
  return text === "" ? undefined : JSON.parse(text)
}

const results = {}
const record = async (name, f) => {
  wire = undefined
  try {
    const value = await f()
    results[name] = {
      ok: true,
      wire,
      parsed: value,
      isArray: Array.isArray(value),
      meta: value?.meta
    }
    return value
  } catch (e) {
    results[name] = { ok: false, wire, error: String(e?.message ? e.message : e).split("\n")[0] }
    return undefined
  }
}

const from = "+12025550000"
const name = "conformance"
const url = "https://s3.amazonaws.com/plivocloud/music.mp3"

const join = async (role, to, extra = {}) => {
  const r = await mpc.addParticipant(role, { friendlyName: extra.mpc ?? name, from, to, ...extra.params })
  const uuid = r.calls[0].callUuid
  await network("POST", `calls/${uuid}/answer`)
  return uuid
}

const main = async () => {
  // A live MPC with an agent, a customer and a second customer to kick.
  await record("addParticipant", async () => {
    const r = await mpc.addParticipant("Agent", { friendlyName: name, from, to: "+12025551111" })
    await network("POST", `calls/${r.calls[0].callUuid}/answer`)
    return r
  })
  await join("Customer", "+12025552222")
  await join("Customer", "+12025553333")
  await network("POST", "clock/advance", { seconds: 5 })
  const participants = await record("listParticipants", () => mpc.listParticipants({ friendlyName: name }))
  const members = participants && Array.isArray(participants.objects) ? participants.objects : []
  const agent = String(members[0] ? members[0].memberId : "1")
  const kicked = String(members[2] ? members[2].memberId : "3")
  const agentCall = members[0] ? members[0].callUuid : "unknown"
  await record("listParticipants.byCall", () =>
    mpc.listParticipants({ friendlyName: name, callUuid: agentCall })
  )
  await record("get", () => mpc.get({ friendlyName: name }))
  await record("list", () => mpc.list())
  await record("getParticipant", () => mpc.getParticipant(agent, { friendlyName: name }))
  await record("updateParticipant", () =>
    mpc.updateParticipant(agent, { friendlyName: name, mute: true, hold: false })
  )
  await record("updateParticipant.coachAll", () =>
    mpc.updateParticipant("all", { friendlyName: name, coachMode: true })
  )
  await record("startRecording", () => mpc.startRecording({ friendlyName: name }))
  await record("pauseRecording", () => mpc.pauseRecording({ friendlyName: name }))
  await record("pauseRecording.again", () => mpc.pauseRecording({ friendlyName: name }))
  await record("resumeRecording", () => mpc.resumeRecording({ friendlyName: name }))
  await record("stopRecording", () => mpc.stopRecording({ friendlyName: name }))
  await record("startRecording.again", () => mpc.startRecording({ friendlyName: name }))
  await mpc.stopRecording({ friendlyName: name }).catch(() => undefined)
  await record("startParticipantRecording", () =>
    mpc.startParticipantRecording(agent, { friendlyName: name })
  )
  await record("pauseParticipantRecording", () =>
    mpc.pauseParticipantRecording(agent, { friendlyName: name })
  )
  await record("resumeParticipantRecording", () =>
    mpc.resumeParticipantRecording(agent, { friendlyName: name })
  )
  await record("stopParticipantRecording", () => mpc.stopParticipantRecording(agent, { friendlyName: name }))
  await record("startPlayAudio", () => mpc.startPlayAudio(agent, url, { friendlyName: name }))
  await record("stopPlayAudio", () => mpc.stopPlayAudio(agent, { friendlyName: name }))
  await record("kickParticipant", () => mpc.kickParticipant(kicked, { friendlyName: name }))
  await network("POST", "clock/advance", { seconds: 5 })
  const live = await mpc.get({ friendlyName: name }).catch(() => undefined)
  const uuid = live ? live.mpcUuid : "unknown"
  // A member that has left stays readable, by get and by list.
  await record("getParticipant.left", () => mpc.getParticipant(kicked, { uuid }))
  await record("listParticipants.left", () => mpc.listParticipants({ uuid }))
  // Two more MPCs the filters must tell apart: one waiting to start, one ended by its last member.
  await join("Agent", "+12025554444", { mpc: `${name}-waiting`, params: { startMpcOnEnter: false } })
  const alone = await join("Agent", "+12025555555", { mpc: `${name}-short` })
  await network("POST", `calls/${alone}/hangup`)
  // A subaccount's MPC, which the main account's list includes.
  const subClient = new plivo.Client(SUB_ID, SUB_TOKEN, { proxy: SDK_PROXY })
  await record("addParticipant.sub", () =>
    subClient.multiPartyCalls.addParticipant("Agent", {
      friendlyName: `${name}-sub`,
      from,
      to: "+12025556666"
    })
  )
  await record("stop", () => mpc.stop({ friendlyName: name }))
  // The ended MPC, by its uuid and in the list, then the list filtered as the SDK sends filters.
  await record("get.ended", () => mpc.get({ uuid }))
  await record("list.ended", () => mpc.list())
  await record("list.sub", () => mpc.list({ subAccount: SUB_ID }))
  // Created before the clock first moved: only the first MPC (the SDK sends `creation_time_lt`).
  await record("list.created", () => mpc.list({ creation_time__lt: "2026-01-05 09:00:05" }))
  await record("list.badCode", () => mpc.list({ terminationCauseCode: "abc" }))
  await record("list.filtered", () =>
    mpc.list({
      status: "ended",
      terminationCauseCode: 3000,
      creation_time__gte: "2026-01-05 09:00",
      end_time__lt: "2026-01-06 00:00:00"
    })
  )
  // The MPC whose only member waits for it to start: `start` activates it.
  await record("start", () => mpc.start({ friendlyName: `${name}-waiting`, status: "active" }))
}

main()
  .catch((e) => {
    results.session = { ok: false, error: String(e?.message ? e.message : e).split("\n")[0] }
  })
  .finally(() => {
    process.stdout.write(JSON.stringify(results))
  })
