// The runtime's composition root: one database, one clock, the services over them. The order of
// construction matters (a service is made after those it calls while being made; the few that
// call a later one reach it through a closure read when called), so it reads top to bottom here,
// with the larger groups wired in the runtime-*.ts files beside it.
import type { JsonValue } from '@carepath/dsl'
import { defaultAnchorFile, fileAnchor } from './audit/audit-checkpoints.ts'
import { createAuditService } from './audit/audit.service.ts'
import { createAuthService } from './auth/auth.service.ts'
import { createMfaService } from './auth/mfa.service.ts'
import { createOidcService } from './auth/oidc.service.ts'
import { databaseFile } from './db/database-file.ts'
import { openDb, type Db } from './db/open-db.ts'
import { openPgStore, sqliteStore } from './store/open-store.ts'
import { createFlowsService } from './flows/flows.service.ts'
import { createDataCipher } from './keys/data-cipher.ts'
import { defaultKeyFile, openInstallationKeys } from './keys/installation-keys.ts'
import { rotateKek, swappableKeyStore } from './keys/key-rotation.ts'
import { createHl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import { createReviewService } from './review/review.service.ts'
import { createApprovalPolicyService } from './review/approval-policy.ts'
import { createQueuesService } from './queues/queues.service.ts'
import { createSimulationPort } from './review/simulation-port.ts'
import { createPhiMapService } from './phi/phi-map.service.ts'
import { createAuditSearch } from './audit/audit-search.ts'
import { openSettingsSnapshot } from './settings-review/settings-snapshot.ts'
import { createLaunchService } from './embed/launch.service.ts'
import { launchKeyFrom } from './embed/launch-token.ts'
import { createAttachmentsService } from './evidence/attachments.service.ts'
import { createChangeNoticesService } from './notices/change-notices.service.ts'
import { composeRuntimeCatalog, createRuntimeConnectors } from './runtime-connectors.ts'
import { wireIntegrationSettings } from './runtime-integration-settings.ts'
import type { RuntimeOptions } from './runtime-options.ts'
import { createRunServices } from './runtime-run-services.ts'

export { DEFAULT_RETRY, type RuntimeOptions } from './runtime-options.ts'

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
  // hl7.send's messages wait in this database until their receiver acknowledges them.
  // Its messages are sealed with the cipher made below, once the keys are open; nothing is sent
  // or read before then (settings are applied after the cipher exists).
  const hl7Outbound = createHl7Outbound({ store, now, cipher: () => cipher })
  const catalog = composeRuntimeCatalog(hl7Outbound, options.plugins ?? [], integrationSettings)
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

  /** The current connector settings (a copy the caller may change). */
  function integrationSettings(): { [key: string]: JsonValue } {
    return settingsSnapshot.current()
  }
  const { connectors, connectorsFor, settingsFor, rebuildAdapters } = createRuntimeConnectors({
    catalog,
    hl7Outbound,
    settingsSnapshot,
    current: integrationSettings,
    fixed: options.connectors,
  })

  const runServices = createRunServices({
    store,
    audit,
    now,
    registry,
    flowService,
    connectors,
    connectorsFor,
    keys,
    cipher,
    hl7Outbound,
    phiMaps,
    queues,
    auth,
    options,
  })
  const { runs, alerts } = runServices
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

  const { settingsReview, integrations } = await wireIntegrationSettings({
    store,
    audit,
    now,
    cipher,
    current: integrationSettings,
    catalog,
    registry,
    settingsSnapshot,
    hl7Outbound,
    settingsFor,
    rebuildAdapters,
  })

  return {
    // Runs and everything that follows them (runtime-run-services.ts).
    ...runServices,
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
    launch,
    attachments,
    notices,
    integrations,
    settingsReview,
    keys,
    cipher,
    hl7Outbound,
    /** Rotate the key-encryption key in place (no restart): re-wraps every data key and TOTP secret. */
    rotateKeys: (actor: { who: string; role: string }) =>
      rotateKek({ file: keyFile, keys, store, cipher, audit, actor }),
    phiMaps,
    async close() {
      hl7Outbound.close()
      settingsSnapshot.close()
      await audit.close()
      await store.close()
    },
  }
}

/** What `createRuntime` resolves to: the services the API layers, the CLI and tests call. */
export type Runtime = Awaited<ReturnType<typeof createRuntime>>
