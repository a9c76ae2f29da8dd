import { z } from 'zod'
import { defineNodeType, NodeError } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'

export const triggerApiConfigSchema = z
  .object({
    requiredInputs: z
      .array(factPathSchema)
      .default([])
      .describe('Fact paths the caller must send when starting a run; a run without them is refused.'),
  })
  .strict()
export type TriggerApiConfig = z.infer<typeof triggerApiConfigSchema>

/** Entry point for runs started through the API (`runs.start`, `POST /api/flows/:id/runs`). */
export const triggerApi = defineNodeType({
  type: 'trigger.api',
  typeVersion: 1,
  title: 'API call',
  description: 'Starts a run when a system or person calls the Carepath API with input facts.',
  category: 'Trigger',
  icon: '⇥',
  keywords: ['start', 'api', 'rest', 'input'],
  trigger: true,
  config: triggerApiConfigSchema,
  defaults: { requiredInputs: [] },
  ports: () => [{ name: 'next', required: true, title: 'Started' }],
  reads: (config) => config.requiredInputs,
  writes: () => [],
  phi: [], // only checks that inputs are present; never shows or sends them
  connectors: [], // calls no connector
  execute(ctx, config) {
    const missing = config.requiredInputs.filter((path) => {
      const value = ctx.get(path)
      return value === undefined || value === null || value === ''
    })
    if (missing.length > 0) {
      // Paths are schema names, never values, so the message carries no PHI.
      throw new NodeError(`The run input lacks required facts: ${missing.join(', ')}.`, { code: 'missing-input' })
    }
    return { kind: 'next', port: 'next' }
  },
})
