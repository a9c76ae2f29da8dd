import { describe, expect, it } from 'vitest'
import { REDACTED, type FactSchema } from '@carepath/dsl'
import type { RunEvent } from '@carepath/engine'
import { patientValuesIn, patientValuesOfRun, redactFreeText } from './free-text.ts'
import type { RedactionContext } from './redaction-policy.ts'
import { runEvents } from './run-events.policy.ts'
import { intakeFlow } from '../testing/test-registry.ts'

const NAME = 'Cornelius Eventide'
const SSN = '123-45-6789'

// The test runtime's intake flow: the name is demographic, the SSN an identifier, the score none.
const schema: FactSchema = intakeFlow().facts

const at = '2026-03-01T09:00:00.000Z'
const log: RunEvent[] = [
  {
    seq: 0,
    at,
    type: 'run.started',
    data: { runId: 'r', flowId: 'f', flowHash: 'h', input: { score: 9, patient: { name: NAME, ssn: SSN } } },
  },
  { seq: 1, at, type: 'node.entered', nodeId: 'check', data: { type: 'test.threshold', visit: 1 } },
  {
    seq: 2,
    at,
    type: 'decision',
    nodeId: 'check',
    data: {
      port: 'high',
      explanation: {
        outcome: 'high',
        fired: ['named'],
        rules: [
          {
            id: 'named',
            fired: true,
            conditions: [
              { path: 'all.0', fact: 'patient.name', operator: 'notEqual', expected: '', seen: NAME, result: true },
            ],
          },
        ],
      },
    },
  },
  { seq: 3, at, type: 'facts.set', nodeId: 'check', data: { set: { 'patient.ssn': SSN, score: 10 } } },
  {
    seq: 4,
    at,
    type: 'connector.request',
    nodeId: 'call',
    data: { connector: 'echo', request: { ssn: SSN }, attempt: 1 },
  },
  {
    seq: 5,
    at,
    type: 'connector.response',
    nodeId: 'call',
    data: { connector: 'echo', attempt: 1, error: `nothing on file for ${SSN}`, retryable: false },
  },
  {
    seq: 6,
    at,
    type: 'task.opened',
    nodeId: 'ask',
    data: {
      taskId: 'r:task:6',
      request: { role: 'front-desk', title: 'Approve?', shows: ['patient.name'], fields: [] },
    },
  },
  {
    seq: 7,
    at,
    type: 'task.answered',
    nodeId: 'ask',
    data: { taskId: 'r:task:6', answer: { note: NAME }, port: 'yes' },
  },
  {
    seq: 8,
    at,
    type: 'subflow.started',
    nodeId: 'child',
    scope: 'child',
    data: { runId: 'c', flowId: 'g', hash: 'k', input: { score: 3 } },
  },
  { seq: 9, at, type: 'error', nodeId: 'call', data: { message: `lookup failed for ${NAME}`, handled: false } },
  { seq: 10, at, type: 'run.ended', nodeId: 'call', data: { status: 'failed', message: `lookup failed for ${NAME}` } },
]

const context = (allowed: RedactionContext['allowed']): RedactionContext => ({
  schema,
  allowed,
  patientValues: patientValuesOfRun(log),
})

describe('run events by their declared policies', () => {
  it('redacts facts by class, withholds payloads and answers, and keeps structure', () => {
    const shown = runEvents(log, context(['none', 'demographic']))
    expect(shown.map((e) => e.type)).toEqual(log.map((e) => e.type))
    expect(shown[0]).toMatchObject({ data: { input: { score: 9, patient: { name: NAME, ssn: REDACTED } } } })
    expect(shown[2]).toMatchObject({ data: { explanation: { rules: [{ conditions: [{ seen: NAME }] }] } } })
    expect(shown[3]).toMatchObject({ data: { set: { 'patient.ssn': REDACTED, score: 10 } } })
    expect(shown[4]).toMatchObject({ data: { connector: 'echo', request: REDACTED, attempt: 1 } })
    expect(shown[5]).toMatchObject({ data: { connector: 'echo', error: REDACTED, retryable: false } })
    expect(shown[6]).toEqual(log[6])
    expect(shown[7]).toMatchObject({ data: { taskId: 'r:task:6', answer: REDACTED, port: 'yes' } })
    // A subflow's facts belong to another flow's schema, which is not at hand: nothing shows.
    expect(shown[8]).toMatchObject({ scope: 'child', data: { flowId: 'g', input: { score: REDACTED } } })
    // Failure messages are free text: the patient values in them go, even for a role that may see them.
    expect(shown[9]).toMatchObject({ data: { message: `lookup failed for ${REDACTED}`, handled: false } })
    expect(shown[10]).toMatchObject({ data: { status: 'failed', message: `lookup failed for ${REDACTED}` } })
  })

  it('shows a role with no PHI classes none of the values', () => {
    const text = JSON.stringify(runEvents(log, context(['none'])))
    expect(text).not.toContain(NAME)
    expect(text).not.toContain(SSN)
    expect(text).toContain('"score":9')
  })

  it('drops members an event does not declare (fail closed)', () => {
    // Built the way outside data arrives (the event schema would refuse the extra member too).
    const extra: unknown = { ...log[1]!, data: { type: 'test.threshold', visit: 1, secret: SSN } }
    expect(runEvents([extra as RunEvent], context(['none']))[0]).toEqual(log[1])
  })
})

describe('free text', () => {
  it('knows the patient values of a log and replaces the longest first', () => {
    const values = patientValuesOfRun(log)
    expect(values).toEqual(expect.arrayContaining([NAME, SSN]))
    expect(values).not.toContain('test.threshold')
    // A value containing another is replaced whole, not around the shorter one.
    const text = redactFreeText(`${NAME} and Cornelius`, patientValuesIn('Cornelius', NAME))
    expect(text).toBe(`${REDACTED} and ${REDACTED}`)
  })
})
