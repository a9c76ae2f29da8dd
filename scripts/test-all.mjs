#!/usr/bin/env node
// `pnpm test:all` (and so `npm test`): every stage runs even when an earlier one failed, so a unit
// test failing never hides what the browser tests would have said. At the end, one line per stage
// with its result and duration; the exit code is non-zero when any stage failed.
import { spawnSync } from 'node:child_process'
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
export function runStages(stages, { write = (text) => process.stdout.write(text), cwd = process.cwd() } = {}) {
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
  write(summary(results))
  return results
}

/** The closing report: one line per stage, then the verdict. */
export function summary(results) {
  const width = Math.max(...results.map((r) => r.name.length))
  const lines = results.map(
    (r) =>
      `  ${r.passed ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.seconds.toFixed(1).padStart(7)} s${r.passed ? '' : `  (${r.why})`}`,
  )
  const failed = results.filter((r) => !r.passed)
  const verdict = failed.length
    ? `${failed.length} of ${results.length} stages failed: ${failed.map((r) => r.name).join(', ')}.`
    : `All ${results.length} stages passed.`
  return `\nTest stages\n${lines.join('\n')}\n${verdict}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pnpm = pnpmCommand()
  const results = runStages(
    STAGES.map((s) => ({ name: s.name, command: [...pnpm, 'run', s.script], label: `pnpm run ${s.script}` })),
  )
  process.exit(results.every((r) => r.passed) ? 0 : 1)
}
