import type { FlowDocument, JsonValue, NodeRegistry } from '@carepath/dsl'
import { canonicalJson, nodeTitle } from '@carepath/dsl'
import { deleteFact, isJsonRecord, putMember, setFact } from '../facts.ts'
import { decisionSnapshots, describeProbe, probeCase, snapshotPaths, type CaseProbe } from './probes.ts'
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
  const cases: SuiteCase[] = []
  for (const { nodeId, snapshots, reads } of decisionSnapshots(flow, registry)) {
    const template = typeof base === 'function' ? base(nodeId) : base
    let cleared: JsonRecord = template?.input ?? {}
    for (const path of reads) cleared = deleteFact(cleared, path)
    snapshots.forEach((snapshot, index) => {
      const generated: SuiteCase = {
        id: `gen.${nodeId}.${index + 1}`,
        name: `${nodeTitle(flow, nodeId)}: ${canonicalJson(snapshot)}`,
        input: mergeFacts(cleared, snapshot),
      }
      if (template?.mocks) generated.mocks = template.mocks
      if (template?.answers) generated.answers = template.answers
      cases.push(generated)
    })
  }
  return cases
}

/** A generated case and what it probes. */
export interface GeneratedCase {
  c: SuiteCase
  probe: CaseProbe
}

/**
 * Generated cases of both versions. For a decision some suite case reached (`carrierOf`, the
 * first suite case in suite order whose base run passed through it), each snapshot becomes a
 * probe: the carrier's input, mocks and answers, with the snapshot's facts set as the run enters
 * the decision (so facts an upstream node writes are tested too). Snapshots that set nothing
 * (a fact left missing) are the carrier itself and are left out. A decision no suite case
 * reached falls back to merging the snapshot into the suite's first case at the start,
 * skipping inputs the suite already has. Ids are `gen.<node>.<n>`, names say what is probed.
 */
export function generatedCasesFor(
  flows: readonly FlowDocument[],
  registry: NodeRegistry,
  suite: Suite,
  carrierOf: (nodeId: string) => SuiteCase | undefined = () => undefined,
): GeneratedCase[] {
  const seenInputs = new Set(suite.cases.map((c) => canonicalJson(c.input)))
  const seenProbes = new Set<string>()
  const ids = new Set(suite.cases.map((c) => c.id))
  const counters = new Map<string, number>()
  const out: GeneratedCase[] = []
  const nextId = (nodeId: string): string => {
    let n = (counters.get(nodeId) ?? 0) + 1
    while (ids.has(`gen.${nodeId}.${n}`)) n++
    counters.set(nodeId, n)
    ids.add(`gen.${nodeId}.${n}`)
    return `gen.${nodeId}.${n}`
  }
  for (const flow of flows) {
    for (const { nodeId, snapshots, thresholds, reads } of decisionSnapshots(flow, registry)) {
      const carrier = carrierOf(nodeId)
      const template = carrier ?? suite.cases[0]
      let cleared: JsonRecord = template?.input ?? {}
      if (!carrier) for (const path of reads) cleared = deleteFact(cleared, path)
      for (const snapshot of snapshots) {
        const set = snapshotPaths(snapshot)
        const name = describeProbe(nodeTitle(flow, nodeId), set, thresholds)
        if (carrier) {
          const key = canonicalJson([carrier.id, nodeId, set])
          if (Object.keys(set).length === 0 || seenProbes.has(key)) continue
          seenProbes.add(key)
          out.push({
            c: probeCase(carrier, nextId(nodeId), name),
            probe: { nodeId, at: 'node-entry', carrier: carrier.id, set },
          })
          continue
        }
        const input = mergeFacts(cleared, snapshot)
        const key = canonicalJson(input)
        if (seenInputs.has(key)) continue
        seenInputs.add(key)
        const c: SuiteCase = { id: nextId(nodeId), name, input }
        if (template?.mocks) c.mocks = template.mocks
        if (template?.answers) c.answers = template.answers
        out.push({ c, probe: { nodeId, at: 'start', ...(template ? { carrier: template.id } : {}), set } })
      }
    }
  }
  return out
}

/** A suite of generated cases for one flow (what `carepath cases FLOW` prints). */
export function generatedSuite(flow: FlowDocument, registry: NodeRegistry, base?: SuiteCase): Suite {
  return { flow: flow.id, cases: generateCases(flow, registry, base) }
}
