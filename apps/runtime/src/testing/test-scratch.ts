// A test run's scratch space (vitest's globalSetup, in both configs). Tests make temporary
// directories and PostgreSQL databases, and each test process keeps a template of each for its
// whole life: nothing removes those when the process ends, and a test that fails or times out
// leaves its own behind. So every run gets a directory of its own as TMPDIR (the test processes
// inherit it) and a tag its databases are named with, and the run's end removes both: a developer's
// /tmp and a PostgreSQL server shared by several people do not fill up run after run.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTestPostgres, TEST_RUN_TAG } from './test-postgres.ts'

export default function scratchSpace(): () => Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'carepath-test-run-'))
  const tag = randomBytes(3).toString('hex')
  process.env['TMPDIR'] = directory
  process.env[TEST_RUN_TAG] = tag
  return async () => {
    rmSync(directory, { recursive: true, force: true })
    const server = await findTestPostgres()
    await server?.dropRun(tag)
  }
}
