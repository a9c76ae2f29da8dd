import { z } from 'zod'
import { defineNodeType, KEBAB_CASE_PATTERN } from '@carepath/dsl'

export const endConfigSchema = z
  .object({
    outcome: z
      .string()
      .regex(KEBAB_CASE_PATTERN, 'a short kebab-case code, like eligible or self-pay')
      .describe(
        'The outcome code the run ends with (kebab-case, e.g. eligible, self-pay). Reports and suites key on it.',
      ),
    summary: z.string().max(500).optional().describe('A sentence for people reading the run: what this ending means.'),
  })
  .strict()
export type EndConfig = z.infer<typeof endConfigSchema>

/** Ends the run with an outcome code. */
export const end = defineNodeType({
  type: 'end',
  typeVersion: 1,
  title: 'End',
  description: 'Ends the run with an outcome such as eligible or self-pay.',
  category: 'Flow',
  icon: '■',
  keywords: ['finish', 'stop', 'outcome', 'result'],
  config: endConfigSchema,
  defaults: { outcome: 'done' },
  ports: () => [],
  reads: () => [],
  writes: () => [],
  phi: [], // handles no patient data
  connectors: [], // calls no connector
  execute: (_ctx, config) => ({ kind: 'end', outcome: config.outcome }),
})
