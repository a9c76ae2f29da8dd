// Metric rollups, kept as runs go: a BatchObserver that turns each committed batch of a run's
// events into counter and histogram increments, in the same transaction (and task claims, which
// the tasks service reports). Reading metrics then
// costs the same at a thousand stored runs or a million (bench/metrics.bench.ts).
import type { BatchWriter, SqlExecutor } from '../store/sql-executor.ts'
import type { Store } from '../store/store.ts'
import type { BatchObserver, RunBatch } from '../runs/runs.service.ts'
import { bucketOf } from './metric-histogram.ts'

/** The rollup key of a flow version. */
export const versionKey = (flowId: string, hash: string) => `${flowId}@${hash}`

/** One increment of a counter (`name`) or of a histogram's bucket (`name` is the bucket). */
interface Increment {
  table: 'counts' | 'histograms'
  scope: string
  key: string
  name: string | number
  by: number
}

const UPSERT = {
  counts: (rows: number) =>
    `INSERT INTO metric_counts (scope, key, name, value) VALUES ${placeholders(rows)} ON CONFLICT (scope, key, name) DO UPDATE SET value = metric_counts.value + excluded.value`,
  histograms: (rows: number) =>
    `INSERT INTO metric_histograms (scope, key, bucket, count) VALUES ${placeholders(rows)} ON CONFLICT (scope, key, bucket) DO UPDATE SET count = metric_histograms.count + excluded.count`,
}
const placeholders = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')
/** Rows per statement: far below either database's limit on bound values. */
const ROWS_PER_UPSERT = 200

/**
 * Increments summed per row, then upserted, rows in a fixed order (so two processes' upserts
 * lock rows in the same order and never deadlock). One row may appear once per statement.
 */
async function writeIncrements(sql: SqlExecutor, increments: Increment[]): Promise<void> {
  // Made together, in this order, so they go out back to back on PostgreSQL (see PendingBatches).
  const upserts: Promise<unknown>[] = []
  for (const table of ['counts', 'histograms'] as const) {
    const sums = new Map<string, { row: [string, string, string | number]; by: number }>()
    for (const i of increments) {
      if (i.table !== table) continue
      const id = `${i.scope}\u0000${i.key}\u0000${i.name}`
      const sum = sums.get(id)
      if (sum) sum.by += i.by
      else sums.set(id, { row: [i.scope, i.key, i.name], by: i.by })
    }
    const rows = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sum]) => sum)
    for (let at = 0; at < rows.length; at += ROWS_PER_UPSERT) {
      const chunk = rows.slice(at, at + ROWS_PER_UPSERT)
      upserts.push(
        sql.run(
          UPSERT[table](chunk.length),
          chunk.flatMap(({ row, by }) => [...row, by]),
        ),
      )
    }
  }
  await Promise.all(upserts)
}

export function createMetricsWriter(store: Store) {
  const { sql } = store
  // Connector requests waiting for their response (the two are written in different batches).
  const calling = new Map<string, string>()
  const ms = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from))

  // Increments, not read-then-write: two processes adding at once both count. A transaction's
  // increments are summed per row and written as it commits, one statement per table
  // (Store.sql.beforeCommit): a group commit of fifty runs makes two statements, not two hundred.
  const writer: BatchWriter<Increment> = { flush: (increments) => writeIncrements(sql, increments) }
  const increment = (item: Increment) => sql.beforeCommit(writer, item)
  const add = (scope: string, key: string, name: string, by = 1) => increment({ table: 'counts', scope, key, name, by })
  const time = (scope: string, key: string, duration: number) =>
    increment({ table: 'histograms', scope, key, name: bucketOf(duration), by: 1 })

  async function onBatch(batch: RunBatch): Promise<void> {
    const { run, events, previous, status } = batch
    const key = versionKey(run.flowId, run.hash)
    if (previous !== status) {
      // Gauges: how many runs of the version are in each status now.
      if (previous !== undefined) await add('flow-now', key, previous, -1)
      await add('flow-now', key, status, 1)
    }
    for (const event of events) {
      switch (event.type) {
        case 'run.started':
          if (!event.scope) await add('flow', key, 'started')
          break
        case 'run.ended':
          await add('flow', key, event.data.status)
          if (event.data.status === 'completed') {
            await add('outcome', key, event.data.outcome)
            await time('cycle', key, ms(batch.startedAt, event.at))
          }
          break
        case 'incident.opened':
          await add('flow', key, 'incidents')
          break
        case 'connector.request':
          calling.set(`${run.id}\u0000${event.scope ?? ''}\u0000${event.nodeId ?? ''}`, event.at)
          break
        case 'connector.response': {
          const { connector } = event.data
          const where = `${run.id}\u0000${event.scope ?? ''}\u0000${event.nodeId ?? ''}`
          await add('connector', connector, 'calls')
          if ('error' in event.data) await add('connector', connector, 'errors')
          // Per minute too, for alert rules over a window (`connector|YYYY-MM-DDTHH:MM`).
          const minute = `${connector}|${event.at.slice(0, 16)}`
          await add('connector-minute', minute, 'calls')
          if ('error' in event.data) await add('connector-minute', minute, 'errors')
          const sent = calling.get(where)
          calling.delete(where)
          if (sent !== undefined) await time('latency', connector, ms(sent, event.at))
          break
        }
        case 'connector.retry':
          await add('connector', event.data.connector, 'retries')
          break
        case 'task.answered': {
          const opened = await sql.get<{ created_at: string }>('SELECT created_at FROM tasks WHERE id = ?', [
            event.data.taskId,
          ])
          if (opened) await time('task-answer', `${key}#${event.nodeId ?? ''}`, ms(opened.created_at, event.at))
          break
        }
        default:
          break
      }
    }
  }
  const observer: BatchObserver = onBatch
  /**
   * A person claimed a task: how long it waited in its queue, from opening to this claim. Claims
   * are not run events (the run does not move), so the tasks service reports them, in its
   * transaction. A task released and claimed again counts each wait from its opening.
   */
  async function taskClaimed(task: { flowId: string; hash: string; nodeId: string; openedAt: string }, at: string) {
    await time('task-claim', `${versionKey(task.flowId, task.hash)}#${task.nodeId}`, ms(task.openedAt, at))
  }
  return { observer, taskClaimed }
}
