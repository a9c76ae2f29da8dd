// Signed checkpoints of the audit trail: the sequence number and head hash, signed (Ed25519, key
// outside the database) and written both into the database and to an append-only anchor file
// outside it. A trail cut short, emptied or rebuilt no longer reaches the latest checkpoint.
import { appendFileSync, existsSync, openSync, closeSync, fsyncSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import type { KeyStore } from '../keys/key-store.ts'

export const checkpointSchema = z
  .object({
    installation: z.string(),
    /** The trail held records 1..seq … */
    seq: z.number().int().min(0),
    /** … and record `seq` had this hash (the keyed genesis when seq is 0). */
    head: z.string(),
    at: z.string(),
    keyId: z.string(),
    signature: z.string(),
  })
  .strict()
export type Checkpoint = z.infer<typeof checkpointSchema>

/** The exact bytes signed: every field but the signature, in a fixed order. */
export const checkpointPayload = (c: Omit<Checkpoint, 'signature' | 'keyId'>) =>
  `carepath-audit-checkpoint\n${c.installation}\n${c.seq}\n${c.head}\n${c.at}`

export function signCheckpoint(keys: KeyStore, c: { seq: number; head: string; at: string }): Checkpoint {
  const unsigned = { installation: keys.installation, ...c }
  return { ...unsigned, keyId: keys.signingKeyId, signature: keys.signCheckpoint(checkpointPayload(unsigned)) }
}

/** True when the checkpoint was signed by this installation's key for this installation. */
export const checkpointSigned = (keys: KeyStore, c: Checkpoint) =>
  c.installation === keys.installation && keys.verifyCheckpoint(checkpointPayload(c), c.signature)

/** Where checkpoints are kept outside the database. A syslog or webhook receiver can implement it too. */
export interface AnchorSink {
  /** Where it writes, for messages. */
  readonly where: string
  append(checkpoint: Checkpoint): void
  /** Every checkpoint written, oldest first, with the lines that could not be read; undefined when it is gone. */
  read(): { checkpoints: Checkpoint[]; damaged: number[] } | undefined
}

/** The anchor file used when none is named: beside the database (name another with --audit-anchor / CAREPATH_AUDIT_ANCHOR). */
export function defaultAnchorFile(dbFile: string): string {
  return process.env.CAREPATH_AUDIT_ANCHOR || join(dirname(dbFile), 'audit-anchor.jsonl')
}

/**
 * An append-only JSON-lines file, one checkpoint a line, each append synced to disk. Putting it on
 * another volume or host (or `chattr +a`) keeps it out of reach of whoever can write the database.
 */
export function fileAnchor(file: string): AnchorSink {
  return {
    where: file,
    append(checkpoint) {
      appendFileSync(file, JSON.stringify(checkpoint) + '\n', { mode: 0o600 })
      const fd = openSync(file, 'r')
      try {
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
    },
    read() {
      if (!existsSync(file)) return undefined
      const checkpoints: Checkpoint[] = []
      const damaged: number[] = []
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!line.trim()) return
          try {
            const parsed = checkpointSchema.safeParse(JSON.parse(line))
            if (parsed.success) checkpoints.push(parsed.data)
            else damaged.push(i + 1)
          } catch {
            damaged.push(i + 1)
          }
        })
      return { checkpoints, damaged }
    },
  }
}
