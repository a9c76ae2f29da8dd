// Child process for operations-bulk-crash.test.ts: a runtime whose `echo` connector logs every
// call, fails while `down` exists in the data directory, and hangs forever on the call `hang-at`
// names (so the parent can kill the process in the middle of a bulk retry).
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NodeError, type ConnectorAdapter } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { seedPublished } from './crash-harness.ts'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'

const [dataDir] = process.argv.slice(2) as [string]
let upCalls = 0
const echo: ConnectorAdapter = async (_request, meta) => {
  const down = existsSync(join(dataDir, 'down'))
  appendFileSync(join(dataDir, 'calls.log'), `${meta.runId} ${down ? 'down' : 'up'}\n`)
  if (down) throw new NodeError('The echo service could not be reached.', { code: 'unreachable' })
  // `hang-at` holds N: the N-th call the peer answers in this process never returns.
  const hangAt = join(dataDir, 'hang-at')
  if (++upCalls === (existsSync(hangAt) ? Number(readFileSync(hangAt, 'utf8')) : 0)) await new Promise(() => {})
  return { node: meta.nodeId, n: 1 }
}

const server = await startServer({
  port: 0,
  dataDir,
  registry: testRegistry,
  connectors: { echo },
  retry: { attempts: 1, backoffMs: 0 },
  timerIntervalMs: 0,
  alertIntervalMs: 0,
  log: (line) => console.error(line),
  async beforeReady(runtime) {
    await seedPublished(runtime, [intakeFlow({ withCall: true })], {
      password: 'bulk crash password',
      extra: ['agent', 'operator'],
    })
  },
})
console.log(`READY ${server.url}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
