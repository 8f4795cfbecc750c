#!/usr/bin/env node
/**
 * The `mpc-sim` command (see `Cli.ts`): `mpc-sim run <scenario.json> --seed N ...`, `mpc-sim list`,
 * `mpc-sim --help`.
 */
import { main } from "../Cli.js"

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  // From dist/bin/sim.js: the package's shipped scenarios, whatever the working directory.
  scenariosDir: new URL("../../scenarios/", import.meta.url)
})
