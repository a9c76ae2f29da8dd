import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { canonicalJson } from './canonical-json.ts'
import type { FlowDocument } from './flow.schema.ts'

/**
 * The part of a document a reader sees: everything except the canvas layout and the revision
 * number. Unlike `behaviourOf`, titles, descriptions and role titles stay in, because an auditor
 * reads them and a reviewer signs off on them.
 */
export function readableOf(document: FlowDocument): unknown {
  const { layout: _layout, version: _version, ...readable } = document
  return readable
}

/**
 * The document hash of a flow version: sha256 (hex) of the canonical JSON of everything an
 * auditor reads (titles, descriptions, prompts included; layout and revision number left out).
 * It sits beside the content hash: the content hash says what a run does (the simulator and
 * pinning use it), the document hash says what a reviewer approved, so a text-only change is
 * reviewed too. Pure JavaScript, so Node and the browser agree.
 * @example documentHash(document) // 'a9e0…' (64 hex digits)
 */
export function documentHash(document: FlowDocument): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(readableOf(document)))))
}
