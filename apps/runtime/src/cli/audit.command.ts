// `carepath audit verify [--data DIR] [--json]`: recompute the hash chain and name the first broken record.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { verifyChain } from '../audit/audit.service.ts'
import { databaseFile, openDb } from '../db/open-db.ts'
import { CliError, parseArgs } from './cli-io.ts'

export async function run(args: string[]): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, { options: ['data'], flags: ['json'] })
  if (positionals[0] !== 'verify' || positionals.length > 1)
    throw new CliError('usage: carepath audit verify [--data DIR] [--json]')
  const file = databaseFile(resolve(options.get('data') ?? './data'))
  if (!existsSync(file)) throw new CliError(`no database at ${file}`)
  let db
  try {
    db = openDb(file, { readonly: true })
  } catch {
    throw new CliError(`${file} cannot be opened as a Carepath database`)
  }
  try {
    const result = verifyChain(db)
    if (flags.has('json')) console.log(JSON.stringify(result))
    else if (result.ok) console.log(`Audit trail intact: ${result.checked} records verified.`)
    else
      console.log(
        `Audit trail BROKEN at record ${result.firstBroken?.seq}: ${result.firstBroken?.reason} (${result.checked} records before it verified).`,
      )
    return result.ok ? 0 : 1
  } catch {
    throw new CliError(`${file}: the audit trail could not be read (the file may be damaged)`)
  } finally {
    db.$client.close()
  }
}
