// A node dropped from the palette gets its type's defaults, in whatever flow it lands. Defaults
// that once came from one flow (an appointment question, a `staff` queue, `patient.mrn`) arrived
// pre-filled in a medication-refill flow, looking chosen. These tests keep defaults neutral and
// check that what the analyst still has to fill in is reported as a problem in words.
import { describe, expect, it } from 'vitest'
import { createNodeRegistry, plainProblem, validateFlow, type FlowDocument } from '@carepath/dsl'
import { builtinNodeTypes } from './catalog.ts'
import { UNCHOSEN_ROLE } from './human-step.schema.ts'

/** Wording that belongs to one flow's domain, not to a node type. */
const OTHER_DOMAINS = [/\bstaff\b/i, /\bpatient\.mrn\b/i, /appointment/i, /eligibility call/i, /sms\.reply/i]

const registry = createNodeRegistry(builtinNodeTypes)

/** The flow of the issue: its own facts and a pharmacy queue, and one node just dropped from the palette. */
function refillFlowWith(type: string): FlowDocument {
  const nodeType = registry.get(type)!
  return {
    dsl: 'carepath.flow/1',
    id: 'medication-refill',
    version: 1,
    title: 'Medication refill',
    facts: {
      type: 'object',
      properties: { refill: { type: 'object', properties: { copay: { type: 'number', 'x-phi': 'financial' } } } },
    },
    roles: { pharmacy: { title: 'Pharmacist', phi: ['financial', 'clinical'] } },
    start: 'dropped',
    nodes: {
      dropped: {
        type,
        typeVersion: nodeType.typeVersion,
        config: nodeType.config.parse(nodeType.defaults) as Record<string, unknown>,
        next: {},
      },
    },
  }
}

describe('palette defaults', () => {
  for (const nodeType of builtinNodeTypes) {
    describe(nodeType.type, () => {
      it('carry no other flow’s domain (staff, patient.mrn, appointments)', () => {
        const text = JSON.stringify(nodeType.defaults)
        for (const word of OTHER_DOMAINS) expect(text, `${nodeType.type} defaults: ${text}`).not.toMatch(word)
      })

      it('validate in a flow of another domain without a crash, every problem in words', () => {
        const { problems } = validateFlow(refillFlowWith(nodeType.type), registry)
        expect(problems.filter((p) => /could not work out/.test(p.message))).toEqual([])
        for (const p of problems) expect(p.message.trim(), p.code).not.toBe('')
      })
    })
  }

  it('leave every human step’s role to be chosen, and validation says so with the flow’s roles', () => {
    const human = builtinNodeTypes.filter((nodeType) => nodeType.human)
    expect(human.map((nodeType) => nodeType.type).sort()).toEqual(['guide.question', 'task.approval', 'task.form'])
    for (const nodeType of human) {
      const flow = refillFlowWith(nodeType.type)
      expect(nodeType.human?.role(flow.nodes['dropped']!.config), nodeType.type).toBe(UNCHOSEN_ROLE)
      const roleProblems = validateFlow(flow, registry).problems.filter((p) => p.code === 'unknown-role')
      expect(roleProblems, nodeType.type).toMatchObject([{ severity: 'error', path: 'nodes.dropped.config.role' }])
      expect(plainProblem(roleProblems[0]!, flow).message).toMatch(
        /"choose-a-role", which the flow does not define \(roles: pharmacy\)/,
      )
    }
  })

  it('report the facts a dropped node reads that the flow lacks, rather than borrowing one', () => {
    for (const type of ['fhir.search', 'wait.event']) {
      const unknown = validateFlow(refillFlowWith(type), registry).problems.filter(
        (p) => p.code === 'unknown-fact-path' && p.fact?.use === 'reads',
      )
      expect(unknown.length, type).toBeGreaterThan(0)
    }
  })

  it('leave an HL7 segment’s fields to be chosen, with a warning that says so', () => {
    const { problems } = validateFlow(refillFlowWith('hl7.send'), registry)
    expect(problems.filter((p) => p.path === 'nodes.dropped.config.segments.0.fields')).toMatchObject([
      {
        code: 'invalid-config',
        severity: 'warning',
        message: 'The PID segment has no fields yet: say which fact or text goes in each field.',
      },
    ])
  })
})
