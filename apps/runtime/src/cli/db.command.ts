// `carepath db copy --from DIR --to postgres://… [--keys FILE]`: copy a SQLite installation into
// an empty PostgreSQL database (every table, one transaction, values as stored), then check that
// each table holds as many rows on both sides and that the audit chain verifies on PostgreSQL.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { storeAuditPages } from '../audit/audit-recorder.ts'
import { copySqliteToPg, DbCopyError } from '../db/db-copy.ts'
import { databaseFile } from '../db/database-file.ts'
import { openDb } from '../db/open-db.ts'
import { databaseUrlFrom, PgOpenError, redactUrl } from '../db/database-url.ts'
import { openPg } from '../db/open-pg.ts'
import { defaultKeyFile, openInstallationKeys } from '../keys/installation-keys.ts'
import { KeyStoreError } from '../keys/key-store.ts'
import { openPgStore, sqliteStore } from '../store/open-store.ts'
import { CliError, parseArgs } from './cli-io.ts'

const USAGE = 'usage: carepath db copy --from DIR --to postgres://USER:PASSWORD@HOST:5432/NAME [--keys FILE]'

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, { options: ['from', 'to', 'keys'] })
  if (positionals.join(' ') !== 'copy') throw new CliError(USAGE)
  const from = options.get('from')
  if (!from) throw new CliError(`db copy needs --from DIR (the SQLite installation's data directory)\n${USAGE}`)
  let url: string | undefined
  try {
    url = databaseUrlFrom(options.get('to'))
  } catch (error) {
    if (error instanceof PgOpenError) throw new CliError(error.message)
    throw error
  }
  if (!url) throw new CliError(`db copy needs --to postgres://… (or CAREPATH_DATABASE_URL)\n${USAGE}`)
  const file = databaseFile(resolve(from))
  if (!existsSync(file)) throw new CliError(`no Carepath database at ${file}`)
  const source = openDb(file, { readonly: true })
  const sourceStore = sqliteStore(source.$client)
  try {
    const keyFile = resolve(options.get('keys') ?? defaultKeyFile(file))
    let keys
    try {
      keys = await openInstallationKeys(sourceStore, keyFile, { readonly: true })
    } catch (error) {
      if (error instanceof KeyStoreError) throw new CliError(error.message)
      throw error
    }
    const sourceChain = await verifyChainRows(auditRows(storeAuditPages(sourceStore)), keys)
    if (!sourceChain.ok)
      throw new CliError(
        `The audit trail in ${file} is broken at record ${sourceChain.firstBroken?.seq} (${sourceChain.firstBroken?.reason}); run \`carepath audit verify\` and resolve it before copying.`,
      )
    let target
    try {
      target = await openPg(url, { max: 2 })
    } catch (error) {
      if (error instanceof PgOpenError) throw new CliError(error.message)
      throw error
    }
    try {
      const client = await target.$client.connect()
      let counts
      try {
        counts = await copySqliteToPg(source, client)
      } catch (error) {
        if (error instanceof DbCopyError) throw new CliError(error.message)
        throw new CliError(
          `The copy failed and was rolled back, leaving ${redactUrl(url)} empty: ${error instanceof Error ? error.message : String(error)}`,
        )
      } finally {
        client.release()
      }
      // Read back through the store, as a runtime process on PostgreSQL reads it.
      const copied = await openPgStore(url, { max: 1 })
      let chain
      try {
        chain = await verifyChainRows(auditRows(storeAuditPages(copied)), keys)
      } finally {
        await copied.close()
      }
      const mismatched = counts.filter((c) => c.sqlite !== c.postgres)
      const total = counts.reduce((n, c) => n + c.postgres, 0)
      console.log(`Copied ${file} into ${redactUrl(url)}: ${total} rows in ${counts.length} tables.`)
      for (const c of counts.filter((c) => c.sqlite > 0 || c.postgres > 0))
        console.log(
          `  ${c.table.padEnd(20)} ${String(c.postgres).padStart(8)}${c.sqlite === c.postgres ? '' : `  (SQLite has ${c.sqlite})`}`,
        )
      const sameHead = chain.head.seq === sourceChain.head.seq && chain.head.hash === sourceChain.head.hash
      if (chain.ok && sameHead)
        console.log(
          `Audit chain verifies on PostgreSQL: ${chain.checked} record${chain.checked === 1 ? '' : 's'}, the same head as the SQLite trail.`,
        )
      else if (chain.ok)
        console.log(
          `Audit chain on PostgreSQL ends at record ${chain.head.seq}, not at the SQLite trail's ${sourceChain.head.seq}.`,
        )
      else
        console.log(
          `Audit chain on PostgreSQL is BROKEN at record ${chain.firstBroken?.seq}: ${chain.firstBroken?.reason}.`,
        )
      if (mismatched.length > 0) console.log(`Row counts differ in ${mismatched.map((c) => c.table).join(', ')}.`)
      return chain.ok && sameHead && mismatched.length === 0 ? 0 : 1
    } finally {
      await target.$client.end()
    }
  } finally {
    source.$client.close()
  }
}
