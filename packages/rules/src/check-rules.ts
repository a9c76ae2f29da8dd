import type { ConfigProblem, FactSchema } from '@carepath/dsl'
import { leavesOf } from './rule-walk.ts'
import { canonicalFactPath } from './fact-path.ts'
import { operatorSpec } from './operators.ts'
import { EVENT_TYPE, RULE_ID, rulesSchema, type Rule } from './rule.schema.ts'

/**
 * Check rule JSON and say, in plain sentences with the JSON path inside the node config, what
 * is wrong. Everything compile() would refuse is reported here first, so a malformed rule is
 * stopped at validation and never surprises a run.
 * @param rules the raw `rules` value of a node config
 * @param at the config path of that value (default `rules`)
 * @param schema the flow's facts schema: with it, a `not` around an optional fact gets a warning
 *   (a missing value makes the inner condition false, so the `not` is true)
 */
export function checkRules(rules: unknown, at = 'rules', schema?: FactSchema): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const report = (path: string, message: string): void => {
    problems.push({ code: 'malformed-rule', severity: 'error', path, message })
  }
  if (!Array.isArray(rules)) {
    report(at, 'The rules must be a list.')
    return problems
  }
  const seen = new Map<string, number>()
  rules.forEach((rule: unknown, index) => {
    const here = `${at}.${index}`
    if (!isObject(rule)) return report(here, 'A rule must be an object with id, conditions and event.')
    for (const key of Object.keys(rule)) {
      if (!['id', 'name', 'priority', 'conditions', 'event'].includes(key))
        report(`${here}.${key}`, `"${key}" is not a rule field Carepath accepts.`)
    }
    if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) {
      report(`${here}.id`, 'Each rule needs an id: a plain name like "adult-covered" (letters, digits, . _ -).')
    } else if (seen.has(rule.id)) {
      report(`${here}.id`, `The id "${rule.id}" is already used by rule ${(seen.get(rule.id) ?? 0) + 1}.`)
    } else seen.set(rule.id, index)
    if (rule.name !== undefined && typeof rule.name !== 'string') report(`${here}.name`, 'The name must be text.')
    if (rule.priority !== undefined && !(Number.isInteger(rule.priority) && (rule.priority as number) > 0)) {
      report(`${here}.priority`, 'The priority must be a whole number of 1 or more.')
    }
    checkEvent(rule.event, `${here}.event`, report)
    if (!isObject(rule.conditions) || !isBoolean(rule.conditions)) {
      report(`${here}.conditions`, 'The conditions must start with "all", "any" or "not".')
    } else checkCondition(rule.conditions, `${here}.conditions`, report)
  })
  // A last guard: the checks above and the schema must agree; never let a shape slip through.
  if (problems.length === 0) {
    const parsed = rulesSchema.safeParse(rules)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) report([at, ...issue.path.map(String)].join('.'), issue.message)
    } else if (schema) {
      parsed.data.forEach((rule, index) => problems.push(...notOverOptional(rule, `${at}.${index}.conditions`, schema)))
    }
  }
  return problems
}

/** Warn where `not` wraps a condition on a fact the schema does not require (and no `exists` guards it). */
function notOverOptional(rule: Rule, here: string, schema: FactSchema): ConfigProblem[] {
  const leaves = leavesOf(rule.conditions)
  const guarded = new Set(
    leaves.filter((l) => l.condition.operator === 'exists' && l.condition.value === true).map((l) => l.factPath),
  )
  const seen = new Set<string>()
  return leaves
    .filter((l) => /(^|\.)not(\.|$)/.test(l.at) && !guarded.has(l.factPath) && !isRequired(schema, l.factPath))
    .filter((l) => !seen.has(l.factPath) && seen.add(l.factPath))
    .map((l) => ({
      code: 'malformed-rule' as const,
      severity: 'warning' as const,
      path: `${here}.${l.at}`,
      message: `Rule "${rule.id}": "not" is true when ${l.factPath} is missing (it is optional). Add { "fact": "${l.factPath}", "operator": "exists", "value": true } if that is not intended.`,
    }))
}

/** True when every step of the path is listed as required by its parent object. */
function isRequired(schema: FactSchema, path: string): boolean {
  let node: FactSchema | undefined = schema
  for (const segment of path.split('.')) {
    while (node && node.type === 'array' && node.items) node = node.items
    if (!node?.required?.includes(segment)) return false
    node = node.properties?.[segment]
  }
  return node !== undefined
}

/** Parse rules that checkRules accepted; throws a plain Error (no values echoed) otherwise. */
export function parseRules(rules: unknown): Rule[] {
  const problems = checkRules(rules)
  if (problems.length > 0) throw new Error(`The rules are not valid: ${problems[0]?.path}: ${problems[0]?.message}`)
  return rulesSchema.parse(rules)
}

type Report = (path: string, message: string) => void

function checkEvent(event: unknown, here: string, report: Report): void {
  if (!isObject(event)) return report(here, 'Each rule needs an event: { "type": "outcome-name" }.')
  for (const key of Object.keys(event))
    if (key !== 'type' && key !== 'params') report(`${here}.${key}`, `"${key}" is not an event field.`)
  if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type))
    report(`${here}.type`, 'The event type is a plain name like "eligible".')
  if (event.params !== undefined && !isObject(event.params))
    report(`${here}.params`, 'The event params must be an object.')
}

function checkCondition(node: Record<string, unknown>, here: string, report: Report): void {
  if (isBoolean(node)) {
    const keys = Object.keys(node)
    if (keys.length !== 1) return report(here, 'A group holds exactly one of "all", "any" or "not" and nothing else.')
    if ('not' in node) {
      if (!isObject(node.not)) return report(`${here}.not`, '"not" holds one condition (not a list).')
      return checkCondition(node.not, `${here}.not`, report)
    }
    const op = 'all' in node ? 'all' : 'any'
    const list = node[op]
    if (!Array.isArray(list)) return report(`${here}.${op}`, `"${op}" holds a list of conditions.`)
    if (list.length === 0) return report(`${here}.${op}`, `"${op}" needs at least one condition.`)
    list.forEach((child: unknown, i) => {
      if (!isObject(child)) report(`${here}.${op}.${i}`, 'A condition must be an object.')
      else checkCondition(child, `${here}.${op}.${i}`, report)
    })
    return
  }
  for (const key of Object.keys(node)) {
    if (!['fact', 'path', 'operator', 'value'].includes(key)) {
      report(
        `${here}.${key}`,
        key === 'condition'
          ? 'Condition references are not supported; write the condition out.'
          : `"${key}" is not a condition field Carepath accepts.`,
      )
    }
  }
  if (typeof node.fact !== 'string' || node.fact === '')
    return report(`${here}.fact`, 'Each condition names a fact path, like "patient.birthDate".')
  if (node.path !== undefined && typeof node.path !== 'string')
    return report(`${here}.path`, 'The path must be text like "$.birthDate".')
  const factPath = canonicalFactPath(node.fact, node.path as string | undefined)
  if (!factPath.ok) report(node.path === undefined ? `${here}.fact` : `${here}.path`, factPath.message)
  if (typeof node.operator !== 'string')
    return report(`${here}.operator`, 'Each condition needs an operator, like "equal".')
  const spec = operatorSpec(node.operator)
  if (!spec) return report(`${here}.operator`, `"${node.operator}" is not an operator Carepath knows.`)
  if (!('value' in node)) return report(`${here}.value`, 'Each condition needs a value.')
  const value = node.value
  if (value === null)
    return report(
      `${here}.value`,
      'A value of null never matches; use the "exists" operator to test for a missing value.',
    )
  if (isObject(value) && 'fact' in value) {
    if (!spec.factValue) return report(`${here}.value`, `"${spec.name}" cannot compare with another fact.`)
    const keys = Object.keys(value)
    if (typeof value.fact !== 'string' || keys.some((k) => k !== 'fact' && k !== 'path')) {
      return report(`${here}.value`, 'A fact comparison is written { "fact": "other.path" }.')
    }
    const other = canonicalFactPath(value.fact, value.path as string | undefined)
    if (!other.ok) report(`${here}.value.fact`, other.message)
    return
  }
  const problem = spec.checkValue(value)
  if (problem) report(`${here}.value`, problem)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
function isBoolean(v: Record<string, unknown>): boolean {
  return 'all' in v || 'any' in v || 'not' in v
}
