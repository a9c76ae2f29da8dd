import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')

// Runs in its own thread with its own connection, so copying the WAL into the database file (and
// the fsync that goes with it) never stalls a request: in-line auto-checkpoints put 20–100 ms
// pauses into the main thread's p99.9 on a busy disk.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
const timer = setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
  db.close()
  parentPort.postMessage('stopped')
})
`

/** Checkpoint the WAL of `file` from a worker thread every `intervalMs`; the caller turns auto-checkpoints off. */
export function startWalCheckpointer(file: string, intervalMs = 250): { stop(): Promise<void> } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, driver: betterSqlite3 } })
  worker.unref()
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()))
        worker.once('error', () => resolve())
        worker.postMessage('stop')
      }),
  }
}
