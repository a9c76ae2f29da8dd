// One runtime process of bench/scale.bench.ts: `serve` on SQLite (no database URL) or on the
// PostgreSQL database given, on any free port. The first process of a configuration (`seed`)
// adds the people, publishes the flow and makes an API token, which it prints; every process
// prints `READY <url> [token]` once it answers, and `STATEMENTS <n>` when sent SIGUSR2: how many
// statements it has sent PostgreSQL so far.
import pg from 'pg'
import { startServer } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'
import { publishThroughReview, startRunsToken } from './published-flow.ts'

// Counted on the driver's client, which the runtime's pool uses too (one copy of pg in the workspace).
let statements = 0
const query = pg.Client.prototype.query
Object.defineProperty(pg.Client.prototype, 'query', {
  value: function countedQuery(this: pg.Client, ...args: unknown[]) {
    statements++
    return Reflect.apply(query, this, args)
  },
})
process.on('SIGUSR2', () => console.log(`STATEMENTS ${statements}`))

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
    await publishThroughReview(rt, flow)
    token = await startRunsToken(rt)
  },
})
console.log(`READY ${server.url} ${token}`)
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
