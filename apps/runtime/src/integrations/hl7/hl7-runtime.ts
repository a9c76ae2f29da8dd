// Wiring the HL7 intake to a running Carepath runtime: published trigger.hl7 flows, runs started
// as the system user `hl7-listener` with (sender, control id, flow) as the idempotency key, and
// the raw messages kept, sealed, in the database (shared by every process on it) before any ACK.
import type { IncomingMessage } from 'node:http'
import type { FlowDocument } from '@carepath/dsl'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tlsServerOptions, type TlsFiles } from '../../http/tls.ts'
import type { Runtime } from '../../runtime.ts'
import { hl7RouteMessages } from '../../events/event-routes.ts'
import { integrationSettingsSchema } from '../settings.schema.ts'
import { createHl7HttpHandler } from './hl7-http.handler.ts'
import { createHl7Intake, reprocessPending, type AcceptResult, type Hl7Inbound, type Hl7Intake } from './hl7-intake.ts'
import { createHl7Routing } from './hl7-routing.ts'
import { createDbHl7Store, hl7InboundKeyId } from './hl7-db-store.ts'
import { createFileHl7Store, type Hl7MessageStore, type Hl7Sealer } from './hl7-store.ts'
import { startMllpListener, type MllpLimits, type MllpListener } from './mllp-listener.ts'
import { listenerErrorReason } from '../../operations/listener-health.ts'

const LISTENER = {
  userId: 'system:hl7-listener',
  username: 'hl7-listener',
  role: 'developer' as const,
  flowRoles: [] as string[],
}

/** The installation's event routes, read at each message so a developer's change applies at once. */
export function eventRoutesOf(runtime: Runtime) {
  const parsed = integrationSettingsSchema.safeParse(runtime.integrations.get())
  return parsed.success ? parsed.data.events.routes : []
}

/**
 * acceptRun over the runtime's published flows and its event routes: a message starts the
 * trigger.hl7 flows that take it and is delivered to the runs waiting for it (kept for them when
 * none waits yet); either one accepts it. With `queued`, it answers as soon as the runs it starts
 * are queued for the next group commit, `committed` settling after it (the intake's ACK waits for
 * it); without, it answers once they are on disk.
 */
export function runtimeHl7Routing(runtime: Runtime, options: { queued?: boolean } = {}) {
  const startFlows = flowRouting(runtime)
  const routeAll = async (message: Hl7Inbound): Promise<AcceptResult> => {
    const routed = hl7RouteMessages(eventRoutesOf(runtime), message)
    const started = await startFlows(message)
    if (routed.length === 0) return started
    const runIds = started.accepted ? [...started.runIds] : []
    for (const event of routed) {
      const delivered = await runtime.events.deliver({ ...event, source: 'hl7' })
      runIds.push(...delivered.runIds.filter((id) => !runIds.includes(id)))
    }
    return {
      accepted: true,
      runIds,
      ...(started.accepted && started.committed ? { committed: started.committed } : {}),
    }
  }
  if (options.queued) return routeAll
  return async (message: Hl7Inbound): Promise<AcceptResult> => {
    const result = await routeAll(message)
    if (!result.accepted || !result.committed) return result
    await result.committed
    return { accepted: true, runIds: result.runIds }
  }
}

/**
 * The published, unretired flows, read again only when the set of published versions changed
 * (a publish or a retirement, by this process or another sharing the database): one small
 * indexed query per message instead of every published document loaded and parsed again.
 */
function publishedFlowsOf(runtime: Runtime): () => Promise<FlowDocument[]> {
  let cached: { signature: string; flows: FlowDocument[] } | undefined
  return async () => {
    const rows = await runtime.store.sql.all<{ id: string; published_hash: string }>(
      "SELECT id, published_hash FROM flows WHERE published_hash IS NOT NULL AND status != 'retired' ORDER BY id",
    )
    const signature = rows.map((row) => `${row.id}@${row.published_hash}`).join('\n')
    if (cached?.signature !== signature) {
      const flows: FlowDocument[] = []
      for (const row of rows) flows.push(await runtime.flowService.version(row.id, row.published_hash))
      cached = { signature, flows }
    }
    return cached.flows
  }
}

function flowRouting(runtime: Runtime) {
  return createHl7Routing({
    registry: runtime.registry,
    publishedFlows: publishedFlowsOf(runtime),
    // Queued, not awaited to disk: the intake looks at the connection's next message meanwhile, so
    // a pipelining sender's messages commit together; each ACK still waits for its commit.
    startRun: (flowId, input, idempotencyKey) => runtime.runs.startQueued({ flowId, input, idempotencyKey }, LISTENER),
  })
}

// MLLP and HTTP share one store, so a resend over the other channel is still a resend. Each
// message's text is sealed at rest under the runtime's data key of its day. One store per runtime:
// a runtime opened again on the same database seals with its own.
const storesOf = new WeakMap<Runtime, Map<string, Hl7MessageStore>>()
const dayKeys = new WeakMap<Runtime, Map<string, Promise<unknown>>>()
/** Makes the day's data key once per runtime (sealing an empty text under it), shared by every message that waits on it. */
function dayKeyMade(runtime: Runtime, keyId: string): Promise<unknown> {
  let made = dayKeys.get(runtime)
  if (!made) dayKeys.set(runtime, (made = new Map()))
  let once = made.get(keyId)
  if (!once) {
    once = runtime.cipher.seal(keyId, '', 'hl7-inbound|day-key')
    made.clear() // only today's is kept
    made.set(keyId, once)
    void once.catch(() => made.delete(keyId))
  }
  return once
}

function sealerOf(runtime: Runtime): Hl7Sealer {
  const cipher = runtime.cipher
  // One data key per UTC day of messages, so retention can shred old days.
  const dayKey = () => hl7InboundKeyId(runtime.now().toISOString())
  return {
    seal: async (raw, id) => {
      const keyId = dayKey()
      // The day's key is made once, before any message of the day is sealed under it: a burst
      // that opens a day does not ask the database to make it once per message.
      await dayKeyMade(runtime, keyId)
      return cipher.seal(keyId, raw, `hl7-inbound|${id}`)
    },
    open: (sealed, id) => cipher.open(sealed, `hl7-inbound|${id}`),
  }
}

function storeOnce(runtime: Runtime, name: string, make: () => Hl7MessageStore): Hl7MessageStore {
  let stores = storesOf.get(runtime)
  if (!stores) storesOf.set(runtime, (stores = new Map()))
  let store = stores.get(name)
  if (!store) stores.set(name, (store = make()))
  return store
}

/** The store an installation's inbound messages are kept in: its database, shared by all its processes. */
function inboundStore(runtime: Runtime): Hl7MessageStore {
  return storeOnce(runtime, 'database', () =>
    createDbHl7Store({ sql: runtime.store.sql, sealer: sealerOf(runtime), now: runtime.now }),
  )
}

/** The file earlier releases kept inbound messages in, beside the database: its unanswered ones are still looked at. */
const legacyFileOf = (dataDir: string) => join(dataDir, 'hl7-inbound.jsonl')
function legacyFileStore(file: string, runtime: Runtime): Hl7MessageStore {
  return storeOnce(runtime, file, () => createFileHl7Store(file, sealerOf(runtime)))
}

function runtimeIntake(runtime: Runtime, options: { log?: ((line: string) => void) | undefined }): Hl7Intake {
  return createHl7Intake({
    store: inboundStore(runtime),
    acceptRun: runtimeHl7Routing(runtime, { queued: true }),
    now: runtime.now,
    ...(options.log ? { log: options.log } : {}),
    // Refused messages become dead letters an operator can search and reprocess.
    // Promise.resolve: the dead letters answer synchronously until they move onto the store.
    onRefused: (m) =>
      Promise.resolve(
        runtime.deadLetters.record({
          source: m.via === 'mllp' ? 'hl7-mllp' : 'hl7-http',
          ...(m.controlId ? { key: m.dedupeKey } : {}),
          controlId: m.controlId,
          messageType: m.type,
          sender: m.sender,
          reasonCode: m.reasonCode,
          reason: m.reason,
          payload: m.raw,
          receivedAt: m.receivedAt.toISOString(),
        }),
      ),
    onAccepted: ({ dedupeKey, runIds }) =>
      Promise.resolve(runtime.deadLetters.acceptedLater(dedupeKey, runIds, runtime.now().toISOString())),
  })
}

/** `POST /api/hl7` (body: the message; answer: the ACK). Shares the store with MLLP. */
export function createRuntimeHl7HttpHandler(
  runtime: Runtime,
  options: {
    log?: (line: string) => void
    authorize?: (req: IncomingMessage) => boolean
    maxBytes?: number
  } = {},
) {
  return createHl7HttpHandler({
    intake: runtimeIntake(runtime, options),
    ...(options.authorize ? { authorize: options.authorize } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  })
}

/** Open the MLLP port for `carepath serve --mllp-port N`. */
export async function startRuntimeHl7Listener(
  runtime: Runtime,
  options: {
    port: number
    host?: string
    /** Where an earlier release kept inbound messages (hl7-inbound.jsonl): its unanswered ones are looked at on start. */
    dataDir?: string
    log?: (line: string) => void
    /** MLLPS: TLS 1.2+ with these files (mutual TLS when clientCa is set). */
    tls?: TlsFiles | undefined
    /** Connection cap and sender allow-list (see MllpListenerOptions). */
    limits?: MllpLimits | undefined
  },
): Promise<MllpListener> {
  const log = options.log ?? (() => {})
  const legacyFile = options.dataDir ? legacyFileOf(options.dataDir) : undefined
  if (legacyFile && existsSync(legacyFile)) {
    // Messages an earlier release kept in its file and never answered get their runs now.
    await reprocessPending({ store: legacyFileStore(legacyFile, runtime), acceptRun: runtimeHl7Routing(runtime), log })
  }
  // Nothing stored is lost: messages a stopped process kept but never answered get their runs now,
  // and while this port listens, those of any process on the database that stops (after its lease).
  const sweeps = sweepUnanswered(runtime, log)
  await sweeps.once()
  const intake = runtimeIntake(runtime, options)
  // Today's key for the stored messages, made before the first burst arrives.
  await dayKeyMade(runtime, hl7InboundKeyId(runtime.now().toISOString()))
  const host = options.host ?? '127.0.0.1'
  // The runtime knows whether its listener is up: the "listener down" alert rule reads it.
  // Named by the port it listens on (known once open when 0 asked for any free port).
  let port = options.port
  const name = () => `hl7-mllp:${port}`
  const title = () => `HL7 ${options.tls ? 'MLLPS' : 'MLLP'} listener on ${host}:${port}`
  try {
    const listener = await startMllpListener({
      port: options.port,
      host,
      intake,
      ...(options.log ? { log: options.log } : {}),
      ...(options.tls ? { tls: tlsServerOptions(options.tls) } : {}),
      ...(options.limits?.maxConnections !== undefined ? { maxConnections: options.limits.maxConnections } : {}),
      ...(options.limits?.allowedSenders ? { allowedSenders: options.limits.allowedSenders } : {}),
      onState: (state) => {
        if (!state.listening) return runtime.listeners.down(name(), title(), listenerErrorReason(state.error))
        port = state.port
        runtime.listeners.up(name(), title())
      },
    })
    sweeps.start()
    return {
      ...listener,
      async close() {
        await sweeps.stop()
        await listener.close()
      },
    }
  } catch (error) {
    await sweeps.stop()
    runtime.listeners.down(name(), title(), listenerErrorReason(error))
    throw error
  }
}

/** How often a listening process looks for stored messages that no process is answering. */
const SWEEP_INTERVAL_MS = 5_000

/** Stored messages no process is answering (their taker stopped), looked at again: once, or every few seconds. */
function sweepUnanswered(runtime: Runtime, log: (line: string) => void) {
  const store = inboundStore(runtime)
  const acceptRun = runtimeHl7Routing(runtime)
  let running: Promise<unknown> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const once = () =>
    reprocessPending({
      store,
      acceptRun,
      log,
      onAccepted: ({ dedupeKey, runIds }) =>
        runtime.deadLetters.acceptedLater(dedupeKey, runIds, runtime.now().toISOString(), 'retry'),
    })
  return {
    once,
    start() {
      timer = setInterval(() => {
        // One sweep at a time; a failed one (the database away) is tried again at the next tick.
        running = running.then(once).catch(() => log('hl7: could not look for unanswered messages; trying again'))
      }, SWEEP_INTERVAL_MS)
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}

/**
 * The hook `startServer` calls when `carepath serve --mllp-port N` is given: the MLLP listener on
 * the server's host, its message store beside the database file.
 */
export async function startInbound(context: {
  runtime: Runtime
  mllpPort: number
  log: (line: string) => void
  mllpTls?: TlsFiles | undefined
  mllpLimits?: MllpLimits | undefined
}): Promise<{ close(): Promise<void> }> {
  const host = (context.runtime.options as { host?: string }).host ?? '127.0.0.1'
  const listener = await startRuntimeHl7Listener(context.runtime, {
    port: context.mllpPort,
    host,
    dataDir: dirname(context.runtime.file),
    log: context.log,
    tls: context.mllpTls,
    limits: context.mllpLimits,
  })
  context.log(
    `carepath: HL7 v2 (${context.mllpTls ? 'MLLPS, TLS' : 'MLLP'}) listening on ${listener.host}:${listener.port}`,
  )
  return listener
}
