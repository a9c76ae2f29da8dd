// Test-only node types, so the engine's tests do not depend on the built-in catalog (which sits
// above this package in nothing but the catalog list). Not part of the public API: the runtime's
// tests reuse the generic ones through @carepath/engine/testing (see ./index.ts).
import { z } from 'zod'
import {
  AnswerError,
  NodeError,
  createNodeRegistry,
  defineNodeType,
  type AnyNodeType,
  type JsonValue,
} from '@carepath/dsl'

const noConfig = z.object({}).strict()

export const testStart = defineNodeType({
  type: 'test.start',
  typeVersion: 1,
  title: 'Start',
  description: 'Starts a test flow.',
  category: 'Trigger',
  icon: 'S',
  trigger: true,
  config: noConfig,
  defaults: {},
  ports: () => [{ name: 'default', required: true }],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  execute: () => ({ kind: 'next', port: 'default' }),
})

const thresholdConfig = z.object({ fact: z.string(), min: z.number(), into: z.string().optional() }).strict()

/** `fact >= min` → high, else low (missing → low), with an explanation like decision.rules gives. */
export const testThreshold = defineNodeType({
  type: 'test.threshold',
  typeVersion: 1,
  title: 'Threshold',
  description: 'Compares one fact with a minimum.',
  category: 'Decision',
  icon: 'D',
  config: thresholdConfig,
  defaults: { fact: 'amount', min: 0 },
  ports: () => [
    { name: 'high', required: true },
    { name: 'low', required: true },
  ],
  reads: (c) => [c.fact],
  writes: (c) => (c.into ? [c.into] : []),
  phi: [],
  cases: (c) => [{ [c.fact]: c.min - 1 }, { [c.fact]: c.min }, { [c.fact]: c.min + 1 }, {}],
  execute(ctx, c) {
    const seen = ctx.get(c.fact)
    const fired = typeof seen === 'number' && seen >= c.min
    const port = fired ? 'high' : 'low'
    return {
      kind: 'next',
      port,
      set: c.into ? { [c.into]: port } : undefined,
      decision: {
        outcome: port,
        fired: fired ? ['at-least-min'] : [],
        rules: [
          {
            id: 'at-least-min',
            fired,
            conditions: [
              {
                path: 'all.0',
                fact: c.fact,
                operator: 'greaterThanInclusive',
                expected: c.min,
                seen: seen ?? null,
                ...(seen === undefined ? { missing: true } : {}),
                result: fired,
              },
            ],
          },
        ],
      },
    }
  },
})

const fetchConfig = z.object({ connector: z.string(), idFrom: z.string(), into: z.string() }).strict()

/** Calls a connector with an id fact and stores the response. */
export const testFetch = defineNodeType({
  type: 'test.fetch',
  typeVersion: 1,
  title: 'Fetch',
  description: 'Calls a connector.',
  category: 'Integration',
  icon: 'F',
  config: fetchConfig,
  defaults: { connector: 'payer', idFrom: 'memberId', into: 'coverage' },
  ports: () => [
    { name: 'ok', required: true },
    { name: 'error', required: false },
  ],
  reads: (c) => [c.idFrom],
  writes: (c) => [c.into],
  phi: ['coverage'],
  async execute(ctx, c) {
    const response = await ctx.call(c.connector, { id: ctx.get(c.idFrom) ?? null })
    return { kind: 'next', port: 'ok', set: { [c.into]: response } }
  },
})

const askConfig = z.object({ role: z.string(), shows: z.array(z.string()), answerInto: z.string() }).strict()

/**
 * A yes/no approval step; answers must be `{ approved: boolean }`. The engine's and the runtime's
 * tests ask different questions with different defaults, so those two are parameters.
 */
export function defineTestAsk(question: string, defaults: z.input<typeof askConfig>) {
  return defineNodeType({
    type: 'test.ask',
    typeVersion: 1,
    title: 'Ask',
    description: 'Asks a person to approve.',
    category: 'Human',
    icon: '?',
    config: askConfig,
    defaults,
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
      task: {
        role: c.role,
        title: question,
        shows: [...c.shows],
        fields: [{ name: 'approved', label: 'Approved', type: 'boolean', required: true }],
      },
    }),
    answer(_ctx, c, answer: JsonValue) {
      const approved =
        typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? answer.approved : undefined
      if (typeof approved !== 'boolean') throw new AnswerError('Approved must be yes or no.', 'approved')
      return { kind: 'next', port: approved ? 'yes' : 'no', set: { [c.answerInto]: approved } }
    },
  })
}

export const testAsk = defineTestAsk('Approve?', { role: 'agent', shows: [], answerInto: 'approval' })

/** Waits `minutes` from the node's own clock reading. */
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
  phi: [],
  execute: (ctx, c) => ({
    kind: 'wait',
    until: new Date(Date.parse(ctx.now()) + c.minutes * 60_000).toISOString(),
    port: 'done',
  }),
})

/** Adds one to a counter fact: `again` below `limit`, then `done`. */
export const testCount = defineNodeType({
  type: 'test.count',
  typeVersion: 1,
  title: 'Count',
  description: 'Counts loop rounds.',
  category: 'Data',
  icon: '#',
  config: z.object({ fact: z.string(), limit: z.number() }).strict(),
  defaults: { fact: 'count', limit: 3 },
  ports: () => [
    { name: 'again', required: true },
    { name: 'done', required: true },
  ],
  reads: (c) => [c.fact],
  writes: (c) => [c.fact],
  phi: [],
  execute(ctx, c) {
    const value = (ctx.get(c.fact) as number | undefined) ?? 0
    return { kind: 'next', port: value + 1 < c.limit ? 'again' : 'done', set: { [c.fact]: value + 1 } }
  },
})

/** Writes a path it does not declare (to test the engine's guard). */
export const testRogue = defineNodeType({
  type: 'test.rogue',
  typeVersion: 1,
  title: 'Rogue',
  description: 'Writes where it should not.',
  category: 'Data',
  icon: '!',
  config: noConfig,
  defaults: {},
  ports: () => [{ name: 'default', required: true }],
  reads: () => [],
  writes: () => ['mine'],
  phi: [],
  execute: () => ({ kind: 'next', port: 'default', set: { mine: 1, theirs: 2 } }),
})

/** Fails with a NodeError (a failure the flow may handle on `error`). */
export const testFail = defineNodeType({
  type: 'test.fail',
  typeVersion: 1,
  title: 'Fail',
  description: 'Always fails.',
  category: 'Data',
  icon: 'X',
  config: noConfig,
  defaults: {},
  ports: () => [
    { name: 'default', required: true },
    { name: 'error', required: false },
  ],
  reads: () => [],
  writes: () => [],
  phi: [],
  execute: () => {
    throw new NodeError('The thing could not be done.')
  },
})

/** Calls a pinned subflow and stores its result. */
export const testSub = defineNodeType({
  type: 'test.sub',
  typeVersion: 1,
  title: 'Subflow',
  description: 'Runs another flow.',
  category: 'Flow',
  icon: 'S',
  config: z.object({ flowId: z.string(), hash: z.string(), inputFrom: z.string(), into: z.string() }).strict(),
  defaults: { flowId: 'child', hash: 'x', inputFrom: 'amount', into: 'child' },
  ports: () => [
    { name: 'done', required: true },
    { name: 'error', required: false },
  ],
  reads: (c) => [c.inputFrom],
  writes: (c) => [c.into],
  phi: [],
  execute: (ctx, c) => ({
    kind: 'subflow',
    flowId: c.flowId,
    hash: c.hash,
    input: { amount: ctx.get(c.inputFrom) ?? null },
    into: c.into,
  }),
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

export const testTypes: readonly AnyNodeType[] = [
  testStart,
  testThreshold,
  testFetch,
  testAsk,
  testWait,
  testCount,
  testRogue,
  testFail,
  testSub,
  testEnd,
]
export const testRegistry = createNodeRegistry(testTypes)
