// One runtime process of bench/scale.bench.ts: `serve` on SQLite (no database URL) or on the
// PostgreSQL database given, on any free port. The first process of a configuration (`seed`)
// adds the people, publishes the flow and makes an API token, which it prints; every process
// prints `READY <url> [token]` once it answers.
import { startServer } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'

const [dataDir, database, seed] = process.argv.slice(2) as [string, string, string]
const flow = { ...intakeFlow(), id: 'bench-intake' }
let token = ''
const server = await startServer({
  port: 0,
  dataDir,
  ...(database ? { database } : {}),
  registry: testRegistry,
  connectors: {},
  timerIntervalMs: 1000,
  log: (line) => console.error(line),
  async beforeReady(rt) {
    if (seed !== 'seed') return
    const system = { who: 'bench', role: 'system' }
    const person = async (username: string, role: 'analyst' | 'reviewer' | 'agent') => {
      const flowRoles = role === 'agent' ? ['*'] : []
      const added = await rt.auth.addUser({ username, password: 'bench password 123', role, flowRoles }, system)
      return { userId: added.id, username, role, flowRoles }
    }
    const analyst = await person('analyst', 'analyst')
    const reviewer = await person('reviewer', 'reviewer')
    await person('intake-system', 'agent')
    const { hash } = await rt.flowService.create(flow, analyst)
    await rt.review.submit(flow.id, analyst)
    await rt.review.approve(flow.id, hash, 'bench', reviewer)
    await rt.review.publish(flow.id, hash, reviewer)
    token = (await rt.auth.createApiToken({ username: 'intake-system', name: 'bench', scopes: ['runs:start'] }, system))
      .token
  },
})
console.log(`READY ${server.url} ${token}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
