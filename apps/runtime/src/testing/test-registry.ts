// Test-only node types and a flow that uses them, so the runtime's tests do not move with the
// built-in catalog. Shared by the router tests and tests/integration/runtime-*.test.ts. The generic
// types (start, ask, wait, end) come from @carepath/engine/testing; the two below are the
// runtime's own because its tests rely on how they differ from the engine's test nodes.
import { z } from 'zod'
import { createNodeRegistry, defineNodeType, type FlowDocument } from '@carepath/dsl'
import { defineTestAsk, testEnd, testStart, testWait } from '@carepath/engine/testing'

/**
 * `fact >= min` → high, else low, explained like decision.rules. Unlike the engine's threshold it
 * also fires on a non-empty string and declares identifier/demographic PHI, which the intake
 * flow's PHI tests depend on.
 */
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
        rules: [
          {
            id: 'at-least',
            fired,
            conditions: [
              {
                path: 'all.0',
                fact: c.fact,
                operator: 'greaterThanInclusive',
                expected: c.min,
                seen: seen ?? null,
                result: fired,
              },
            ],
          },
        ],
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

/** Asks the front desk to approve the intake; the answer must be `{ approved: boolean }`. */
export const testAsk = defineTestAsk('Approve the intake?', {
  role: 'front-desk',
  shows: [],
  answerInto: 'review.approved',
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
          properties: {
            name: { type: 'string', 'x-phi': 'demographic' },
            ssn: { type: 'string', 'x-phi': 'identifier' },
          },
        },
        score: { type: 'number', 'x-phi': 'none' },
        review: { type: 'object', properties: { approved: { type: 'boolean', 'x-phi': 'none' } } },
        echo: { type: 'object', 'x-phi': 'none', properties: { node: { type: 'string' }, n: { type: 'number' } } },
      },
    },
    roles: { 'front-desk': { phi: ['demographic'] } },
    start: 'start',
    nodes: {
      start: {
        type: 'test.start',
        typeVersion: 1,
        config: {},
        next: { default: overrides.withCall ? 'call' : 'check' },
      },
      ...(overrides.withCall
        ? {
            call: {
              type: 'test.call',
              typeVersion: 1,
              config: { connector: 'echo', into: 'echo' },
              next: { ok: 'check' },
            },
          }
        : {}),
      check: {
        type: 'test.threshold',
        typeVersion: 1,
        config: { fact: 'score', min },
        next: { high: 'ask', low: 'fast' },
      },
      ask: {
        type: 'test.ask',
        typeVersion: 1,
        config: { role: 'front-desk', shows: ['patient.name'], answerInto: 'review.approved' },
        next: { yes: 'approved', no: 'declined' },
      },
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
    {
      id: 'low',
      name: 'low score: fast track',
      input: { score: 2, patient: { name: 'Test Patient', ssn: '000-00-0000' } },
      expect: { outcome: 'fast-track' },
    },
    {
      id: 'high-yes',
      name: 'high score, approved',
      input: { score: 7, patient: { name: 'Test Patient' } },
      answers: { ask: { approved: true } },
      expect: { outcome: 'approved' },
    },
  ],
}
