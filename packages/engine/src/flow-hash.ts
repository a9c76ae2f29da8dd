import * as dsl from '@carepath/dsl'
import type { FlowDocument } from '@carepath/dsl'
import { canonicalJson } from './canonical-json.ts'

type HashFunction = (document: FlowDocument) => string

// The DSL package owns the content hash (sha256 of canonical JSON without layout and free text).
// It is looked up by name so the engine keeps working while that export is being built; the
// fallback below is only for that window and is marked so it can never pass for a real hash.
const dslHash = (dsl as unknown as Record<string, unknown>).contentHash as HashFunction | undefined

const cache = new WeakMap<FlowDocument, string>()

/** The content hash a run is pinned to. */
export function flowHashOf(document: FlowDocument): string {
  const known = cache.get(document)
  if (known !== undefined) return known
  const hash = typeof dslHash === 'function' ? dslHash(document) : fallbackHash(document)
  cache.set(document, hash)
  return hash
}

function fallbackHash(document: FlowDocument): string {
  const { layout: _layout, title: _title, description: _description, ...rest } = document
  const nodes = Object.fromEntries(
    Object.entries(rest.nodes).map(([id, { title: _t, description: _d, ...node }]) => [id, node]),
  )
  const text = canonicalJson({ ...rest, nodes })
  // FNV-1a, 2 × 32 bits with different offsets: stable across Node and browsers, no crypto needed.
  let h1 = 0x811c9dc5
  let h2 = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x01000193 + 2) >>> 0
  }
  return `local-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`
}
