// `carepath audit verify [--data DIR] [--keys FILE] [--audit-anchor FILE] [--json]`: recompute the
// keyed hash chain, hold it against the signed checkpoints, and name the first broken record.
// `--database postgres://…` (with --keys and --audit-anchor) reads an installation on PostgreSQL.
// `carepath audit archive --out FILE [--from N] [--to N]`: write a signed archive of the trail.
// `carepath audit verify --archive FILE [--keys FILE | --public-key FILE]`: check one offline.
// `carepath audit public-key`: print the key that verifies checkpoints and archives (PEM).
import { createPublicKey, verify } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defaultAnchorFile, fileAnchor } from '../audit/audit-checkpoints.ts'
import { verifyTrailOnThreads } from '../audit/audit-verify.ts'
import { openReadOnlySqliteStore } from '../store/sql-store.ts'
import type { SqlStore, Store } from '../store/store.ts'
import { databaseFile } from '../db/database-file.ts'
import { checkDatabaseUrl, PgOpenError, redactUrl } from '../db/database-url.ts'
import { defaultKeyFile, KEYS_MARKER, openInstallationKeys } from '../keys/installation-keys.ts'
import { KeyStoreError, keyStoreOf, readKeyFile, type KeyStore } from '../keys/key-store.ts'
import { CliError, parseArgs } from './cli-io.ts'

const USAGE = [
  'usage: carepath audit verify [--data DIR] [--keys FILE] [--audit-anchor FILE] [--json]',
  '       carepath audit verify --database postgres://… --keys FILE --audit-anchor FILE [--json]',
  '       carepath audit verify --archive FILE [--keys FILE | --public-key FILE] [--json]',
  '       carepath audit archive --out FILE [--from N] [--to N] [--data DIR | --database postgres://…] [--keys FILE]',
  '       carepath audit public-key [--data DIR] [--keys FILE]',
].join('\n')

/** The installation's keys from their file alone (no database: an archive is checked offline). */
function keyFileStore(file: string): KeyStore {
  try {
    return keyStoreOf(readKeyFile(file))
  } catch (error) {
    if (error instanceof KeyStoreError) throw new CliError(error.message)
    throw new CliError(`The key file ${file} cannot be read.`)
  }
}

async function verifyArchiveFile(options: Map<string, string>, json: boolean, keyFile: string): Promise<number> {
  const { verifyArchive } = await import('../audit/audit-archive.ts')
  const file = resolve(options.get('archive')!)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new CliError(`The archive ${file} cannot be read.`)
  }
  let verdict
  const pem = options.get('public-key')
  if (pem) {
    let key: ReturnType<typeof createPublicKey>
    try {
      key = createPublicKey(readFileSync(resolve(pem), 'utf8'))
    } catch {
      throw new CliError(`${pem} is not a public key (PEM); print one with \`carepath audit public-key\`.`)
    }
    verdict = verifyArchive(text, {
      verifyKey: (data, signature) => {
        try {
          return verify(null, Buffer.from(data, 'utf8'), key, Buffer.from(signature, 'base64'))
        } catch {
          return false
        }
      },
    })
  } else verdict = verifyArchive(text, keyFileStore(keyFile))
  if (json) console.log(JSON.stringify(verdict))
  else if (verdict.ok) console.log(`Archive intact: ${verdict.records} records, signed by this installation.`)
  else {
    console.log(`Archive NOT intact (${file}):`)
    for (const problem of verdict.problems) console.log(`  - ${problem}`)
  }
  return verdict.ok ? 0 : 1
}

function seqOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a record number (1 or more)`)
  return n
}

export async function run(args: string[]): Promise<number> {
  const { positionals, options, flags } = parseArgs(args, {
    options: ['data', 'database', 'keys', 'audit-anchor', 'archive', 'public-key', 'out', 'from', 'to'],
    flags: ['json'],
  })
  const command = positionals[0]
  if (!['verify', 'archive', 'public-key'].includes(command ?? '') || positionals.length > 1) throw new CliError(USAGE)
  const file = databaseFile(resolve(options.get('data') ?? './data'))
  const keyFile = resolve(options.get('keys') ?? defaultKeyFile(file))
  if (command === 'verify' && options.has('archive')) return verifyArchiveFile(options, flags.has('json'), keyFile)
  if (options.has('public-key') || options.has('archive')) throw new CliError(USAGE)
  if (command === 'public-key') {
    process.stdout.write(keyFileStore(keyFile).verifyKeyPem)
    return 0
  }
  const trail = await openTrail(options, file, keyFile)
  const { store, keys, where } = trail
  try {
    if (command === 'archive') {
      const out = options.get('out')
      if (!out) throw new CliError('carepath audit archive needs --out FILE')
      let archive
      const { buildArchive } = await import('../audit/audit-archive.ts')
      try {
        archive = await buildArchive(store, keys, {
          fromSeq: seqOption(options.get('from'), 'from'),
          toSeq: seqOption(options.get('to'), 'to'),
          now: new Date(),
        })
      } catch (error) {
        if (error instanceof RangeError) throw new CliError(error.message)
        throw error
      }
      try {
        writeFileSync(resolve(out), JSON.stringify(archive) + '\n', { mode: 0o600, flag: 'wx' })
      } catch {
        throw new CliError(`${resolve(out)} cannot be written (it may exist already: an archive is never overwritten).`)
      }
      console.log(
        `Wrote ${resolve(out)}: audit records ${archive.fromSeq}..${archive.toSeq} and ${archive.runs.length} runs, signed (key ${archive.keyId}).`,
      )
      return 0
    }
    const anchor = fileAnchor(trail.anchorFile)
    let result
    try {
      result = await verifyTrailOnThreads(store, keys, anchor, { file: trail.file })
    } catch {
      throw new CliError(`${where}: the audit trail could not be read (the database may be damaged)`)
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
    await trail.close()
  }
}

interface OpenedTrail {
  store: SqlStore
  keys: KeyStore
  /** The database, for messages. */
  where: string
  /** The SQLite file (verify's worker threads open it); undefined on PostgreSQL. */
  file: string | undefined
  anchorFile: string
  close(): Promise<void>
}

/**
 * The trail to read: the SQLite file under --data (read-only), or the PostgreSQL database of
 * --database (or CAREPATH_DATABASE_URL when no --data is given), with its key file and anchor.
 */
async function openTrail(options: Map<string, string>, file: string, keyFile: string): Promise<OpenedTrail> {
  let url: string | undefined
  try {
    // Not databaseUrlFrom: it falls back to the environment, and --data must win over it here.
    const named = options.get('database') ?? (options.has('data') ? undefined : process.env.CAREPATH_DATABASE_URL)
    url = named ? checkDatabaseUrl(named) : undefined
  } catch (error) {
    if (error instanceof PgOpenError) throw new CliError(error.message)
    throw error
  }
  if (url) return openPgTrail(options, url)
  if (!existsSync(file)) throw new CliError(`no database at ${file}`)
  // Read-only through the SQL executor alone: verifying loads neither drizzle nor the PostgreSQL driver.
  let store: SqlStore
  try {
    store = openReadOnlySqliteStore(file)
  } catch {
    throw new CliError(`${file} cannot be opened as a Carepath database`)
  }
  try {
    const keys = await openInstallationKeys(store, keyFile, { readonly: true })
    return {
      store,
      keys,
      where: file,
      file,
      anchorFile: resolve(options.get('audit-anchor') ?? defaultAnchorFile(file)),
      close: () => store.sql.close(),
    }
  } catch (error) {
    await store.sql.close()
    if (error instanceof KeyStoreError) throw new CliError(error.message)
    throw error
  }
}

/** A PostgreSQL installation has no directory: its key file and anchor are named. */
async function openPgTrail(options: Map<string, string>, url: string): Promise<OpenedTrail> {
  const keyFile = options.get('keys') ?? process.env.CAREPATH_KEY_FILE
  const anchorFile = options.get('audit-anchor') ?? process.env.CAREPATH_AUDIT_ANCHOR
  if (!keyFile || !anchorFile)
    throw new CliError(
      'On PostgreSQL, name the key file and the audit anchor: --keys FILE --audit-anchor FILE (or CAREPATH_KEY_FILE and CAREPATH_AUDIT_ANCHOR).',
    )
  const keys = keyFileStore(resolve(keyFile))
  const { openPgStore } = await import('../store/open-store.ts')
  let store: Store
  try {
    store = await openPgStore(url, { max: 2 })
  } catch (error) {
    if (error instanceof PgOpenError) throw new CliError(error.message)
    throw error
  }
  try {
    const marker = await store.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [KEYS_MARKER])
    const installation = marker ? (JSON.parse(marker.value) as unknown) : undefined
    if (typeof installation === 'string' && installation !== keys.installation)
      throw new CliError(
        `The key file ${resolve(keyFile)} belongs to another installation (${keys.installation}); this database needs the key file of installation ${installation}.`,
      )
  } catch (error) {
    await store.close()
    throw error
  }
  return {
    store,
    keys,
    where: redactUrl(url),
    file: undefined,
    anchorFile: resolve(anchorFile),
    close: () => store.close(),
  }
}
