// Child process for runtime-crash.test.ts: a runtime over a data directory, whose `echo`
// connector logs every call to a file and, when told to, hangs forever at one node (so the
// parent can kill the process in the middle of a run).
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConnectorAdapter } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { intakeFlow, passwordOnly, testRegistry } from '@carepath/runtime/testing'

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
    if (runtime.auth.userCount() > 0) return
    const system = { who: 'test', role: 'system' }
    const users = new Map<
      string,
      { userId: string; username: string; role: 'analyst' | 'reviewer' | 'agent'; flowRoles: string[] }
    >()
    for (const role of ['analyst', 'reviewer', 'agent'] as const) {
      const flowRoles = role === 'agent' ? ['front-desk'] : []
      const added = await runtime.auth.addUser(
        { username: role, password: 'crash test password', role, flowRoles },
        system,
      )
      users.set(role, { userId: added.id, username: role, role, flowRoles })
    }
    passwordOnly(runtime, [...users.keys()])
    for (const doc of [intakeFlow(), twoCalls()]) {
      const { hash } = runtime.flows.create(doc, users.get('analyst')!)
      await runtime.review.submit(doc.id, users.get('analyst')!)
      runtime.review.approve(doc.id, hash, 'ok', users.get('reviewer')!)
      runtime.review.publish(doc.id, hash, users.get('reviewer')!)
    }
  },
})
console.log(`READY ${server.url}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
