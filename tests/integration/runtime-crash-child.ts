// Child process for runtime-crash.test.ts: a runtime over a data directory, whose `echo`
// connector logs every call to a file and, when told to, hangs forever at one node (so the
// parent can kill the process in the middle of a run).
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConnectorAdapter } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { seedPublished } from './crash-harness.ts'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'

const [dataDir, hangAt] = process.argv.slice(2) as [string, string | undefined]
const echo: ConnectorAdapter = async (request, meta) => {
  appendFileSync(join(dataDir, 'calls.log'), `${meta.runId} ${meta.nodeId} ${meta.attempt}\n`)
  if (meta.nodeId === hangAt) await new Promise(() => {})
  return { node: meta.nodeId, n: 1 }
}

/** The intake flow with two connector calls before the decision. */
function twoCalls() {
  const doc = intakeFlow({ withCall: true })
  const props = doc.facts.properties as Record<string, unknown>
  props.echo2 = { type: 'object', 'x-phi': 'none', properties: { node: { type: 'string' }, n: { type: 'number' } } }
  doc.nodes.call = { ...doc.nodes.call!, next: { ok: 'call2' } }
  doc.nodes.call2 = {
    type: 'test.call',
    typeVersion: 1,
    config: { connector: 'echo', into: 'echo2' },
    next: { ok: 'check' },
  }
  return { ...doc, id: 'two-calls' }
}

const server = await startServer({
  port: 0,
  dataDir,
  registry: testRegistry,
  connectors: { echo },
  timerIntervalMs: 0,
  log: (line) => console.error(line),
  async beforeReady(runtime) {
    await seedPublished(runtime, [intakeFlow(), twoCalls()], {
      password: 'crash test password',
      extra: ['agent'],
      agentQueues: ['front-desk'],
    })
  },
})
console.log(`READY ${server.url}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
