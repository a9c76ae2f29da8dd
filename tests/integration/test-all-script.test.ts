// `pnpm test:all` (what `npm test` runs) goes through every stage even when one fails, so a failing
// unit test never hides the browser tests' verdict, and ends with a summary of all of them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runStages, STAGES } from '../../scripts/test-all.mjs'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'carepath-test-all-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A stage that runs a line of JavaScript in a fresh node. */
const stage = (name: string, code: string) => ({ name, command: [process.execPath, '-e', code] })

describe('test:all', () => {
  it('runs every stage after a failing one, reports each with its result and duration, and fails overall', () => {
    let printed = ''
    const marker = join(dir, 'last-stage-ran')
    const results = runStages(
      [
        stage('lint', 'process.exit(0)'),
        stage('unit and integration', 'process.exit(3)'),
        stage('browser end-to-end', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`),
      ],
      { write: (text) => void (printed += text) },
    )
    expect(existsSync(marker)).toBe(true)
    expect(results.map(({ name, passed }) => ({ name, passed }))).toEqual([
      { name: 'lint', passed: true },
      { name: 'unit and integration', passed: false },
      { name: 'browser end-to-end', passed: true },
    ])
    expect(results[1]!.why).toBe('exit code 3')
    for (const result of results) expect(result.seconds).toBeGreaterThanOrEqual(0)
    const report = printed.slice(printed.indexOf('Test stages'))
    expect(report).toMatch(/PASS {2}lint +\d+\.\d s/)
    expect(report).toMatch(/FAIL {2}unit and integration +\d+\.\d s {2}\(exit code 3\)/)
    expect(report).toMatch(/PASS {2}browser end-to-end +\d+\.\d s/)
    expect(report).toContain('1 of 3 stages failed: unit and integration.')
  })

  it('says so when every stage passed', () => {
    let printed = ''
    const results = runStages([stage('lint', ''), stage('typecheck', '')], { write: (text) => void (printed += text) })
    expect(results.every((r) => r.passed)).toBe(true)
    expect(printed).toContain('All 2 stages passed.')
  })

  it('is what the root test:all script runs, with lint, typecheck, unit and browser stages that exist', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts
    expect(scripts['test:all']).toBe('node scripts/test-all.mjs')
    expect(STAGES.map((s) => s.script)).toEqual(['lint', 'typecheck', 'test:unit', 'test:e2e'])
    for (const { script } of STAGES) expect(scripts[script]).toBeDefined()
  })
})
