import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registry } from '@carepath/catalog'
import { parseSuite, type SimulationReport } from '@carepath/engine'
import { run as simulate } from './simulate.command.ts'
import { run as cases } from './cases.command.ts'

const examples = fileURLToPath(new URL('../../../../examples', import.meta.url))
const published = join(examples, 'eligibility-verification.flow.json')
const dir = mkdtempSync(join(tmpdir(), 'carepath-simulate-'))
const decisionsInstalled = registry.has('decision.rules') && registry.has('payer.eligibility') && registry.has('switch')

/** A copy of the published flow beside its suite, changed by `edit`. */
function variant(
  name: string,
  edit: (flow: {
    nodes: Record<string, { config: Record<string, unknown> }>
    layout?: Record<string, { x: number; y: number }>
  }) => void,
): string {
  const flow = JSON.parse(readFileSync(published, 'utf8'))
  edit(flow)
  const path = join(dir, `${name}.flow.json`)
  writeFileSync(path, JSON.stringify(flow))
  copyFileSync(join(examples, 'eligibility-verification.suite.json'), join(dir, `${name}.suite.json`))
  return path
}

function captureOutput(): { text: () => string } {
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')))
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk: string | Uint8Array) => (lines.push(String(chunk)), true),
  )
  return { text: () => lines.join('\n') }
}
afterEach(() => vi.restoreAllMocks())

describe.skipIf(!decisionsInstalled)('carepath simulate (example eligibility flow)', () => {
  it('exits 0 when only the layout moved', async () => {
    const moved = variant('moved', (flow) => {
      for (const position of Object.values(flow.layout ?? {})) position.x += 100
    })
    const out = captureOutput()
    expect(await simulate(['--base', published, '--candidate', moved])).toBe(0)
    expect(out.text()).toMatch(/0 changed/)
  })

  it('exits 1 and names the changed cases and decisions when one threshold changes', async () => {
    const lowered = variant('lowered', (flow) => {
      const rules = flow.nodes['cost-check']?.config.rules as { conditions: { all: { value: number }[] } }[]
      rules[0]!.conditions.all[0]!.value = 25
    })
    const out = captureOutput()
    expect(await simulate(['--base', published, '--candidate', lowered, '--json'])).toBe(1)
    const report = JSON.parse(out.text()) as SimulationReport
    const changed = report.cases.filter((c) => c.status !== 'unchanged')
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.some((c) => c.changes?.decisions.some((d) => d.nodeId === 'cost-check'))).toBe(true)
    expect(report.summary.unchanged).toBeGreaterThan(0)
    expect(report.canvas.changedNodes.map((n) => n.id)).toContain('cost-check')
  })

  it('says the changed decision in the flow’s words: the step by title, the rules by name', async () => {
    const lowered = variant('lowered-text', (flow) => {
      const rules = flow.nodes['cost-check']?.config.rules as { conditions: { all: { value: number }[] } }[]
      rules[0]!.conditions.all[0]!.value = 25
    })
    const out = captureOutput()
    expect(await simulate(['--base', published, '--candidate', lowered])).toBe(1)
    const decisionLines = out
      .text()
      .split('\n')
      .filter((line) => line.trimStart().startsWith('decision '))
    expect(decisionLines.length).toBeGreaterThan(0)
    expect(decisionLines[0]).toMatch(/^ {4}decision "Patient cost above threshold\?": /)
    expect(decisionLines.join('\n')).toContain('Copay above $')
    expect(out.text()).not.toMatch(/decision cost-check|fired high-copay/)
  })

  it('writes a Markdown review comment', async () => {
    const lowered = variant('lowered-md', (flow) => {
      const rules = flow.nodes['cost-check']?.config.rules as { conditions: { all: { value: number }[] } }[]
      rules[0]!.conditions.all[0]!.value = 25
    })
    const out = captureOutput()
    expect(await simulate(['--base', published, '--candidate', lowered, '--markdown'])).toBe(1)
    expect(out.text()).toContain('### Simulation of `eligibility-verification`')
    expect(out.text()).toContain('Patient cost above threshold?')
    expect(out.text()).not.toContain('`cost-check`')
  })

  it('--generate exits 1 for a copay threshold change no suite case sits near, with probes naming cost-check', async () => {
    const lowered = variant('lowered-probe', (flow) => {
      const rules = flow.nodes['cost-check']?.config.rules as { conditions: { all: { value: number }[] } }[]
      rules[0]!.conditions.all[0]!.value = 45
    })
    // Only cases whose payer copay is far from 45-50, so the suite alone cannot see the change.
    const suite = JSON.parse(readFileSync(join(examples, 'eligibility-verification.suite.json'), 'utf8')) as {
      cases: { mocks?: Record<string, { copay?: number }> }[]
    }
    suite.cases = suite.cases.filter((c) => {
      const copay = c.mocks?.['ask-payer']?.copay
      return copay === undefined || copay <= 30 || copay >= 75
    })
    const suiteFile = join(dir, 'far-from-threshold.suite.json')
    writeFileSync(suiteFile, JSON.stringify(suite))
    captureOutput()
    expect(await simulate(['--base', published, '--candidate', lowered, '--suite', suiteFile])).toBe(0)
    vi.restoreAllMocks()
    const out = captureOutput()
    expect(
      await simulate(['--base', published, '--candidate', lowered, '--suite', suiteFile, '--generate', '--json']),
    ).toBe(1)
    const report = JSON.parse(out.text()) as SimulationReport
    const changed = report.cases.filter((c) => c.status !== 'unchanged')
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.every((c) => c.source === 'generated' && c.probe?.nodeId === 'cost-check')).toBe(true)
    expect(changed.map((c) => c.name)).toContain(
      'probe “Patient cost above threshold?”: eligibility.copay = 46 (above threshold 45)',
    )
  })

  it('prints generated cases as a suite that parses', async () => {
    const out = captureOutput()
    expect(await cases([published])).toBe(0)
    const parsed = parseSuite(JSON.parse(out.text()))
    expect(parsed.ok).toBe(true)
    if (parsed.ok) expect(parsed.suite.cases.some((c) => c.id.startsWith('gen.cost-check.'))).toBe(true)
  })
})

describe('carepath simulate input checks', () => {
  it('refuses missing flags and conflicting output options with exit 2', async () => {
    await expect(simulate(['--base', published])).rejects.toMatchObject({ exitCode: 2 })
    await expect(simulate(['--base', published, '--candidate', published, '--json', '--markdown'])).rejects.toThrow(
      'choose one',
    )
  })

  it('refuses a worker count or unchanged-case mode it does not know, with exit 2', async () => {
    const both = ['--base', published, '--candidate', published]
    await expect(simulate([...both, '--workers', '0'])).rejects.toMatchObject({ exitCode: 2 })
    await expect(simulate([...both, '--workers', 'two'])).rejects.toThrow('--workers takes a whole number')
    await expect(simulate([...both, '--unchanged', 'some'])).rejects.toThrow('--unchanged is "list" or "count"')
  })
})

describe.skipIf(!decisionsInstalled)('carepath simulate on worker threads', () => {
  it('prints the same JSON report with 2 workers as on one thread', async () => {
    const raised = variant('raised-workers', (flow) => {
      const rules = flow.nodes['cost-check']!.config.rules as { id: string; conditions: { all: { value: number }[] } }[]
      rules.find((r) => r.id === 'high-copay')!.conditions.all[0]!.value = 45
    })
    const args = ['--base', published, '--candidate', raised, '--generate', '--json']
    let out = captureOutput()
    const oneCode = await simulate([...args, '--workers', '1'])
    const one = out.text()
    vi.restoreAllMocks()
    out = captureOutput()
    const twoCode = await simulate([...args, '--workers', '2'])
    expect(out.text()).toBe(one)
    expect(twoCode).toBe(oneCode)
    expect((JSON.parse(one) as SimulationReport).summary.changed).toBeGreaterThan(0)
  }, 120_000)
})
