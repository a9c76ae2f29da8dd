// A tiny registry of test-only node types, so the DSL's own tests do not depend on the
// built-in catalog (which sits above this package). Never exported from the package.
import { z } from 'zod'
import { defineNodeType, type AnyNodeType } from '../node-type.ts'
import { createNodeRegistry } from '../registry.ts'
import type { ConfigProblem } from '../problems.ts'

const endOutcome = { kind: 'end', outcome: 'test' } as const

/** An entry point: the only kind a flow may start at. */
export const testTrigger = defineNodeType({
  type: 'test.trigger',
  typeVersion: 1,
  title: 'Test trigger',
  description: 'Starts a test flow.',
  category: 'Trigger',
  icon: 'T',
  trigger: true,
  config: z.object({}).strict(),
  defaults: {},
  ports: () => [{ name: 'default', required: true }],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  execute: () => ({ kind: 'next', port: 'default' }),
})

const decideConfig = z
  .object({
    fact: z.string().min(1),
    threshold: z.number().default(0),
    outcomes: z.array(z.string().min(1)).min(1),
  })
  .strict()

/** A decision whose ports come from its config, like decision.rules outcomes. */
export const testDecide = defineNodeType({
  type: 'test.decide',
  typeVersion: 1,
  title: 'Test decision',
  description: 'Compares one fact with a threshold.',
  category: 'Decision',
  icon: 'D',
  config: decideConfig,
  defaults: { fact: 'amount', outcomes: ['yes', 'no'] },
  ports: (c) => [...c.outcomes.map((name) => ({ name, required: true })), { name: 'error', required: false }],
  reads: (c) => [c.fact],
  writes: () => [],
  phi: ['financial'],
  check(c) {
    const problems: ConfigProblem[] = []
    c.outcomes.forEach((name, index) => {
      if (c.outcomes.indexOf(name) !== index) {
        problems.push({
          code: 'malformed-rule',
          path: `outcomes.${index}`,
          message: `The outcome "${name}" is listed twice.`,
        })
      }
    })
    return problems
  },
  execute: (_ctx, c) => ({ kind: 'next', port: c.outcomes[0] ?? 'error' }),
})

/** A human step: a role works it and sees the fact paths it shows. */
export const testAsk = defineNodeType({
  type: 'test.ask',
  typeVersion: 1,
  title: 'Test question',
  description: 'Asks a person.',
  category: 'Human',
  icon: '?',
  config: z
    .object({ role: z.string().min(1), shows: z.array(z.string()).default([]), answerInto: z.string().optional() })
    .strict(),
  defaults: { role: 'agent' },
  ports: () => [{ name: 'done', required: true }],
  reads: (c) => c.shows,
  writes: (c) => (c.answerInto ? [c.answerInto] : []),
  phi: ['demographic'],
  human: { role: (c) => c.role, shows: (c) => c.shows },
  execute: (_ctx, c) => ({ kind: 'task', task: { role: c.role, title: 'Question', shows: [...c.shows], fields: [] } }),
})

/** The end of a path. */
export const testEnd = defineNodeType({
  type: 'test.end',
  typeVersion: 1,
  title: 'Test end',
  description: 'Ends a run.',
  category: 'Flow',
  icon: 'E',
  config: z.object({ outcome: z.string().default('done') }).strict(),
  defaults: {},
  ports: () => [],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  execute: () => endOutcome,
})

/**
 * A type at typeVersion 3 with two config migrations: v1 had `limit`, v2 renamed it to
 * `threshold`, v3 wrapped it in `range: { min }`.
 */
export const testLegacy = defineNodeType({
  type: 'test.legacy',
  typeVersion: 3,
  title: 'Test legacy',
  description: 'Exercises config migrations.',
  category: 'Data',
  icon: 'L',
  config: z.object({ range: z.object({ min: z.number() }).strict() }).strict(),
  defaults: { range: { min: 0 } },
  ports: () => [{ name: 'default', required: true }],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  migrations: [
    {
      to: 2,
      name: 'rename-limit-to-threshold',
      up: ({ limit, ...rest }) => ({ ...rest, threshold: limit }),
    },
    {
      to: 3,
      name: 'wrap-threshold-in-range',
      up: ({ threshold, ...rest }) => ({ ...rest, range: { min: threshold } }),
    },
  ],
  execute: () => ({ kind: 'next', port: 'default' }),
})

export const testNodeTypes: readonly AnyNodeType[] = [testTrigger, testDecide, testAsk, testEnd, testLegacy]

/** The registry the DSL tests validate against. */
export const testRegistry = createNodeRegistry(testNodeTypes)
