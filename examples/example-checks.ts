// The checks every example flow is held to, shared by examples.test.ts (the nine workflows and
// the custom-node flow) and hl7-entry/hl7-entry.test.ts, so both folders meet the same bar.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FlowDocument, Problem } from '@carepath/dsl'
import { parseSuite, type SimulationReport, type Suite } from '@carepath/engine'

/** Reads a JSON file below `dir`. */
export function readJsonIn(dir: string, path: string): unknown {
  return JSON.parse(readFileSync(join(dir, path), 'utf8'))
}

/** Reads and checks a suite file below `dir`; a malformed suite fails with its path. */
export function readSuiteIn(dir: string, path: string): Suite {
  const parsed = parseSuite(readJsonIn(dir, path))
  if (!parsed.ok) throw new Error(`${path}: ${parsed.message}`)
  return parsed.suite
}

/** The errors among validation problems, one line each; warnings (advice) do not block publishing. */
export function errorLines(problems: readonly Problem[]): string[] {
  return problems.filter((p) => p.severity === 'error').map((p) => `${p.nodeId ?? ''} ${p.code}: ${p.message}`)
}

/** What went wrong in a case, in one line per problem (so a failing test says which case and why). */
export function failures(report: SimulationReport): string[] {
  return report.cases
    .filter((c) => c.status === 'failed' || c.expectationFailures.length > 0 || c.problems.length > 0)
    .map((c) => `${c.id}: ${[...c.expectationFailures, ...c.problems].join('; ') || c.status}`)
}

/** The fact paths of a flow that carry no PHI class. */
export function unclassifiedFacts(flow: FlowDocument): string[] {
  const unclassified: string[] = []
  const walk = (schema: FlowDocument['facts'], path: string): void => {
    if (schema.type === 'object')
      for (const [k, child] of Object.entries(schema.properties ?? {})) walk(child, path ? `${path}.${k}` : k)
    else if (schema.type === 'array' && schema.items) walk(schema.items, path)
    else if (!schema['x-phi']) unclassified.push(path)
  }
  walk(flow.facts, '')
  return unclassified
}

/** The outcomes of the flow's end nodes that no case of the report reached. */
export function unreachedEndings(flow: FlowDocument, report: SimulationReport): string[] {
  const outcomes = new Set(report.cases.map((c) => c.outcome))
  return Object.values(flow.nodes)
    .filter((n) => n.type === 'end')
    .map((n) => String(n.config['outcome']))
    .filter((o) => !outcomes.has(o))
}
