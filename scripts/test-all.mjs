#!/usr/bin/env node
// `pnpm test:all` (and so `npm test`): every stage runs even when an earlier one failed, so a unit
// test failing never hides what the browser tests would have said. At the end, one line per stage
// with its result and duration; the exit code is non-zero when any stage failed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The stages, in order: each is a root package.json script. */
export const STAGES = [
  { name: 'lint', script: 'lint' },
  { name: 'typecheck', script: 'typecheck' },
  { name: 'unit and integration', script: 'test:unit' },
  { name: 'browser end-to-end', script: 'test:e2e' },
]

/** How to call pnpm: the one running this script when there is one, else pnpm on the PATH. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath ?? ''
  if (/pnpm/.test(execPath)) return /\.[cm]?js$/.test(execPath) ? [process.execPath, execPath] : [execPath]
  return ['pnpm']
}

/**
 * Runs every stage to its end, whatever the ones before did, and writes the summary. A stage is
 * `{ name, command: [file, ...args], label? }`; its output goes straight to the terminal.
 */
export function runStages(
  stages,
  { write = (text) => process.stdout.write(text), cwd = process.cwd(), notes = () => [] } = {},
) {
  const results = []
  for (const stage of stages) {
    write(`\n▶ ${stage.name}: ${stage.label ?? stage.command.join(' ')}\n`)
    const started = process.hrtime.bigint()
    const run = spawnSync(stage.command[0], stage.command.slice(1), { stdio: 'inherit', cwd })
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const passed = run.status === 0
    const why = run.error ? run.error.message : run.signal ? `stopped by ${run.signal}` : `exit code ${run.status}`
    results.push({ name: stage.name, passed, seconds, ...(passed ? {} : { why }) })
  }
  write(summary(results, notes()))
  return results
}

/** The closing report: one line per stage, any notes (whether PostgreSQL tests ran), then the verdict. */
export function summary(results, notes = []) {
  const width = Math.max(...results.map((r) => r.name.length))
  const lines = results.map(
    (r) =>
      `  ${r.passed ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.seconds.toFixed(1).padStart(7)} s${r.passed ? '' : `  (${r.why})`}`,
  )
  const failed = results.filter((r) => !r.passed)
  const verdict = failed.length
    ? `${failed.length} of ${results.length} stages failed: ${failed.map((r) => r.name).join(', ')}.`
    : `All ${results.length} stages passed.`
  return `\nTest stages\n${[...lines, ...notes.map((n) => `  ${n}`)].join('\n')}\n${verdict}\n`
}

/**
 * PostgreSQL tests live in files ending .pg.test.ts, or in suites run on both databases whose
 * PostgreSQL half is titled "… on PostgreSQL" (testing/test-stores.ts); both are skipped when no
 * server answers.
 */
const PG_TEST_FILE = /\.pg\.test\.ts$/
const PG_SUITE = / on PostgreSQL$/
const isPostgresTest = (file, test) =>
  PG_TEST_FILE.test(file.name) || (test.ancestorTitles ?? []).some((title) => PG_SUITE.test(title))

/**
 * Whether the PostgreSQL tests ran, from vitest's JSON report of the unit stage (undefined when
 * the stage wrote none).
 */
export function postgresNote(report) {
  if (!report || !Array.isArray(report.testResults))
    return 'PostgreSQL: the unit stage wrote no report, so whether the PostgreSQL tests ran is not known.'
  const tests = report.testResults.flatMap((f) => (f.assertionResults ?? []).filter((t) => isPostgresTest(f, t)))
  const skipped = tests.filter((t) => ['skipped', 'pending', 'todo'].includes(t.status)).length
  if (skipped > 0)
    return `PostgreSQL: none reachable — ${skipped} PostgreSQL tests did not run (start one, or set CAREPATH_TEST_DATABASE_URL).`
  return `PostgreSQL: reachable — ${tests.length} PostgreSQL tests ran.`
}

/**
 * The failed tests by name, from the unit stage's report: the summary is the end of the output,
 * the part a CI log keeps, so it names what failed (at most `limit` of them) with the first line
 * of each failure. A file that failed without a test (it did not load) is named by its message.
 */
export function failedTestsNotes(report, { root = process.cwd(), limit = 15 } = {}) {
  if (!report || !Array.isArray(report.testResults)) return []
  const because = (text) => {
    const line = String(text ?? '')
      .split('\n')
      .find((l) => l.trim())
    return line ? `: ${line.trim()}` : ''
  }
  const failures = report.testResults.flatMap((file) => {
    const where = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
    if (tests.length === 0 && file.status === 'failed') return [`${where}${because(file.message)}`]
    return tests.map(
      (t) => `${where} › ${[...(t.ancestorTitles ?? []), t.title].join(' › ')}${because(t.failureMessages?.[0])}`,
    )
  })
  if (failures.length === 0) return []
  const shown = failures.slice(0, limit).map((line) => `  ✗ ${line.length > 300 ? `${line.slice(0, 299)}…` : line}`)
  const more = failures.length > limit ? [`  … and ${failures.length - limit} more`] : []
  return [`Failed tests (${failures.length}):`, ...shown, ...more]
}

function readReport(file) {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pnpm = pnpmCommand()
  // The unit stage also writes a JSON report, read afterwards to say whether PostgreSQL tests ran.
  const report = join(tmpdir(), `carepath-unit-report-${process.pid}.json`)
  const extra = { 'test:unit': ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`] }
  const results = runStages(
    STAGES.map((s) => ({
      name: s.name,
      command: [...pnpm, 'run', s.script, ...(extra[s.script] ?? [])],
      label: `pnpm run ${s.script}`,
    })),
    {
      notes: () => {
        const unit = readReport(report)
        return [postgresNote(unit), ...failedTestsNotes(unit)]
      },
    },
  )
  rmSync(report, { force: true })
  process.exit(results.every((r) => r.passed) ? 0 : 1)
}
