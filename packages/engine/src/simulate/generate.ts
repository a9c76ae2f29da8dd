import type { FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { canonicalJson } from '../canonical-json.ts'
import { deleteFact, isJsonRecord, putMember, setFact } from '../facts.ts'
import { prepareFlow } from '../prepare.ts'
import type { Suite, SuiteCase } from './suite.schema.ts'

type JsonRecord = { [key: string]: JsonValue }

/** Lay a partial snapshot over base facts: nested objects merge, dotted keys are fact paths. */
export function mergeFacts(base: JsonRecord, snapshot: JsonRecord): JsonRecord {
  let out: JsonRecord = { ...base }
  for (const key of Object.keys(snapshot).sort()) {
    const value = snapshot[key] as JsonValue
    if (key.includes('.')) out = setFact(out, key, value)
    else {
      const current = Object.hasOwn(out, key) ? out[key] : undefined
      putMember(out, key, isJsonRecord(current) && isJsonRecord(value) ? mergeFacts(current, value) : value)
    }
  }
  return out
}

/**
 * Cases from the decision nodes' own generators (every rule firing and not, each threshold
 * below/at/above, each listed code, a missing value), laid over a base case whose mocks and
 * answers they borrow so the run can reach the decision. The facts the decision reads are
 * taken out of the base first, so a snapshot that leaves a fact out really tests it missing.
 * Ids are `gen.<node>.<n>`.
 * A flow that cannot be prepared yields no cases (its runs report the reason).
 */
export function generateCases(
  flow: FlowDocument,
  registry: NodeRegistry,
  base?: SuiteCase | ((nodeId: string) => SuiteCase | undefined),
): SuiteCase[] {
  let prepared
  try {
    prepared = prepareFlow(flow, registry)
  } catch {
    return []
  }
  const env = { factsSchema: flow.facts, roles: flow.roles }
  const cases: SuiteCase[] = []
  for (const [nodeId, p] of prepared.nodes) {
    if (!p.type.cases) continue
    let snapshots: Record<string, JsonValue>[]
    try {
      snapshots = p.type.cases(p.config, env)
    } catch {
      continue
    }
    const template = typeof base === 'function' ? base(nodeId) : base
    let cleared: JsonRecord = template?.input ?? {}
    for (const path of p.type.reads(p.config)) cleared = deleteFact(cleared, path)
    snapshots.forEach((snapshot, index) => {
      const generated: SuiteCase = {
        id: `gen.${nodeId}.${index + 1}`,
        name: `${nodeId}: ${canonicalJson(snapshot)}`,
        input: mergeFacts(cleared, snapshot),
      }
      if (template?.mocks) generated.mocks = template.mocks
      if (template?.answers) generated.answers = template.answers
      cases.push(generated)
    })
  }
  return cases
}

/**
 * Generated cases of both versions, without inputs the suite (or the other version) already
 * has. `reachedBy` names, per node, a suite case that reached it: its input, mocks and answers
 * are the base of that node's generated cases (else the suite's first case).
 */
export function generatedCasesFor(
  flows: readonly FlowDocument[],
  registry: NodeRegistry,
  suite: Suite,
  reachedBy: ReadonlyMap<string, SuiteCase> = new Map(),
): SuiteCase[] {
  const seen = new Set(suite.cases.map((c) => canonicalJson(c.input)))
  const ids = new Set(suite.cases.map((c) => c.id))
  const out: SuiteCase[] = []
  for (const flow of flows) {
    for (const c of generateCases(flow, registry, (nodeId) => reachedBy.get(nodeId) ?? suite.cases[0])) {
      const key = canonicalJson(c.input)
      if (seen.has(key)) continue
      seen.add(key)
      let id = c.id
      for (let n = 2; ids.has(id); n++) id = `${c.id}.${n}`
      ids.add(id)
      out.push({ ...c, id })
    }
  }
  return out
}

/** A suite of generated cases for one flow (what `carepath cases FLOW` prints). */
export function generatedSuite(flow: FlowDocument, registry: NodeRegistry, base?: SuiteCase): Suite {
  return { flow: flow.id, cases: generateCases(flow, registry, base) }
}
