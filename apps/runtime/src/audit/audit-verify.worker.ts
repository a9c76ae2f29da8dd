// A worker thread of `audit verify`: it opens the database read-only once and walks the stretches
// of the trail it is handed, one at a time, answering each with its verdict.
import { parentPort, workerData } from 'node:worker_threads'
import { openReadOnlySqliteStore } from '../store/sql-store.ts'
import { verifyBootSchema, stretchRequestSchema, type StretchReply } from './audit-verify-messages.ts'
import { mapFile, walkStretch } from './audit-walk.ts'

const boot = verifyBootSchema.parse(workerData)
// Only the SQL executor: a whole Store would load drizzle and the PostgreSQL driver on this thread.
const store = openReadOnlySqliteStore(boot.file)
// Mapped for the thread's life: it only walks.
await mapFile(store)
const port = parentPort
if (!port) throw new Error('audit-verify.worker.ts runs only as a worker thread')
// One stretch at a time, in the order they come.
let walking: Promise<void> = Promise.resolve()
port.on('message', (message: unknown) => {
  const { index, stretch } = stretchRequestSchema.parse(message)
  walking = walking.then(async () => {
    let reply: StretchReply
    try {
      const verdict = await walkStretch(store, boot, stretch)
      reply = {
        type: 'verdict',
        index,
        checked: verdict.checked,
        ...(verdict.firstBroken ? { firstBroken: verdict.firstBroken } : {}),
      }
    } catch (error) {
      reply = { type: 'error', index, message: error instanceof Error ? error.message : String(error) }
    }
    port.postMessage(reply)
  })
})
port.postMessage({ type: 'ready' } satisfies StretchReply)
