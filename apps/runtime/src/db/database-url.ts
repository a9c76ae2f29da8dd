// The PostgreSQL URL an installation is named by: checked, masked for messages, and read from
// --database or the environment. Apart from open-pg.ts so a command can decide between SQLite
// and PostgreSQL without loading the driver and drizzle.

/** The database could not be opened; the message is a sentence for the operator. */
export class PgOpenError extends Error {
  override readonly name = 'PgOpenError'
  constructor(
    readonly code: 'bad-url' | 'unreachable' | 'refused' | 'migration-failed',
    message: string,
  ) {
    super(message)
  }
}

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(not a URL)'
  }
}

/** Refuse anything but a postgres:// or postgresql:// URL, before a connection is tried. */
export function checkDatabaseUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PgOpenError(
      'bad-url',
      `"${url}" is not a database URL; write it as postgres://user:password@host:5432/name.`,
    )
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new PgOpenError(
      'bad-url',
      `${redactUrl(url)} is not a PostgreSQL URL (it must start with postgres:// or postgresql://).`,
    )
  return url
}

/** `--database` first, then CAREPATH_DATABASE_URL; undefined when neither names one (SQLite under --data). */
export function databaseUrlFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = option ?? env['CAREPATH_DATABASE_URL']
  return url ? checkDatabaseUrl(url) : undefined
}
