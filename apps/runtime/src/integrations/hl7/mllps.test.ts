import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHl7Intake } from './hl7-intake.ts'
import { createMemoryHl7Store } from './hl7-store.ts'
import { sendMllp, startMllpListener, type MllpListener } from './mllp-listener.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-mllps-'))
const pem = (name: string) => readFileSync(join(dir, name))
let listener: MllpListener

beforeAll(async () => {
  // A throwaway self-signed certificate for localhost, made by the system's openssl.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
  const intake = createHl7Intake({
    store: createMemoryHl7Store(),
    acceptRun: async () => ({ accepted: true, runIds: ['r1'] }),
  })
  listener = await startMllpListener({ port: 0, intake, tls: { key: pem('key.pem'), cert: pem('cert.pem') } })
})
afterAll(async () => {
  await listener.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('MLLP over TLS', () => {
  it('acknowledges a message sent over TLS to a client that trusts the certificate', async () => {
    const acks = await sendMllp(listener.port, ['MSH|^~\\&|LAB|F|EHR|F|20250101||ORU^R01|TLS1|P|2.5\rPID|1'], {
      tls: { ca: pem('cert.pem') },
    })
    expect(acks).toHaveLength(1)
    expect(acks[0]).toMatch(/\rMSA\|AA\|TLS1\|/)
  })

  it('is not readable by a plain-TCP sender', async () => {
    const acks = await sendMllp(listener.port, ['MSH|^~\\&|LAB|F|EHR|F|20250101||ORU^R01|PLAIN1|P|2.5']).catch(() => [])
    expect(acks).toEqual([])
  })
})
