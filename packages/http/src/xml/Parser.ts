/**
 * XML-19, XML-20: the one XML parser of the emulator, on `saxes` (a kept, well-formedness-checking
 * SAX parser), producing the domain's `Xml.Document`. No DTD: a `<!DOCTYPE` is refused as soon as it
 * is read; only the five predefined entities and character references are decoded, any other entity
 * is a fault; nothing is fetched or expanded. Size, element count, depth, attribute count and
 * parsing time are bounded. Never throws.
 *
 * @since 0.2.0
 */
import type { Xml } from "@mpc-kit/domain"
import * as Either from "effect/Either"
import { SaxesParser } from "saxes"

/**
 * XML-19: the limits of one parse.
 *
 * @since 0.2.0
 * @category xml
 */
export interface Limits {
  /** Longest document, in UTF-16 code units (default 65,536). */
  readonly maxChars: number
  /** Most elements, the root included (default 1,000). */
  readonly maxElements: number
  /** Deepest nesting, the root being depth 1 (default 16). */
  readonly maxDepth: number
  /** Most attributes on one element (default 64). */
  readonly maxAttributes: number
  /** Longest parse, in milliseconds by `now` (default 1,000). */
  readonly maxMillis: number
  /** The clock the time limit is measured by (default `performance.now`). */
  readonly now: () => number
  /** How many characters are parsed between two looks at the clock (default 8,192). */
  readonly chunk: number
}

/**
 * XML-19: the default limits.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultLimits: Limits = {
  maxChars: 64 * 1024,
  maxElements: 1000,
  maxDepth: 16,
  maxAttributes: 64,
  maxMillis: 1000,
  now: () => performance.now(),
  chunk: 8192
}

class Refusal {
  constructor(readonly reason: string) {}
}

interface Open {
  readonly at: number
  readonly name: string
  readonly attributes: Record<string, string>
  text: string
  readonly children: Array<Xml.Document.Element>
}

/** A fresh attribute record that no attribute name (`__proto__` included) can tamper with. */
const record = (): Record<string, string> => Object.create(null) as Record<string, string>

/**
 * XML-19, XML-20: parses a document into the domain's `Document`, or says why it cannot, with the
 * line and column. Comments, processing instructions and the XML declaration are dropped; text and
 * CDATA are kept as the element's text.
 *
 * @since 0.2.0
 * @category xml
 */
export const parseDocument = (
  xml: string,
  options: Partial<Limits> = {}
): Either.Either<Xml.Document.Document, string> => {
  const limits: Limits = { ...defaultLimits, ...options }
  if (xml.length > limits.maxChars) {
    return Either.left(
      `the document (${xml.length} characters) is over the ${limits.maxChars}-character limit`
    )
  }
  const parser = new SaxesParser({ xmlns: false, position: true })
  const stack: Array<Open> = []
  let root: Xml.Document.Element | undefined
  let elements = 0
  let attributes = record()
  let attributeCount = 0

  parser.on("doctype", () => {
    // XML-20: no DTD, so no entity can be declared, let alone expanded.
    throw new Refusal("DOCTYPE declarations are refused (no DTD, no entities)")
  })
  parser.on("opentagstart", () => {
    elements++
    if (elements > limits.maxElements) throw new Refusal(`more than ${limits.maxElements} elements`)
    if (stack.length + 1 > limits.maxDepth)
      throw new Refusal(`elements nested deeper than ${limits.maxDepth}`)
    attributes = record()
    attributeCount = 0
  })
  parser.on("attribute", (a) => {
    attributeCount++
    if (attributeCount > limits.maxAttributes) {
      throw new Refusal(`more than ${limits.maxAttributes} attributes on one element`)
    }
    if (Object.hasOwn(attributes, a.name)) throw new Refusal(`the attribute ${a.name} is repeated`)
    // A null-prototype record: `__proto__` is an attribute like any other here.
    attributes[a.name] = a.value
  })
  parser.on("opentag", (tag) => {
    const parent = stack[stack.length - 1]
    stack.push({
      at: parent === undefined ? 0 : parent.text.length,
      name: tag.name,
      attributes,
      text: "",
      children: []
    })
  })
  parser.on("closetag", () => {
    const open = stack.pop()!
    const done: Xml.Document.Element = {
      name: open.name,
      attributes: open.attributes,
      text: open.text,
      children: open.children,
      at: open.at
    }
    const parent = stack[stack.length - 1]
    if (parent === undefined) root = done
    else parent.children.push(done)
  })
  const text = (t: string) => {
    const top = stack[stack.length - 1]
    if (top !== undefined) top.text += t
  }
  parser.on("text", text)
  parser.on("cdata", text)

  const started = limits.now()
  try {
    // Skip a byte-order mark, as decoders that keep it leave it.
    let at = xml.charCodeAt(0) === 0xfeff ? 1 : 0
    while (at < xml.length) {
      parser.write(xml.slice(at, at + limits.chunk))
      at += limits.chunk
      if (limits.now() - started > limits.maxMillis)
        throw new Refusal(`parsing took over ${limits.maxMillis} ms`)
    }
    parser.close()
  } catch (e) {
    const where = `line ${parser.line}, column ${parser.column}`
    if (e instanceof Refusal) return Either.left(`${e.reason} (${where})`)
    if (e instanceof Error) return Either.left(e.message.replace(/^\d+:\d+: /, "").concat(` (${where})`))
    return Either.left(`unreadable XML (${where})`)
  }
  if (root === undefined) return Either.left("no root element")
  return Either.right({ root })
}
