#!/usr/bin/env node
/**
 * The `sim` command (see `Cli.ts`): `sim run <scenario.json> --seed N ...` and `sim list`.
 */
import { main } from "../Cli.js"

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  // From packages/sim/dist/bin/sim.js: the shipped scenarios, whatever the working directory.
  scenariosDir: new URL("../../scenarios/", import.meta.url)
})
