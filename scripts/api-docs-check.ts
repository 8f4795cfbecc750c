/**
 * The API reference's checks, run before TypeDoc renders it: every export of every entry point of
 * the packages (the `exports` map of `packages/<pkg>/package.json`, patterns such as `./store/*`
 * expanded to each module) has a doc comment with a summary, `@since` and `@category`, each module
 * has a header comment with `@since`, and every `@example` in the packages' sources type-checks as
 * a module of its own that imports what it uses from the packages' public entry points.
 * `api-docs.ts` calls these on the repository; the tests call them on a scratch directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative, sep } from "node:path"
import ts from "typescript"

/** One module a consumer can import: `@mpc-kit/domain/Step` and the file it is. */
export interface EntryPoint {
  readonly pkg: string
  readonly packageName: string
  readonly specifier: string
  readonly file: string
}

/** Something missing or wrong, at a place in a source file. */
export interface Problem {
  readonly file: string
  readonly line: number
  readonly subject: string
  readonly message: string
}

/** An `@example` block: its code and where it starts in its source file. */
export interface Example {
  readonly file: string
  readonly line: number
  readonly code: string
}

type ExportTarget = string | { readonly [condition: string]: string }

const sourceCondition = "@mpc-kit/source"

const toPosix = (path: string): string => path.split(sep).join("/")

const listTs = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : [join(dir, e.name)]))
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .sort()
    : []

/**
 * The entry points of the packages under `root/packages/`, from each package's `exports` map (the
 * workspace's `@mpc-kit/source` condition names the source file); a pattern entry (`./xml/*`) gives
 * one entry point per module of its folder.
 */
export const entryPoints = (root: string, packages: ReadonlyArray<string>): Array<EntryPoint> =>
  packages.flatMap((pkg) => {
    const dir = join(root, "packages", pkg)
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      readonly name: string
      readonly exports?: Record<string, ExportTarget>
    }
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]): Array<EntryPoint> => {
      const source = typeof target === "string" ? undefined : target[sourceCondition]
      if (source === undefined || !source.endsWith(".ts")) return []
      const name = `${manifest.name}${subpath.slice(1)}`
      if (!source.includes("*"))
        return [{ pkg, packageName: manifest.name, specifier: name, file: join(dir, source) }]
      const [before = "", after = ""] = source.split("*")
      const folder = join(dir, before)
      return listTs(folder)
        .filter((f) => f.endsWith(after))
        .map((f) => {
          const module = toPosix(relative(folder, f)).slice(0, after === "" ? undefined : -after.length)
          return { pkg, packageName: manifest.name, specifier: name.replace("*", module), file: f }
        })
    })
  })

/** The compiler options of `tsconfig.docs.json` (or another config file). */
export const compilerOptions = (configFile: string): ts.CompilerOptions => {
  const read = ts.readConfigFile(configFile, (p) => ts.sys.readFile(p))
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"))
  return ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile)).options
}

const lineOf = (sf: ts.SourceFile, pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1

/** The text of a comment without its `/**`, ` * ` and `*\/`, line by line. */
const commentLines = (raw: string): Array<string> =>
  raw
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, "").replace(/^\s+$/, ""))

const docsOf = (node: ts.Node): Array<ts.JSDoc> => ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc)

const missingTags = (sf: ts.SourceFile, doc: ts.JSDoc | undefined): Array<string> => {
  if (doc === undefined) return ["a doc comment (summary, @since, @category)"]
  const lines = commentLines(sf.text.slice(doc.getStart(sf), doc.end))
  const firstTag = lines.findIndex((l) => l.startsWith("@"))
  const summary = (firstTag === -1 ? lines : lines.slice(0, firstTag)).join(" ").trim()
  const tag = (name: string) => lines.find((l) => l.startsWith(`@${name} `) || l === `@${name}`)
  const missing: Array<string> = []
  if (summary === "") missing.push("a summary")
  const since = tag("since")
  if (since === undefined) missing.push("@since")
  else if (!/^@since \d+\.\d+\.\d+$/.test(since)) missing.push("@since with a version (x.y.z)")
  const category = tag("category")
  if (category === undefined || category.trim() === "@category") missing.push("@category")
  return missing
}

/** The statement (or export specifier) a declaration's doc comment belongs to. */
const documented = (decl: ts.Declaration): ts.Node =>
  ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) ? decl.parent.parent : decl

/**
 * Every export of every entry point, checked for a summary, `@since` and `@category`; each module
 * checked for a header comment with `@since`. A re-export (`export { x } from`, `export *`) is
 * checked where it is declared, unless the re-export carries its own comment; a declaration reached
 * from several entry points counts once. Answers the problems and how many exports were checked.
 */
export const checkExports = (
  program: ts.Program,
  root: string,
  entries: ReadonlyArray<EntryPoint>
): { readonly problems: Array<Problem>; readonly exports: number } => {
  const checker = program.getTypeChecker()
  const seen = new Set<ts.Node>()
  const problems: Array<Problem> = []
  const where = (node: ts.Node) => {
    const sf = node.getSourceFile()
    return { file: toPosix(relative(root, sf.fileName)), line: lineOf(sf, node.getStart(sf)) }
  }
  for (const entry of entries) {
    const sf = program.getSourceFile(entry.file)
    if (sf === undefined) {
      problems.push({
        file: toPosix(relative(root, entry.file)),
        line: 1,
        subject: entry.specifier,
        message: "not found"
      })
      continue
    }
    const header =
      sf.statements[0] === undefined ? [] : ts.getLeadingCommentRanges(sf.text, sf.statements[0].pos)
    const first = header?.find((r) => sf.text.startsWith("/**", r.pos))
    if (first === undefined || !/@since \d+\.\d+\.\d+/.test(sf.text.slice(first.pos, first.end)))
      problems.push({
        file: toPosix(relative(root, entry.file)),
        line: 1,
        subject: entry.specifier,
        message: "missing a module comment with @since"
      })
    const moduleSymbol = checker.getSymbolAtLocation(sf)
    if (moduleSymbol === undefined) continue
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const subject = `${entry.specifier} ${symbol.name}`
      let targets: Array<ts.Node> = []
      const own = (symbol.declarations ?? []).filter((d) => d.getSourceFile() === sf)
      const alias = own.find((d) => ts.isExportSpecifier(d) || ts.isNamespaceExport(d))
      if (alias !== undefined) {
        const statement = ts.isNamespaceExport(alias) ? alias.parent : alias.parent.parent
        if (ts.isNamespaceExport(alias) || docsOf(statement).length > 0) targets = [statement]
        else {
          // A re-export of another package's declaration is documented where it is re-exported.
          const aliased = checker.getAliasedSymbol(symbol).declarations ?? []
          const ours = aliased.every((d) => {
            const path = toPosix(relative(root, d.getSourceFile().fileName))
            return path.startsWith("packages/") && !path.includes("/node_modules/")
          })
          targets = ours && aliased.length > 0 ? aliased.map(documented) : [statement]
        }
      } else {
        const declarations =
          symbol.flags & ts.SymbolFlags.Alias
            ? checker.getAliasedSymbol(symbol).declarations
            : symbol.declarations
        // Overloads share the first signature's comment; a const and its type each carry one.
        const kept = (declarations ?? []).filter(
          (d, i, all) => !(ts.isFunctionDeclaration(d) && all.slice(0, i).some(ts.isFunctionDeclaration))
        )
        targets = kept.filter((d) => !ts.isModuleDeclaration(d) || kept.length === 1).map(documented)
      }
      for (const target of targets) {
        if (seen.has(target)) continue
        seen.add(target)
        const tsf = target.getSourceFile()
        const docs = docsOf(target)
        const missing = missingTags(tsf, docs[docs.length - 1])
        if (missing.length > 0)
          problems.push({ ...where(target), subject, message: `missing ${missing.join(", ")}` })
      }
    }
  }
  return { problems, exports: seen.size }
}

/**
 * Every `@example` block of the given source files, with the line its code starts on. A fenced
 * block (```ts ... ```) gives the code inside the fence.
 */
export const examplesOf = (files: ReadonlyArray<string>): Array<Example> =>
  files.flatMap((file) => {
    const text = readFileSync(file, "utf8")
    const found: Array<Example> = []
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const startLine = text.slice(0, m.index).split("\n").length
      const lines = commentLines(m[0])
      lines.forEach((l, i) => {
        if (!l.startsWith("@example")) return
        const end = lines.findIndex((x, j) => j > i && x.startsWith("@"))
        let body = lines.slice(i + 1, end === -1 ? undefined : end)
        let offset = i + 1
        const fence = body.findIndex((x) => x.startsWith("```"))
        if (fence !== -1) {
          const close = body.findIndex((x, j) => j > fence && x.startsWith("```"))
          body = body.slice(fence + 1, close === -1 ? undefined : close)
          offset += fence + 1
        }
        found.push({ file, line: startLine + offset, code: `${body.join("\n").trimEnd()}\n` })
      })
    }
    return found
  })

/**
 * Type-checks each example as a module of its own under `outDir`, importing the packages by their
 * public names (`@mpc-kit/domain/Step`, mapped to the sources), under the given compiler options.
 * Answers each compiler error at the line of the example's source it comes from.
 */
export const checkExamples = (
  root: string,
  examples: ReadonlyArray<Example>,
  packages: ReadonlyArray<string>,
  options: ts.CompilerOptions,
  outDir: string
): Array<Problem> => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const origin = new Map<string, Example>()
  const files = examples.map((example, i) => {
    const name = toPosix(relative(root, example.file))
      .replace(/\.ts$/, "")
      .replace(/[^A-Za-z0-9]+/g, "_")
    const file = join(outDir, `${name}_${i}.ts`)
    writeFileSync(file, `${example.code}export {}\n`)
    origin.set(file, example)
    return file
  })
  if (files.length === 0) return []
  const paths: Record<string, Array<string>> = {}
  for (const pkg of packages) {
    const manifest = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")) as {
      readonly name: string
    }
    paths[manifest.name] = [`packages/${pkg}/src/index.ts`]
    paths[`${manifest.name}/*`] = [`packages/${pkg}/src/*.ts`]
  }
  const program = ts.createProgram(files, {
    ...options,
    noEmit: true,
    composite: false,
    incremental: false,
    noUnusedLocals: false,
    baseUrl: root,
    paths
  })
  const diagnostics = ts.getPreEmitDiagnostics(program)
  return diagnostics.flatMap((d) => {
    const example = d.file === undefined ? undefined : origin.get(d.file.fileName)
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ")
    if (d.file === undefined || example === undefined)
      return d.file !== undefined && files.length > 0
        ? [
            {
              file: toPosix(relative(root, d.file.fileName)),
              line: d.start === undefined ? 1 : lineOf(d.file, d.start),
              subject: "example",
              message: `TS${d.code} ${text}`
            }
          ]
        : [{ file: "(examples)", line: 1, subject: "example", message: `TS${d.code} ${text}` }]
    const line = d.start === undefined ? 0 : lineOf(d.file, d.start) - 1
    return [
      {
        file: toPosix(relative(root, example.file)),
        line: example.line + line,
        subject: "@example",
        message: `TS${d.code} ${text}`
      }
    ]
  })
}

/** A problem as one line: `file:line subject: message`. */
export const formatProblem = (p: Problem): string => `${p.file}:${p.line} ${p.subject}: ${p.message}`

/** Every `.ts` file of the packages' sources (where examples are looked for). */
export const sourceFiles = (root: string, packages: ReadonlyArray<string>): Array<string> =>
  packages.flatMap((pkg) => listTs(join(root, "packages", pkg, "src")))
