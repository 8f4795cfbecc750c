import { Signature } from "@mpc-kit/http"

// The emulator signs every callback as Plivo does (X-Plivo-Signature-V3, with X-Plivo-Signature-V3-Nonce).
// A webhook receiver recomputes the signature from its own URL, the form fields and the nonce.
const authToken = "secret"
const url = "https://example.com/mpc"
const fields = { Event: "MPCInitialized", MPCName: "support", SequenceNumber: "1" }
const nonce = "12345678901234567890"

const header = Signature.signV3(authToken, "POST", url, fields, nonce) // what the request carries
const expected = Signature.signV3(authToken, "POST", url, fields, nonce)
console.log(`signed URL: ${Signature.signedUrl("POST", url, fields)}`)
console.log(`valid: ${header === expected}`)
console.log(
  `tampered: ${Signature.signV3(authToken, "POST", url, { ...fields, MPCName: "x" }, nonce) === header}`
)
