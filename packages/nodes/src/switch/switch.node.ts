import { z } from 'zod'
import { andThen, defineNodeType, Eventually, type ConfigProblem, type FactSchema } from '@carepath/dsl'
import { chooseRulesEvaluator, columnInfo, explainRules, generateCases, type Rule } from '@carepath/rules'
import { factPathSchema, portNameSchema } from '../fact-path.schema.ts'

export const switchConfigSchema = z
  .object({
    fact: factPathSchema.describe('The fact whose value picks the port.'),
    cases: z
      .array(
        z
          .object({
            value: z.union([z.string(), z.number(), z.boolean()]).describe('The value to match exactly.'),
            port: portNameSchema.describe('The port taken for this value.'),
          })
          .strict(),
      )
      .describe('Values and their ports, checked top to bottom.'),
    default: portNameSchema.describe('The port taken when no value matches (or the fact is missing).'),
  })
  .strict()
export type SwitchConfig = z.infer<typeof switchConfigSchema>

/** One json-rules-engine rule per case, earlier cases first (unique priorities). */
export function switchRules(config: SwitchConfig): Rule[] {
  const width = String(config.cases.length).length
  return config.cases.map((c, i) => ({
    id: `case-${String(i + 1).padStart(width, '0')}`,
    priority: config.cases.length - i,
    conditions: { all: [{ fact: config.fact, operator: 'equal', value: c.value }] },
    event: { type: c.port },
  }))
}

function checkSwitch(config: SwitchConfig, schema: FactSchema): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const column = columnInfo(schema, config.fact)
  const seen = new Map<string, number>()
  config.cases.forEach((c, i) => {
    const key = JSON.stringify(c.value)
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      problems.push({
        code: 'table-unreachable-row',
        severity: 'warning',
        path: `cases.${i}`,
        message: `Case ${i + 1} repeats the value of case ${earlier + 1} and is never reached.`,
      })
    } else seen.set(key, i)
    const fits =
      column.type === undefined ||
      (column.type === 'number' && typeof c.value === 'number') ||
      (column.type === 'boolean' && typeof c.value === 'boolean') ||
      ((column.type === 'string' || column.type === 'date') && typeof c.value === 'string')
    if (!fits)
      problems.push({
        code: 'table-type-mismatch',
        severity: 'error',
        path: `cases.${i}.value`,
        message: `Case ${i + 1}: the value does not fit the ${column.type} fact ${config.fact}.`,
      })
    else if (
      column.enum &&
      (typeof c.value === 'string' || typeof c.value === 'number') &&
      !column.enum.includes(c.value)
    ) {
      problems.push({
        code: 'table-type-mismatch',
        severity: 'error',
        path: `cases.${i}.value`,
        message: `Case ${i + 1}: the value is not one of the allowed values of ${config.fact}.`,
      })
    }
  })
  return problems
}

/**
 * Picks a port by the value of one fact (exact match, first case wins), else the default.
 * Ports: the distinct case ports, then the default, all required. Evaluated through the same
 * json-rules-engine path as decision.rules, so it explains itself the same way.
 */
export const switchNode = defineNodeType({
  type: 'switch',
  typeVersion: 1,
  title: 'Switch',
  description: 'Picks a path by the value of one fact, with a default.',
  category: 'Decision',
  icon: '⇉',
  keywords: ['switch', 'case', 'branch', 'route', 'value'],
  config: switchConfigSchema,
  defaults: { fact: 'input', cases: [], default: 'default' },
  ports: (config) =>
    [...new Set([...config.cases.map((c) => c.port).filter((p) => p !== config.default), config.default])].map(
      (name) => ({ name, required: true }),
    ),
  reads: (config) => [config.fact],
  writes: () => [],
  phi: [], // compares one fact in place; shows and sends nothing
  connectors: [], // calls no connector
  check: (config, env) => checkSwitch(config, env.factsSchema),
  cases: (config, env) =>
    generateCases({ kind: 'parsed', rules: switchRules(config) }, env.factsSchema, { now: env.now }),
  execute: (ctx, config) => {
    // Proven once per flow version and node (see decision.rules), then answered without a promise.
    const chosen = ctx.memo(
      () => new Eventually(chooseRulesEvaluator(switchRules(config), ctx.decisionEvaluator, ctx.factsSchema)),
    )
    return andThen(chosen.current(), ({ evaluator }) =>
      andThen(evaluator.evaluate({ facts: ctx.facts, now: ctx.now() }), (result) => {
        const decision = explainRules(result, config.default)
        return { kind: 'next', port: decision.outcome, decision: decision.explanation }
      }),
    )
  },
})
