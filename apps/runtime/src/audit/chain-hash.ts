// The audit chain's hashes, with nothing else imported: `audit verify`'s worker threads load
// only this, the walk and better-sqlite3.
import { createHash, createHmac, type KeyObject } from 'node:crypto'

/** Where the legacy chain (records written before the installation had a key file) starts. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * The legacy chain link: sha256 over the previous record's hash and this record's canonical JSON.
 * Anyone can recompute it, so it only proves a middle edit; kept to verify records written
 * before the keyed chain (`KeyStore.legacyAuditThrough`).
 */
export function chainHash(prevHash: string, recordJson: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(recordJson).digest('hex')
}

/**
 * The chain link: HMAC-SHA256, keyed by the installation's chain key (kept outside the
 * database), over the previous hash, the sequence number, the `at` column and the record. Without
 * the key nobody can rebuild the chain after an edit, a deletion or a swap.
 */
export function keyedChainHash(key: KeyObject, prevHash: string, seq: number, at: string, recordJson: string): string {
  return createHmac('sha256', key).update(`${prevHash}\n${seq}\n${at}\n`).update(recordJson).digest('hex')
}

/** The keyed chain's start, per installation: a chain rebuilt from the all-zero start never matches it. */
export function keyedGenesis(key: KeyObject, installation: string): string {
  return createHmac('sha256', key).update(`carepath-audit-genesis\n${installation}`).digest('hex')
}
