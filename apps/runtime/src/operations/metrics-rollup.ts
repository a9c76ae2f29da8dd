// Metric rollups, kept as runs go: a BatchObserver that turns each committed batch of a run's
// events into counter and histogram increments, in the same transaction (and task claims, which
// the tasks service reports). Reading metrics then
// costs the same at a thousand stored runs or a million (bench/metrics.bench.ts).
import type { Db } from '../db/open-db.ts'
import type { BatchObserver, RunBatch } from '../runs/runs.service.ts'
import { bucketOf } from './metric-histogram.ts'

/** The rollup key of a flow version. */
export const versionKey = (flowId: string, hash: string) => `${flowId}@${hash}`

export function createMetricsWriter(db: Db) {
  const sql = db.$client
  const count = sql.prepare(
    'INSERT INTO metric_counts (scope, key, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key, name) DO UPDATE SET value = value + excluded.value',
  )
  const observe = sql.prepare(
    'INSERT INTO metric_histograms (scope, key, bucket, count) VALUES (?, ?, ?, 1) ON CONFLICT (scope, key, bucket) DO UPDATE SET count = count + 1',
  )
  const taskOpened = sql.prepare<[string], { created_at: string }>('SELECT created_at FROM tasks WHERE id = ?')
  // Connector requests waiting for their response (the two are written in different batches).
  const calling = new Map<string, string>()
  const ms = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from))

  const add = (scope: string, key: string, name: string, by = 1) => count.run(scope, key, name, by)
  const time = (scope: string, key: string, duration: number) => observe.run(scope, key, bucketOf(duration))

  function onBatch(batch: RunBatch): void {
    const { run, events, previous, status } = batch
    const key = versionKey(run.flowId, run.hash)
    if (previous !== status) {
      // Gauges: how many runs of the version are in each status now.
      if (previous !== undefined) add('flow-now', key, previous, -1)
      add('flow-now', key, status, 1)
    }
    for (const event of events) {
      switch (event.type) {
        case 'run.started':
          if (!event.scope) add('flow', key, 'started')
          break
        case 'run.ended':
          add('flow', key, event.data.status)
          if (event.data.status === 'completed') {
            add('outcome', key, event.data.outcome)
            time('cycle', key, ms(batch.startedAt, event.at))
          }
          break
        case 'incident.opened':
          add('flow', key, 'incidents')
          break
        case 'connector.request':
          calling.set(`${run.id}\u0000${event.scope ?? ''}\u0000${event.nodeId ?? ''}`, event.at)
          break
        case 'connector.response': {
          const { connector } = event.data
          const where = `${run.id}\u0000${event.scope ?? ''}\u0000${event.nodeId ?? ''}`
          add('connector', connector, 'calls')
          if ('error' in event.data) add('connector', connector, 'errors')
          // Per minute too, for alert rules over a window (`connector|YYYY-MM-DDTHH:MM`).
          const minute = `${connector}|${event.at.slice(0, 16)}`
          add('connector-minute', minute, 'calls')
          if ('error' in event.data) add('connector-minute', minute, 'errors')
          const sent = calling.get(where)
          calling.delete(where)
          if (sent !== undefined) time('latency', connector, ms(sent, event.at))
          break
        }
        case 'connector.retry':
          add('connector', event.data.connector, 'retries')
          break
        case 'task.answered': {
          const opened = taskOpened.get(event.data.taskId)
          if (opened) time('task-answer', `${key}#${event.nodeId ?? ''}`, ms(opened.created_at, event.at))
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
  function taskClaimed(task: { flowId: string; hash: string; nodeId: string; openedAt: string }, at: string): void {
    time('task-claim', `${versionKey(task.flowId, task.hash)}#${task.nodeId}`, ms(task.openedAt, at))
  }
  return { observer, taskClaimed }
}
