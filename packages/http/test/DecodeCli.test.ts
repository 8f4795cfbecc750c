import { assert, describe, it } from "@effect/vitest"
import { run } from "../src/DecodeCli.js"

const noStdin = () => ""

describe("decode command", () => {
  it("prints the decoded request with its defaults and exits 0", () => {
    const out = run(['{"role":"agent","from":"+12025550000","to":"+12025551111"}'], noStdin)
    assert.strictEqual(out.exitCode, 0)
    const printed = JSON.parse(out.stdout)
    assert.strictEqual(printed.request.role, "Agent")
    assert.strictEqual(printed.request.target.destinations[0].ringTimeout, 45)
    assert.strictEqual(printed.request.mpc.maxParticipants, 10)
  })

  it("decodes a form string and checks the MPC name given with --name", () => {
    const out = run(["--name", "sales", "role=Agent&from=%2B12025550000&to=1<2"], noStdin)
    assert.strictEqual(out.exitCode, 0)
    assert.strictEqual(JSON.parse(out.stdout).mpc_name, "sales")
  })

  it("PARAM-8 prints the parameters at fault in Plivo's one-line form and exits 1", () => {
    const out = run(["--name", " ", '{"role":"Agent","from":"1","to":"2","ring_timeout":14}'], noStdin)
    assert.strictEqual(out.exitCode, 1)
    const printed = JSON.parse(out.stdout)
    assert.deepStrictEqual(
      printed.issues.map((i: { parameter: string }) => i.parameter),
      ["mpc_name", "ring_timeout"]
    )
    assert.include(printed.error, "ring_timeout: expected an integer from 15 to 120")
  })

  it("reads the request from standard input with '-' or no argument", () => {
    const stdin = () => "role=customer&call_uuid=0b7b4242-8ee8-4872-b447-81b4ce972eae"
    assert.strictEqual(JSON.parse(run(["-"], stdin).stdout).request.target._tag, "Transfer")
    assert.strictEqual(JSON.parse(run([], stdin).stdout).request.role, "Customer")
  })

  it("refuses malformed JSON without throwing, and explains usage errors with exit 2", () => {
    assert.strictEqual(run(["{oops"], noStdin).exitCode, 1)
    assert.strictEqual(run(["--name"], noStdin).exitCode, 2)
    assert.strictEqual(run(["a", "b"], noStdin).exitCode, 2)
    assert.include(run(["--help"], noStdin).stdout, "usage: mpc-kit decode")
  })
})

describe("decode command line (util.parseArgs)", () => {
  it("accepts --name=value and refuses unknown options in one line with exit 2", () => {
    assert.strictEqual(
      JSON.parse(run(["--name=sales", '{"role":"agent","from":"1","to":"2"}'], noStdin).stdout).mpc_name,
      "sales"
    )
    const out = run(["--fast", "x"], noStdin)
    assert.strictEqual(out.exitCode, 2)
    assert.isTrue(out.stdout.startsWith("unknown option --fast\n"))
  })
})
