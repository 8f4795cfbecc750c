/**
 * The API reference: checks that every export of the packages' entry points has a summary, `@since`
 * and `@category` and that every `@example` type-checks (see `api-docs-check.ts`), then renders the
 * reference with TypeDoc and its markdown plugin into `build/api/` (one page per module), with
 * TypeDoc's own validation (undocumented declarations, broken `{@link}`s) as errors. Exits 1 naming
 * each file, line and export at fault.
 *
 *   pnpm docs -- [--check]   (--check: the checks only, no TypeDoc)
 */
import { join, relative } from "node:path"
import { Application, Converter, ReflectionKind } from "typedoc"
import ts from "typescript"
import {
  checkExamples,
  checkExports,
  compilerOptions,
  entryPoints,
  examplesOf,
  formatProblem,
  sourceFiles
} from "./api-docs-check.js"
import { findRoot } from "./rules-run.js"

const packages = ["domain", "sim", "http"]

const main = async (): Promise<number> => {
  const started = Date.now()
  const root = findRoot(import.meta.dirname)
  if (root === undefined) {
    console.error(`api-docs: no pnpm-workspace.yaml at or above ${import.meta.dirname}`)
    return 2
  }
  const tsconfig = join(root, "tsconfig.docs.json")
  const options = compilerOptions(tsconfig)
  const entries = entryPoints(root, packages)
  const program = ts.createProgram(
    entries.map((e) => e.file),
    options
  )
  const { problems, exports } = checkExports(program, root, entries)
  const examples = examplesOf(sourceFiles(root, packages))
  problems.push(...checkExamples(root, examples, packages, options, join(root, "build", "api-examples")))
  for (const p of problems) console.error(formatProblem(p))
  console.log(
    `api-docs: ${entries.length} entry points, ${exports} exports documented, ${examples.length} examples type-checked`
  )
  if (problems.length > 0) {
    console.error(
      `api-docs: ${problems.length} problem(s): document each export with a summary, @since and @category`
    )
    return 1
  }
  if (process.argv.includes("--check")) return 0

  const out = join(root, "build", "api")
  const app = await Application.bootstrapWithPlugins({
    entryPoints: entries.map((e) => e.file),
    entryPointStrategy: "resolve",
    tsconfig,
    plugin: ["typedoc-plugin-markdown"],
    out,
    name: "mpc-kit API",
    readme: "none",
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    sort: ["kind", "alphabetical"],
    validation: { notDocumented: true, invalidLink: true, notExported: false },
    requiredToBeDocumented: ["Enum", "Variable", "Function", "Class", "Interface", "TypeAlias"],
    // TypeDoc checks only the project's own package by default; here that would be the workspace root.
    packagesRequiringDocumentation: entries
      .map((e) => e.packageName)
      .filter((name, i, all) => all.indexOf(name) === i),
    treatWarningsAsErrors: true,
    treatValidationWarningsAsErrors: true,
    logLevel: "Warn"
  })
  // Modules are named as a consumer imports them (`@mpc-kit/domain/Step`), not by their file path.
  const key = (packageName: string, path: string) => `${packageName}:${path.split("\\").join("/")}`
  const byFile = new Map(
    entries.map((e) => [key(e.packageName, relative(join(root, "packages", e.pkg), e.file)), e.specifier])
  )
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const symbol = context.project.getSymbolIdFromReflection(module)
      const specifier =
        symbol === undefined ? undefined : byFile.get(key(symbol.packageName, symbol.packagePath))
      if (specifier !== undefined) module.name = specifier
    }
  })
  const project = await app.convert()
  if (project === undefined) return 1
  app.validate(project)
  // As TypeDoc's CLI does with treatWarningsAsErrors: any warning (validation or not) fails the build.
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    console.error("api-docs: TypeDoc reported the problems above")
    return 1
  }
  await app.generateOutputs(project)
  if (app.logger.hasErrors() || app.logger.hasWarnings()) return 1
  console.log(`api-docs: wrote ${relative(root, out)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return 0
}

process.exitCode = await main()
