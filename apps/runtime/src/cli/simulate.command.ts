// `carepath simulate --base OLD --candidate NEW [--suite S.json] [--generate] [--json|--markdown]
// [--workers N] [--unchanged list|count]`: diff-test a candidate version against the base. Exit 0:
// nothing changed, or only changes the suite expects; 1: behaviour changed unexpectedly or a case
// failed; 2: bad input. Large suites run on every core (this thread and a worker thread per
// other core) with a progress bar.
import { availableParallelism } from 'node:os'
import { performance } from 'node:perf_hooks'
import {
  firedLabels,
  reportToMarkdown,
  simulate,
  simulationVerdict,
  stepNames,
  type RunSummary,
  type SimulationReport,
  type StepName,
  type Suite,
} from '@carepath/engine'
import { registry } from '../plugins/installed-registry.ts'
import { simulationWorkers } from '../simulation/simulation-workers.ts'
import { CliError, parseArgs } from './cli-io.ts'
import { loadFlowFile, loadSuiteFile, siblingFlowLoader, suiteBeside } from './flow-files.ts'
import { terminalProgress } from './progress-bar.ts'

const USAGE =
  'usage: carepath simulate --base OLD --candidate NEW [--suite S.json] [--generate] [--json|--markdown] [--workers N] [--unchanged list|count]'

/** Below this many cases, starting threads costs more than it saves. */
const WORKERS_FROM_CASES = 5_000

/** The report in a terminal's words: steps by title, rules by name, paths and ids left out. */
function summaryText(report: SimulationReport, step: StepName): string {
  const s = report.summary
  const lines = [
    `${report.flow}: ${s.cases} cases, ${s.unchanged} unchanged, ${s.changed} changed (${s.unexpected} unexpected), ${s.failed} failed`,
  ]
  for (const c of report.cases) {
    if (c.status === 'unchanged') continue
    const label = c.status === 'failed' ? 'FAILED' : c.expectedChange ? 'changed as expected' : 'CHANGED'
    lines.push(`- ${c.id}${c.name ? ` (${c.name})` : ''}: ${label}`)
    const ch = c.changes
    const ending = (side: RunSummary | undefined, outcome: string | null) =>
      outcome ??
      (side?.status === 'waiting'
        ? `waiting at "${side.waitingAt ? step(side.waitingAt) : '?'}"`
        : (side?.status ?? '—'))
    if (ch?.outcome)
      lines.push(`    outcome: ${ending(c.base, ch.outcome.base)} → ${ending(c.candidate, ch.outcome.candidate)}`)
    if (ch?.path)
      lines.push(
        `    paths split at step ${ch.path.index + 1}: ${ch.path.base ? `"${step(ch.path.base)}"` : 'end'} → ${ch.path.candidate ? `"${step(ch.path.candidate)}"` : 'end'}`,
      )
    for (const d of ch?.decisions ?? []) {
      lines.push(
        `    decision "${step(d.nodeId)}": ${d.base.outcome} → ${d.candidate.outcome} (fired ${firedLabels(d.base.explanation).join(', ') || 'none'} → ${firedLabels(d.candidate.explanation).join(', ') || 'none'})`,
      )
    }
    for (const f of c.expectationFailures) lines.push(`    expectation: ${f}`)
    for (const p of c.problems) lines.push(`    problem: ${p}`)
  }
  const cov = report.coverage
  lines.push(
    `coverage: nodes ${cov.nodes.covered}/${cov.nodes.total}, ports ${cov.ports.covered}/${cov.ports.total}, rules ${cov.rules.covered}/${cov.rules.total}, table rows ${cov.rows.covered}/${cov.rows.total}`,
  )
  if (cov.nodes.missed.length) lines.push(`never reached: ${cov.nodes.missed.map((id) => `"${step(id)}"`).join(', ')}`)
  const unreached = cov.conditions?.unreached ?? []
  if (unreached.length) {
    lines.push(`unreached conditions (no case made them decide their rule on their own): ${unreached.length}`)
    for (const u of unreached) lines.push(`- ${u.node}, rule "${u.rule}": ${u.condition}`)
  }
  return lines.join('\n')
}

export async function run(args: string[]): Promise<number> {
  const { positionals, flags, options } = parseArgs(args, {
    flags: ['generate', 'json', 'markdown'],
    options: ['base', 'candidate', 'suite', 'workers', 'unchanged'],
  })
  const baseFile = options.get('base')
  const candidateFile = options.get('candidate')
  if (positionals.length > 0 || !baseFile || !candidateFile) {
    throw new CliError(USAGE)
  }
  const workersOption = options.get('workers')
  if (workersOption !== undefined && !/^[1-9][0-9]{0,2}$/.test(workersOption))
    throw new CliError(`--workers takes a whole number of threads from 1, not "${workersOption}"`)
  // The text summary lists only changed and failed cases: unchanged ones need not be kept.
  const unchangedCases = unchangedOption(
    options.get('unchanged'),
    flags.has('json') || flags.has('markdown') ? 'list' : 'count',
  )
  if (flags.has('json') && flags.has('markdown')) throw new CliError('choose one of --json and --markdown')
  const base = loadFlowFile(baseFile)
  const candidate = loadFlowFile(candidateFile)
  if (base.id !== candidate.id)
    throw new CliError(`the base is flow "${base.id}" but the candidate is "${candidate.id}"`)
  const suiteFile = options.get('suite') ?? suiteBeside(candidateFile, candidate) ?? suiteBeside(baseFile, base)
  let suite: Suite
  if (suiteFile) {
    suite = loadSuiteFile(suiteFile)
    if (suite.flow !== candidate.id)
      throw new CliError(`${suiteFile}: the suite is for flow "${suite.flow}", not "${candidate.id}"`)
  } else if (flags.has('generate')) suite = { flow: candidate.id, cases: [] }
  else throw new CliError(`no suite found beside ${candidateFile}; pass --suite FILE or --generate`)
  const loaders = [siblingFlowLoader(candidateFile), siblingFlowLoader(baseFile)]
  const threads =
    workersOption !== undefined
      ? Number(workersOption)
      : suite.cases.length >= WORKERS_FROM_CASES
        ? availableParallelism()
        : 1
  const progress = terminalProgress(process.stderr, () => performance.now())
  const report = await simulate(base, candidate, suite, {
    registry,
    generate: flags.has('generate'),
    loadFlow: async (id, hash) => loaders[0]!(id, hash).catch(() => loaders[1]!(id, hash)),
    unchangedCases,
    ...(threads > 1 ? { workers: simulationWorkers({ threads, flowFiles: [candidateFile, baseFile] }) } : {}),
    onProgress: (step) => progress.update(step),
  })
  progress.end()
  if (flags.has('json')) console.log(JSON.stringify(report, null, 2))
  else if (flags.has('markdown')) process.stdout.write(reportToMarkdown(report, stepNames(base, candidate)))
  else console.log(summaryText(report, stepNames(base, candidate)))
  return simulationVerdict(report) === 'pass' ? 0 : 1
}

function unchangedOption(value: string | undefined, fallback: 'list' | 'count'): 'list' | 'count' {
  if (value === undefined) return fallback
  if (value === 'list' || value === 'count') return value
  throw new CliError(`--unchanged is "list" or "count", not "${value}"`)
}
