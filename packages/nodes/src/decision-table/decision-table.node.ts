import { andThen, defineNodeType, Eventually, NodeError, type NodeOutcome } from '@carepath/dsl'
import {
  checkTable,
  chooseTableEvaluator,
  decisionTableSchema,
  generateCases,
  hasCatchAllRow,
  MATCHED,
  NO_MATCH,
  outcomeColumn,
  outcomeValues,
  type DecisionTable,
  type TableDecision,
} from '@carepath/rules'

/**
 * A decision table (see DecisionTable in @carepath/rules for cells and hit policies).
 * Ports: with an outcome column (`outcome`, or the first output column without a fact), one
 * port per distinct value of that column; otherwise `matched`. Then `noMatch` (no row matched,
 * e.g. a missing input), required unless a row of only `-` cells makes a match certain.
 * A `unique` table where two rows match fails the node with code `table-not-unique` (the
 * flow's error port), rather than guessing.
 */
export const decisionTable = defineNodeType({
  type: 'decision.table',
  typeVersion: 1,
  title: 'Decision table',
  description:
    'Chooses outputs from rows of conditions (first, unique, priority or collect); checks overlaps and gaps.',
  category: 'Decision',
  icon: '▦',
  keywords: ['table', 'dmn', 'hit policy', 'lookup', 'matrix', 'decision'],
  config: decisionTableSchema,
  defaults: { inputs: [{ fact: 'input' }], outputs: [{ name: 'outcome' }], rows: [], hitPolicy: 'first' },
  ports: (config) => {
    const names = outcomeColumn(config) >= 0 ? outcomeValues(config) : [MATCHED]
    return [...names.map((name) => ({ name, required: true })), { name: NO_MATCH, required: !hasCatchAllRow(config) }]
  },
  reads: (config) => [...new Set(config.inputs.map((i) => i.fact))],
  writes: (config) => [...new Set(config.outputs.flatMap((o) => (o.fact ? [o.fact] : [])))],
  // Decides on facts where they are and writes only the table's own literals.
  phi: [],
  connectors: [], // calls no connector
  check: (config, env) => checkTable(config, env.factsSchema),
  cases: (config, env) =>
    checkTable(config, env.factsSchema).some((p) => p.severity !== 'warning')
      ? []
      : generateCases({ kind: 'table', table: config }, env.factsSchema, { now: env.now }),
  execute: (ctx, config) => {
    // Built once per flow version and node, proven against json-rules-engine first (see
    // decision.rules), then answered without a promise.
    const chosen = ctx.memo(
      () =>
        new Eventually(
          chooseTableEvaluator(config, ctx.factsSchema, ctx.decisionEvaluator).catch(() => {
            throw new NodeError('This decision table has a cell that is not valid; fix it in the designer.', {
              code: 'malformed-rule',
            })
          }),
        ),
    )
    return andThen(chosen.current(), (table) =>
      andThen(table.decide({ facts: ctx.facts, now: ctx.now() }), (decision) => tableOutcome(config, decision)),
    )
  },
})

/** The step a table's decision takes: its port, its explanation, and the output columns with a fact. */
function tableOutcome(config: DecisionTable, decision: TableDecision): NodeOutcome {
  if (decision.violation) throw new NodeError(decision.violation, { code: 'table-not-unique' })
  // Only columns with a fact are written; a named outcome column just picks the port.
  const set = Object.fromEntries(
    config.outputs.flatMap((o) =>
      o.fact && o.fact in decision.outputs ? [[o.fact, decision.outputs[o.fact] ?? null]] : [],
    ),
  )
  return {
    kind: 'next',
    port: decision.outcome,
    decision: decision.explanation,
    ...(Object.keys(set).length > 0 ? { set } : {}),
  }
}
