// A small valid flow over the test registry; each validation test breaks one thing in a copy.
import type { FlowDocument } from '../flow.schema.ts'

export function sampleFlow(): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'sample-flow',
    version: 1,
    title: 'Sample flow',
    facts: {
      type: 'object',
      properties: {
        amount: { type: 'number', 'x-phi': 'financial' },
        patient: {
          type: 'object',
          'x-phi': 'demographic',
          properties: {
            name: { type: 'string' },
            ssn: { type: 'string', 'x-phi': 'identifier' },
            note: { type: 'string', 'x-phi': 'none' },
          },
        },
        answer: { type: 'string', 'x-phi': 'none' },
        unclassified: { type: 'string' },
      },
    },
    roles: {
      agent: { title: 'Agent', phi: ['demographic'] },
      billing: { phi: ['demographic', 'financial', 'identifier'] },
    },
    start: 'intake',
    nodes: {
      intake: { type: 'test.trigger', typeVersion: 1, config: {}, next: { default: 'check' } },
      check: {
        type: 'test.decide',
        typeVersion: 1,
        title: 'Check amount',
        config: { fact: 'amount', threshold: 100, outcomes: ['high', 'low'] },
        next: { high: 'ask', low: 'done' },
      },
      ask: {
        type: 'test.ask',
        typeVersion: 1,
        config: { role: 'agent', shows: ['patient.name'], answerInto: 'answer' },
        next: { done: 'done' },
      },
      done: { type: 'test.end', typeVersion: 1, config: { outcome: 'finished' }, next: {} },
    },
    layout: { intake: { x: 0, y: 0 }, check: { x: 200, y: 0 }, ask: { x: 400, y: 0 }, done: { x: 600, y: 0 } },
  }
}
