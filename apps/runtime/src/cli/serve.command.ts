// `carepath serve [--port 8080] [--data ./data] [--database postgres://…] [--demo] [--mllp-port N] [--host H] [--body-limit 1mb]
//   [--tls-cert FILE --tls-key FILE] [--mllp-tls [--mllp-tls-cert FILE --mllp-tls-key FILE] [--mllp-client-ca FILE]]
//   [--trust-proxy loopback|SUBNET|HOPS] [--mllp-max-connections N] [--mllp-allow ADDR[,ADDR…]] [--keys FILE] [--audit-anchor FILE] [--oidc FILE]`
// Extension packages come from the installation's carepath.config.json (or CAREPATH_CONFIG).
import { isIP } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seedDemo } from '../demo/demo-seed.ts'
import { PluginConfigError } from '../plugins/plugin-config.ts'
import { loadConfiguredPlugins } from '../plugins/plugin-loader.ts'
import { readFileSync } from 'node:fs'
import { oidcConfigSchema, type OidcConfigInput } from '../auth/oidc.service.ts'
import { TlsConfigError, type TlsFiles } from '../http/tls.ts'
import type { MllpLimits } from '../integrations/hl7/mllp-listener.ts'
import { databaseUrlFrom, PgOpenError, redactUrl } from '../db/database-url.ts'
import { KeyStoreError } from '../keys/key-store.ts'
import { startServer } from '../server.ts'
import { CliError, parseArgs } from './cli-io.ts'

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../examples')

function portOption(value: string | undefined, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--${name} must be a port number (0–65535)`)
  return port
}

/** Single sign-on from a JSON file (the client secret may come from CAREPATH_OIDC_CLIENT_SECRET instead). */
function oidcConfig(file: string): OidcConfigInput {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new CliError(`--oidc: ${file} cannot be read as JSON`)
  }
  const parsed = oidcConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CliError(`--oidc: ${file}: ${issue?.path.join('.') || 'the file'}: ${issue?.message}`)
  }
  return parsed.data
}

/** HTTPS from --tls-cert/--tls-key; MLLPS (--mllp-tls) from its own pair or the same one. */
function tlsOptions(options: Map<string, string>, flags: Set<string>, mllp: boolean) {
  const cert = options.get('tls-cert')
  const key = options.get('tls-key')
  if ((cert === undefined) !== (key === undefined)) throw new CliError('--tls-cert and --tls-key go together')
  const tls: TlsFiles | undefined = cert && key ? { cert: resolve(cert), key: resolve(key) } : undefined
  if (!flags.has('mllp-tls')) {
    for (const name of ['mllp-tls-cert', 'mllp-tls-key', 'mllp-client-ca'])
      if (options.has(name)) throw new CliError(`--${name} needs --mllp-tls`)
    return { tls, mllpTls: undefined }
  }
  if (!mllp) throw new CliError('--mllp-tls needs --mllp-port')
  const mCert = options.get('mllp-tls-cert') ?? cert
  const mKey = options.get('mllp-tls-key') ?? key
  if (!mCert || !mKey)
    throw new CliError(
      '--mllp-tls needs a certificate: --mllp-tls-cert and --mllp-tls-key (or --tls-cert and --tls-key)',
    )
  const ca = options.get('mllp-client-ca')
  const mllpTls: TlsFiles = { cert: resolve(mCert), key: resolve(mKey), ...(ca ? { clientCa: resolve(ca) } : {}) }
  return { tls, mllpTls }
}

/** --mllp-max-connections N and --mllp-allow ADDR[,ADDR…] for the HL7 listener. */
function mllpLimitOptions(options: Map<string, string>, mllp: boolean): MllpLimits | undefined {
  const max = options.get('mllp-max-connections')
  const allow = options.get('mllp-allow')
  if (max === undefined && allow === undefined) return undefined
  if (!mllp) throw new CliError('--mllp-max-connections and --mllp-allow need --mllp-port')
  if (max !== undefined && !(Number.isInteger(Number(max)) && Number(max) > 0))
    throw new CliError('--mllp-max-connections must be a whole number above 0')
  const senders = allow
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  if (senders && senders.some((a) => !isIP(a)))
    throw new CliError('--mllp-allow takes IP addresses separated by commas')
  return {
    ...(max !== undefined ? { maxConnections: Number(max) } : {}),
    ...(senders ? { allowedSenders: senders } : {}),
  }
}

export async function run(args: string[]): Promise<number> {
  const { options, flags, positionals } = parseArgs(args, {
    flags: ['demo', 'mllp-tls'],
    options: [
      'port',
      'data',
      'database',
      'mllp-port',
      'host',
      'body-limit',
      'idle-minutes',
      'tls-cert',
      'tls-key',
      'mllp-tls-cert',
      'mllp-tls-key',
      'mllp-client-ca',
      'mllp-max-connections',
      'mllp-allow',
      'trust-proxy',
      'keys',
      'audit-anchor',
      'oidc',
    ],
  })
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`)
  const port = portOption(options.get('port') ?? process.env.PORT, 'port', 8080) as number
  // Passed through for the inbound HL7 (MLLP) listener, which the integrations module starts.
  const mllpPort = portOption(options.get('mllp-port'), 'mllp-port', undefined)
  const idle = options.get('idle-minutes')
  if (idle !== undefined && !(Number(idle) > 0)) throw new CliError('--idle-minutes must be a positive number')
  const dataDir = resolve(options.get('data') ?? './data')
  // PostgreSQL when named (--database, or CAREPATH_DATABASE_URL); the data directory then holds
  // only the key file and the audit anchor.
  let database: string | undefined
  try {
    database = databaseUrlFrom(options.get('database'))
  } catch (error) {
    if (error instanceof PgOpenError) throw new CliError(error.message)
    throw error
  }
  const { tls, mllpTls } = tlsOptions(options, flags, mllpPort !== undefined)
  const mllpLimits = mllpLimitOptions(options, mllpPort !== undefined)
  const oidc = options.has('oidc') ? oidcConfig(resolve(options.get('oidc')!)) : undefined
  const password = process.env.CAREPATH_DEMO_PASSWORD || 'carepath-demo'
  const installed = await loadConfiguredPlugins().catch((error: unknown) => {
    throw error instanceof PluginConfigError ? new CliError(error.message) : error
  })
  let demoLines: string[] = []
  const server = await startServer({
    plugins: installed.plugins,
    port,
    host: options.get('host') ?? '127.0.0.1',
    dataDir,
    ...(database ? { database } : {}),
    ...(mllpPort !== undefined ? { mllpPort } : {}),
    bodyLimit: options.get('body-limit') ?? '1mb',
    ...(tls ? { tls } : {}),
    ...(oidc ? { oidc } : {}),
    ...(mllpTls ? { mllpTls } : {}),
    ...(mllpLimits ? { mllpLimits } : {}),
    ...(options.get('trust-proxy') ? { trustProxy: options.get('trust-proxy')! } : {}),
    ...(options.get('keys') ? { keyFile: resolve(options.get('keys')!) } : {}),
    ...(options.get('audit-anchor') ? { anchorFile: resolve(options.get('audit-anchor')!) } : {}),
    ...(idle ? { session: { idleMs: Number(idle) * 60_000 } } : {}),
    log: (line) => console.error(line),
    beforeReady: async (runtime) => {
      if (!flags.has('demo')) {
        if ((await runtime.auth.userCount()) === 0)
          demoLines = [
            'No user exists yet: create an admin with `carepath user add NAME --role admin --data ' + dataDir + '`.',
          ]
        return
      }
      const demo = await seedDemo(runtime, examplesDir, password)
      if (!demo.created) return
      demoLines = [
        `Demo users (password ${process.env.CAREPATH_DEMO_PASSWORD ? 'from CAREPATH_DEMO_PASSWORD' : '"carepath-demo"'}): ${demo.users.join(', ')}`,
        `Published example flows: ${demo.flows.map((f) => f.id).join(', ') || 'none'}`,
        ...demo.problems.map((p) => `Not loaded: ${p}`),
      ]
    },
  }).catch((error: unknown) => {
    // A key file or certificate problem is the operator's to fix: one plain sentence, exit 2.
    if (error instanceof TlsConfigError || error instanceof KeyStoreError || error instanceof PgOpenError)
      throw new CliError(error.message)
    throw error
  })
  console.log(
    `Carepath is running at ${server.url}  (data: ${database ? redactUrl(database) : join(dataDir, 'carepath.db')})`,
  )
  if (installed.file)
    console.log(
      `Plugins from ${installed.file}: ${installed.plugins.map((plugin) => plugin.name).join(', ') || 'none'}`,
    )
  for (const line of demoLines) console.log(line)
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      console.log('Stopping: finishing requests in flight…')
      server.close().then(resolveStop, resolveStop)
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  return 0
}
