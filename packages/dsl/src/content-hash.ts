import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { canonicalJson } from './canonical-json.ts'
import type { FactSchema } from './facts-schema.ts'
import type { FlowDocument } from './flow.schema.ts'

/** The facts schema without its free text (title/description at every level; property names stay). */
function behaviourOfFacts(schema: FactSchema): unknown {
  const { title: _title, description: _description, properties, items, ...rest } = schema
  return {
    ...rest,
    properties:
      properties &&
      Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, behaviourOfFacts(child)])),
    items: items && behaviourOfFacts(items),
  }
}

/**
 * The part of a document that decides what a run does: everything except the layout, the
 * flow's revision number and free text (flow, node, facts-schema and role titles and
 * descriptions). Node configs are kept whole: a task's title is shown to a person.
 */
export function behaviourOf(document: FlowDocument): unknown {
  return {
    dsl: document.dsl,
    id: document.id,
    facts: behaviourOfFacts(document.facts),
    roles: Object.fromEntries(Object.entries(document.roles).map(([name, role]) => [name, { phi: role.phi }])),
    start: document.start,
    nodes: Object.fromEntries(
      Object.entries(document.nodes).map(([id, { title: _title, description: _description, ...node }]) => [id, node]),
    ),
    // Only when present, so documents without one keep the hash they always had.
    ...(document.calendar ? { calendar: document.calendar } : {}),
  }
}

/**
 * The content hash of a flow version: sha256 (hex) of the canonical JSON of its behaviour.
 * Moving nodes, renaming them or bumping `version` keeps it; changing a threshold, a port or
 * any config field changes it. Pure JavaScript, so Node and the browser agree.
 * @example contentHash(document) // '3f1c…' (64 hex digits)
 */
export function contentHash(document: FlowDocument): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(behaviourOf(document)))))
}
