import { z } from 'zod'
import { defineNodeType, KEBAB_CASE_SYNTAX, NodeError, type ConfigProblem, type JsonValue } from '@carepath/dsl'
import { setPath } from '@carepath/rules'
import { factPathSchema, portNameSchema } from '../fact-path.schema.ts'

const inputMappingSchema = z
  .object({
    to: factPathSchema.describe('Fact path in the child flow’s input.'),
    from: factPathSchema.describe('Fact path of this run whose value is passed.'),
  })
  .strict()

export const subflowConfigSchema = z
  .object({
    flowId: z
      .string()
      .regex(new RegExp(`^(?:${KEBAB_CASE_SYNTAX})?$`), 'a flow id is kebab-case, like eligibility-verification')
      .describe('The flow to run as a step of this one.'),
    hash: z
      .string()
      .regex(/^([0-9a-f]{64})?$/, 'the content hash of a published version (64 hex digits)')
      .describe('Content hash of the exact published version to run; a later publish does not change this flow.'),
    input: z.array(inputMappingSchema).default([]).describe('Which facts of this run become the child run’s input.'),
    outcomes: z
      .array(portNameSchema)
      .default([])
      .describe('Child outcomes that get a port of their own; any other outcome leaves by done.'),
    into: factPathSchema.describe('Where the child’s result { outcome, facts } is written.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const targets = config.input.map((mapping) => mapping.to)
    targets.forEach((to, index) => {
      const clash = targets.find(
        (other, otherIndex) => otherIndex !== index && (other === to || to.startsWith(`${other}.`)),
      )
      if (clash !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['input', index, 'to'],
          message: `"${to}" overlaps "${clash}" in the child input`,
        })
      }
    })
    const reserved = config.outcomes.find((outcome) => outcome === 'done' || outcome === 'error')
    if (reserved)
      ctx.addIssue({ code: 'custom', path: ['outcomes'], message: `"${reserved}" is already a port of this step` })
    if (new Set(config.outcomes).size !== config.outcomes.length) {
      ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'an outcome is listed twice' })
    }
  })
export type SubflowConfig = z.infer<typeof subflowConfigSchema>

/** Runs another flow's pinned version as one step; continues when it ends. */
export const subflow = defineNodeType({
  type: 'subflow',
  typeVersion: 1,
  title: 'Subflow',
  description: 'Runs a pinned version of another flow as one step and continues with its result.',
  category: 'Flow',
  icon: '▣',
  keywords: ['call', 'reuse', 'child', 'nested', 'flow'],
  config: subflowConfigSchema,
  defaults: { flowId: '', hash: '', input: [], outcomes: [], into: 'subflow' },
  ports: (config) => [
    ...config.outcomes.map((outcome) => ({ name: outcome, required: true, title: `Ended ${outcome}` })),
    { name: 'done', required: true, title: 'Done' },
    { name: 'error', required: false, title: 'Failed' },
  ],
  reads: (config) => config.input.map((mapping) => mapping.from),
  writes: (config) => [config.into],
  phi: [], // hands facts to a flow of this installation, which checks its own PHI rules
  connectors: [], // calls no connector
  check(config) {
    const problems: ConfigProblem[] = []
    if (config.flowId === '')
      problems.push({ code: 'invalid-config', path: 'flowId', message: 'Choose the flow this step runs.' })
    if (config.hash === '') {
      problems.push({
        code: 'invalid-config',
        path: 'hash',
        message: 'Pin a published version of the flow this step runs.',
      })
    }
    return problems
  },
  execute(ctx, config) {
    if (config.flowId === '' || config.hash === '') {
      throw new NodeError('This subflow step does not name a pinned flow version.', { code: 'invalid-config' })
    }
    const input: Record<string, JsonValue> = {}
    for (const mapping of config.input) {
      const value = ctx.get(mapping.from)
      // Absent facts stay absent: the child's own trigger decides whether it needs them.
      if (value !== undefined) setPath(input, mapping.to, structuredClone(value))
    }
    return { kind: 'subflow', flowId: config.flowId, hash: config.hash, input, into: config.into }
  },
})
