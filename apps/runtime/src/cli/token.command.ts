// `carepath token create USER --name NAME --scopes a,b [--days N] [--data DIR]`: an API token for a
// system acting as USER (e.g. CI pushing flows with flows:read,flows:write). The secret is printed
// once, on stdout alone so it can be piped into a secret store; only its hash is kept (audited).
import { resolve } from 'node:path'
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { createRuntime } from '../runtime.ts'
import { CliError, parseArgs } from './cli-io.ts'

const USAGE = 'usage: carepath token create USER --name NAME --scopes a,b [--days N] [--data DIR]'

const isScope = (value: string): value is ApiTokenScope => API_TOKEN_SCOPES.some((scope) => scope === value)

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, { options: ['name', 'scopes', 'days', 'data'] })
  const [sub, username] = positionals
  const name = options.get('name')
  if (sub !== 'create' || !username || !name) throw new CliError(USAGE)
  const scopes = (options.get('scopes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = scopes.filter((s) => !isScope(s))
  if (scopes.length === 0 || unknown.length > 0)
    throw new CliError(`--scopes takes a comma-separated list of ${API_TOKEN_SCOPES.join(', ')}`)
  const daysText = options.get('days')
  const days = daysText === undefined ? undefined : Number(daysText)
  if (days !== undefined && !Number.isInteger(days)) throw new CliError('--days must be a whole number of days')
  const runtime = await createRuntime({ dataDir: resolve(options.get('data') ?? './data') })
  try {
    const created = await runtime.auth.createApiToken(
      { username, name, scopes: scopes.filter(isScope), expiresInDays: days },
      { who: 'carepath-cli', role: 'system' },
    )
    console.error(
      `Token "${name}" for ${username} (${scopes.join(', ')}), valid until ${created.expiresAt}. It is shown once:`,
    )
    console.log(created.token)
  } catch (error) {
    if (error instanceof AppError) throw new CliError(error.message)
    throw error
  } finally {
    await runtime.close()
  }
  return 0
}
