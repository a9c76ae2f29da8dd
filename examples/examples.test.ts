// The example flows are part of the product: every one must validate, every case of its suite
// must run to the outcome it expects (through the engine, with the installed node types), and
// each second version under drafts/ must show the simulator diff a reviewer is meant to see.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentHash, validateFlow, type FlowDocument } from '@carepath/dsl'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { simulate, type CaseReport, type SimulationReport, type Suite } from '@carepath/engine'
import { carepathPlugin as npiLookupPlugin } from '@carepath/example-npi-lookup'
import { errorLines, failures, readJsonIn, readSuiteIn, unclassifiedFacts, unreachedEndings } from './example-checks.ts'

// The examples install the custom-node walkthrough's package, as an installation would by config.
const { registry } = composeCatalog([builtinPlugin, npiLookupPlugin])

const dir = import.meta.dirname

function readFlow(path: string): FlowDocument {
  return readJsonIn(dir, path) as FlowDocument
}
function readSuite(path: string): Suite {
  return readSuiteIn(dir, path)
}
function byId(report: SimulationReport, id: string): CaseReport {
  const found = report.cases.find((c) => c.id === id)
  if (!found) throw new Error(`no case ${id} in the report`)
  return found
}

const flowFiles = readdirSync(dir)
  .filter((f) => f.endsWith('.flow.json'))
  .sort()
const flows = [...flowFiles, 'custom-node/referral-npi-check.flow.json']

describe('example flows', () => {
  it('are the ten healthcare workflows, each with a suite beside it', () => {
    expect(flowFiles.map((f) => f.replace('.flow.json', ''))).toEqual([
      'discharge-follow-up',
      'eligibility-verification',
      'integration-intake',
      'lab-result-routing',
      'nightly-demographic-review',
      'patient-intake-triage',
      'prior-authorization',
      'referral-intake',
      'reminders-no-show-rebook',
      'scheduling-ehr-availability',
    ])
    for (const file of flowFiles) expect(readdirSync(dir)).toContain(file.replace('.flow.json', '.suite.json'))
  })

  describe.each(flows)('%s', (file) => {
    const flow = readFlow(file)
    const suite = readSuite(file.replace('.flow.json', '.suite.json'))

    it('validates with no errors', () => {
      // Warnings (advice such as decision-table gaps) do not block publishing; errors do.
      const result = validateFlow(flow, registry)
      expect(errorLines(result.problems)).toEqual([])
      expect(result.valid).toBe(true)
    })

    it('classifies every fact with a PHI class, and keeps a layout position for every node', () => {
      expect(unclassifiedFacts(flow)).toEqual([])
      expect(Object.keys(flow.layout ?? {}).sort()).toEqual(Object.keys(flow.nodes).sort())
    })

    it('runs every suite case to its expected outcome', async () => {
      expect(suite.flow).toBe(flow.id)
      if (!file.startsWith('custom-node/')) expect(suite.cases.length).toBeGreaterThanOrEqual(20)
      const report = await simulate(null, flow, suite, { registry })
      expect(failures(report)).toEqual([])
      expect(report.summary.failed).toBe(0)
    })

    it('reaches every ending with some suite case', async () => {
      const report = await simulate(null, flow, suite, { registry })
      expect(unreachedEndings(flow, report)).toEqual([])
    })
  })
})

describe('second versions (drafts) against the published ones', () => {
  it('eligibility v2: lowering the copay threshold to $25 changes exactly the cases between $25 and $50, and adds a payment-plan step', async () => {
    const base = readFlow('eligibility-verification.flow.json')
    const candidate = readFlow('drafts/eligibility-verification.v2.flow.json')
    expect(validateFlow(candidate, registry).valid).toBe(true)
    expect(contentHash(candidate)).not.toBe(contentHash(base))
    const suite = readSuite('eligibility-verification.suite.json')
    const report = await simulate(base, candidate, suite, { registry })

    // $50 copay: no estimate before, an estimate call now, decided by the changed rule.
    const boundary = byId(report, 'copay-exactly-at-the-50-threshold-no-estimate')
    expect(boundary.status).not.toBe('unchanged')
    expect(boundary.changes?.decisions.map((d) => d.nodeId)).toContain('cost-check')
    // A declined estimate now goes to the financial counselor instead of ending.
    expect(byId(report, 'high-copay-patient-declines-after-the-estimate').status).not.toBe('unchanged')
    // Paths that never reach the threshold or the estimate answer are untouched.
    for (const id of [
      'no-coverage-on-file-patient-chooses-self-pay',
      'coverage-inactive-eb01-6',
      'invalid-member-id-aaa-72-specialist-corrects-it',
    ]) {
      expect(byId(report, id).status).toBe('unchanged')
    }
    expect(report.summary.changed + report.summary.failed).toBeLessThan(report.summary.cases)
  })

  it('lab routing v2: a lower potassium threshold makes the 6.0 case critical, and the case written for the old boundary says so', async () => {
    const base = readFlow('lab-result-routing.flow.json')
    const candidate = readFlow('drafts/lab-result-routing.v2.flow.json')
    expect(validateFlow(candidate, registry).valid).toBe(true)
    const report = await simulate(base, candidate, readSuite('lab-result-routing.suite.json'), { registry })
    const atSix = byId(report, 'potassium-exactly-6-0-abnormal-not-critical')
    expect(atSix.status).toBe('failed')
    expect(atSix.changes?.decisions.map((d) => [d.nodeId, d.base.outcome, d.candidate.outcome])).toEqual([
      ['critical-check', 'abnormal', 'critical'],
    ])
    expect(report.summary.failed).toBe(1)
    expect(byId(report, 'potassium-6-1-flagged-h-only-critical-by-threshold').status).toBe('unchanged')
  })

  it('prior authorization v2: urgent pended requests go to a peer-to-peer call, and the second review starts above $3000', async () => {
    const base = readFlow('prior-authorization.flow.json')
    const candidate = readFlow('drafts/prior-authorization.v2.flow.json')
    expect(validateFlow(candidate, registry).valid).toBe(true)
    const suite = readSuite('prior-authorization.suite.json')
    const report = await simulate(base, candidate, suite, { registry })
    const urgent = byId(report, 'payer-pends-an-urgent-request')
    expect(urgent.changes?.path).toMatchObject({ base: 'pended', candidate: 'urgency-check' })
    expect(urgent.candidate?.waitingAt).toBe('peer-to-peer')
    const standard = byId(report, 'payer-pends-a-standard-request')
    expect(standard.status).toBe('changed')
    expect(standard.changes?.outcome).toBeUndefined()
    const atFiveThousand = byId(report, 'cost-exactly-at-5000-no-second-review')
    expect(atFiveThousand.changes?.decisions.map((d) => [d.nodeId, d.base.outcome, d.candidate.outcome])).toEqual([
      ['cost-check', 'standard', 'high-cost'],
    ])
    expect(byId(report, 'spine-mri-documents-complete-payer-approves').status).toBe('unchanged')
    expect(byId(report, 'payer-denies-specialist-appeals').status).toBe('unchanged')
  })

  it('prior authorization v2 with generated cases: the new $3000 boundary is caught from a single $1200 suite case', async () => {
    const base = readFlow('prior-authorization.flow.json')
    const candidate = readFlow('drafts/prior-authorization.v2.flow.json')
    const suite = readSuite('prior-authorization.suite.json')
    const one: Suite = {
      ...suite,
      cases: suite.cases.filter((c) => c.id === 'spine-mri-documents-complete-payer-approves'),
    }
    const report = await simulate(base, candidate, one, { registry, generate: true })
    const caught = report.cases.filter(
      (c) => c.source === 'generated' && c.changes?.decisions.some((d) => d.nodeId === 'cost-check'),
    )
    expect(caught.length).toBeGreaterThan(0)
    expect(report.summary.unexpected).toBeGreaterThan(0)
  })

  it('moving every node on the canvas changes neither the hash nor any case', async () => {
    for (const file of flowFiles) {
      const flow = readFlow(file)
      const moved: FlowDocument = structuredClone(flow)
      for (const position of Object.values(moved.layout ?? {})) {
        position.x += 37
        position.y -= 11
      }
      expect(contentHash(moved)).toBe(contentHash(flow))
      const report = await simulate(flow, moved, readSuite(file.replace('.flow.json', '.suite.json')), { registry })
      expect(report.summary.changed, file).toBe(0)
      expect(report.summary.unchanged, file).toBe(report.summary.cases)
    }
  })

  it('drafts live under drafts/, so a loader of examples/*.flow.json never sees a second copy of a flow', () => {
    const ids = flowFiles.map((f) => readFlow(f).id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const draft of readdirSync(join(dir, 'drafts'))) {
      expect(draft).toMatch(/\.v\d+\.flow\.json$/)
      expect(ids).toContain(readFlow(`drafts/${draft}`).id)
    }
  })
})
