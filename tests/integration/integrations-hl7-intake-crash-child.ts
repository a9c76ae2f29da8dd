// Child process for integrations-hl7-intake-crash.test.ts: a runtime over a data directory with
// the ADT registration example flow published and the MLLP listener open (which, on a restart,
// starts the runs of messages stored but never answered). Prints `READY <mllp port>`; in `report`
// mode it first writes one line to stderr: `RUNS <json>` (each run's idempotency key) and whether
// the audit chain verifies.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startServer } from '@carepath/runtime'
import { startRuntimeHl7Listener } from '../../apps/runtime/src/integrations/index.ts'
import { seedPublished } from './crash-harness.ts'

const [dataDir, mode] = process.argv.slice(2) as [string, 'serve' | 'report' | undefined]
const flow = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../examples/hl7-entry/adt-registration-hl7.flow.json'), 'utf8'),
) as FlowDocument

const server = await startServer({
  port: 0,
  dataDir,
  registry,
  connectors: {},
  timerIntervalMs: 0,
  log: (line) => console.error(line),
  async beforeReady(runtime) {
    await seedPublished(runtime, [flow], { password: 'crash test password', extra: [] })
  },
})
const listener = await startRuntimeHl7Listener(server.runtime, {
  port: 0,
  dataDir,
  log: (line) => console.error(line),
})
if (mode === 'report') {
  const keys = server.runtime.db.$client
    .prepare<[], { key: string }>('SELECT idempotency_key AS key FROM runs ORDER BY idempotency_key')
    .all()
    .map((row) => row.key)
  console.error(`RUNS ${JSON.stringify({ keys, auditIntact: (await server.runtime.audit.verify()).ok })}`)
}
console.log(`READY ${listener.port}`)
process.once('SIGTERM', () => {
  void listener
    .close()
    .then(() => server.close())
    .then(() => process.exit(0))
})
