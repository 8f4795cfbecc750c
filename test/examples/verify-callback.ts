import { Signature } from "@mpc-kit/http"

// The emulator signs every callback as Plivo does: X-Plivo-Signature-V3 over the URL, the form fields
// and X-Plivo-Signature-V3-Nonce. A webhook receiver recomputes it with the account's auth token.
const isSigned = (url: string, fields: Record<string, string>, headers: Record<string, string>) =>
  Signature.signV3("secret", "POST", url, fields, headers["x-plivo-signature-v3-nonce"] ?? "") ===
  headers["x-plivo-signature-v3"]

const url = "https://example.com/mpc"
const fields = { Event: "MPCInitialized", MPCName: "support", SequenceNumber: "1" }
const headers = {
  "x-plivo-signature-v3": "c1x2FLUxECP++ujcahcWqADSqLViTM83Ye5yLDVvCek=",
  "x-plivo-signature-v3-nonce": "12345678901234567890"
}
console.log(`signed: ${Signature.signedUrl("POST", url, fields)}`)
console.log(`genuine: ${isSigned(url, fields, headers)}`)
console.log(`tampered: ${isSigned(url, { ...fields, MPCName: "other" }, headers)}`)
