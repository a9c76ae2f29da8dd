// One runtime process of bench/scale.bench.ts: `serve` on SQLite (no database URL) or on the
// PostgreSQL database given, on any free port. The first process of a configuration (`seed`)
// adds the people, publishes the flow and makes an API token, which it prints; every process
// prints `READY <url> [token]` once it answers.
import { startServer } from '@carepath/runtime'
import { intakeFlow, testRegistry } from '@carepath/runtime/testing'
import { publishThroughReview, startRunsToken } from './published-flow.ts'

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
