import { z } from 'zod'
import { andThen, defineNodeType, Eventually, NodeError } from '@carepath/dsl'
import {
  checkRules,
  chooseRulesEvaluator,
  explainRules,
  generateCases,
  parseRules,
  summarizeRules,
  EVENT_TYPE,
} from '@carepath/rules'
import { factPathSchema } from '../fact-path.schema.ts'

export const decisionRulesConfigSchema = z
  .object({
    // Kept loose here on purpose: checkRules() reports malformed rules as `malformed-rule`
    // problems with the JSON path of the broken condition, which a zod union cannot say well.
    rules: z
      .array(z.record(z.string(), z.unknown()))
      .describe(
        'json-rules-engine rules (the documented Carepath subset): id, conditions, event {type, params}, optional name/priority.',
      ),
    defaultOutcome: z
      .string()
      .regex(EVENT_TYPE, 'starts with a lower-case letter, like not-eligible')
      .describe('The outcome (port) taken when no rule fires.'),
    into: factPathSchema
      .optional()
      .describe('Where to write the event params of the deciding rule (null when the default is taken).'),
  })
  .strict()
export type DecisionRulesConfig = z.infer<typeof decisionRulesConfigSchema>

/**
 * Decides with json-rules-engine rules. Ports: every distinct event type, then the default
 * outcome, all required. The outcome is the event of the first fired rule in tie-break order
 * (higher priority first, then rule id).
 */
export const decisionRules = defineNodeType({
  type: 'decision.rules',
  typeVersion: 1,
  title: 'Rules decision',
  description: 'Chooses an outcome with rules (all/any/not conditions on facts); explains every decision.',
  category: 'Decision',
  icon: '◇',
  keywords: ['rules', 'json-rules-engine', 'condition', 'if', 'eligibility', 'decision'],
  config: decisionRulesConfigSchema,
  defaults: { rules: [], defaultOutcome: 'otherwise' },
  ports: (config) => {
    const outcomes = summarizeRules(config.rules).eventTypes.filter((t) => t !== config.defaultOutcome)
    return [...outcomes, config.defaultOutcome].map((name) => ({ name, required: true }))
  },
  reads: (config) => summarizeRules(config.rules).reads,
  writes: (config) => (config.into ? [config.into] : []),
  // Decides on facts where they are; shows and sends nothing. Explanations keep the values seen,
  // and whoever displays them redacts by the viewer's role like any other fact.
  phi: [],
  connectors: [], // calls no connector
  check: (config, env) => checkRules(config.rules, 'rules', env.factsSchema),
  cases: (config, env) =>
    checkRules(config.rules).some((p) => p.severity !== 'warning')
      ? []
      : generateCases({ kind: 'rules', rules: config.rules }, env.factsSchema, { now: env.now }),
  execute: (ctx, config) => {
    // Built once per flow version and node: the compiled evaluator, proven against
    // json-rules-engine on this decision's generated cases first (or json-rules-engine when set).
    // Once proven it answers without a promise, so a decision takes no async frame.
    const chosen = ctx.memo(() => {
      let rules
      try {
        rules = parseRules(config.rules)
      } catch {
        throw new NodeError('The rules of this decision are not valid; fix them in the designer.', {
          code: 'malformed-rule',
        })
      }
      return new Eventually(chooseRulesEvaluator(rules, ctx.decisionEvaluator, ctx.factsSchema))
    })
    return andThen(chosen.current(), ({ evaluator }) =>
      andThen(evaluator.evaluate({ facts: ctx.facts, now: ctx.now() }), (result) => {
        const decision = explainRules(result, config.defaultOutcome)
        return {
          kind: 'next',
          port: decision.outcome,
          decision: decision.explanation,
          ...(config.into ? { set: { [config.into]: decision.params ?? null } } : {}),
        }
      }),
    )
  },
})
