import type { RunState } from '../events.ts'
import {
  checkExpectation,
  compareRunsInDetail,
  summarize,
  type CaseChanges,
  type RunSummary,
  type UnselectedRuleChange,
} from './compare.ts'
import type { CaseProbe } from './probes.ts'
import { stepIds, type StepName } from './step-names.ts'
import type { SuiteCase } from './suite.schema.ts'

/** One case of a report. Unchanged cases carry only their outcome, to keep big reports small. */
export interface CaseReport {
  id: string
  name?: string
  source: 'suite' | 'generated' | 'recorded'
  /** failed: the expectation failed or the candidate could not run the case to a good end. */
  status: 'unchanged' | 'changed' | 'failed'
  /** A change the case's `expect` asked for (it does not fail the simulation). */
  expectedChange: boolean
  outcome?: string
  base?: RunSummary
  candidate?: RunSummary
  changes?: CaseChanges
  /**
   * Decisions that chose the same port and outputs but whose other rules or rows fired
   * differently: detail for a reviewer, not a change (the case stays unchanged for them alone).
   */
  detail?: UnselectedRuleChange[]
  /** Generated cases: the decision probed and the facts laid over the run (see CaseProbe). */
  probe?: CaseProbe
  expectationFailures: string[]
  problems: string[]
}

/**
 * Judge one case from its two runs: unchanged, changed (something observable differs) or failed.
 * Its sentences name steps by `name` (their titles); the report's fields keep ids.
 */
export function judge(
  c: SuiteCase,
  source: CaseReport['source'],
  base: RunState | undefined,
  candidate: RunState | undefined,
  problems: string[],
  compare: boolean,
  name: StepName = stepIds,
): CaseReport {
  const after = summarize(candidate)
  const compared = compare ? compareRunsInDetail(base, candidate) : undefined
  const changes = compared?.changes
  const expectationFailures = checkExpectation(c.expect, after, name)
  const runProblems = [...problems]
  if (after.status === 'failed' && c.expect?.outcome !== 'failed')
    runProblems.push(
      `The run failed at "${after.error?.nodeId !== undefined ? name(after.error.nodeId) : '?'}": ${after.error?.message ?? ''}`,
    )
  if (after.status === 'not-run') runProblems.push('The candidate could not run this case.')
  // A suite case whose run fails is broken; a generated or recorded input may fail in both
  // versions alike (say, a required fact left out), which is no regression.
  const runFailed = after.status === 'failed' && c.expect?.outcome !== 'failed'
  const regression = source === 'suite' ? runFailed : runFailed && (!compare || summarize(base).status !== 'failed')
  const failed = expectationFailures.length > 0 || after.status === 'not-run' || regression
  const status: CaseReport['status'] = failed ? 'failed' : changes ? 'changed' : 'unchanged'
  const report: CaseReport = {
    id: c.id,
    source,
    status,
    expectedChange: changes !== undefined && c.expect !== undefined && expectationFailures.length === 0,
    expectationFailures,
    problems: [...new Set(runProblems)],
  }
  if (c.name !== undefined) report.name = c.name
  if (compared && compared.detail.length > 0) report.detail = compared.detail
  if (status === 'unchanged') {
    if (after.outcome !== undefined) report.outcome = after.outcome
    return report
  }
  if (compare) report.base = summarize(base)
  report.candidate = after
  if (changes) report.changes = changes
  return report
}
