import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CliError } from './cli-io.ts'
import { run } from './run.command.ts'

const dir = mkdtempSync(join(tmpdir(), 'carepath-run-'))
function file(name: string, value: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

// Installed node types only: an API trigger, a form for the front desk, and an ending.
const flow = file('callback.flow.json', {
  dsl: 'carepath.flow/1',
  id: 'callback',
  version: 1,
  title: 'Call the patient back',
  facts: {
    type: 'object',
    properties: {
      patient: { type: 'object', properties: { phone: { type: 'string', 'x-phi': 'contact' } } },
      call: { type: 'object', properties: { reached: { type: 'boolean', 'x-phi': 'none' } } },
    },
  },
  roles: { 'front-desk': { phi: ['contact'] } },
  start: 'start',
  nodes: {
    start: {
      type: 'trigger.api',
      typeVersion: 1,
      config: { requiredInputs: ['patient.phone'] },
      next: { next: 'call' },
    },
    call: {
      type: 'task.form',
      typeVersion: 1,
      config: {
        role: 'front-desk',
        title: 'Call the patient',
        shows: ['patient.phone'],
        fields: [{ name: 'reached', label: 'Reached', type: 'boolean', required: true }],
        into: 'call',
      },
      next: { submitted: 'done' },
    },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'called' } },
  },
})
const input = file('input.json', { patient: { phone: '555-0100' } })

function captureOutput(): { text: () => string } {
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')))
  return { text: () => lines.join('\n') }
}
afterEach(() => vi.restoreAllMocks())

describe('carepath run', () => {
  it('prints the open task of a waiting run: role, fields and the facts it may show', async () => {
    const out = captureOutput()
    expect(await run([flow, '--input', input])).toBe(0)
    expect(out.text()).toContain('callback v1')
    expect(out.text()).toContain('waiting for front-desk')
    expect(out.text()).toContain('fields: reached* (boolean)')
    expect(out.text()).toContain('may show: patient.phone')
  })

  it('runs to the outcome with answers, and prints the trace as JSON with --json', async () => {
    const answers = file('answers.json', { call: { reached: true } })
    const out = captureOutput()
    expect(await run([flow, '--input', input, '--answers', answers, '--json'])).toBe(0)
    const printed = JSON.parse(out.text()) as {
      status: string
      outcome: string
      path: string[]
      events: { type: string }[]
    }
    expect(printed).toMatchObject({ status: 'completed', outcome: 'called', path: ['start', 'call', 'done'] })
    expect(printed.events.map((e) => e.type)).toContain('task.answered')
  })

  it('exits 1 when the run fails, naming the step by title (its id beside it in the trace)', async () => {
    const out = captureOutput()
    expect(await run([flow, '--input', file('empty.json', {})])).toBe(1)
    expect(out.text()).toContain('failed at "Trigger API 1": The run input lacks required facts: patient.phone.')
    expect(out.text()).toMatch(/→ Trigger API 1 \(start, trigger\.api\)/)
  })

  it('refuses bad input with one line (exit 2)', async () => {
    await expect(run([flow])).rejects.toThrow('--input FACTS.json is required')
    await expect(run([flow, '--input', input, '--now', 'yesterday'])).rejects.toThrow(
      '--now must be an ISO-8601 date-time',
    )
    await expect(run([flow, '--input', file('broken.json', '{ nope')])).rejects.toBeInstanceOf(CliError)
    await expect(run([flow, '--input', file('list.json', [1])])).rejects.toThrow('must be a JSON object')
    await expect(run([file('bad.flow.json', { dsl: 'carepath.flow/1' }), '--input', input])).rejects.toThrow(
      /not a valid flow/,
    )
    await expect(run([join(dir, 'missing.flow.json'), '--input', input])).rejects.toThrow('cannot read the file')
  })
})

const examples = fileURLToPath(new URL('../../../../examples', import.meta.url))

describe('carepath run on the example flows', () => {
  const flows = readdirSync(examples)
    .filter((name) => name.endsWith('.flow.json'))
    .sort()
  it.each(flows)('%s: every suite case ends with the outcome its suite expects', async (name) => {
    const suite = JSON.parse(readFileSync(join(examples, name.replace('.flow.json', '.suite.json')), 'utf8')) as {
      now?: string
      cases: { id: string; input: unknown; mocks?: unknown; answers?: unknown; expect?: { outcome?: string } }[]
    }
    const results: string[] = []
    const expected: string[] = []
    for (const c of suite.cases) {
      const args = [join(examples, name), '--input', file(`${c.id}.input.json`, c.input), '--json']
      if (c.mocks) args.push('--mocks', file(`${c.id}.mocks.json`, c.mocks))
      if (c.answers) args.push('--answers', file(`${c.id}.answers.json`, c.answers))
      if (suite.now) args.push('--now', suite.now)
      const out = captureOutput()
      const code = await run(args)
      vi.restoreAllMocks()
      const printed = JSON.parse(out.text()) as { status: string; outcome?: string }
      results.push(`${c.id}: ${printed.outcome ?? printed.status} (exit ${code})`)
      expected.push(
        `${c.id}: ${c.expect?.outcome ?? printed.outcome ?? printed.status} (exit ${printed.status === 'failed' ? 1 : 0})`,
      )
    }
    expect(results).toEqual(expected)
  })
})
