// `carepath audit verify [--data DIR] [--keys FILE] [--audit-anchor FILE] [--json]`: recompute the
// keyed hash chain, hold it against the signed checkpoints, and name the first broken record.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { defaultAnchorFile, fileAnchor } from '../audit/audit-checkpoints.ts'
import { verifyTrail } from '../audit/audit-verify.ts'
import { databaseFile, openDb } from '../db/open-db.ts'
import { defaultKeyFile, openInstallationKeys } from '../keys/installation-keys.ts'
import { KeyStoreError } from '../keys/key-store.ts'
import { CliError, parseArgs } from './cli-io.ts'

const USAGE = 'usage: carepath audit verify [--data DIR] [--keys FILE] [--audit-anchor FILE] [--json]'

export async function run(args: string[]): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, {
    options: ['data', 'keys', 'audit-anchor'],
    flags: ['json'],
  })
  if (positionals[0] !== 'verify' || positionals.length > 1) throw new CliError(USAGE)
  const file = databaseFile(resolve(options.get('data') ?? './data'))
  if (!existsSync(file)) throw new CliError(`no database at ${file}`)
  let db
  try {
    db = openDb(file, { readonly: true })
  } catch {
    throw new CliError(`${file} cannot be opened as a Carepath database`)
  }
  try {
    let keys
    try {
      keys = openInstallationKeys(db, resolve(options.get('keys') ?? defaultKeyFile(file)), { readonly: true })
    } catch (error) {
      if (error instanceof KeyStoreError) throw new CliError(error.message)
      throw error
    }
    const anchor = fileAnchor(resolve(options.get('audit-anchor') ?? defaultAnchorFile(file)))
    let result
    try {
      result = verifyTrail(db, keys, anchor)
    } catch {
      throw new CliError(`${file}: the audit trail could not be read (the file may be damaged)`)
    }
    if (flags.has('json')) console.log(JSON.stringify(result))
    else if (result.ok)
      console.log(
        `Audit trail intact: ${result.checked} records verified` +
          (result.checkpoint
            ? `, up to the checkpoint of record ${result.checkpoint.seq} signed at ${result.checkpoint.at}.`
            : '.'),
      )
    else {
      console.log(
        result.firstBroken
          ? `Audit trail BROKEN at record ${result.firstBroken.seq}: ${result.firstBroken.reason} (${result.checked} records before it verified).`
          : `Audit trail BROKEN (${result.checked} records verified).`,
      )
      for (const problem of result.problems) console.log(`  - ${problem}`)
    }
    return result.ok ? 0 : 1
  } finally {
    db.$client.close()
  }
}
