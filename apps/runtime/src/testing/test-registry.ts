// Test-only node types and a flow that uses them, so the runtime's tests do not move with the
// built-in catalog. Shared by the router tests and tests/integration/runtime-*.test.ts.
import { z } from 'zod'
import { AnswerError, createNodeRegistry, defineNodeType, type FlowDocument, type JsonValue } from '@carepath/dsl'

export const testStart = defineNodeType({
  type: 'test.start',
  typeVersion: 1,
  title: 'Start',
  description: 'Starts a test flow.',
  category: 'Trigger',
  icon: 'S',
  trigger: true,
  config: z.object({}).strict(),
  defaults: {},
  ports: () => [{ name: 'default', required: true }],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  execute: () => ({ kind: 'next', port: 'default' }),
})

/** `fact >= min` → high, else low, explained like decision.rules. */
export const testThreshold = defineNodeType({
  type: 'test.threshold',
  typeVersion: 1,
  title: 'Threshold',
  description: 'Compares one fact with a minimum.',
  category: 'Decision',
  icon: 'D',
  config: z.object({ fact: z.string(), min: z.number() }).strict(),
  defaults: { fact: 'score', min: 0 },
  ports: () => [
    { name: 'high', required: true },
    { name: 'low', required: true },
  ],
  reads: (c) => [c.fact],
  writes: () => [],
  phi: ['identifier', 'demographic'],
  execute(ctx, c) {
    const seen = ctx.get(c.fact)
    const fired = typeof seen === 'number' ? seen >= c.min : typeof seen === 'string' && seen.length > 0
    const port = fired ? 'high' : 'low'
    return {
      kind: 'next',
      port,
      decision: {
        outcome: port,
        fired: fired ? ['at-least'] : [],
        rules: [{ id: 'at-least', fired, conditions: [{ path: 'all.0', fact: c.fact, operator: 'greaterThanInclusive', expected: c.min, seen: seen ?? null, result: fired }] }],
      },
    }
  },
})

/** Calls a connector and keeps its answer. */
export const testCall = defineNodeType({
  type: 'test.call',
  typeVersion: 1,
  title: 'Call',
  description: 'Calls a connector.',
  category: 'Integration',
  icon: 'C',
  config: z.object({ connector: z.string(), into: z.string() }).strict(),
  defaults: { connector: 'echo', into: 'echo' },
  ports: () => [{ name: 'ok', required: true }],
  reads: () => [],
  writes: (c) => [c.into],
  phi: [],
  async execute(ctx, c) {
    const response = await ctx.call(c.connector, { node: ctx.nodeId })
    return { kind: 'next', port: 'ok', set: { [c.into]: response } }
  },
})

/** Asks a person to approve; the answer must be `{ approved: boolean }`. */
export const testAsk = defineNodeType({
  type: 'test.ask',
  typeVersion: 1,
  title: 'Ask',
  description: 'Asks a person to approve.',
  category: 'Human',
  icon: '?',
  config: z.object({ role: z.string(), shows: z.array(z.string()), answerInto: z.string() }).strict(),
  defaults: { role: 'front-desk', shows: [], answerInto: 'review.approved' },
  ports: () => [
    { name: 'yes', required: true },
    { name: 'no', required: true },
  ],
  reads: (c) => c.shows,
  writes: (c) => [c.answerInto],
  phi: ['demographic'],
  human: { role: (c) => c.role, shows: (c) => c.shows },
  execute: (_ctx, c) => ({
    kind: 'task',
    task: { role: c.role, title: 'Approve the intake?', shows: [...c.shows], fields: [{ name: 'approved', label: 'Approved', type: 'boolean', required: true }] },
  }),
  answer(_ctx, c, answer: JsonValue) {
    const approved = typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? answer.approved : undefined
    if (typeof approved !== 'boolean') throw new AnswerError('Approved must be yes or no.', 'approved')
    return { kind: 'next', port: approved ? 'yes' : 'no', set: { [c.answerInto]: approved } }
  },
})

export const testEnd = defineNodeType({
  type: 'test.end',
  typeVersion: 1,
  title: 'End',
  description: 'Ends the run with an outcome.',
  category: 'Flow',
  icon: 'E',
  config: z.object({ outcome: z.string() }).strict(),
  defaults: { outcome: 'done' },
  ports: () => [],
  reads: () => [],
  writes: () => [],
  phi: [],
  execute: (_ctx, c) => ({ kind: 'end', outcome: c.outcome }),
})

/** Waits `minutes` from the injected clock. */
export const testWait = defineNodeType({
  type: 'test.wait',
  typeVersion: 1,
  title: 'Wait',
  description: 'Waits a number of minutes.',
  category: 'Flow',
  icon: 'W',
  config: z.object({ minutes: z.number() }).strict(),
  defaults: { minutes: 5 },
  ports: () => [{ name: 'done', required: true }],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  execute: (ctx, c) => ({ kind: 'wait', until: new Date(Date.parse(ctx.now()) + c.minutes * 60_000).toISOString(), port: 'done' }),
})

export const testRegistry = createNodeRegistry([testStart, testThreshold, testCall, testAsk, testWait, testEnd])

/** A reminder flow: wait ten minutes, then end. */
export function waitFlow(): FlowDocument {
  return {
    dsl: 'carepath.flow/1',
    id: 'reminder',
    version: 1,
    title: 'Reminder',
    facts: { type: 'object', properties: {} },
    roles: {},
    start: 'start',
    nodes: {
      start: { type: 'test.start', typeVersion: 1, config: {}, next: { default: 'hour' } },
      hour: { type: 'test.wait', typeVersion: 1, config: { minutes: 10 }, next: { done: 'sent' } },
      sent: { type: 'test.end', typeVersion: 1, config: { outcome: 'sent' }, next: {} },
    },
  }
}

/**
 * An intake flow: score ≥ 5 asks the front desk (who may see demographics, not identifiers)
 * to approve; otherwise it ends at once. The patient's SSN is an identifier, the name demographic.
 */
export function intakeFlow(overrides: { min?: number; withCall?: boolean } = {}): FlowDocument {
  const min = overrides.min ?? 5
  return {
    dsl: 'carepath.flow/1',
    id: 'intake-check',
    version: 1,
    title: 'Intake check',
    facts: {
      type: 'object',
      properties: {
        patient: {
          type: 'object',
          properties: { name: { type: 'string', 'x-phi': 'demographic' }, ssn: { type: 'string', 'x-phi': 'identifier' } },
        },
        score: { type: 'number', 'x-phi': 'none' },
        review: { type: 'object', properties: { approved: { type: 'boolean', 'x-phi': 'none' } } },
        echo: { type: 'object', 'x-phi': 'none', properties: { node: { type: 'string' }, n: { type: 'number' } } },
      },
    },
    roles: { 'front-desk': { phi: ['demographic'] } },
    start: 'start',
    nodes: {
      start: { type: 'test.start', typeVersion: 1, config: {}, next: { default: overrides.withCall ? 'call' : 'check' } },
      ...(overrides.withCall ? { call: { type: 'test.call', typeVersion: 1, config: { connector: 'echo', into: 'echo' }, next: { ok: 'check' } } } : {}),
      check: { type: 'test.threshold', typeVersion: 1, config: { fact: 'score', min }, next: { high: 'ask', low: 'fast' } },
      ask: { type: 'test.ask', typeVersion: 1, config: { role: 'front-desk', shows: ['patient.name'], answerInto: 'review.approved' }, next: { yes: 'approved', no: 'declined' } },
      approved: { type: 'test.end', typeVersion: 1, config: { outcome: 'approved' }, next: {} },
      declined: { type: 'test.end', typeVersion: 1, config: { outcome: 'declined' }, next: {} },
      fast: { type: 'test.end', typeVersion: 1, config: { outcome: 'fast-track' }, next: {} },
    },
  }
}

/** The suite kept with the intake flow. */
export const intakeSuite = {
  flow: 'intake-check',
  cases: [
    { id: 'low', name: 'low score: fast track', input: { score: 2, patient: { name: 'Test Patient', ssn: '000-00-0000' } }, expect: { outcome: 'fast-track' } },
    { id: 'high-yes', name: 'high score, approved', input: { score: 7, patient: { name: 'Test Patient' } }, answers: { ask: { approved: true } }, expect: { outcome: 'approved' } },
  ],
}
