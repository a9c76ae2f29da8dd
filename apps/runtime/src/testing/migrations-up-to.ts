// A database as an earlier release left it: the committed migrations of one dialect up to and
// including journal entry `lastIdx`, copied to a folder of their own for drizzle's migrator.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const folders = {
  sqlite: fileURLToPath(new URL('../../drizzle', import.meta.url)),
  postgres: fileURLToPath(new URL('../../drizzle-pg', import.meta.url)),
}

/** The folder (under `dir`) holding the `dialect`'s migrations up to `lastIdx`. */
export function migrationsUpTo(dir: string, lastIdx: number, dialect: keyof typeof folders = 'sqlite'): string {
  const folder = join(dir, `migrations-${dialect}`)
  cpSync(folders[dialect], folder, { recursive: true })
  const journalFile = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number }[] }
  journal.entries = journal.entries.filter((e) => e.idx <= lastIdx)
  writeFileSync(journalFile, JSON.stringify(journal))
  return folder
}
