// `carepath audit verify` and `audit archive` on an installation on PostgreSQL: the trail written
// by the audit service through the store, the key file and anchor named, the verdict as the CLI
// prints it, a tampered record named, another installation's key file refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fileAnchor } from '../audit/audit-checkpoints.ts'
import { loggedIn } from '../audit/audit-entries.ts'
import { createAuditService } from '../audit/audit.service.ts'
import { KEYS_MARKER } from '../keys/installation-keys.ts'
import { generateKeyFile, keyStoreOf, writeKeyFile } from '../keys/key-store.ts'
import { openPgStore } from '../store/open-store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { run } from './audit.command.ts'
import { CliError } from './cli-io.ts'

const testPostgres = await findTestPostgres()

/** Run `carepath audit …` in-process; what it printed and its exit code, or the CliError it refused with. */
async function carepathAudit(args: string[]): Promise<{ code: number; out: string } | { refused: string }> {
  const lines: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
  try {
    return { code: await run(args), out: lines.join('\n') }
  } catch (error) {
    if (error instanceof CliError) return { refused: error.message }
    throw error
  } finally {
    log.mockRestore()
  }
}

describe.skipIf(!testPostgres)('carepath audit on PostgreSQL', () => {
  let dir: string
  let database: { url: string; drop(): Promise<void> }
  const contents = generateKeyFile({ legacyAuditThrough: 0 })
  const files = () => ({ keys: join(dir, 'keys.json'), anchor: join(dir, 'anchor.jsonl') })
  const named = () => ['--database', database.url, '--keys', files().keys, '--audit-anchor', files().anchor]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-audit-cli-'))
    database = await testPostgres!.createDatabase('audit-cli')
    writeKeyFile(files().keys, contents)
    const store = await openPgStore(database.url)
    await store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [
      KEYS_MARKER,
      JSON.stringify(contents.installation),
    ])
    const audit = createAuditService(store, () => new Date(), {
      keys: keyStoreOf(contents),
      anchor: fileAnchor(files().anchor),
    })
    for (const who of ['a', 'b', 'c']) await audit.record(loggedIn({ who, role: 'agent' }))
    await audit.close()
    await store.close()
  })
  afterAll(async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('verifies the trail up to its closing checkpoint, and archives it', async () => {
    const verdict = await carepathAudit(['verify', ...named(), '--json'])
    expect(verdict).toMatchObject({ code: 0 })
    expect(JSON.parse((verdict as { out: string }).out)).toMatchObject({ ok: true, checked: 3, checkpoint: { seq: 3 } })
    const out = join(dir, 'archive.json')
    expect(await carepathAudit(['archive', '--out', out, ...named()])).toMatchObject({ code: 0 })
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ fromSeq: 1, toSeq: 3 })
  })

  it('asks for the key file and anchor, and refuses another installation’s key file', async () => {
    expect(await carepathAudit(['verify', '--database', database.url])).toEqual({
      refused: expect.stringMatching(/name the key file and the audit anchor/),
    })
    const other = join(dir, 'other.keys.json')
    writeKeyFile(other, generateKeyFile({ legacyAuditThrough: 0 }))
    expect(
      await carepathAudit(['verify', '--database', database.url, '--keys', other, '--audit-anchor', files().anchor]),
    ).toEqual({ refused: expect.stringMatching(/belongs to another installation/) })
  })

  it('names a record edited behind the triggers’ back', async () => {
    const store = await openPgStore(database.url)
    try {
      await store.sql.run('ALTER TABLE audit_log DISABLE TRIGGER USER')
      await store.sql.run(`UPDATE audit_log SET record = replace(record, '"b"', '"z"') WHERE seq = 2`)
    } finally {
      await store.close()
    }
    const verdict = await carepathAudit(['verify', ...named()])
    expect(verdict).toMatchObject({ code: 1 })
    expect((verdict as { out: string }).out).toMatch(
      /Audit trail BROKEN at record 2: its content does not match its hash/,
    )
  })
})
