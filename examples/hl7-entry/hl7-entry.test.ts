// HL7 entry flows: a flow has one start node, so each HL7 message type that starts work gets a
// small trigger.hl7 flow here that reads the message into facts and makes the few decisions its
// work needs. Held to the same bar as the nine example flows (examples.test.ts), with smaller suites.
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { validateFlow, type FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { simulate } from '@carepath/engine'
import {
  errorLines,
  failures,
  readJsonIn,
  readSuiteIn,
  unclassifiedFacts,
  unreachedEndings,
} from '../example-checks.ts'

const dir = import.meta.dirname
const readJson = (path: string): unknown => readJsonIn(dir, path)
const flowFiles = readdirSync(dir)
  .filter((f) => f.endsWith('.flow.json'))
  .sort()

describe('HL7 entry flows', () => {
  it('cover every HL7 message type that has matching work (VXU has none)', () => {
    const types = flowFiles.flatMap((file) => {
      const flow = readJson(file) as FlowDocument
      const start = flow.nodes[flow.start]!
      expect(start.type, file).toBe('trigger.hl7')
      return (start.config as { messageTypes: string[] }).messageTypes
    })
    expect(types.sort()).toEqual(['ADT^A04', 'ADT^A40', 'ORM^O01', 'REF^I12', 'SIU^S12', 'SIU^S15', 'SIU^S26'])
  })

  describe.each(flowFiles)('%s', (file) => {
    const flow = readJson(file) as FlowDocument
    const suite = readSuiteIn(dir, file.replace('.flow.json', '.suite.json'))

    it('validates with no errors', () => {
      const result = validateFlow(flow, registry)
      expect(errorLines(result.problems)).toEqual([])
      expect(result.valid).toBe(true)
    })

    it('classifies every fact with a PHI class, gives its tasks roles, and keeps a layout position for every node', () => {
      expect(unclassifiedFacts(flow)).toEqual([])
      expect(Object.keys(flow.roles).length).toBeGreaterThan(0)
      expect(Object.keys(flow.layout ?? {}).sort()).toEqual(Object.keys(flow.nodes).sort())
    })

    it('runs every suite case (each from a third-party sample) to its expected outcome, reaching every ending', async () => {
      expect(suite.flow).toBe(flow.id)
      expect(suite.cases.length).toBeGreaterThanOrEqual(5)
      for (const c of suite.cases) expect(c.source, c.id).toMatch(/^samples\/hl7\/.+\.hl7$/)
      const report = await simulate(null, flow, suite, { registry })
      expect(failures(report)).toEqual([])
      expect(report.summary.failed).toBe(0)
      expect(unreachedEndings(flow, report)).toEqual([])
    })
  })
})
