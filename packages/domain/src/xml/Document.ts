/**
 * A parsed XML document, as the shell's parser hands it to the rules: elements with their name,
 * attributes, text and child elements. Comments, processing instructions and the XML declaration
 * are gone; entities are decoded. The domain never reads XML text (XML-19): it reads this.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/** One element: its name, attributes (as written, names case-sensitive), direct text and children. */
export interface Element {
  readonly name: string
  readonly attributes: { readonly [name: string]: string }
  /** The element's own text (text and CDATA directly inside it, in order), not its children's. */
  readonly text: string
  readonly children: ReadonlyArray<Element>
}

/** The schema of an element, recursive. */
export const Element: Schema.Schema<Element> = Schema.Struct({
  name: Schema.String,
  attributes: Schema.Record({ key: Schema.String, value: Schema.String }),
  text: Schema.String,
  children: Schema.Array(Schema.suspend((): Schema.Schema<Element> => Element))
}).annotations({ identifier: "XmlElement" })

/** A whole document: its root element. */
export const Document = Schema.Struct({ root: Element }).annotations({ identifier: "XmlDocument" })
export type Document = typeof Document.Type

/** Builds an element (for tests and for the parser). */
export const element = (
  name: string,
  attributes: { readonly [name: string]: string } = {},
  text = "",
  children: ReadonlyArray<Element> = []
): Element => ({ name, attributes, text, children })

/**
 * The text of an element and of all its descendants: its own text first, then each child's in order
 * (enough to measure the SSML inside `<Speak>`, not to print it).
 */
export const textContent = (e: Element): string => {
  if (e.children.length === 0) return e.text
  let out = e.text
  for (const child of e.children) out += textContent(child)
  return out
}
