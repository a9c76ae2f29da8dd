// The runs and everything that works on them, wired in the order they need one another: the
// runs service with its batch observers, the operations views over runs (incidents, dead letters,
// metrics, alerts, Prometheus), and the services people and schedules act on runs through
// (break-glass, run views, tasks, schedules, migrations, inbound events), with retention.
import { nodeTitle, type ConnectorAdapter, type NodeRegistry } from '@carepath/dsl'
import type { AuditService } from './audit/audit.service.ts'
import { patientIndexObserver } from './audit/patient-index.ts'
import type { AuthService } from './auth/auth.service.ts'
import { createEventsService } from './events/events.service.ts'
import type { Flows } from './flows/flows.service.ts'
import type { Hl7Outbound } from './integrations/hl7-out/hl7-outbound.ts'
import type { DataCipher } from './keys/data-cipher.ts'
import type { KeyStore } from './keys/key-store.ts'
import { createRetentionService } from './keys/retention.service.ts'
import { createMigrationsService } from './migrations/migrations.service.ts'
import { createAlertsService } from './operations/alerts.service.ts'
import { createDeadLetters } from './operations/dead-letters.service.ts'
import { createIncidentStore, incidentObserver } from './operations/incident-store.ts'
import { createIncidentsService } from './operations/incidents.service.ts'
import { createListenerHealth } from './operations/listener-health.ts'
import { createMetricsWriter } from './operations/metrics-rollup.ts'
import { createMetricsService } from './operations/metrics.service.ts'
import { createPrometheusRegistry } from './operations/prometheus.ts'
import { createBreakGlassService } from './phi/break-glass.service.ts'
import type { PhiMapService } from './phi/phi-map.service.ts'
import type { QueuesService } from './queues/queues.service.ts'
import { createReplayService } from './runs/replay.service.ts'
import { createRunViews } from './runs/run-view.ts'
import { createRunsService } from './runs/runs.service.ts'
import { createTasksService } from './runs/tasks.service.ts'
import { DEFAULT_RETRY, type RuntimeOptions } from './runtime-options.ts'
import { createScheduler } from './schedules/scheduler.ts'
import type { Store } from './store/store.ts'

/**
 * The runs service and the services over it, built in one sequence because several of them
 * reach each other (alerts read the tasks made after them, tasks feed the metrics writer the runs
 * observe with).
 */
export function createRunServices({
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
}: {
  store: Store
  audit: AuditService
  now: () => Date
  registry: NodeRegistry
  flowService: Flows
  /** The adapters of the current settings, rebuilt in place when they change. */
  connectors: Record<string, ConnectorAdapter>
  /** The adapters a published version runs with (those of its pinned settings revision). */
  connectorsFor: (flowId: string, hash: string) => Record<string, ConnectorAdapter>
  keys: KeyStore
  cipher: DataCipher
  hl7Outbound: Pick<Hl7Outbound, 'whenSetAside'>
  phiMaps: Pick<PhiMapService, 'reviewStatus'>
  queues: Pick<QueuesService, 'clearances'>
  auth: Pick<AuthService, 'flowRolesOf'>
  options: Pick<RuntimeOptions, 'retry' | 'sleep' | 'runLeaseMs' | 'operationsObservers' | 'unmatchedEventRetentionMs'>
}) {
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

  return {
    runs,
    incidents,
    replays,
    deadLetters,
    metrics,
    listeners,
    alerts,
    prometheus,
    breakGlass,
    retention,
    runViews,
    tasks,
    schedules,
    migrations,
    events,
  }
}
