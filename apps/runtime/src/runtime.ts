import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { registry as installedRegistry } from '@carepath/catalog'
import type { ConnectorAdapter, JsonValue, NodeRegistry } from '@carepath/dsl'
import { createAuditService } from './audit/audit.service.ts'
import { createAuthService, type SessionPolicy } from './auth/auth.service.ts'
import { databaseFile, openDb, type Db } from './db/open-db.ts'
import { settings } from './db/schema.ts'
import { createFlowsService } from './flows/flows.service.ts'
import { createConnectorAdapters, type IntegrationSettings } from './integrations/index.ts'
import { createReviewService } from './review/review.service.ts'
import { createSimulationPort, type SimulationPort } from './review/simulation-port.ts'
import { createRunViews } from './runs/run-view.ts'
import { createRunsService } from './runs/runs.service.ts'
import { createTasksService } from './runs/tasks.service.ts'

export interface RuntimeOptions {
  /** Directory holding the database file (default ./data). */
  dataDir?: string
  /** The database file itself, overriding dataDir (tests use a temp file). */
  dbFile?: string
  /** The clock (tests move it to expire sessions). */
  now?: () => Date
  /** Installed node types; the catalog's registry by default. */
  registry?: NodeRegistry
  /** Connector adapters; built from the stored integration settings when absent. */
  connectors?: Record<string, ConnectorAdapter>
  /** The simulator used on submit; the engine's by default. */
  simulation?: SimulationPort
  session?: Partial<SessionPolicy>
  /** Largest request body accepted over HTTP (express `limit` syntax, default 1mb). */
  bodyLimit?: string | number
}

const SECRET_KEY = 'secret.audit-reference'
const INTEGRATIONS_KEY = 'integrations'

/** Everything the API layers call: one database, one clock, the services over them. */
export function createRuntime(options: RuntimeOptions = {}) {
  const file = options.dbFile ?? databaseFile(options.dataDir ?? './data')
  const db: Db = openDb(file)
  const now = options.now ?? (() => new Date())
  const registry = options.registry ?? installedRegistry
  const audit = createAuditService(db, now)
  const auth = createAuthService(db, audit, now, { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000, ...options.session })
  const flows = createFlowsService({ db, audit, now, registry })
  const review = createReviewService({
    db,
    audit,
    now,
    registry,
    flows,
    simulation: options.simulation ?? createSimulationPort(registry),
  })

  const readSetting = (key: string) => db.select().from(settings).where(eq(settings.key, key)).get()?.value
  let secret = readSetting(SECRET_KEY)
  if (typeof secret !== 'string') {
    secret = randomBytes(32).toString('hex')
    db.insert(settings).values({ key: SECRET_KEY, value: secret }).onConflictDoNothing().run()
  }
  const connectors: Record<string, ConnectorAdapter> = {
    ...(options.connectors ?? createConnectorAdapters(integrationSettings())),
  }
  function integrationSettings(): IntegrationSettings {
    const value = readSetting(INTEGRATIONS_KEY)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
  }

  const runs = createRunsService({ db, audit, now, registry, flows, connectors, auditSecret: secret })
  const runViews = createRunViews({ runs, audit })
  const tasks = createTasksService({ runs, audit, now })

  /** Connector settings (developer): stored, audited, and applied to new steps at once. */
  const integrations = {
    get: integrationSettings,
    set(value: Record<string, JsonValue>, actor: { who: string; role: string }) {
      db.transaction(() => {
        db.insert(settings)
          .values({ key: INTEGRATIONS_KEY, value })
          .onConflictDoUpdate({ target: settings.key, set: { value } })
          .run()
        audit.append({
          action: 'settings.integrations',
          who: actor.who,
          role: actor.role,
          why: { keys: Object.keys(value).sort() },
        })
      })
      if (!options.connectors) {
        for (const key of Object.keys(connectors)) delete connectors[key]
        Object.assign(connectors, createConnectorAdapters(value))
      }
    },
  }

  return {
    db,
    file,
    now,
    registry,
    options,
    audit,
    auth,
    flows,
    review,
    runs,
    runViews,
    tasks,
    integrations,
    close: () => db.$client.close(),
  }
}
export type Runtime = ReturnType<typeof createRuntime>
