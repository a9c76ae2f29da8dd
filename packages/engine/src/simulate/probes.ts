import type { FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { canonicalJson } from '@carepath/dsl'
import { flattenFacts, isJsonRecord } from '../facts.ts'
import { prepareFlow } from '../prepare.ts'
import type { SuiteCase } from './suite.schema.ts'

/**
 * What a generated case probes: a decision node and the facts laid over the run. `at`
 * 'node-entry': the facts are set as the run (borrowing the carrier suite case's input, mocks
 * and answers) enters the node, so facts an upstream node writes are tested too; 'start': no
 * suite case reached the node, so the facts were merged into the input at the start.
 */
export interface CaseProbe {
  nodeId: string
  at: 'node-entry' | 'start'
  /** The suite case whose input, mocks and answers the probe borrows, if any. */
  carrier?: string
  /** Fact path → value, as the decision's case generator gave it. */
  set: Record<string, JsonValue>
}

/** A decision's generated snapshots, per node, from one flow version. */
export interface DecisionSnapshots {
  nodeId: string
  snapshots: Record<string, JsonValue>[]
  /** Numeric thresholds the node's conditions compare each fact path with (for names). */
  thresholds: ReadonlyMap<string, readonly number[]>
  reads: readonly string[]
}

const NUMERIC_OPERATORS = new Set([
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'equal',
  'notEqual',
])

/** Every `{ fact, operator, value: number }` condition in a node config, by fact path. */
export function thresholdsOf(config: JsonValue): Map<string, number[]> {
  const out = new Map<string, number[]>()
  const visit = (value: JsonValue): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (isJsonRecord(value)) {
      const { fact, operator, value: operand } = value
      if (
        typeof fact === 'string' &&
        typeof operator === 'string' &&
        NUMERIC_OPERATORS.has(operator) &&
        typeof operand === 'number'
      ) {
        const list = out.get(fact) ?? []
        if (!list.includes(operand)) list.push(operand)
        out.set(fact, list)
      }
      for (const key of Object.keys(value).sort()) visit(value[key] as JsonValue)
    }
  }
  visit(config)
  return out
}

/** The decision nodes of a flow with a `cases` hook and what they generate (none if it cannot be prepared). */
export function decisionSnapshots(flow: FlowDocument, registry: NodeRegistry): DecisionSnapshots[] {
  let prepared
  try {
    prepared = prepareFlow(flow, registry)
  } catch {
    return []
  }
  const env = { factsSchema: flow.facts, roles: flow.roles }
  const out: DecisionSnapshots[] = []
  for (const [nodeId, p] of prepared.nodes) {
    if (!p.type.cases) continue
    try {
      const snapshots = p.type.cases(p.config, env)
      out.push({
        nodeId,
        snapshots,
        thresholds: thresholdsOf(p.node.config as JsonValue),
        reads: p.type.reads(p.config),
      })
    } catch {
      continue
    }
  }
  return out
}

/**
 * A probe's name: the decision by its title, then `path = value` per fact, with where a number
 * sits against the nearest threshold on that path.
 */
export function describeProbe(
  title: string,
  set: Readonly<Record<string, JsonValue>>,
  thresholds: ReadonlyMap<string, readonly number[]>,
): string {
  const parts = Object.keys(set)
    .sort()
    .map((path) => {
      const value = set[path] as JsonValue
      const text = `${path} = ${canonicalJson(value)}`
      const limits = thresholds.get(path)
      if (typeof value !== 'number' || !limits || limits.length === 0) return text
      const nearest = [...limits].sort((a, b) => Math.abs(a - value) - Math.abs(b - value) || a - b)[0] as number
      if (value === nearest) return `${text} (at threshold)`
      return `${text} (${value < nearest ? 'below' : 'above'} threshold ${nearest})`
    })
  return `probe “${title}”: ${parts.join(', ') || 'no facts set'}`
}

/** A snapshot (nested objects, dotted keys) as `fact path → value` leaves. */
export function snapshotPaths(snapshot: Record<string, JsonValue>): Record<string, JsonValue> {
  return flattenFacts(snapshot)
}

/** A probe case: the carrier's input, mocks and answers (the probe's facts come on entry). */
export function probeCase(carrier: SuiteCase, id: string, name: string): SuiteCase {
  const c: SuiteCase = { id, name, input: carrier.input }
  if (carrier.mocks) c.mocks = carrier.mocks
  if (carrier.answers) c.answers = carrier.answers
  return c
}
