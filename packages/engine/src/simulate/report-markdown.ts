import { canonicalJson, ruleLabel } from '@carepath/dsl'
import type { DecisionExplanation } from '@carepath/dsl'
import type { CaseReport, SimulationReport } from './simulate.ts'
import type { CoverageItem } from './coverage.ts'
import type { RunSummary } from './compare.ts'
import type { CaseProbe } from './probes.ts'
import { coverageKeyWords, stepIds, type StepName } from './step-names.ts'

const MAX_CASES_SHOWN = 50

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** The rules that fired, by name (a nameless table row by its number). */
export function firedLabels(explanation: DecisionExplanation): string[] {
  const rules = new Map(explanation.rules.map((rule) => [rule.id, rule]))
  return explanation.fired.map((id) => ruleLabel(rules.get(id) ?? { id }))
}

function why(explanation: DecisionExplanation): string {
  const fired = explanation.fired.length ? `fired ${firedLabels(explanation).join(', ')}` : 'no rule fired'
  const conditions = explanation.rules
    .flatMap((rule) =>
      rule.conditions.map(
        (c) =>
          `${ruleLabel(rule)}: ${c.fact} ${c.operator} ${canonicalJson(c.expected)} (saw ${c.missing ? 'nothing' : canonicalJson(c.seen)}) → ${c.result}`,
      ),
    )
    .slice(0, 6)
  return [fired, ...conditions].join('<br>')
}

function percent(item: CoverageItem): string {
  return item.total === 0 ? '–' : `${item.covered}/${item.total} (${Math.round((item.covered / item.total) * 100)}%)`
}

/** Says a case is generated, which decision it probes and how its facts were laid on. */
function probeNote(probe: CaseProbe, step: StepName): string {
  const on = probe.carrier ? ` on suite case \`${probe.carrier}\`` : ''
  return probe.at === 'node-entry'
    ? `Generated probe of “${step(probe.nodeId)}”: its facts were set as the run entered it${on}.`
    : `Generated probe of “${step(probe.nodeId)}”: no suite case reached it, so its facts were merged into the input${on} at the start.`
}

function caseSection(c: CaseReport, step: StepName): string[] {
  const lines = [
    `#### ${c.status === 'failed' ? '❌' : c.expectedChange ? '✅' : '⚠️'} \`${c.id}\`${c.name ? ` — ${cell(c.name)}` : ''}`,
    '',
  ]
  if (c.probe) lines.push(`- ${probeNote(c.probe, step)}`)
  const ch = c.changes
  const ending = (side: RunSummary | undefined, outcome: string | null): string =>
    outcome !== null
      ? `**${outcome}**`
      : side?.status === 'waiting'
        ? `waiting at “${side.waitingAt ? step(side.waitingAt) : '?'}”`
        : (side?.status ?? '—')
  if (ch?.outcome)
    lines.push(`- Outcome: ${ending(c.base, ch.outcome.base)} → ${ending(c.candidate, ch.outcome.candidate)}`)
  if (ch?.status) lines.push(`- Status: ${ch.status.base} → ${ch.status.candidate}`)
  if (ch?.path)
    lines.push(
      `- Paths split at step ${ch.path.index + 1}: ${ch.path.base ? `“${step(ch.path.base)}”` : 'end'} → ${ch.path.candidate ? `“${step(ch.path.candidate)}”` : 'end'}`,
    )
  if (ch && ch.decisions.length > 0) {
    lines.push('', '| decision | before | after |', '|---|---|---|')
    for (const d of ch.decisions) {
      lines.push(
        `| ${cell(step(d.nodeId))}${d.visit > 1 ? ` (visit ${d.visit})` : ''} | **${d.base.outcome}**<br>${cell(why(d.base.explanation))} | **${d.candidate.outcome}**<br>${cell(why(d.candidate.explanation))} |`,
      )
    }
  }
  if (ch && ch.facts.length > 0) {
    lines.push(
      '',
      `- Facts written differently: ${ch.facts
        .slice(0, 10)
        .map((f) => `\`${f.path}\``)
        .join(', ')}${ch.facts.length > 10 ? ` and ${ch.facts.length - 10} more` : ''}`,
    )
  }
  for (const e of ch?.effects ?? []) {
    const at = (side: { nodeId: string } | null): string => (side ? `“${step(side.nodeId)}”` : 'none')
    lines.push(
      `- ${e.kind === 'task' ? 'Task opened' : 'Connector request'} #${e.index + 1} differs: ${at(e.base)} → ${at(e.candidate)}`,
    )
  }
  for (const failure of c.expectationFailures) lines.push(`- Expectation: ${failure}`)
  for (const problem of c.problems) lines.push(`- Problem: ${problem}`)
  lines.push('')
  return lines
}

/**
 * The report as a review comment. Values shown are the ones the decisions saw; suites hold
 * synthetic data, and the runtime redacts recorded runs before they reach a report.
 */
export function reportToMarkdown(report: SimulationReport, step: StepName = stepIds): string {
  const s = report.summary
  const verdict =
    s.failed > 0
      ? '❌ Cases failed'
      : s.unexpected > 0
        ? '⚠️ Behaviour changed'
        : s.changed > 0
          ? '✅ Only expected changes'
          : '✅ No behaviour change'
  const lines = [
    `### Simulation of \`${report.flow}\`: ${verdict}`,
    '',
    `Base ${report.base ? `\`${report.base.hash.slice(0, 12)}\` (v${report.base.version})` : '(none published)'} → candidate \`${report.candidate.hash.slice(0, 12)}\` (v${report.candidate.version})`,
    '',
    '| cases | unchanged | changed | unexpected | failed |',
    '|---|---|---|---|---|',
    `| ${s.cases} | ${s.unchanged} | ${s.changed} | ${s.unexpected} | ${s.failed} |`,
    '',
  ]
  const probes = report.cases.filter((c) => c.probe).length
  if (probes > 0)
    lines.push(`Includes ${probes} generated decision probe${probes === 1 ? '' : 's'} (cases \`gen.<node>.<n>\`).`, '')
  const notable = report.cases.filter((c) => c.status !== 'unchanged')
  if (notable.length > 0) {
    lines.push('#### Cases that changed or failed', '')
    for (const c of notable.slice(0, MAX_CASES_SHOWN)) lines.push(...caseSection(c, step))
    if (notable.length > MAX_CASES_SHOWN)
      lines.push(`…and ${notable.length - MAX_CASES_SHOWN} more (see the JSON report).`, '')
  }
  const detailOnly = report.cases.filter((c) => c.status === 'unchanged' && c.detail).length
  if (detailOnly > 0)
    lines.push(
      `${detailOnly} unchanged case${detailOnly === 1 ? '' : 's'} had other rules or rows fire differently without changing any decision's choice (detail in the JSON report; not counted as changes).`,
      '',
    )
  const cov = report.coverage
  lines.push(
    '#### Coverage of the candidate',
    '',
    `| nodes | ports | rules | table rows |`,
    '|---|---|---|---|',
    `| ${percent(cov.nodes)} | ${percent(cov.ports)} | ${percent(cov.rules)} | ${percent(cov.rows)} |`,
    '',
  )
  const listed = (keys: string[], what: 'port' | 'rule') =>
    keys.map((key) => cell(coverageKeyWords(key, step, what))).join('; ')
  if (cov.nodes.missed.length > 0)
    lines.push(`Never reached: ${cov.nodes.missed.map((id) => cell(`“${step(id)}”`)).join(', ')}`)
  if (cov.ports.missed.length > 0) lines.push(`Ports never taken: ${listed(cov.ports.missed, 'port')}`)
  if (cov.rules.missed.length > 0) lines.push(`Rules that never fired: ${listed(cov.rules.missed, 'rule')}`)
  if (cov.rows.missed.length > 0) lines.push(`Table rows never hit: ${listed(cov.rows.missed, 'rule')}`)
  const unreached = cov.conditions?.unreached ?? []
  if (unreached.length > 0) {
    lines.push('', `Conditions no case made decide their rule on its own (${unreached.length}):`, '')
    for (const u of unreached.slice(0, MAX_CASES_SHOWN))
      lines.push(`- ${cell(u.node)}, rule “${cell(u.rule)}”: \`${cell(u.condition)}\``)
    if (unreached.length > MAX_CASES_SHOWN) lines.push(`- … and ${unreached.length - MAX_CASES_SHOWN} more`)
  }
  return `${lines.join('\n').trimEnd()}\n`
}
