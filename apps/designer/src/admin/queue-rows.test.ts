import { describe, expect, it } from 'vitest'
import type { QueueEntry } from '../api/carepath-api.ts'
import {
  afterRefused,
  afterSaved,
  changeWords,
  edited,
  reapplied,
  reloaded,
  saveOf,
  shown,
  unsaved,
  type QueueRow,
} from './queue-rows.ts'

const V1 = '2026-03-01T09:00:00.000Z'
const V2 = '2026-03-01T09:05:00.000Z'
const V3 = '2026-03-01T09:10:00.000Z'
const queue = (change: Partial<QueueEntry> = {}): QueueEntry => ({
  name: 'pharmacy',
  description: 'Refills',
  phi: null,
  version: V1,
  members: [],
  flows: [],
  ...change,
})

describe('a queue row through an edit and its save', () => {
  it('sends the version its edit started from, even after the list has moved on', () => {
    const row = edited(queue(), {}, { description: 'Refill checks' })
    expect(unsaved(queue(), row)).toBe(true)
    // Someone else's save reaches the list while the admin is still typing: the edit keeps its base,
    // so the runtime can refuse it rather than overwrite what the admin never saw.
    const moved = queue({ phi: ['demographic'], version: V2 })
    const typed = edited(moved, row, { description: 'Refill checks, weekdays' })
    expect(shown(moved, typed)).toEqual({ description: 'Refill checks, weekdays', phi: null })
    expect(saveOf('pharmacy', typed.edit!)).toEqual({
      name: 'pharmacy',
      description: 'Refill checks, weekdays',
      phi: null,
      baseVersion: V1,
    })
    // A queue never saved has no version: its first save says so.
    expect(edited(queue({ version: null }), {}, { phi: [] }).edit?.base).toBeNull()
  })

  it('shows the saved queue after a save, and the list’s later change once it comes, never the old edit', () => {
    const row = edited(queue(), {}, { description: 'Refill checks' })
    const sent = saveOf('pharmacy', row.edit!)
    const saved = afterSaved(row, sent, { name: 'pharmacy', description: 'Refill checks', phi: null, version: V2 })
    // The list has not caught up yet: the row shows what was saved, with nothing left to save.
    expect(shown(queue(), saved)).toEqual({ description: 'Refill checks', phi: null })
    expect(unsaved(queue(), saved)).toBe(false)
    // Someone else then narrows the clearance: the row shows their change, not the edit it saved.
    const later = queue({ description: 'Refill checks', phi: ['demographic'], version: V3 })
    expect(shown(later, saved)).toEqual({ description: 'Refill checks', phi: ['demographic'] })
    expect(unsaved(later, saved)).toBe(false)
    // A next edit starts from the version this screen saved, not from the one the list still shows.
    expect(edited(queue(), saved, { phi: [] }).edit).toMatchObject({ description: 'Refill checks', phi: [], base: V2 })
  })

  it('keeps an edit made while the save was on its way, based on the version just saved', () => {
    const row = edited(queue(), {}, { description: 'Refill checks' })
    const sent = saveOf('pharmacy', row.edit!)
    const typing = edited(queue(), { ...row, saving: true }, { description: 'Refill checks, weekdays' })
    const saved = afterSaved(typing, sent, { name: 'pharmacy', description: 'Refill checks', phi: null, version: V2 })
    expect(saved.edit).toMatchObject({ description: 'Refill checks, weekdays', phi: null, base: V2 })
    expect(saved.saving).toBeUndefined()
  })

  it('keeps a refused edit with its reason, sets what it changed aside on Reload, and makes that change again', () => {
    const row = edited(queue(), {}, { description: 'Refill checks' })
    const refusal = { message: 'Someone else changed the queue "pharmacy" since you opened it.', stale: true }
    const refused = afterRefused({ ...row, saving: true }, refusal)
    expect(refused).toEqual({ edit: row.edit, saving: false, refusal })
    expect(shown(queue(), refused)).toEqual({ description: 'Refill checks', phi: null })

    const reread: QueueRow = reloaded(refused)
    const theirs = queue({ phi: ['demographic'], version: V2 })
    // The other admin's change shows; the refused edit is kept aside, not lost.
    expect(shown(theirs, reread)).toEqual({ description: 'Refills', phi: ['demographic'] })
    expect(reread.refusal).toBeUndefined()
    // Only what the admin changed is set aside: the clearance they had read is not theirs to put back.
    expect(reread.setAside).toEqual({ description: 'Refill checks' })
    expect(changeWords(reread.setAside ?? {})).toBe('description “Refill checks”')
    expect(unsaved(theirs, reread)).toBe(false)

    const again = reapplied(theirs, reread)
    expect(again.setAside).toBeUndefined()
    expect(shown(theirs, again)).toEqual({ description: 'Refill checks', phi: ['demographic'] })
    expect(saveOf('pharmacy', again.edit!)).toMatchObject({ phi: ['demographic'], baseVersion: V2 })
    expect(unsaved(theirs, again)).toBe(true)
    // An edit that changed nothing leaves nothing aside.
    expect(reloaded(afterRefused(edited(queue(), {}, {}), refusal)).setAside).toBeUndefined()
  })
})
