// Child process for postgres-fault.test.ts: one of several runtime processes on one PostgreSQL
// database. Its `echo` connector logs every call (with the process's name) to a file shared by
// all of them and, when told to, never answers (so the parent can kill the process mid-step).
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConnectorAdapter } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { seedPublished } from './crash-harness.ts'
import { intakeFlow, testRegistry, waitFlow } from '@carepath/runtime/testing'

const [dataDir, database, name, hang] = process.argv.slice(2) as [string, string, string, string | undefined]
const echo: ConnectorAdapter = async (_request, meta) => {
  appendFileSync(join(dataDir, 'calls.log'), `${name} ${meta.runId} ${meta.nodeId} ${meta.attempt}\n`)
  if (hang === 'hang') await new Promise(() => {})
  return { node: meta.nodeId, n: 1 }
}

/** A reminder whose timer is due three seconds after it starts: any process may fire it. */
const reminder = waitFlow()
const shortReminder = {
  ...reminder,
  id: 'reminder-soon',
  nodes: { ...reminder.nodes, hour: { ...reminder.nodes.hour!, config: { minutes: 0.05 } } },
}

const server = await startServer({
  port: 0,
  dataDir,
  database,
  databasePoolSize: 4,
  registry: testRegistry,
  connectors: { echo },
  // A run left mid-step by a killed process is taken over two seconds after its last write.
  runLeaseMs: 2000,
  timerIntervalMs: 100,
  log: (line) => console.error(line),
  async beforeReady(runtime) {
    await seedPublished(runtime, [intakeFlow({ withCall: true }), shortReminder], {
      password: 'fault test password',
      extra: ['agent'],
      agentQueues: ['front-desk'],
    })
  },
})
console.log(`READY ${server.url}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
