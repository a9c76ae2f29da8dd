import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { startWalCheckpointer } from './db/wal-checkpointer.ts'
import { createApp, describeInternalError } from './http/app.ts'
import { HSTS, tlsServerOptions, type TlsFiles } from './http/tls.ts'
import * as integrations from './integrations/index.ts'
import type { MllpLimits } from './integrations/hl7/mllp-listener.ts'
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.ts'

/**
 * What serve hands to an inbound listener (HL7 v2 over MLLP, say): the port asked for and a way
 * to start runs as a system user. The integrations module plugs one in by exporting
 * `startInbound(context): Promise<{ close(): Promise<void> }>` from integrations/index.ts.
 */
export interface InboundContext {
  runtime: Runtime
  mllpPort: number
  log: (line: string) => void
  /** MLLPS: the listener speaks TLS with these files (client certificates required when clientCa is set). */
  mllpTls?: TlsFiles | undefined
  /** The listener's connection cap and sender allow-list. */
  mllpLimits?: MllpLimits | undefined
}
type StartInbound = (context: InboundContext) => Promise<{ close(): Promise<void> }>

export interface ServerOptions extends RuntimeOptions {
  /** 0 picks a free port (tests). Default 8080. */
  port?: number
  host?: string
  designerDist?: string
  /** How often due timers and scheduled flows are fired (ms, default 1000; 0 disables). */
  timerIntervalMs?: number
  /** How often alert rules are evaluated (ms, default 15000; 0 disables). */
  alertIntervalMs?: number
  log?: (line: string) => void
  /** Port for the inbound HL7 (MLLP) listener, when the integrations module provides one. */
  mllpPort?: number
  /** HTTPS (TLS 1.2+, modern ciphers, HSTS) with this certificate and key instead of plain HTTP. */
  tls?: TlsFiles
  /** MLLPS for the HL7 listener. */
  mllpTls?: TlsFiles
  /** Connections the HL7 listener holds open at once, and the sender addresses it accepts. */
  mllpLimits?: MllpLimits
  /** Runs before the server answers ready (the demo seed). */
  beforeReady?: (runtime: Runtime) => Promise<void> | void
}

export interface RunningServer {
  url: string
  port: number
  runtime: Runtime
  /** Stop taking requests, let those in flight finish, then close the database. */
  close(): Promise<void>
}

/**
 * Start the runtime over HTTP. Interrupted runs continue from their logs before /healthz says
 * ready; after that, due timers are fired on an interval.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.error(line))
  // Certificates are read before anything opens, so a wrong path fails fast and plainly.
  const tls = options.tls ? tlsServerOptions(options.tls) : undefined
  if (options.mllpTls) tlsServerOptions(options.mllpTls)
  const runtime = await createRuntime(options)
  // On SQLite, WAL checkpoints move to a worker thread (see wal-checkpointer.ts).
  const onSqlite = runtime.store.dialect === 'sqlite'
  if (onSqlite) runtime.db.$client.pragma('wal_autocheckpoint = 0')
  const checkpointer = onSqlite ? startWalCheckpointer(runtime.file) : undefined
  let ready = false
  let stopping = false
  const app = createApp(runtime, { designerDist: options.designerDist, isReady: () => ready && !stopping, log })
  const server: Server = tls
    ? createHttpsServer({ ...tls, keepAliveTimeout: 5_000 }, (req, res) => {
        res.setHeader('Strict-Transport-Security', HSTS)
        app(req, res)
      })
    : createServer({ keepAliveTimeout: 5_000 }, app)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve())
  })
  const runFailed = (runId: string, error: unknown) =>
    log(`carepath: run ${runId} could not go on; ${describeInternalError(error)}`)
  const scheduleFailed = (flowId: string, error: unknown) =>
    log(`carepath: a scheduled time of ${flowId} could not start its run; ${describeInternalError(error)}`)
  const recovered = await runtime.runs.recover(runFailed)
  if (recovered > 0) log(`carepath: ${recovered} interrupted run(s) continued from their logs`)
  await options.beforeReady?.(runtime)
  const startInbound: StartInbound | undefined = integrations.startInbound
  const inbound =
    options.mllpPort !== undefined && typeof startInbound === 'function'
      ? await startInbound({
          runtime,
          mllpPort: options.mllpPort,
          log,
          mllpTls: options.mllpTls,
          mllpLimits: options.mllpLimits,
        })
      : undefined
  if (options.mllpPort !== undefined && !inbound)
    log('carepath: --mllp-port given, but no inbound listener is installed; ignoring it')
  let timerBusy: Promise<unknown> | undefined
  const interval = options.timerIntervalMs ?? 1000
  const timer =
    interval > 0
      ? setInterval(() => {
          if (timerBusy || stopping) return
          timerBusy = runtime.runs
            .fireDueTimers(runFailed)
            .then(() => runtime.runs.takeOverAbandoned(runFailed))
            .then(() => runtime.schedules.sweep(scheduleFailed))
            .then(() => runtime.events.sweep())
            .catch((error: unknown) => log(describeInternalError(error)))
            .finally(() => (timerBusy = undefined))
        }, interval)
      : undefined
  timer?.unref()
  // Alert rules are looked at on their own interval: an alert opens once per episode and closes
  // when its condition clears.
  let alertsBusy: Promise<unknown> | undefined
  const alertInterval = options.alertIntervalMs ?? 15_000
  const alertTimer =
    alertInterval > 0
      ? setInterval(() => {
          if (alertsBusy || stopping) return
          alertsBusy = runtime.alerts
            .evaluate()
            .catch((error: unknown) => log(describeInternalError(error)))
            .finally(() => (alertsBusy = undefined))
        }, alertInterval)
      : undefined
  alertTimer?.unref()
  // Retention: days of a flow's runs past its period lose their data key, and days of inbound HL7
  // messages past theirs are deleted with their key, at start and hourly.
  const sweepRetention = async () => {
    try {
      for (const p of await runtime.retention.apply())
        log(`carepath: retention: ${p.runs} run(s) of ${p.flow} from ${p.day} purged (data key shredded)`)
      for (const p of await runtime.retention.applyInbound())
        log(`carepath: retention: ${p.messages} inbound HL7 message(s) from ${p.day} deleted (data key shredded)`)
    } catch (error) {
      log(describeInternalError(error))
    }
  }
  await sweepRetention()
  const retentionTimer = setInterval(() => void sweepRetention(), 3600_000)
  retentionTimer.unref()
  ready = true
  const port = (server.address() as AddressInfo).port
  const host = options.host ?? '127.0.0.1'
  return {
    url: `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    runtime,
    async close() {
      if (stopping) return
      stopping = true
      if (timer) clearInterval(timer)
      if (alertTimer) clearInterval(alertTimer)
      clearInterval(retentionTimer)
      await inbound?.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      // Runs resumed by a timer finish their step before the database closes.
      await timerBusy
      await alertsBusy
      await checkpointer?.stop()
      await runtime.close()
    },
  }
}
