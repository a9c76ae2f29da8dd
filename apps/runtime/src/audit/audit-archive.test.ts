// The signed archive of the trail: intact as written; every kind of tampering (an edited record,
// a record dropped, records swapped, a record added, a re-signed archive, another installation's
// key) is detected offline, with the key file or only the public key.
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { auditArchiveSchema, buildArchive, verifyArchive, type AuditArchive } from './audit-archive.ts'

let t: TestRuntime
let archive: AuditArchive
const SSN = '987-65-4321'

beforeAll(async () => {
  t = await createTestRuntime()
  await publishFlow(t, intakeFlow())
  await t.as.agent.runs.start({
    flowId: 'intake-check',
    input: { score: 9, patient: { name: 'Archie Archive', ssn: SSN } },
    idempotencyKey: 'archive-1',
  })
  archive = await buildArchive(t.runtime.store, t.runtime.keys, { now: new Date('2032-01-01T00:00:00Z') })
})
afterAll(() => t.close())

const text = (a: unknown) => JSON.stringify(a)
const keys = () => t.runtime.keys
const publicOnly = () => ({
  verifyKey: (data: string, signature: string) =>
    verify(null, Buffer.from(data), keys().verifyKeyPem, Buffer.from(signature, 'base64')),
})
/** A copy of the archive with `change` applied to its records (and nothing re-signed). */
function tampered(change: (records: AuditArchive['records']) => void): AuditArchive {
  const copy = auditArchiveSchema.parse(JSON.parse(text(archive)))
  change(copy.records)
  return copy
}

describe('signed audit archive', () => {
  it('holds the whole trail, the runs it names without patient data, and verifies offline', () => {
    expect(archive.fromSeq).toBe(1)
    expect(archive.records.length).toBe(archive.toSeq)
    expect(archive.runs).toHaveLength(1)
    expect(text(archive)).not.toContain(SSN)
    expect(text(archive)).not.toContain('Archie')
    expect(verifyArchive(text(archive), keys())).toEqual({ ok: true, records: archive.records.length, problems: [] })
    expect(verifyArchive(text(archive), publicOnly()).ok).toBe(true)
  })

  it('takes a range of records', async () => {
    const part = await buildArchive(t.runtime.store, keys(), { fromSeq: 3, toSeq: 5, now: new Date() })
    expect(part.records.map((r) => r.seq)).toEqual([3, 4, 5])
    expect(verifyArchive(text(part), keys()).ok).toBe(true)
    await expect(buildArchive(t.runtime.store, keys(), { fromSeq: 10_000, now: new Date() })).rejects.toThrow(
      RangeError,
    )
  })

  it('detects an edited record, a dropped one, a swap and an added one', () => {
    const edited = tampered((r) => {
      r[2]!.record = r[2]!.record.replace('"success"', '"failure"')
    })
    for (const key of [keys(), publicOnly()])
      expect(verifyArchive(text(edited), key).problems).toContain(
        'The content does not match its signed digest: the archive was altered.',
      )
    const dropped = tampered((r) => void r.splice(1, 1))
    expect(verifyArchive(text(dropped), publicOnly()).problems.join(' ')).toMatch(/holds \d+.*out of sequence/s)
    const swapped = tampered((r) => {
      const [a, b] = [r[1]!, r[2]!]
      r[1] = b
      r[2] = a
    })
    expect(verifyArchive(text(swapped), keys()).ok).toBe(false)
    const added = tampered((r) => void r.push({ ...r.at(-1)!, seq: r.at(-1)!.seq + 1 }))
    expect(verifyArchive(text(added), keys()).ok).toBe(false)
  })

  it('detects an archive altered and re-digested, or signed with another key', () => {
    // Edited, its chain rebuilt without the key, and its digest recomputed: the signature no longer fits.
    const { privateKey } = generateKeyPairSync('ed25519')
    const forged = tampered((r) => {
      r[0]!.at = '2020-01-01T00:00:00.000Z'
    })
    const foreign = { ...forged, signature: sign(null, Buffer.from('x'), privateKey).toString('base64') }
    const verdict = verifyArchive(text(foreign), keys())
    expect(verdict.ok).toBe(false)
    expect(verdict.problems).toContain(
      'The signature does not match: the archive was not signed by this installation, or was altered.',
    )
    expect(verdict.problems).toContain('Record 1: its content does not match its keyed hash.')
    // Another installation's key file: named as such.
    const other = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
    expect(verifyArchive(text(archive), other).problems.join(' ')).toMatch(/another key|not of this key file/)
  })

  it('refuses a file that is not an archive, plainly', () => {
    expect(verifyArchive('{nope', keys()).problems).toEqual([
      'The file is not JSON: it is not a Carepath audit archive.',
    ])
    expect(verifyArchive('{}', keys()).problems).toEqual(['The file is not a Carepath audit archive.'])
  })
})
