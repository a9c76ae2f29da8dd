import { contentHash, type FlowDocument } from '@carepath/dsl'

const cache = new WeakMap<FlowDocument, string>()

/** The content hash a run is pinned to (the DSL's `contentHash`, computed once per document object). */
export function flowHashOf(document: FlowDocument): string {
  const known = cache.get(document)
  if (known !== undefined) return known
  const hash = contentHash(document)
  cache.set(document, hash)
  return hash
}
