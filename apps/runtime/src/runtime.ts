import { eq } from 'drizzle-orm'
import { composeCatalog } from '@carepath/catalog'
import {
  declaredConnectors,
  definePlugin,
  provideConnector,
  type CarepathPlugin,
  type ConnectorAdapter,
  type JsonValue,
  type NodeRegistry,
  type RetryPolicy,
} from '@carepath/dsl'
import { defaultAnchorFile, fileAnchor } from './audit/audit-checkpoints.ts'
import { createAuditService } from './audit/audit.service.ts'
import { integrationsSet } from './audit/audit-entries.ts'
import { createAuthService, type SessionPolicy } from './auth/auth.service.ts'
import { createMfaService } from './auth/mfa.service.ts'
import { createOidcService, type OidcConfigInput } from './auth/oidc.service.ts'
import type { CustomFetch } from 'openid-client'
import { databaseFile, openDb, type Db } from './db/open-db.ts'
import { AppError } from './errors.ts'
import { settings } from './db/schema.ts'
import { createFlowsService } from './flows/flows.service.ts'
import { createDataCipher } from './keys/data-cipher.ts'
import { defaultKeyFile, openInstallationKeys } from './keys/installation-keys.ts'
import { rotateKek, swappableKeyStore } from './keys/key-rotation.ts'
import {
  builtinPlugin,
  composeSettingsSchema,
  createConnectorAdapters,
  isConnectorConfigured,
  type IntegrationSettings,
} from './integrations/index.ts'
import { createAlertsService } from './operations/alerts.service.ts'
import { createDeadLetters } from './operations/dead-letters.service.ts'
import { createIncidentStore, incidentObserver } from './operations/incident-store.ts'
import { createMetricsWriter } from './operations/metrics-rollup.ts'
import { createMetricsService } from './operations/metrics.service.ts'
import { createPrometheusRegistry } from './operations/prometheus.ts'
import { createIncidentsService } from './operations/incidents.service.ts'
import { hl7OutConnector } from '@carepath/nodes'
import { createHl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import { createReviewService } from './review/review.service.ts'
import { createQueuesService } from './queues/queues.service.ts'
import { createSimulationPort, type SimulationPort } from './review/simulation-port.ts'
import { createRetentionService } from './keys/retention.service.ts'
import { createBreakGlassService } from './phi/break-glass.service.ts'
import { createRunViews } from './runs/run-view.ts'
import { createAuditSearch } from './audit/audit-search.ts'
import type { RelyingParty } from './auth/webauthn.ts'
import { patientIndexObserver } from './audit/patient-index.ts'
import { createRunsService } from './runs/runs.service.ts'
import { createTasksService } from './runs/tasks.service.ts'

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
}

/** Connector calls are tried three times, 1 s then 2 s apart, unless their node says otherwise. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1000, factor: 2, maxBackoffMs: 30_000 }

const INTEGRATIONS_KEY = 'integrations'

/** Everything the API layers call: one database, one clock, the services over them. */
export function createRuntime(options: RuntimeOptions = {}) {
  const file = options.dbFile ?? databaseFile(options.dataDir ?? './data')
  const db: Db = openDb(file)
  const now = options.now ?? (() => new Date())
  // The built-in package and the configured ones; validation asks the stored settings, live,
  // whether each connector a flow calls is configured.
  // hl7.send's messages wait in this database until their receiver acknowledges them.
  const hl7Outbound = createHl7Outbound({ db, now })
  const runtimePlugin = definePlugin({
    name: '@carepath/runtime',
    nodeTypes: [],
    connectors: [
      provideConnector(hl7OutConnector, (value) => {
        hl7Outbound.configure(value)
        return hl7Outbound.adapter
      }),
    ],
  })
  const catalog = composeCatalog([builtinPlugin, runtimePlugin, ...(options.plugins ?? [])], {
    connectors: { isConfigured: (name) => connectorConfigured(name) },
  })
  const registry = options.registry ?? catalog.registry
  // The keys live outside the database; a database that had a key file refuses to open without it.
  const keyFile = options.keyFile ?? defaultKeyFile(file)
  let keys
  try {
    keys = swappableKeyStore(openInstallationKeys(db, keyFile))
  } catch (error) {
    db.$client.close()
    throw error
  }
  const audit = createAuditService(db, now, {
    keys,
    anchor: fileAnchor(options.anchorFile ?? defaultAnchorFile(file)),
    ...(options.checkpoints?.every ? { checkpointEvery: options.checkpoints.every } : {}),
    ...(options.checkpoints?.delayMs ? { checkpointDelayMs: options.checkpoints.delayMs } : {}),
  })
  const mfa = createMfaService({ db, audit, now, keys })
  // PHI at rest (run events, task requests, the inbound HL7 store) is sealed under data keys this wraps.
  const cipher = createDataCipher(db, keys, now)
  const auth = createAuthService(
    db,
    audit,
    now,
    { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000, ...options.session },
    mfa,
  )
  const oidc = options.oidc
    ? createOidcService(options.oidc, {
        db,
        audit,
        auth,
        mfa,
        now,
        ...(options.oidcFetch ? { fetch: options.oidcFetch } : {}),
      })
    : undefined
  const flows = createFlowsService({ db, audit, now, registry })
  const queues = createQueuesService({ db, audit, now, registry })
  const review = createReviewService({
    db,
    audit,
    now,
    registry,
    flows,
    queues,
    simulation: options.simulation ?? createSimulationPort(registry),
  })

  const readSetting = (key: string) => db.select().from(settings).where(eq(settings.key, key)).get()?.value
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

  const incidentStore = createIncidentStore(db)
  const runs = createRunsService({
    db,
    audit,
    now,
    registry,
    flows,
    connectors,
    auditSecret: keys.phiReferenceSecret,
    cipher,
    retry: options.retry ?? DEFAULT_RETRY,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    observers: [
      incidentObserver(incidentStore, audit),
      createMetricsWriter(db).observer,
      patientIndexObserver(db, keys.phiReferenceSecret, (flowId, hash) => flows.version(flowId, hash).facts),
    ],
  })
  const incidents = createIncidentsService({ runs, store: incidentStore })
  const deadLetters = createDeadLetters(db, cipher)
  const metrics = createMetricsService(db)
  const alerts = createAlertsService({ db, now, incidents: incidentStore, deadLetters, connectors })
  const prometheus = createPrometheusRegistry(metrics, {
    incidentsOpen: () => incidents.count({ status: 'open' }),
    deadLettersOpen: () => deadLetters.count({ status: 'open' }),
  })
  const breakGlass = createBreakGlassService({ db, audit, now, runs })
  const retention = createRetentionService({ db, audit, cipher, now })
  const runViews = createRunViews({ runs, audit, revealed: breakGlass.revealedClasses })
  const tasks = createTasksService({ runs, audit, now })
  const auditSearch = createAuditSearch({
    db,
    audit,
    secret: keys.phiReferenceSecret,
    version: (flowId, hash) => flows.version(flowId, hash),
  })

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
    auditSearch,
    auth,
    mfa,
    oidc,
    flows,
    queues,
    review,
    runs,
    runViews,
    tasks,
    incidents,
    deadLetters,
    metrics,
    prometheus,
    alerts,
    integrations,
    keys,
    cipher,
    hl7Outbound,
    /** Rotate the key-encryption key in place (no restart): re-wraps every data key and TOTP secret. */
    rotateKeys: (actor: { who: string; role: string }) => rotateKek({ file: keyFile, keys, db, cipher, audit, actor }),
    breakGlass,
    retention,
    close: () => {
      hl7Outbound.close()
      audit.close()
      db.$client.close()
    },
  }
}
export type Runtime = ReturnType<typeof createRuntime>
