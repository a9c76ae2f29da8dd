// The flow version dictionaries that runs' event batches are packed against (event-batch-codec.ts),
// made from the stored version whose content hash a run names. The text is what that hash is the
// sha256 of, so it is checked against the hash before it is used: a stored version that did not
// give those bytes would make a dictionary no batch could be unpacked with later.
import { behaviourOf, canonicalJson, contentHash, type FlowDocument } from '@carepath/dsl'
import type { SqlExecutor } from '../store/sql-executor.ts'
import { versionDictionary, type VersionDictionary } from './event-batch-codec.ts'

/** Versions kept in memory (each at most 32 KB): a process serves a few dozen published versions. */
const CACHE = 256

export function createVersionDictionaries(sql: SqlExecutor) {
  // A hash no stored version gives is remembered too (as null): its runs' batches are packed
  // against the vocabulary, and a later batch packed against the version reads as well.
  const made = new Map<string, VersionDictionary | null>()

  async function make(hash: string): Promise<VersionDictionary | null> {
    const row = await sql.get<{ document: string }>('SELECT document FROM flow_versions WHERE hash = ? LIMIT 1', [hash])
    if (!row) return null
    const document: FlowDocument = JSON.parse(row.document)
    if (contentHash(document) !== hash) return null
    return versionDictionary(canonicalJson(behaviourOf(document)))
  }

  return {
    /**
     * The dictionary of the version with content hash `hash`, or undefined when no stored version
     * gives it (its batches are then packed against the vocabulary alone).
     */
    async of(hash: string): Promise<VersionDictionary | undefined> {
      let dictionary = made.get(hash)
      if (dictionary === undefined) {
        dictionary = await make(hash)
        if (made.size >= CACHE) made.delete(made.keys().next().value as string)
        made.set(hash, dictionary)
      }
      return dictionary ?? undefined
    },
  }
}
