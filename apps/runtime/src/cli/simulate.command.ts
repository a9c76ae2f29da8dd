// `carepath simulate --base OLD --candidate NEW [--suite S.json] [--generate] [--json|--markdown]`:
// diff-test a candidate version against the base. Exit 0: nothing changed, or only changes the
// suite expects; 1: behaviour changed unexpectedly or a case failed; 2: bad input.
import {
  reportToMarkdown,
  simulate,
  simulationVerdict,
  type RunSummary,
  type SimulationReport,
  type Suite,
} from '@carepath/engine'
import { registry } from '../plugins/installed-registry.ts'
import { CliError, parseArgs } from './cli-io.ts'
import { loadFlowFile, loadSuiteFile, siblingFlowLoader, suiteBeside } from './flow-files.ts'

function summaryText(report: SimulationReport): string {
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
      outcome ?? (side?.status === 'waiting' ? `waiting at ${side.waitingAt ?? '?'}` : (side?.status ?? '—'))
    if (ch?.outcome)
      lines.push(`    outcome: ${ending(c.base, ch.outcome.base)} → ${ending(c.candidate, ch.outcome.candidate)}`)
    if (ch?.path)
      lines.push(
        `    paths split at step ${ch.path.index + 1}: ${ch.path.base ?? 'end'} → ${ch.path.candidate ?? 'end'}`,
      )
    for (const d of ch?.decisions ?? []) {
      lines.push(
        `    decision ${d.nodeId}: ${d.base.outcome} → ${d.candidate.outcome} (fired ${d.base.fired.join(', ') || 'none'} → ${d.candidate.fired.join(', ') || 'none'})`,
      )
    }
    for (const f of c.expectationFailures) lines.push(`    expectation: ${f}`)
    for (const p of c.problems) lines.push(`    problem: ${p}`)
  }
  const cov = report.coverage
  lines.push(
    `coverage: nodes ${cov.nodes.covered}/${cov.nodes.total}, ports ${cov.ports.covered}/${cov.ports.total}, rules ${cov.rules.covered}/${cov.rules.total}, table rows ${cov.rows.covered}/${cov.rows.total}`,
  )
  if (cov.nodes.missed.length) lines.push(`never reached: ${cov.nodes.missed.join(', ')}`)
  return lines.join('\n')
}

export async function run(args: string[]): Promise<number> {
  const { positionals, flags, options } = parseArgs(args, {
    flags: ['generate', 'json', 'markdown'],
    options: ['base', 'candidate', 'suite'],
  })
  const baseFile = options.get('base')
  const candidateFile = options.get('candidate')
  if (positionals.length > 0 || !baseFile || !candidateFile) {
    throw new CliError(
      'usage: carepath simulate --base OLD --candidate NEW [--suite S.json] [--generate] [--json|--markdown]',
    )
  }
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
  const report = await simulate(base, candidate, suite, {
    registry,
    generate: flags.has('generate'),
    loadFlow: async (id, hash) => loaders[0]!(id, hash).catch(() => loaders[1]!(id, hash)),
    onProgress: ({ done, total }) => {
      if (process.stderr.isTTY && total >= 1000 && (done % 1000 === 0 || done === total))
        process.stderr.write(`\rsimulated ${done}/${total}`)
    },
  })
  if (process.stderr.isTTY && report.summary.cases >= 1000) process.stderr.write('\n')
  if (flags.has('json')) console.log(JSON.stringify(report, null, 2))
  else if (flags.has('markdown')) process.stdout.write(reportToMarkdown(report))
  else console.log(summaryText(report))
  return simulationVerdict(report) === 'pass' ? 0 : 1
}
