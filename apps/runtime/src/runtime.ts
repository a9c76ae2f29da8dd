import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { composeCatalog } from '@carepath/catalog'
import {
  declaredConnectors,
  type CarepathPlugin,
  type ConnectorAdapter,
  type JsonValue,
  type NodeRegistry,
} from '@carepath/dsl'
import { createAuditService } from './audit/audit.service.ts'
import { integrationsSet } from './audit/audit-entries.ts'
import { createAuthService, type SessionPolicy } from './auth/auth.service.ts'
import { databaseFile, openDb, type Db } from './db/open-db.ts'
import { AppError } from './errors.ts'
import { settings } from './db/schema.ts'
import { createFlowsService } from './flows/flows.service.ts'
import {
  builtinPlugin,
  composeSettingsSchema,
  createConnectorAdapters,
  isConnectorConfigured,
  type IntegrationSettings,
} from './integrations/index.ts'
import { createReviewService } from './review/review.service.ts'
import { createSimulationPort, type SimulationPort } from './review/simulation-port.ts'
import { createRunViews } from './runs/run-view.ts'
import { createRunsService } from './runs/runs.service.ts'
import { createTasksService } from './runs/tasks.service.ts'
import { createScheduler } from './schedules/scheduler.ts'
import { createEventsService } from './events/events.service.ts'
import { createMigrationsService } from './migrations/migrations.service.ts'

export interface RuntimeOptions {
  /** Directory holding the database file (default ./data). */
  dataDir?: string
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
  session?: Partial<SessionPolicy>
  /** How long a message that matches no waiting run is kept for one (ms, default one day). */
  unmatchedEventRetentionMs?: number
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
  // The built-in package and the configured ones; validation asks the stored settings, live,
  // whether each connector a flow calls is configured.
  const catalog = composeCatalog([builtinPlugin, ...(options.plugins ?? [])], {
    connectors: { isConfigured: (name) => connectorConfigured(name) },
  })
  const registry = options.registry ?? catalog.registry
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
  const buildAdapters = (value: IntegrationSettings) => createConnectorAdapters(value, {}, catalog.connectors)
  const connectors: Record<string, ConnectorAdapter> = {
    ...(options.connectors ?? buildAdapters(integrationSettings())),
  }
  function integrationSettings(): IntegrationSettings {
    const value = readSetting(INTEGRATIONS_KEY)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
  }
  function connectorConfigured(name: string): boolean {
    const connector = catalog.connectors.find((c) => c.name === name)
    return connector !== undefined && isConnectorConfigured(connector, integrationSettings())
  }

  const runs = createRunsService({ db, audit, now, registry, flows, connectors, auditSecret: secret })
  const runViews = createRunViews({ runs, audit })
  const tasks = createTasksService({
    runs,
    audit,
    now,
    flowRolesOf: (username) => auth.listUsers().find((u) => u.username === username && !u.disabled)?.flowRoles,
  })
  const schedules = createScheduler({ db, audit, now, registry, flows, runs })
  const migrations = createMigrationsService({ db, audit, now, registry, flows, runs })
  const events = createEventsService({ db, audit, now, runs, retentionMs: options.unmatchedEventRetentionMs })

  // A save may hold the host's keys and one per connector an installed node type declares or an
  // installed package provides; anything else is a typo or a package that is not installed.
  const settingsKeys = Object.keys(
    composeSettingsSchema([...catalog.connectors, ...declaredConnectors(registry.list())], 'strict').shape,
  ).sort()

  /** Connector settings (developer): stored, audited, and applied to new steps at once. */
  const integrations = {
    get: integrationSettings,
    /** Refuses a key no installed connector uses, rather than storing what nothing would read. */
    set(value: Record<string, JsonValue>, actor: { who: string; role: string }) {
      const unknown = Object.keys(value).find((key) => !settingsKeys.includes(key))
      if (unknown !== undefined) {
        throw new AppError(
          'bad-input',
          `"${unknown}" is not a setting of this installation: no installed package has a connector that uses it (settings: ${settingsKeys.join(', ')}).`,
          { path: unknown },
        )
      }
      db.transaction(() => {
        db.insert(settings)
          .values({ key: INTEGRATIONS_KEY, value })
          .onConflictDoUpdate({ target: settings.key, set: { value } })
          .run()
        audit.append(integrationsSet(actor, Object.keys(value)))
      })
      if (!options.connectors) {
        for (const key of Object.keys(connectors)) delete connectors[key]
        Object.assign(connectors, buildAdapters(value))
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
    schedules,
    events,
    migrations,
    integrations,
    close: () => db.$client.close(),
  }
}
export type Runtime = ReturnType<typeof createRuntime>
