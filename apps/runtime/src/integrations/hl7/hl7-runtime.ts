// Wiring the HL7 intake to a running Carepath runtime: published trigger.hl7 flows, runs started
// as the system user `hl7-listener` with (sender, control id, flow) as the idempotency key, and
// the raw messages kept in an fsynced file beside the database.
import type { IncomingMessage } from 'node:http'
import { dirname, join } from 'node:path'
import type { Runtime } from '../../runtime.ts'
import { createHl7HttpHandler } from './hl7-http.handler.ts'
import { createHl7Intake, reprocessPending, type Hl7Intake } from './hl7-intake.ts'
import { createHl7Routing } from './hl7-routing.ts'
import { createFileHl7Store, createMemoryHl7Store, type Hl7MessageStore } from './hl7-store.ts'
import { startMllpListener, type MllpListener } from './mllp-listener.ts'

const LISTENER = {
  userId: 'system:hl7-listener',
  username: 'hl7-listener',
  role: 'developer' as const,
  flowRoles: [] as string[],
}

/** acceptRun over the runtime's published flows. */
export function runtimeHl7Routing(runtime: Runtime) {
  return createHl7Routing({
    registry: runtime.registry,
    publishedFlows: () =>
      runtime.flows
        .list()
        .flatMap((flow) =>
          flow.publishedHash && flow.status !== 'retired' ? [runtime.flows.version(flow.id, flow.publishedHash)] : [],
        ),
    startRun: (flowId, input, idempotencyKey) => runtime.runs.start({ flowId, input, idempotencyKey }, LISTENER),
  })
}

// MLLP and HTTP share one store per file, so a resend over the other channel is still a resend.
const fileStores = new Map<string, Hl7MessageStore>()
function fileStore(file: string): Hl7MessageStore {
  let store = fileStores.get(file)
  if (!store) fileStores.set(file, (store = createFileHl7Store(file)))
  return store
}

function runtimeIntake(
  runtime: Runtime,
  options: { dataDir?: string | undefined; log?: ((line: string) => void) | undefined },
): Hl7Intake {
  const store = options.dataDir ? fileStore(join(options.dataDir, 'hl7-inbound.jsonl')) : createMemoryHl7Store()
  return createHl7Intake({
    store,
    acceptRun: runtimeHl7Routing(runtime),
    now: runtime.now,
    ...(options.log ? { log: options.log } : {}),
    // Refused messages become dead letters an operator can search and reprocess.
    onRefused: (m) =>
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
    onAccepted: ({ dedupeKey, runIds }) =>
      runtime.deadLetters.acceptedLater(dedupeKey, runIds, runtime.now().toISOString()),
  })
}

/** `POST /api/hl7` (body: the message; answer: the ACK). Shares the store file with MLLP. */
export function createRuntimeHl7HttpHandler(
  runtime: Runtime,
  options: {
    dataDir?: string
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
  options: { port: number; host?: string; dataDir?: string; log?: (line: string) => void },
): Promise<MllpListener> {
  if (options.dataDir) {
    // Nothing stored is lost: messages the last process kept but never answered get their runs now.
    await reprocessPending({
      store: fileStore(join(options.dataDir, 'hl7-inbound.jsonl')),
      acceptRun: runtimeHl7Routing(runtime),
      ...(options.log ? { log: options.log } : {}),
    })
  }
  const intake = runtimeIntake(runtime, options)
  return startMllpListener({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    intake,
    ...(options.log ? { log: options.log } : {}),
  })
}

/**
 * The hook `startServer` calls when `carepath serve --mllp-port N` is given: the MLLP listener on
 * the server's host, its message store beside the database file.
 */
export async function startInbound(context: {
  runtime: Runtime
  mllpPort: number
  log: (line: string) => void
}): Promise<{ close(): Promise<void> }> {
  const host = (context.runtime.options as { host?: string }).host ?? '127.0.0.1'
  const listener = await startRuntimeHl7Listener(context.runtime, {
    port: context.mllpPort,
    host,
    dataDir: dirname(context.runtime.file),
    log: context.log,
  })
  context.log(`carepath: HL7 v2 (MLLP) listening on ${listener.host}:${listener.port}`)
  return listener
}
