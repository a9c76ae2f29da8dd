// `carepath serve` over TLS, as an operator starts it: HTTPS for the UI and API (TLS 1.2+ only,
// HSTS) and MLLPS for HL7 v2 with client certificates required, from certificates this test makes
// with the system's openssl. Plain HTTP and plain MLLP get nothing; a wrong path is refused plainly.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCarepathCli, sendMllp, waitUntil } from '@carepath/runtime/testing'

const main = join(import.meta.dirname, '..', '..', 'apps', 'runtime', 'src', 'cli', 'main.ts')
const dir = mkdtempSync(join(tmpdir(), 'carepath-tls-'))
const file = (name: string) => join(dir, name)
const pem = (name: string) => readFileSync(file(name))
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']

let proc: ChildProcess
let out = ''
let httpsPort = 0
let mllpPort = 0

beforeAll(async () => {
  // The server's certificate (self-signed, for localhost), and a CA that signs the lab's client certificate.
  openssl(
    'req',
    '-x509',
    ...EC,
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.pem'),
  )
  openssl(
    'req',
    '-x509',
    ...EC,
    '-subj',
    '/CN=Carepath test client CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  )
  openssl('req', ...EC, '-subj', '/CN=lab-system', '-keyout', file('client.key'), '-out', file('client.csr'))
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    file('client.pem'),
  )
  proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'serve',
      '--port',
      '0',
      '--data',
      file('data'),
      '--tls-cert',
      file('server.pem'),
      '--tls-key',
      file('server.key'),
      '--mllp-port',
      '0',
      '--mllp-tls',
      '--mllp-client-ca',
      file('ca.pem'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  proc.stdout?.on('data', (d: Buffer) => (out += String(d)))
  proc.stderr?.on('data', (d: Buffer) => (out += String(d)))
  await waitUntil(() => /MLLPS, TLS\) listening/.test(out) && /running at/.test(out), 'serve to listen over TLS')
  httpsPort = Number(/running at https:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1])
  mllpPort = Number(/MLLPS, TLS\) listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1])
})
afterAll(async () => {
  if (proc.exitCode === null) {
    proc.kill('SIGTERM')
    await new Promise((r) => proc.once('exit', r))
  }
  rmSync(dir, { recursive: true, force: true })
})

function httpsGet(path: string): Promise<{ status: number; headers: Record<string, unknown>; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpsPort, path, ca: pem('server.pem'), servername: 'localhost' },
      (res) => {
        res.resume()
        const protocol = res.socket instanceof TLSSocket ? (res.socket.getProtocol() ?? '') : ''
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, protocol }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Whether a TLS handshake with at most this version succeeds. */
function handshake(maxVersion: 'TLSv1.1' | 'TLSv1.2'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port: httpsPort,
      ca: pem('server.pem'),
      servername: 'localhost',
      minVersion: 'TLSv1',
      maxVersion,
    })
    socket.once('secureConnect', () => {
      socket.end()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

const MESSAGE = 'MSH|^~\\&|LAB|F|EHR|F|20250101||ORU^R01|TLS-1|P|2.5\rPID|1'

describe('carepath serve over TLS', () => {
  it('answers HTTPS with a certificate the client trusts, and sends HSTS', async () => {
    const health = await httpsGet('/healthz')
    expect(health.status).toBe(200)
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    expect(['TLSv1.2', 'TLSv1.3']).toContain(health.protocol)
  })

  it('refuses TLS older than 1.2 and plain HTTP', async () => {
    expect(await handshake('TLSv1.2')).toBe(true)
    expect(await handshake('TLSv1.1')).toBe(false)
    await expect(fetch(`http://127.0.0.1:${httpsPort}/healthz`)).rejects.toThrow()
  })

  it('takes HL7 over MLLPS from a sender with a client certificate, and from nobody else', async () => {
    const client = { ca: pem('server.pem'), key: pem('client.key'), cert: pem('client.pem') }
    const acks = await sendMllp(mllpPort, [MESSAGE], { tls: client })
    expect(acks).toHaveLength(1)
    expect(acks[0]).toMatch(/\rMSA\|A[AER]\|TLS-1\|/)
    // No client certificate: the handshake fails, no ACK.
    expect(await sendMllp(mllpPort, [MESSAGE], { tls: { ca: pem('server.pem') } }).catch(() => [])).toEqual([])
    // Plain MLLP to the TLS port: no ACK.
    expect(await sendMllp(mllpPort, [MESSAGE]).catch(() => [])).toEqual([])
  })

  it('refuses a certificate it cannot read, or an MLLPS flag without a port, in one plain line', async () => {
    const run = (...args: string[]) => runCarepathCli(['serve', '--port', '0', '--data', file('bad'), ...args])
    const missing = await run('--tls-cert', file('nope.pem'), '--tls-key', file('server.key'))
    expect(missing.status).toBe(2)
    expect(missing.stderr.trim()).toBe(`carepath serve: The TLS certificate ${file('nope.pem')} cannot be read.`)
    const mismatched = await run('--tls-cert', file('server.pem'), '--tls-key', file('client.key'))
    expect(mismatched.status).toBe(2)
    expect(mismatched.stderr).toMatch(/cannot be used together/)
    expect((await run('--mllp-tls')).stderr).toMatch(/--mllp-tls needs --mllp-port/)
  })
})
