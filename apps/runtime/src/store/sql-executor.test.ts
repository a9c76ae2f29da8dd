import { describe, expect, it } from 'vitest'
import { numberedPlaceholders, PendingBatches, type BatchWriter } from './sql-executor.ts'

describe('numbered placeholders for PostgreSQL', () => {
  it('numbers each ? in order', () => {
    expect(numberedPlaceholders('select * from "runs" where "id" = ? and "status" in (?, ?) limit ?')).toBe(
      'select * from "runs" where "id" = $1 and "status" in ($2, $3) limit $4',
    )
  })

  it('leaves a ? inside quoted text, a quoted name or a comment alone', () => {
    expect(numberedPlaceholders(`select 'why?', "odd?name", 'it''s ?' from t where a = ? -- any?\nand b = ?`)).toBe(
      `select 'why?', "odd?name", 'it''s ?' from t where a = $1 -- any?\nand b = $2`,
    )
  })
})

describe('the batches a transaction gathers for its commit', () => {
  const writer = (name: string, log: string[], order?: number): BatchWriter<string> => ({
    ...(order === undefined ? {} : { order }),
    flush: async (items) => void log.push(`${name}: ${items.join(' ')}`),
  })

  it('gives each writer its items in order, writers in ascending order then as first added', async () => {
    const log: string[] = []
    const batches = new PendingBatches()
    const audit = writer('audit', log, 1)
    const metrics = writer('metrics', log)
    const index = writer('index', log)
    batches.add(audit, 'a1')
    batches.add(metrics, 'm1')
    batches.add(index, 'i1')
    batches.add(metrics, 'm2')
    batches.add(audit, 'a2')
    await batches.flush()
    expect(log).toEqual(['metrics: m1 m2', 'index: i1', 'audit: a1 a2'])
  })

  it('drops what was added after a mark when rolled back to it, and flushes what a flush adds', async () => {
    const log: string[] = []
    const batches = new PendingBatches()
    const later = writer('later', log)
    const first: BatchWriter<string> = {
      flush: async (items) => {
        log.push(`first: ${items.join(' ')}`)
        batches.add(later, 'added by first')
      },
    }
    batches.add(first, 'kept')
    const mark = batches.mark()
    batches.add(first, 'undone')
    batches.rollBackTo(mark)
    await batches.flush()
    expect(log).toEqual(['first: kept', 'later: added by first'])
    await batches.flush()
    expect(log).toHaveLength(2)
  })
})
