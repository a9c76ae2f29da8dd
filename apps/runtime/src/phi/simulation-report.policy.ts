// A simulation report (and the review that stores one), declared part by part. Cases carry
// facts (suite inputs, recorded runs' data, generated probes) and free text (problems, failure
// messages) that may quote them.
import type { JsonValue } from '@carepath/dsl'
import type { CaseReport, RecordedRun, SimulationReport } from '@carepath/engine'
import { patientValuesOfRun } from './free-text.ts'
import {
  authored,
  each,
  explanation,
  factPathMap,
  freeText,
  nullable,
  object,
  structure,
  withheld,
  type Redactor,
} from './redaction-policy.ts'
import { redactFacts } from '@carepath/dsl'

type RunSummary = NonNullable<CaseReport['candidate']>
type Changes = NonNullable<CaseReport['changes']>
type FactChange = Changes['facts'][number]
type DecisionChange = Changes['decisions'][number]
type EffectChange = NonNullable<Changes['effects']>[number]
type UnselectedRuleChange = NonNullable<CaseReport['detail']>[number]
type CoverageItem = SimulationReport['coverage']['nodes']

const runSummary = object<RunSummary>({
  status: structure,
  outcome: structure,
  error: object({ nodeId: structure, message: freeText }),
  path: structure,
  waitingAt: structure,
})

/** Both sides of a fact that differs, each by the class of the fact's path. */
const factChange: Redactor<FactChange> = (change, ctx) => ({
  path: change.path,
  base: redactFacts(change.base, ctx.schema, ctx.allowed, change.path),
  candidate: redactFacts(change.candidate, ctx.schema, ctx.allowed, change.path),
})

const decisionSide = object<DecisionChange['base']>({ outcome: structure, fired: structure, explanation })

/** A task's or connector's request holds patient data with no fact path to classify it: withheld. */
const effectSide = object<NonNullable<EffectChange['base']>>({ nodeId: structure, request: withheld })

const changes = object<Changes>({
  status: object({ base: structure, candidate: structure }),
  outcome: object({ base: structure, candidate: structure }),
  path: object({ index: structure, base: structure, candidate: structure }),
  decisions: each(
    object<DecisionChange>({
      nodeId: structure,
      scope: structure,
      visit: structure,
      base: decisionSide,
      candidate: decisionSide,
    }),
  ),
  facts: each(factChange),
  effects: each(object<EffectChange>({ kind: structure, index: structure, base: effectSide, candidate: effectSide })),
})

const caseReportPolicy = object<CaseReport>({
  id: structure,
  // Suite case names are written by the flow's author.
  name: authored,
  source: structure,
  status: structure,
  expectedChange: structure,
  outcome: structure,
  base: runSummary,
  candidate: runSummary,
  changes,
  detail: each(
    object<UnselectedRuleChange>({
      nodeId: structure,
      scope: structure,
      visit: structure,
      outcome: structure,
      base: object({ fired: structure }),
      candidate: object({ fired: structure }),
    }),
  ),
  probe: object({ nodeId: structure, at: structure, carrier: structure, set: factPathMap }),
  // Built from outcomes and node ids, but free text all the same: redacted like any message.
  expectationFailures: each(freeText),
  // Missing mocks, refused inputs, failed runs: these quote connector and node messages.
  problems: each(freeText),
})

/**
 * A suite case of made-up values, to someone who may read the suite: as written (redacting it
 * would hide from the analyst the values she typed herself). Every other case by its policy.
 */
const caseReport: Redactor<CaseReport> = (c, ctx) =>
  c.source === 'suite' && ctx.testDataCases?.has(c.id) ? structuredClone(c) : caseReportPolicy(c, ctx)

const coverageItem = object<CoverageItem>({ total: structure, covered: structure, missed: structure })
const version = object<NonNullable<SimulationReport['base']>>({ hash: structure, version: structure })

/** A report's counts (also recorded in the audit trail when a draft goes to review). */
export const simulationSummaryPolicy = object<SimulationReport['summary']>({
  cases: structure,
  unchanged: structure,
  changed: structure,
  failed: structure,
  unexpected: structure,
})

export const simulationReportPolicy = object<SimulationReport>({
  flow: structure,
  base: nullable(version),
  candidate: version,
  summary: simulationSummaryPolicy,
  cases: each(caseReport),
  coverage: object({
    nodes: coverageItem,
    ports: coverageItem,
    rules: coverageItem,
    rows: coverageItem,
    rulesOfUnreachedNodes: structure,
    // Node titles, rule names and conditions with their literals are the flow author's words.
    conditions: object({
      total: structure,
      covered: structure,
      unreached: each(object({ nodeId: structure, node: authored, rule: authored, condition: authored })),
    }),
  }),
  canvas: object({
    changedNodes: each(object({ id: structure, cases: structure })),
    changedEdges: each(
      object({
        id: structure,
        source: structure,
        port: structure,
        target: structure,
        side: structure,
        cases: structure,
      }),
    ),
    unreachedNodes: structure,
  }),
})

/**
 * The patient data a report's context holds: the data of the cases it ran (`casesPatientData`
 * of suites, or `recordedRunsPatientData` of replayed runs) and the facts, probe values and
 * decided-on values inside the report itself. Its free text is redacted of all of them.
 */
export function reportPatientValues(report: SimulationReport, casesData: readonly JsonValue[]): JsonValue[] {
  const data = [...casesData]
  for (const c of report.cases) {
    if (c.probe) data.push(c.probe.set)
    for (const f of c.changes?.facts ?? []) data.push(f.base, f.candidate)
    for (const d of c.changes?.decisions ?? [])
      for (const side of [d.base, d.candidate])
        for (const rule of side.explanation.rules) for (const cond of rule.conditions) data.push(cond.seen)
  }
  return data
}

/**
 * The patient data of suites' cases: their inputs, mocked responses and answers (not their ids,
 * names or expectations, which the author wrote).
 */
export function casesPatientData(suites: readonly JsonValue[]): JsonValue[] {
  const data: JsonValue[] = []
  for (const suite of suites) {
    const cases = isRecord(suite) && Array.isArray(suite.cases) ? suite.cases : []
    for (const c of cases) if (isRecord(c)) data.push(c.input ?? null, c.mocks ?? null, c.answers ?? null)
  }
  return data
}

/** The patient data of recorded runs a report replayed: everything their logs hold as patient data. */
export function recordedRunsPatientData(runs: readonly RecordedRun[]): JsonValue[] {
  return runs.flatMap((run) => patientValuesOfRun(run.events))
}

/** Ids of the suites' cases marked `synthetic` (their position from 1 names a case without an id). */
export function testDataCaseIds(suites: readonly JsonValue[]): Set<string> {
  const ids = new Set<string>()
  for (const suite of suites) {
    const cases = isRecord(suite) && Array.isArray(suite.cases) ? suite.cases : []
    cases.forEach((c, index) => {
      if (isRecord(c) && c.synthetic === true) ids.add(typeof c.id === 'string' ? c.id : `case-${index + 1}`)
    })
  }
  return ids
}

const isRecord = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** What `simulate.run` answers: the report and the hash of the report as the server computed it. */
export const simulationRunPolicy = object<{ hash: string; report: SimulationReport }>({
  hash: structure,
  report: simulationReportPolicy,
})
