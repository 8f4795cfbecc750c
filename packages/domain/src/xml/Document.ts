/**
 * A parsed XML document, as the shell's parser hands it to the rules: elements with their name,
 * attributes, text and child elements. Comments, processing instructions and the XML declaration
 * are gone; entities are decoded. The domain never reads XML text (XML-19): it reads this.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * One element: its name, attributes (as written, names case-sensitive), direct text and children.
 *
 * @since 0.2.0
 * @category xml
 */
export interface Element {
  readonly name: string
  readonly attributes: { readonly [name: string]: string }
  /** The element's own text (text and CDATA directly inside it, in order), not its children's. */
  readonly text: string
  readonly children: ReadonlyArray<Element>
  /** Where the element stands in its parent's `text`: how much of that text comes before it. */
  readonly at: number
}

/**
 * The schema of an element, recursive.
 *
 * @since 0.2.0
 * @category models
 */
export const Element: Schema.Schema<Element> = Schema.Struct({
  name: Schema.String,
  attributes: Schema.Record({ key: Schema.String, value: Schema.String }),
  text: Schema.String,
  children: Schema.Array(Schema.suspend((): Schema.Schema<Element> => Element)),
  at: Schema.NonNegativeInt
}).annotations({ identifier: "XmlElement" })

/**
 * A whole document: its root element.
 *
 * @since 0.2.0
 * @category models
 */
export const Document = Schema.Struct({ root: Element }).annotations({ identifier: "XmlDocument" })
/**
 * The type of {@link Document}'s values.
 *
 * @since 0.2.0
 * @category models
 */
export type Document = typeof Document.Type

/**
 * Builds an element whose children all stand after its text (for tests; the parser records where
 * each child stands).
 *
 * @since 0.2.0
 * @category xml
 */
export const element = (
  name: string,
  attributes: { readonly [name: string]: string } = {},
  text = "",
  children: ReadonlyArray<Element> = []
): Element => ({ name, attributes, text, children: children.map((c) => ({ ...c, at: text.length })), at: 0 })

/**
 * The text of an element and of all its descendants, in document order (the SSML inside `<Speak>`).
 *
 * @since 0.2.0
 * @category xml
 */
export const textContent = (e: Element): string => {
  if (e.children.length === 0) return e.text
  let out = ""
  let from = 0
  for (const child of e.children) {
    const at = Math.min(Math.max(child.at, from), e.text.length)
    out += e.text.slice(from, at) + textContent(child)
    from = at
  }
  return out + e.text.slice(from)
}
