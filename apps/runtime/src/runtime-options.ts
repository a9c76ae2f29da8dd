// What a caller may choose when it creates a runtime (serve, the CLI, tests, benches), kept apart
// from the wiring so the choices can be read, and documented, in one place.
import type { CarepathPlugin, ConnectorAdapter, NodeRegistry, RetryPolicy } from '@carepath/dsl'
import type { CustomFetch } from 'openid-client'
import type { SessionPolicy } from './auth/auth.service.ts'
import type { OidcConfigInput } from './auth/oidc.service.ts'
import type { RelyingParty } from './auth/webauthn.ts'
import type { SimulationPort } from './review/simulation-port.ts'

/** What `createRuntime` may be given; every field is optional. */
export interface RuntimeOptions {
  /** Directory holding the database file (default ./data); with PostgreSQL, the key file and audit anchor. */
  dataDir?: string
  /**
   * A PostgreSQL database (`postgres://…`) instead of the SQLite file: the same schema, and
   * several runtime processes may share it.
   */
  database?: string
  /** Connections each process keeps to PostgreSQL (default 10). */
  databasePoolSize?: number
  /** How long a run's step is this process's before another may take the run over (ms; runs.service.ts). */
  runLeaseMs?: number
  /** The database file itself, overriding dataDir (tests use a temp file). */
  dbFile?: string
  /** The clock (tests move it to expire sessions). */
  now?: () => Date
  /**
   * Extension packages installed next to the built-in one (`carepath serve` loads the ones the
   * installation's carepath.config.json lists): their node types join the registry and their
   * connectors are built from the stored settings like the built-in ones.
   */
  plugins?: readonly CarepathPlugin[]
  /** Installed node types, overriding the composed registry (tests). */
  registry?: NodeRegistry
  /** Connector adapters; built from the installed packages and the stored settings when absent. */
  connectors?: Record<string, ConnectorAdapter>
  /** The simulator used on submit; the engine's by default. */
  simulation?: SimulationPort
  /** How long sessions last (default: 15 minutes idle, 12 hours in all). */
  session?: Partial<SessionPolicy>
  /** How long a message that matches no waiting run is kept for one (ms, default one day). */
  unmatchedEventRetentionMs?: number
  /** Largest request body accepted over HTTP (express `limit` syntax, default 1mb). */
  bodyLimit?: string | number
  /** The installation's key file, kept outside the database (default: carepath.keys.json beside it, or CAREPATH_KEY_FILE). */
  keyFile?: string
  /** The append-only file audit checkpoints are anchored in (default: audit-anchor.jsonl beside the database, or CAREPATH_AUDIT_ANCHOR). */
  anchorFile?: string
  /** Single sign-on through an OpenID Connect provider (`serve --oidc FILE`). */
  oidc?: OidcConfigInput
  /** Passkeys' relying party (id = the host name people use, and the origins accepted); by default the request's own. */
  webauthn?: Partial<RelyingParty>
  /**
   * Behind a reverse proxy: which proxies' X-Forwarded-For to believe (express's `trust proxy`:
   * 'loopback', a subnet, or a hop count), so log-in throttling sees each client's own address.
   */
  trustProxy?: string
  /** openid-client's HTTP, for tests that stand between the runtime and the IdP. */
  oidcFetch?: CustomFetch
  /** How often audit checkpoints are signed (records, ms); see AuditTrailOptions. */
  checkpoints?: { every?: number; delayMs?: number }
  /** The retry policy of connector calls whose node sets none (DEFAULT_RETRY when absent). */
  retry?: RetryPolicy
  /** Waits between connector attempts (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>
  /**
   * False leaves out the incident and metrics observers of run batches, for the benchmark that
   * measures what they cost (bench/observers.bench.ts). No incidents are recorded without them:
   * never for an installation.
   */
  operationsObservers?: boolean
}

/** Connector calls are tried three times, 1 s then 2 s apart, unless their node says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1000, factor: 2, maxBackoffMs: 30_000 }
