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
  nodeTitle,
} from '@carepath/dsl'
import { defaultAnchorFile, fileAnchor } from './audit/audit-checkpoints.ts'
import { createAuditService } from './audit/audit.service.ts'
import { integrationsSet } from './audit/audit-entries.ts'
import { createAuthService, type SessionPolicy } from './auth/auth.service.ts'
import { createMfaService } from './auth/mfa.service.ts'
import { createOidcService, type OidcConfigInput } from './auth/oidc.service.ts'
import type { CustomFetch } from 'openid-client'
import { databaseFile } from './db/database-file.ts'
import { openDb, type Db } from './db/open-db.ts'
import { openPgStore, sqliteStore } from './store/open-store.ts'
import { AppError } from './errors.ts'
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
import { createListenerHealth } from './operations/listener-health.ts'
import { createPrometheusRegistry } from './operations/prometheus.ts'
import { createIncidentsService } from './operations/incidents.service.ts'
import { hl7OutConnector } from '@carepath/nodes'
import { createHl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import { createReviewService } from './review/review.service.ts'
import { createApprovalPolicyService } from './review/approval-policy.ts'
import { createQueuesService } from './queues/queues.service.ts'
import { createSimulationPort, type SimulationPort } from './review/simulation-port.ts'
import { createRetentionService } from './keys/retention.service.ts'
import { createBreakGlassService } from './phi/break-glass.service.ts'
import { createPhiMapService } from './phi/phi-map.service.ts'
import { createRunViews } from './runs/run-view.ts'
import { createReplayService } from './runs/replay.service.ts'
import { createAuditSearch } from './audit/audit-search.ts'
import type { RelyingParty } from './auth/webauthn.ts'
import { patientIndexObserver } from './audit/patient-index.ts'
import { createRunsService } from './runs/runs.service.ts'
import { createTasksService } from './runs/tasks.service.ts'
import { createScheduler } from './schedules/scheduler.ts'
import { createEventsService } from './events/events.service.ts'
import { eventsSettingsSchema } from './events/event-routes.ts'
import { createMigrationsService } from './migrations/migrations.service.ts'
import { sealJson } from './keys/sealed-json.ts'
import { createSettingsRevisions } from './settings-review/settings-revisions.service.ts'
import {
  INTEGRATIONS_AAD,
  INTEGRATIONS_KEY,
  openSettingsSnapshot,
  SETTINGS_TOPIC,
} from './settings-review/settings-snapshot.ts'
import { writeSetting } from './review/stored-setting.ts'
import { createLaunchService } from './embed/launch.service.ts'
import { launchKeyFrom } from './embed/launch-token.ts'
import { createAttachmentsService } from './evidence/attachments.service.ts'
import { createChangeNoticesService } from './notices/change-notices.service.ts'

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

/** Everything the API layers call: one database, one clock, the services over them. */
export async function createRuntime(options: RuntimeOptions = {}) {
  // With PostgreSQL this names no database, only where the key file and audit anchor sit beside it.
  const file = options.dbFile ?? databaseFile(options.dataDir ?? './data')
  const db: Db | undefined = options.database ? undefined : openDb(file)
  // Every service reaches the database through the store, on either (store/README.md).
  const store = db
    ? sqliteStore(db.$client)
    : await openPgStore(options.database ?? '', { max: options.databasePoolSize ?? 10 })
  const now = options.now ?? (() => new Date())
  // The built-in package and the configured ones; validation asks the stored settings, live,
  // whether each connector a flow calls is configured.
  // hl7.send's messages wait in this database until their receiver acknowledges them.
  // Its messages are sealed with the cipher made below, once the keys are open; nothing is sent
  // or read before then (settings are applied after the cipher exists).
  const hl7Outbound = createHl7Outbound({ store, now, cipher: () => cipher })
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
    keys = swappableKeyStore(await openInstallationKeys(store, keyFile))
  } catch (error) {
    await store.close()
    throw error
  }
  const audit = createAuditService(store, now, {
    keys,
    anchor: fileAnchor(options.anchorFile ?? defaultAnchorFile(file)),
    ...(options.checkpoints?.every ? { checkpointEvery: options.checkpoints.every } : {}),
    ...(options.checkpoints?.delayMs ? { checkpointDelayMs: options.checkpoints.delayMs } : {}),
    // The file verify's worker threads read (SQLite only; on PostgreSQL the walk is paged here).
    ...(db ? { sqlite: db.$client } : {}),
  })
  const mfa = createMfaService({ store, audit, now, keys })
  // PHI at rest (run events, task requests, the inbound HL7 store) is sealed under data keys this wraps.
  const cipher = createDataCipher(store, keys, now)
  // The connector settings, their revisions and pins, held in memory and read again whenever any
  // process changes them: read at every connector call and inbound message, and by validation.
  const settingsSnapshot = await openSettingsSnapshot({
    store,
    cipher,
    onError: (error) => console.error(`carepath: settings could not be read again: ${String(error)}`),
  })
  const auth = createAuthService(
    store,
    audit,
    now,
    { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000, ...options.session },
    mfa,
  )
  const oidc = options.oidc
    ? createOidcService(options.oidc, {
        store,
        audit,
        auth,
        mfa,
        now,
        ...(options.oidcFetch ? { fetch: options.oidcFetch } : {}),
      })
    : undefined
  const flowService = createFlowsService({ store, audit, now, registry, cipher })
  const queues = createQueuesService({ store, audit, now, registry })
  const approvalPolicy = createApprovalPolicyService({ store, audit, now })
  const review = createReviewService({
    store,
    audit,
    now,
    registry,
    flows: flowService,
    queues,
    approvalPolicy,
    simulation: options.simulation ?? createSimulationPort(registry),
    // A published version runs with the settings revision current when it was published.
    onPublished: (flowId, hash) => settingsReview.pinOnPublish(flowId, hash),
  })

  const phiMaps = createPhiMapService({
    store,
    audit,
    now,
    registry,
    flows: flowService,
    settings: () => integrationSettings(),
    // The clearances the redaction gate caps queues by, so the map says what a queue really sees.
    clearances: () => queues.clearances(),
  })

  const buildAdapters = (value: IntegrationSettings) => createConnectorAdapters(value, {}, catalog.connectors)
  const connectors: Record<string, ConnectorAdapter> = {
    ...(options.connectors ?? buildAdapters(integrationSettings())),
  }
  /** The current connector settings (a copy the caller may change). */
  function integrationSettings(): { [key: string]: JsonValue } {
    return settingsSnapshot.current()
  }
  function connectorConfigured(name: string): boolean {
    const connector = catalog.connectors.find((c) => c.name === name)
    return connector !== undefined && isConnectorConfigured(connector, integrationSettings())
  }
  // Adapters of older revisions, for versions pinned to one. hl7-out is one store-and-forward
  // queue per destination for the whole installation: a pinned version's messages join it marked
  // with their revision, and are delivered with that revision's destination settings.
  const pinnedAdapters = new Map<number, Record<string, ConnectorAdapter>>()
  function connectorsFor(flowId: string, hash: string): Record<string, ConnectorAdapter> {
    const pinned = settingsSnapshot.pinOf(flowId, hash)
    if (options.connectors || pinned === undefined || pinned === settingsSnapshot.currentNumber()) return connectors
    let built = pinnedAdapters.get(pinned)
    if (!built) {
      const value = settingsSnapshot.revisionValue(pinned)
      const own = catalog.connectors.filter((c) => c.name !== hl7OutConnector.name)
      built = {
        ...connectors,
        ...createConnectorAdapters(value, {}, own),
        [hl7OutConnector.name]: hl7Outbound.adapterFor(pinned),
      }
      pinnedAdapters.set(pinned, built)
    }
    return built
  }

  /** The connector settings a published version runs with: its pinned revision's, else the current ones. */
  function settingsFor(flowId: string, hash: string): { [key: string]: JsonValue } {
    const pinned = settingsSnapshot.pinOf(flowId, hash)
    if (pinned === undefined || pinned === settingsSnapshot.currentNumber()) return integrationSettings()
    return settingsSnapshot.revisionValue(pinned)
  }

  const incidentStore = createIncidentStore(store)
  const metricsWriter = createMetricsWriter(store)
  const runs = createRunsService({
    store,
    audit,
    now,
    registry,
    flows: flowService,
    connectors,
    connectorsFor,
    auditSecret: keys.phiReferenceSecret,
    cipher,
    retry: options.retry ?? DEFAULT_RETRY,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.runLeaseMs ? { leaseMs: options.runLeaseMs } : {}),
    observers: [
      ...(options.operationsObservers === false
        ? []
        : [incidentObserver(incidentStore, audit), metricsWriter.observer]),
      // Not an operations observer: the accounting of access needs every run's patient references.
      patientIndexObserver(
        store,
        keys.phiReferenceSecret,
        async (flowId, hash) => (await runs.documentFor(flowId, hash)).facts,
      ),
    ],
  })
  const incidents = createIncidentsService({ runs, store: incidentStore })
  const replays = createReplayService({ runs, registry })
  const deadLetters = createDeadLetters(store, cipher)
  // The message is already set aside in its queue (committed there); its letter follows on its own.
  hl7Outbound.whenSetAside((row) =>
    deadLetters.record({
      source: 'hl7-out',
      key: `hl7-out:${row.destination}:${row.controlId}`,
      controlId: row.controlId,
      messageType: row.messageType,
      sender: row.destination,
      reasonCode: row.status === 'failed' ? 'failed' : 'rejected',
      reason:
        row.status === 'failed'
          ? `The receiver ${row.destination} answered ${row.ackCode ?? 'AE'} to every attempt; the message was set aside.`
          : `The receiver ${row.destination} refused the message (${row.ackCode ?? 'AR'}).`,
      payload: row.message,
      receivedAt: now().toISOString(),
    }),
  )
  /** A step's title as its flow version names it (its id when it has none), for alerts and metrics. */
  const stepTitle = async (flowId: string, hash: string, nodeId: string): Promise<string> => {
    try {
      return nodeTitle(await runs.documentFor(flowId, hash), nodeId)
    } catch {
      // A version no longer stored: the id still says which step.
      return nodeId
    }
  }
  const metrics = createMetricsService(store, { stepTitle })
  const listeners = createListenerHealth(now)
  const alerts = createAlertsService({
    store,
    now,
    incidents: incidentStore,
    deadLetters,
    connectors,
    connectorsFor,
    listeners,
    audit,
    phiMapReview: () => phiMaps.reviewStatus(),
    // Read when the rules are evaluated, after the tasks service below exists.
    overdueTasks: async () => {
      const late = []
      for (const task of await tasks.overdue()) {
        const run = await runs.store.runById(task.runId)
        // No run (never expected): no hash, so the alert goes out with the current settings.
        late.push(
          run
            ? { ...task, hash: run.hash, step: await stepTitle(run.flow_id, run.hash, task.nodeId) }
            : { ...task, hash: '', step: task.nodeId },
        )
      }
      return late
    },
  })
  const prometheus = createPrometheusRegistry(metrics, {
    incidentsOpen: () => incidents.count({ status: 'open' }),
    deadLettersOpen: () => deadLetters.count({ status: 'open' }),
    listeners: () => listeners.list(),
  })
  // Agents' views cap each flow role by its queue's clearance, read per request (an admin's change shows at once).
  const clearances = () => queues.clearances()
  const breakGlass = createBreakGlassService({ store, audit, now, runs, clearances })
  const retention = createRetentionService({ store, audit, cipher, now })
  const runViews = createRunViews({
    runs,
    audit,
    revealed: (userId, runId) => breakGlass.revealedClasses(userId, runId),
    clearances,
  })
  const tasks = createTasksService({
    store,
    runs,
    audit,
    now,
    flowRolesOf: (username) => auth.flowRolesOf(username),
    clearances,
    onClaimed: async (task, at) => {
      const run = await runs.store.runById(task.run_id)
      if (run)
        await metricsWriter.taskClaimed(
          { flowId: task.flow_id, hash: run.hash, nodeId: task.node_id, openedAt: task.created_at },
          at,
        )
    },
  })
  const schedules = createScheduler({ store, audit, now, registry, flows: flowService, runs })
  const migrations = createMigrationsService({
    store,
    audit,
    now,
    registry,
    flows: flowService,
    runs,
  })
  const events = createEventsService({
    store,
    audit,
    now,
    runs,
    referenceSecret: keys.phiReferenceSecret,
    cipher,
    retentionMs: options.unmatchedEventRetentionMs,
    deadLetters,
  })
  // Launch tokens for the embedded agent view, signed with a key derived from the key file.
  const launch = createLaunchService({ store, audit, auth, now, key: launchKeyFrom(keys.auditChainKey) })
  // Evidence on reviews and tasks: sealed like run data (it may hold patient data).
  const attachments = createAttachmentsService({
    store,
    audit,
    now,
    cipher,
    flows: flowService,
    taskById: runs.store.taskById,
  })
  // Publishing, rollback and retirement tell the flow's owners (the alerts' settings) and subscribers.
  const notices = createChangeNoticesService({
    store,
    audit,
    now,
    flows: flowService,
    owners: () => alerts.config(),
    connectors,
  })
  const auditSearch = createAuditSearch({
    store,
    audit,
    secret: keys.phiReferenceSecret,
    version: (flowId, hash) => runs.documentFor(flowId, hash),
  })

  // A save may hold the host's keys and one per connector an installed node type declares or an
  // installed package provides; anything else is a typo or a package that is not installed.
  const strictSettings = composeSettingsSchema(
    [...catalog.connectors, ...declaredConnectors(registry.list())],
    'strict',
  )
  const settingsKeys = Object.keys(strictSettings.shape).sort()

  /** Refuses a key no installed connector uses, rather than storing what nothing would read. */
  function checkSettings(value: { [key: string]: JsonValue }) {
    const unknown = Object.keys(value).find((key) => !settingsKeys.includes(key))
    if (unknown !== undefined) {
      throw new AppError(
        'bad-input',
        `"${unknown}" is not a setting of this installation: no installed package has a connector that uses it (settings: ${settingsKeys.join(', ')}).`,
        { path: unknown },
      )
    }
    // Event routes are read at every inbound message: one that cannot be read is refused here, with where.
    const routes = eventsSettingsSchema.safeParse(value['events'])
    if (value['events'] !== undefined && !routes.success) {
      const issue = routes.error.issues[0]
      const where = ['events', ...(issue?.path ?? [])].join('.')
      throw new AppError('bad-input', `${where}: ${issue?.message ?? 'not a list of event routes'}`, { path: where })
    }
  }
  /** New steps of versions on the current revision use the new adapters at once. */
  const rebuildAdapters = (value: { [key: string]: JsonValue }) => {
    pinnedAdapters.clear()
    if (options.connectors) return
    for (const key of Object.keys(connectors)) delete connectors[key]
    Object.assign(connectors, buildAdapters(value))
  }
  // Another process changed them: this one builds its adapters again too.
  settingsSnapshot.onChange(() => rebuildAdapters(settingsSnapshot.current()))

  /** Connector settings under review: proposals, a second person's decision, numbered revisions, pins. */
  const settingsReview = createSettingsRevisions({
    store,
    audit,
    now,
    cipher,
    current: integrationSettings,
    // A reviewed change must also be settings each connector can read: a reviewer approves what will work.
    check: (value) => {
      checkSettings(value)
      const parsed = strictSettings.safeParse(value)
      if (parsed.success) return
      const issue = parsed.error.issues[0]
      const where = issue?.path.map(String).join('.') || 'settings'
      throw new AppError('bad-input', `${where}: ${issue?.message ?? 'not a valid setting'}`, {
        path: `settings.${where}`,
      })
    },
    write: async (value) =>
      writeSetting(store, INTEGRATIONS_KEY, await sealJson(cipher, 'settings', INTEGRATIONS_AAD, value)),
    applied: rebuildAdapters,
    // Every process reads them again; this one before the change is answered.
    changed: async () => {
      await store.changes.publish(SETTINGS_TOPIC)
      await settingsSnapshot.reload()
    },
  })
  await settingsReview.adoptExisting()
  // hl7-out (integrations/) reads its destinations per revision from the snapshot.
  hl7Outbound.useRevisions({
    current: () => settingsSnapshot.currentNumber(),
    destinations: (revision) => {
      const stored = settingsSnapshot.revisionValue(revision)[hl7OutConnector.settingsKey ?? hl7OutConnector.name]
      const parsed = hl7OutConnector.settingsSchema.safeParse(stored)
      return parsed.success ? (parsed.data?.destinations ?? {}) : {}
    },
  })

  /** Connector settings: read by everything that calls an outside system. */
  const integrations = {
    get: integrationSettings,
    forVersion: settingsFor,
    /**
     * Installation bootstrap, outside review: applies at once as the next revision (first-time
     * set-up, the demo seed, the CLI, tests). People change settings through `settingsReview`;
     * the API takes this path only while no revision exists (see settings.router.ts).
     */
    async set(value: { [key: string]: JsonValue }, actor: { who: string; role: string }) {
      checkSettings(value)
      await settingsReview.bootstrap(value, actor, integrationsSet(actor, Object.keys(value)))
    },
  }

  return {
    /** The SQLite connection (tests, the WAL checkpointer); refused on PostgreSQL, which has none. */
    get db(): Db {
      if (!db) throw new Error('This runtime is on PostgreSQL: it has no SQLite connection.')
      return db
    },
    store,
    file,
    now,
    registry,
    options,
    audit,
    auditSearch,
    auth,
    mfa,
    oidc,
    flowService,
    queues,
    review,
    approvalPolicy,
    runs,
    runViews,
    replays,
    tasks,
    launch,
    attachments,
    notices,
    incidents,
    deadLetters,
    metrics,
    prometheus,
    alerts,
    listeners,
    schedules,
    events,
    migrations,
    integrations,
    settingsReview,
    keys,
    cipher,
    hl7Outbound,
    /** Rotate the key-encryption key in place (no restart): re-wraps every data key and TOTP secret. */
    rotateKeys: (actor: { who: string; role: string }) =>
      rotateKek({ file: keyFile, keys, store, cipher, audit, actor }),
    breakGlass,
    retention,
    phiMaps,
    async close() {
      hl7Outbound.close()
      settingsSnapshot.close()
      await audit.close()
      await store.close()
    },
  }
}
export type Runtime = Awaited<ReturnType<typeof createRuntime>>
