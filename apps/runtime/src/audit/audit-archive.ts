// A signed archive of the audit trail, for records kept out of the live database (six years and
// more, on other storage): a run of consecutive audit records with their chain hashes, the runs
// they name (status and dates only: no patient data), a sha256 digest of all that, and an Ed25519
// signature of the digest with the installation's checkpoint key. `carepath audit verify
// --archive FILE` checks it offline: the signature with the public key (or the key file), the
// digest, the sequence and the links; with the key file also every keyed chain hash.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { canonicalJson } from '@carepath/dsl'
import type { KeyStore } from '../keys/key-store.ts'
import type { SqlStore } from '../store/store.ts'
import { createExplanationStore } from './audit-explanations.ts'
import { keyedChainHash, keyedGenesis } from './audit-record.ts'
import { jsonField } from './audit-search.ts'
import { shapeHash } from './decision-why.ts'

export const ARCHIVE_FORMAT = 'carepath.audit-archive/1'

const archivedRecordSchema = z
  .object({ seq: z.number().int().min(1), at: z.string(), record: z.string(), prevHash: z.string(), hash: z.string() })
  .strict()
const archivedRunSchema = z
  .object({
    id: z.string(),
    flowId: z.string(),
    hash: z.string(),
    status: z.string(),
    outcome: z.string().nullable(),
    startedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict()

const archiveBodySchema = z
  .object({
    format: z.literal(ARCHIVE_FORMAT),
    installation: z.string(),
    createdAt: z.string(),
    fromSeq: z.number().int().min(1),
    toSeq: z.number().int().min(0),
    records: z.array(archivedRecordSchema),
    runs: z.array(archivedRunSchema),
    /** The decision explanations the records name by hash (stored once; absent in archives made before). */
    explanations: z.array(z.object({ hash: z.string(), explanation: z.string() }).strict()).optional(),
  })
  .strict()

export const auditArchiveSchema = archiveBodySchema
  .extend({ digest: z.string(), keyId: z.string(), signature: z.string() })
  .strict()
export type AuditArchive = z.infer<typeof auditArchiveSchema>
type ArchiveBody = z.infer<typeof archiveBodySchema>
type ArchivedRecord = z.infer<typeof archivedRecordSchema>

const digestOf = (body: ArchiveBody) => createHash('sha256').update(canonicalJson(body)).digest('hex')
const signedText = (installation: string, digest: string) => `carepath-audit-archive\n${installation}\n${digest}`

/** Build the archive of records `fromSeq`..`toSeq` (default: the whole trail), signed. */
export async function buildArchive(
  store: SqlStore,
  keys: KeyStore,
  options: { fromSeq?: number | undefined; toSeq?: number | undefined; now: Date },
): Promise<AuditArchive> {
  const last = Number((await store.sql.get<{ n: number | null }>('SELECT max(seq) AS n FROM audit_log'))?.n ?? 0)
  const fromSeq = options.fromSeq ?? 1
  const toSeq = Math.min(options.toSeq ?? last, last)
  if (fromSeq < 1 || fromSeq > toSeq + 1) throw new RangeError(`No audit records from ${fromSeq} to ${toSeq}.`)
  const records = (
    await store.sql.values(
      'SELECT seq, at, record, prev_hash, hash FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq',
      [fromSeq, toSeq],
    )
  ).map(([seq, at, record, prevHash, hash]) => ({ seq: Number(seq), at, record, prevHash, hash }) as ArchivedRecord)
  const runs = await store.sql.all<z.infer<typeof archivedRunSchema>>(
    `SELECT id, flow_id AS "flowId", hash, status, outcome, started_by AS "startedBy", created_at AS "createdAt",
            updated_at AS "updatedAt"
     FROM runs WHERE id IN (
       SELECT DISTINCT ${jsonField(store.dialect, 'entity.run')} FROM audit_log WHERE seq BETWEEN ? AND ?)
     ORDER BY created_at, id`,
    [fromSeq, toSeq],
  )
  const named = records.flatMap((r) => [...r.record.matchAll(/"shape":"([0-9a-f]{64})"/g)].map((m) => m[1] ?? ''))
  const explanations = await createExplanationStore(store).rows(named)
  const body: ArchiveBody = {
    format: ARCHIVE_FORMAT,
    installation: keys.installation,
    createdAt: options.now.toISOString(),
    fromSeq,
    toSeq,
    records,
    runs,
    ...(explanations.length > 0 ? { explanations } : {}),
  }
  const digest = digestOf(body)
  return {
    ...body,
    digest,
    keyId: keys.signingKeyId,
    signature: keys.signCheckpoint(signedText(body.installation, digest)),
  }
}

export interface ArchiveVerdict {
  ok: boolean
  records: number
  problems: string[]
}

/**
 * Check an archive offline. `key` is the installation's key store (signature, and every keyed
 * chain hash) or only its public verifying key (signature, digest, sequence and links).
 */
export function verifyArchive(
  text: string,
  key: KeyStore | { verifyKey: (data: string, signature: string) => boolean },
): ArchiveVerdict {
  let parsed: AuditArchive
  try {
    const result = auditArchiveSchema.safeParse(JSON.parse(text))
    if (!result.success) return { ok: false, records: 0, problems: ['The file is not a Carepath audit archive.'] }
    parsed = result.data
  } catch {
    return { ok: false, records: 0, problems: ['The file is not JSON: it is not a Carepath audit archive.'] }
  }
  const { digest, keyId, signature, ...body } = parsed
  const problems: string[] = []
  const store = 'signCheckpoint' in key ? key : undefined
  if (store && body.installation !== store.installation)
    problems.push(
      `The archive is of installation ${body.installation}, not of this key file's (${store.installation}).`,
    )
  if (store && keyId !== store.signingKeyId) problems.push('The archive was signed with another key.')
  const verifies = store ? store.verifyCheckpoint : 'verifyKey' in key ? key.verifyKey : () => false
  if (!verifies(signedText(body.installation, digest), signature))
    problems.push('The signature does not match: the archive was not signed by this installation, or was altered.')
  if (digestOf(body) !== digest) problems.push('The content does not match its signed digest: the archive was altered.')
  const expected = body.toSeq - body.fromSeq + 1
  if (body.records.length !== expected)
    problems.push(`The archive names records ${body.fromSeq}..${body.toSeq} but holds ${body.records.length}.`)
  body.records.forEach((r, i) => {
    if (r.seq !== body.fromSeq + i) problems.push(`Record ${r.seq} is out of sequence (expected ${body.fromSeq + i}).`)
    const previous = body.records[i - 1]
    if (previous && r.prevHash !== previous.hash)
      problems.push(`Record ${r.seq} does not link to record ${previous.seq}.`)
    if (store && r.seq > store.legacyAuditThrough) {
      if (r.seq === 1 && r.prevHash !== keyedGenesis(store.auditChainKey, store.installation))
        problems.push('Record 1 does not start from this installation’s keyed genesis.')
      if (keyedChainHash(store.auditChainKey, r.prevHash, r.seq, r.at, r.record) !== r.hash)
        problems.push(`Record ${r.seq}: its content does not match its keyed hash.`)
    }
  })
  for (const e of body.explanations ?? [])
    if (shapeHash(e.explanation) !== e.hash)
      problems.push(`The decision explanation ${e.hash.slice(0, 12)}… does not match its hash: it was altered.`)
  return { ok: problems.length === 0, records: body.records.length, problems }
}
