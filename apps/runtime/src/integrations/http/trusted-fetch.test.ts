// Outbound TLS against a real HTTPS peer whose certificate a private CA signed (made by the
// system's openssl): refused by default, reached once the installation adds that CA to its
// settings, and never reached by a CA-less "ignore" (there is none to set).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fhirRead } from '@carepath/nodes'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createConnectorAdapters } from '../index.ts'
import { composeSettingsSchema } from '../settings.schema.ts'
import { builtinConnectors } from '../builtin-connectors.ts'
import { fetchTrusting } from './trusted-fetch.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-private-ca-'))
const file = (name: string) => join(dir, name)
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']

let server: Server
let baseUrl = ''
let ca = ''

beforeAll(async () => {
  openssl('req', '-x509', ...EC, '-subj', '/CN=Hospital private CA', '-keyout', file('ca.key'), '-out', file('ca.pem'))
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  openssl('req', ...EC, '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'))
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('san.ext'),
    '-out',
    file('server.pem'),
  )
  ca = readFileSync(file('ca.pem'), 'utf8')
  server = createServer(
    { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) },
    (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/fhir+json' })
        .end(JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' })),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const readPatient = (settings: Record<string, unknown>) =>
  runNode(
    fhirRead,
    { resourceType: 'Patient', idFrom: 'patient.id', into: 'patient', extract: { gender: 'gender' } },
    {
      facts: { patient: { id: 'p1' } },
      connectors: createConnectorAdapters({
        fhir: { baseUrl, headers: {}, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS },
        ...settings,
      }),
    },
  )

describe('outbound TLS with a private CA', () => {
  it('refuses a certificate no trusted CA signed', async () => {
    await expect(fetch(`${baseUrl}/Patient/p1`)).rejects.toThrow()
    const refused = await readPatient({})
    expect(refused.calls[0]?.error).toBe(
      "The FHIR server presented a certificate no trusted CA signed; if it is the hospital's own CA, add it to the settings (tls.privateCa).",
    )
  })

  it('reaches the peer once the installation trusts its CA', async () => {
    expect((await fetchTrusting([ca])(`${baseUrl}/Patient/p1`)).status).toBe(200)
    const { outcome } = await readPatient({ tls: { privateCa: [ca] } })
    expect(outcome).toEqual({ kind: 'next', port: 'found', set: { 'patient.gender': 'female' } })
  })

  it('takes only certificates as a private CA, and has no switch to stop verifying', () => {
    const schema = composeSettingsSchema(builtinConnectors, 'strict')
    expect(schema.safeParse({ tls: { privateCa: [ca] } }).success).toBe(true)
    const notPem = schema.safeParse({ tls: { privateCa: ['-----BEGIN CERTIFICATE-----\nnonsense'] } })
    expect(notPem.error?.issues[0]?.message).toBe('This is not a PEM certificate.')
    expect(schema.safeParse({ tls: { rejectUnauthorized: false } }).success).toBe(false)
  })
})
