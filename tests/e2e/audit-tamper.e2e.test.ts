// Tampering with the audit trail behind the runtime's back (one record's content edited in the
// database file, past its append-only trigger) is caught by the auditor's "Verify chain", which names the first broken record.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { e2eSession, repoRoot, screenshot } from './harness.ts'

interface Sqlite {
  prepare(sql: string): { run(...params: unknown[]): { changes: number } }
  close(): void
}
// The runtime's own SQLite driver (the repository root does not depend on it).
const Database = createRequire(join(repoRoot, 'apps/runtime/package.json'))('better-sqlite3') as new (
  file: string,
) => Sqlite

const session = e2eSession()

it('the auditor sees an intact chain, then the first record edited in the database named as broken', async () => {
  const auditor = await session.login('auditor')
  await auditor.getByTestId('nav-audit').click()
  await auditor.getByTestId('audit-list').waitFor()
  await auditor.getByTestId('audit-verify').click()
  await expect.poll(() => auditor.getByTestId('audit-verify-result').textContent()).toMatch(/Chain intact: \d+ records/)

  const db = new Database(join(session.runtime.dataDir, 'carepath.db'))
  const tamper = `UPDATE audit_log SET record = replace(record, '"outcome":"success"', '"outcome":"failure"') WHERE seq = 3`
  try {
    // The database itself refuses edits; someone with the file can still drop that guard.
    expect(() => db.prepare(tamper).run()).toThrow(/append-only/)
    db.prepare('DROP TRIGGER audit_log_no_update').run()
    expect(db.prepare(tamper).run().changes).toBe(1)
  } finally {
    db.close()
  }

  await auditor.getByTestId('audit-verify').click()
  await expect
    .poll(() => auditor.getByTestId('audit-verify-result').textContent())
    .toMatch(/Chain broken at record #3: its content does not match its hash/)
  await auditor.getByTestId('audit-verify-result').getByRole('button', { name: '#3' }).click()
  await expect(auditor.getByTestId('audit-detail').getAttribute('aria-label')).resolves.toBe('Audit record 3')
  // The list was re-read with the check: the drawer shows the edited content, not the one first loaded.
  await expect.poll(() => auditor.getByTestId('audit-detail').textContent()).toContain('failure')
  await screenshot(auditor, 'audit-chain-broken')
  await auditor.context().close()
})
