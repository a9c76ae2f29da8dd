import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { phiMapSchema } from '@carepath/dsl'
import type { Principal } from '../auth/auth.service.ts'
import { createRuntime } from '../runtime.ts'
import { CliError } from './cli-io.ts'
import { readFlowJson } from './flow-files.ts'
import { run } from './phi-map.command.ts'

const lab = join(import.meta.dirname, '../../../../examples/lab-result-routing.flow.json')
let out: string
beforeEach(() => {
  out = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
})
afterEach(() => vi.restoreAllMocks())

describe('carepath phi-map FILE', () => {
  it('prints Markdown by default, with where each class goes', async () => {
    expect(await run([lab])).toBe(0)
    expect(out).toContain('# PHI touchpoint map: Lab result routing with critical values (version 1)')
    expect(out).toContain(
      '- **Sent to:** SMS gateway (outside, channel: sms, encrypted: unknown); Email (SMTP relay) (outside, channel: email, encrypted: unknown)',
    )
  })

  it('says that no queue clearances were applied to a file mapped on its own', async () => {
    expect(await run([lab])).toBe(0)
    expect(out).toContain(
      'Queue clearances: not applied (the flow was mapped on its own); a row shown to a queue assumes the queue is cleared for its class.',
    )
  })

  it('prints CSV rows a spreadsheet can sort', async () => {
    expect(await run([lab, '--format', 'csv'])).toBe(0)
    const lines = out.split('\r\n')
    expect(lines[0]).toBe(
      'PHI class,Touchpoint,Where,Enters from,System,Channel,Outside,Encrypted,Queue,Facts,Clearance',
    )
    expect(lines).toContain(
      'contact,sent,Page the ordering clinician,,SMS gateway,sms,yes,unknown (settings not available here),,staff.orderingClinicianPhone,',
    )
    expect(lines).toContain('sensitive,enters,ORU^R01 received,trigger,,,,,,message,')
  })

  it('prints JSON that parses as a map', async () => {
    expect(await run([lab, '--format=json'])).toBe(0)
    expect(phiMapSchema.parse(JSON.parse(out)).flowId).toBe('lab-result-routing')
  })

  it('refuses a format it does not know and a version of a file, in one line', async () => {
    await expect(run([lab, '--format', 'pdf'])).rejects.toThrow(
      new CliError('--format is one of md, csv, json, not "pdf"'),
    )
    await expect(run([lab, '--version', '2'])).rejects.toThrow(/a file is one version already/)
    await expect(run([])).rejects.toThrow(/^usage: carepath phi-map FLOW/)
    expect(out).toBe('')
  })
})

describe('carepath phi-map FLOW-ID --data DIR', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-phi-map-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('maps a stored version with the installation’s settings, so encryption is known', async () => {
    const runtime = await createRuntime({ dataDir: dir })
    try {
      const analyst: Principal = { userId: 'u1', username: 'analyst', role: 'analyst', flowRoles: [] }
      await runtime.flowService.create(readFlowJson(lab), analyst)
      await runtime.integrations.set(
        { notify: { sms: { url: 'http://sms.internal/send' } } },
        { who: 'developer', role: 'developer' },
      )
    } finally {
      await runtime.close()
    }
    expect(await run(['lab-result-routing', '--data', dir, '--version', '1', '--format', 'csv'])).toBe(0)
    expect(out.split('\r\n')).toContain(
      'contact,sent,Page the ordering clinician,,SMS gateway,sms,yes,no (http URL),,staff.orderingClinicianPhone,',
    )
  })

  it('maps a file with the installation’s queue clearances when given --data', async () => {
    const runtime = await createRuntime({ dataDir: dir })
    try {
      const admin: Principal = { userId: 'u0', username: 'admin', role: 'admin', flowRoles: [] }
      // The nurses are cleared for demographic data only: what else the call-back step shows them is withheld.
      await runtime.queues.save(
        { name: 'nurse', description: 'Nurses', phi: ['demographic'], baseVersion: null },
        admin,
      )
    } finally {
      await runtime.close()
    }
    expect(await run([lab, '--data', dir, '--format', 'csv'])).toBe(0)
    const nurseRows = out.split('\r\n').filter((line) => line.includes(',nurse,'))
    expect(nurseRows.length).toBeGreaterThan(0)
    expect(nurseRows.some((line) => line.endsWith(',withheld'))).toBe(true)
    expect(
      nurseRows.filter((line) => line.startsWith('demographic,')).every((line) => !line.endsWith(',withheld')),
    ).toBe(true)
    out = ''
    expect(await run([lab, '--data', dir])).toBe(0)
    expect(out).toContain("Queue clearances: the installation's, as they stood when the map was made.")
    await expect(run([lab, '--data', join(dir, 'nowhere')])).rejects.toThrow(
      /^There is no database at .* to take the settings and queue clearances from$/,
    )
  })

  it('says plainly when the flow is not stored or there is no database', async () => {
    await (await createRuntime({ dataDir: dir })).close()
    await expect(run(['lab-result-routing', '--data', dir])).rejects.toThrow(
      new CliError('No flow with id "lab-result-routing".'),
    )
    await expect(run(['lab-result-routing', '--data', join(dir, 'nowhere')])).rejects.toThrow(/there is no database/)
  })
})
