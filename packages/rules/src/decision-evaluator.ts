import { EVALUATOR_PARITY_DIFFERENCE, type DecisionEvaluatorSetting, type FactSchema } from '@carepath/dsl'
import { generateCases, REFERENCE_NOW } from './cases.ts'
import { compileClosureRules } from './compiled-rules.ts'
import { compileDecisionTable, type CompiledTable } from './decision-table/evaluate-table.ts'
import { compileTable } from './decision-table/compile-table.ts'
import type { DecisionTable } from './decision-table/table.schema.ts'
import { compileParsedRules, type DecisionEvaluator, type DecisionInput, type DecisionResult } from './evaluate.ts'
import { leavesOf } from './rule-walk.ts'
import type { Rule } from './rule.schema.ts'

/**
 * How a decision node gets its evaluator, once per flow version and node (`ctx.memo`).
 *
 * - `compiled` (the default): the compiled evaluator, used only after it gave byte-identical
 *   results to json-rules-engine on the decision's own generated cases (every rule firing and
 *   not, each threshold below / at / above, each listed code, each fact missing). On any
 *   difference the decision runs on json-rules-engine, and `proof` says why.
 * - `json-rules-engine`: the reference, always (a setting for a flow or for everything).
 * - `parity`: both on every evaluation; a difference fails the run with a plain sentence. The
 *   simulator runs this way to check a version's suite and generated cases before publishing.
 */
export interface ChosenEvaluator {
  evaluator: DecisionEvaluator
  /** What was checked before the compiled form was used (absent when it was not tried). */
  proof?: { checked: number; identical: boolean; firstDifference?: number | undefined }
}

/**
 * The proof runs on json-rules-engine, which costs about a microsecond per condition: past this
 * many condition evaluations the generated cases are sampled evenly (first and last kept), so a
 * 10,000-row table is proven in bounded time. Parity runs in the simulator check every case.
 */
export const PROOF_BUDGET = 400_000

/** Thrown in `parity` mode when the two evaluators disagree. */
export class EvaluatorParityError extends Error {
  override readonly name = 'EvaluatorParityError'
}

/** Choose and prove the evaluator for validated rules (see ChosenEvaluator). */
export async function chooseEvaluator(
  rules: readonly Rule[],
  setting: DecisionEvaluatorSetting | undefined,
  proofCases: () => readonly DecisionInput[],
): Promise<ChosenEvaluator> {
  const reference = compileParsedRules(rules)
  if (setting === 'json-rules-engine') return { evaluator: reference }
  const compiled = compileClosureRules(rules)
  if (setting === 'parity') return { evaluator: parityEvaluator(reference, compiled) }
  const cases = sample(proofCases(), Math.max(1, Math.floor(PROOF_BUDGET / Math.max(1, leafCount(rules)))))
  // Nothing checked proves nothing.
  if (cases.length === 0) return { evaluator: reference, proof: { checked: 0, identical: false } }
  for (let i = 0; i < cases.length; i++) {
    const input = cases[i] as DecisionInput
    const a = JSON.stringify(await reference.evaluate(input))
    const b = JSON.stringify(compiled.evaluateLazily(input))
    if (a !== b) return { evaluator: reference, proof: { checked: i + 1, identical: false, firstDifference: i } }
  }
  return { evaluator: compiled, proof: { checked: cases.length, identical: true } }
}

/**
 * The evaluator of a rule set (decision.rules, switch), proven on its generated cases at the
 * reference clock (REFERENCE_NOW) when `compiled`.
 */
export async function chooseRulesEvaluator(
  rules: readonly Rule[],
  setting: DecisionEvaluatorSetting | undefined,
  schema: FactSchema = { type: 'object' },
): Promise<ChosenEvaluator> {
  return await chooseEvaluator(rules, setting, () =>
    proofInputs(() => generateCases({ kind: 'parsed', rules }, schema)),
  )
}

/** A decision table with its evaluator chosen (and proven) the same way as a rule set's. */
export async function chooseTableEvaluator(
  table: DecisionTable,
  schema: FactSchema | undefined,
  setting: DecisionEvaluatorSetting | undefined,
): Promise<CompiledTable & Pick<ChosenEvaluator, 'proof'>> {
  const rules = compileTable(table, schema)
  const chosen = await chooseEvaluator(rules, setting, () =>
    proofInputs(() => generateCases({ kind: 'table', table }, schema ?? { type: 'object' })),
  )
  const compiled = compileDecisionTable(table, schema, () => chosen.evaluator)
  return chosen.proof ? { ...compiled, proof: chosen.proof } : compiled
}

/** Generated snapshots as inputs at the reference clock; none when the generator cannot run. */
function proofInputs(generate: () => DecisionInput['facts'][]): DecisionInput[] {
  try {
    return generate().map((facts) => ({ facts, now: REFERENCE_NOW }))
  } catch {
    return []
  }
}

function leafCount(rules: readonly Rule[]): number {
  let n = 0
  for (const rule of rules) n += leavesOf(rule.conditions).length
  return n
}

/** At most `max` items spread evenly over the list, first and last included, in order. */
function sample<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items
  if (max === 1) return items.slice(0, 1)
  const out: T[] = []
  for (let k = 0; k < max; k++) out.push(items[Math.round((k * (items.length - 1)) / (max - 1))] as T)
  return out
}

/** Both evaluators on every input; the reference's result is returned when they agree. */
function parityEvaluator(reference: DecisionEvaluator, candidate: DecisionEvaluator): DecisionEvaluator {
  return {
    name: 'parity (json-rules-engine and compiled)',
    reads: reference.reads,
    async evaluate(input: DecisionInput): Promise<DecisionResult> {
      const a = await reference.evaluate(input)
      const b = await candidate.evaluate(input)
      const left = JSON.stringify(a)
      const right = JSON.stringify(b)
      if (left !== right) {
        const at = firstDifferenceAt(left, right)
        throw new EvaluatorParityError(
          `${EVALUATOR_PARITY_DIFFERENCE} (first difference at character ${at} of the result); run this decision on json-rules-engine.`,
        )
      }
      return a
    },
  }
}

function firstDifferenceAt(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}
