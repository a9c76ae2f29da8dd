// `pnpm test:all` (what `npm test` runs) goes through every stage even when one fails, so a failing
// unit test never hides the browser tests' verdict, and ends with a summary of all of them.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TEST_WAIT_MS } from '@carepath/runtime/testing'
import { failedTestsNotes, postgresNote, runStages, STAGES } from '../../scripts/test-all.mjs'

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

  it('as a command, runs all four package scripts through the pnpm that started it and exits non-zero when one failed', () => {
    // A stand-in for pnpm that notes each script it is asked to run and fails the unit tests.
    const ran = join(dir, 'ran.txt')
    const fakePnpm = join(dir, 'pnpm.mjs')
    writeFileSync(
      fakePnpm,
      `import { appendFileSync } from 'node:fs'
const script = process.argv[3]
appendFileSync(${JSON.stringify(ran)}, script + '\\n')
process.exit(script === 'test:unit' ? 1 : 0)
`,
    )
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'test-all.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, npm_execpath: fakePnpm },
      timeout: TEST_WAIT_MS,
    })
    expect(run.error, 'test-all.mjs ran to its end').toBeUndefined()
    expect(run.status).toBe(1)
    expect(readFileSync(ran, 'utf8').trim().split('\n')).toEqual(['lint', 'typecheck', 'test:unit', 'test:e2e'])
    expect(run.stdout).toMatch(/FAIL {2}unit and integration +\d+\.\d s {2}\(exit code 1\)/)
    expect(run.stdout).toMatch(/PASS {2}browser end-to-end +\d+\.\d s/)
    expect(run.stdout).toContain('1 of 4 stages failed: unit and integration.')
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

describe('the failed tests in the summary', () => {
  it('names each failed test by file and title with the first line of its failure, and a file that did not load', () => {
    const report = {
      testResults: [
        {
          name: '/repo/apps/runtime/src/runs/runs.test.ts',
          status: 'failed',
          assertionResults: [
            { status: 'passed', title: 'starts a run', ancestorTitles: ['runs'] },
            {
              status: 'failed',
              title: 'resumes a run',
              ancestorTitles: ['runs', 'on PostgreSQL'],
              failureMessages: ['\nAssertionError: expected 1 to be 2\n    at runs.test.ts:10'],
            },
          ],
        },
        {
          name: '/repo/tests/broken.test.ts',
          status: 'failed',
          message: 'Cannot find module x\nstack',
          assertionResults: [],
        },
        { name: '/repo/ok.test.ts', status: 'passed', assertionResults: [{ status: 'passed', title: 'fine' }] },
      ],
    }
    expect(failedTestsNotes(report, { root: '/repo' })).toEqual([
      'Failed tests (2):',
      '  ✗ apps/runtime/src/runs/runs.test.ts › runs › on PostgreSQL › resumes a run: AssertionError: expected 1 to be 2',
      '  ✗ tests/broken.test.ts: Cannot find module x',
    ])
  })

  it('says nothing when all passed or there is no report, and caps a long list', () => {
    expect(failedTestsNotes(undefined)).toEqual([])
    expect(
      failedTestsNotes({ testResults: [{ name: '/r/a.test.ts', assertionResults: [{ status: 'passed' }] }] }),
    ).toEqual([])
    const many = {
      testResults: [
        {
          name: '/r/a.test.ts',
          assertionResults: Array.from({ length: 4 }, (_, i) => ({ status: 'failed', title: `t${i}` })),
        },
      ],
    }
    const notes = failedTestsNotes(many, { root: '/r', limit: 2 })
    expect(notes).toEqual(['Failed tests (4):', '  ✗ a.test.ts › t0', '  ✗ a.test.ts › t1', '  … and 2 more'])
  })
})

describe('the PostgreSQL line of the summary', () => {
  const pgFile = (statuses: string[]) => ({
    name: '/repo/apps/runtime/src/audit/pg-audit.pg.test.ts',
    assertionResults: statuses.map((status) => ({ status })),
  })
  const other = { name: '/repo/apps/runtime/src/errors.test.ts', assertionResults: [{ status: 'skipped' }] }

  it('says plainly when no server was reachable and how many PostgreSQL tests did not run', () => {
    expect(postgresNote({ testResults: [pgFile(['passed', 'skipped', 'skipped']), pgFile(['skipped']), other] })).toBe(
      'PostgreSQL: none reachable — 3 PostgreSQL tests did not run (start one, or set CAREPATH_TEST_DATABASE_URL).',
    )
  })

  it('counts the PostgreSQL half of a suite run on both databases, not its SQLite half', () => {
    const both = {
      name: '/repo/apps/runtime/src/store/store.test.ts',
      assertionResults: [
        { status: 'passed', ancestorTitles: ['the store on SQLite'] },
        { status: 'skipped', ancestorTitles: ['the store on PostgreSQL', 'transactions'] },
      ],
    }
    expect(postgresNote({ testResults: [both, other] })).toBe(
      'PostgreSQL: none reachable — 1 PostgreSQL tests did not run (start one, or set CAREPATH_TEST_DATABASE_URL).',
    )
  })

  it('says they ran when they did, and that it cannot tell without a report', () => {
    expect(postgresNote({ testResults: [pgFile(['passed', 'failed']), pgFile(['passed']), other] })).toBe(
      'PostgreSQL: reachable — 3 PostgreSQL tests ran.',
    )
    expect(postgresNote(undefined)).toMatch(/no report, so whether the PostgreSQL tests ran is not known/)
  })

  it('reads a real vitest report: with no server reachable the PostgreSQL tests are skipped and counted', () => {
    const report = join(dir, 'unit-report.json')
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        'apps/runtime/src/db/open-pg.pg.test.ts',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      // Port 1 on the loopback: nothing answers there.
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CAREPATH_TEST_DATABASE_URL: 'postgres://x@127.0.0.1:1/none' },
        timeout: TEST_WAIT_MS,
      },
    )
    expect(run.error, 'the inner vitest run ran to its end').toBeUndefined()
    expect(run.status).toBe(0)
    expect(postgresNote(JSON.parse(readFileSync(report, 'utf8')))).toBe(
      'PostgreSQL: none reachable — 2 PostgreSQL tests did not run (start one, or set CAREPATH_TEST_DATABASE_URL).',
    )
  })
})
