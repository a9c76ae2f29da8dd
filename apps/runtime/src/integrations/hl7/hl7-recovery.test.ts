import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHl7Intake, reprocessPending, type AcceptResult } from './hl7-intake.ts'
import { createFileHl7Store } from './hl7-store.ts'

const adt =
  'MSH|^~\\&|EPIC|EPICADT|SMS|SMSADT|199912271408|CHARRIS|ADT^A04|1817457|D|2.5\rPID||0493575^^^2^ID 1|454721||DOE^JOHN'
const meta = { sender: 'EPIC^EPICADT', controlId: '1817457', type: 'ADT^A04', via: 'mllp' as const }
const dirs: string[] = []
const file = () => {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-store-'))
  dirs.push(dir)
  return join(dir, 'hl7-inbound.jsonl')
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

describe('inbound HL7 after a restart', () => {
  it('starts the run of a message stored but never answered (the process stopped in between), once', async () => {
    const path = file()
    await createFileHl7Store(path).save(adt, meta, new Date()) // then the process "dies": no settle, no ACK
    const started: string[] = []
    const acceptRun = async (m: { dedupeKey: string }): Promise<AcceptResult> => (
      started.push(m.dedupeKey),
      { accepted: true, runIds: ['run-1'] }
    )
    expect(await reprocessPending({ store: createFileHl7Store(path), acceptRun })).toBe(1)
    expect(started).toEqual(['hl7:EPIC^EPICADT:1817457'])
    // A third start finds nothing pending, and the sender's resend is a duplicate of an accepted message.
    const store = createFileHl7Store(path)
    expect(await reprocessPending({ store, acceptRun })).toBe(0)
    const resend = await createHl7Intake({ store, acceptRun })(adt, 'mllp')
    expect(resend).toMatchObject({ code: 'AA', duplicate: true, runIds: ['run-1'] })
    expect(started).toHaveLength(1)
  })

  it('retries messages answered AE because runs could not start, but not unreadable or refused ones', async () => {
    const path = file()
    let mode: 'fail' | 'refuse' = 'fail'
    const acceptRun = async (): Promise<AcceptResult> =>
      mode === 'fail' ? { accepted: false, reason: 'failed' } : { accepted: false, reason: 'not-accepted' }
    const intake = createHl7Intake({ store: createFileHl7Store(path), acceptRun })
    expect((await intake(adt, 'mllp')).code).toBe('AE')
    mode = 'refuse'
    expect((await intake(adt.replace('1817457', '999'), 'mllp')).code).toBe('AR')
    expect((await intake('MSH|^~\\&|EPIC', 'mllp')).code).toBe('AR')
    const pending = await createFileHl7Store(path).pending!()
    expect(pending.map((p) => p.meta.controlId)).toEqual(['1817457'])
  })
})
