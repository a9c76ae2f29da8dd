// Child process for time-crash.test.ts: a runtime over a data directory whose clock is the time
// written in clock.txt there (the test moves it), with three flows that each make one `echo` call
// after a time or event: a scheduled tick, a task's deadline, a correlated message. The echo
// connector logs every call and hangs forever at the nodes named on the command line, so the
// parent can kill the process in the middle of the step.
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { registry } from '@carepath/catalog'
import { createNodeRegistry, flowDocumentSchema, type ConnectorAdapter, type FlowDocument } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { seedPublished } from './crash-harness.ts'
import { testRegistry } from '@carepath/runtime/testing'

const [dataDir, hangAt = ''] = process.argv.slice(2) as [string, string | undefined]
const hanging = new Set(hangAt.split(',').filter(Boolean))
const echo: ConnectorAdapter = async (_request, meta) => {
  appendFileSync(join(dataDir, 'calls.log'), `${meta.runId} ${meta.nodeId} ${meta.attempt}\n`)
  if (hanging.has(meta.nodeId)) await new Promise(() => {})
  return { node: meta.nodeId }
}
const testCall = testRegistry.get('test.call')
if (!testCall) throw new Error('the test registry has no test.call')

const none = { type: 'string', 'x-phi': 'none' }
const echoFact = { type: 'object', 'x-phi': 'none', properties: { node: none } }
const call = (next: string) => ({
  type: 'test.call',
  typeVersion: 1,
  config: { connector: 'echo', into: 'echo' },
  next: { ok: next },
})
const end = (outcome: string) => ({ type: 'end', typeVersion: 1, config: { outcome } })
const flow = (id: string, properties: object, nodes: object, start: string, roles: object = {}): FlowDocument =>
  flowDocumentSchema.parse({
    dsl: 'carepath.flow/1',
    id,
    version: 1,
    title: id,
    facts: { type: 'object', properties: { echo: echoFact, ...properties } },
    roles,
    start,
    nodes,
  })

/** Every hour on the hour (UTC): one echo call, then done. */
const tickFlow = flow(
  'tick-crash',
  { schedule: { type: 'object', properties: { at: none } } },
  {
    tick: {
      type: 'trigger.schedule',
      typeVersion: 1,
      config: { schedule: { kind: 'cron', cron: '0 * * * *' }, timezone: 'UTC', into: 'schedule.at' },
      next: { next: 'tick-call' },
    },
    'tick-call': call('done'),
    done: end('ticked'),
  },
  'tick',
)

/** An approval due in 30 minutes; when nobody answers, one echo call (the escalation). */
const deadlineFlow = flow(
  'deadline-crash',
  { request: { type: 'object', properties: { id: none } }, decision: none },
  {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'approve' } },
    approve: {
      type: 'task.approval',
      typeVersion: 1,
      config: {
        role: 'front-desk',
        title: 'Approve the request',
        shows: ['request.id'],
        into: 'decision',
        comment: 'none',
        due: { after: 'PT30M', timeout: true },
      },
      next: { approved: 'approved', rejected: 'approved', timeout: 'deadline-call' },
    },
    'deadline-call': call('escalated'),
    approved: end('approved'),
    escalated: end('escalated'),
  },
  'start',
  { 'front-desk': { phi: ['none'] } },
)

/** Waits for the lab's callback for its order; then one echo call. */
const messageFlow = flow(
  'message-crash',
  {
    order: { type: 'object', properties: { id: { type: 'string', 'x-phi': 'identifier' } } },
    reply: { type: 'object', 'x-phi': 'none', properties: {} },
  },
  {
    start: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'wait' } },
    wait: {
      type: 'wait.event',
      typeVersion: 1,
      config: { event: 'lab.callback', correlateOn: 'order.id', into: 'reply' },
      next: { received: 'message-call' },
    },
    'message-call': call('received'),
    received: end('received'),
  },
  'start',
)

const server = await startServer({
  port: 0,
  dataDir,
  registry: createNodeRegistry([...registry.list(), testCall]),
  connectors: { echo },
  now: () => new Date(readFileSync(join(dataDir, 'clock.txt'), 'utf8').trim()),
  timerIntervalMs: 100,
  alertIntervalMs: 0,
  log: (line) => console.error(line),
  async beforeReady(runtime) {
    await seedPublished(runtime, [tickFlow, deadlineFlow, messageFlow], {
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
