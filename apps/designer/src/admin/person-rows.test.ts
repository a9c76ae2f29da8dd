import { describe, expect, it } from 'vitest'
import type { UserEntry } from '../api/carepath-api.ts'
import {
  afterRefused,
  afterSaved,
  changeWords,
  edited,
  queueChange,
  reapplied,
  reloaded,
  savesOf,
  shown,
  waitsForReload,
  type PersonRow,
} from './person-rows.ts'

const V1 = '2026-03-01T09:00:00.000Z'
const V2 = '2026-03-01T09:05:00.000Z'
const V3 = '2026-03-01T09:10:00.000Z'
const pat = (change: Partial<UserEntry> = {}): UserEntry => ({
  id: 'u-pat',
  username: 'pat',
  role: 'agent',
  flowRoles: ['front-desk'],
  disabled: false,
  version: V1,
  ...change,
})
const stale = { message: 'Someone else changed the access of "pat" since you opened it.', stale: true }

describe('a person row through a change and its save', () => {
  it('sends the whole list of queues the admin saw with the one ticked, on the version it started from', () => {
    const row = edited(pat(), {}, queueChange('pharmacy', true))
    expect(shown(pat(), row)).toEqual({ role: 'agent', active: true, flowRoles: ['front-desk', 'pharmacy'] })
    expect(row.edit?.base).toBe(V1)
    expect(savesOf(row.edit!)).toEqual({ queues: ['front-desk', 'pharmacy'] })
    // A role change sends the role and log-in only.
    expect(savesOf(edited(pat(), {}, { role: 'analyst' }).edit!)).toEqual({
      access: { role: 'analyst', active: true },
    })
    // No change is taken while a save is on its way.
    const saving: PersonRow = { ...row, saving: true }
    expect(edited(pat(), saving, queueChange('billing', true))).toBe(saving)
  })

  it('shows the saved person after a save, and the list’s later change once it comes', () => {
    const row = edited(pat(), {}, queueChange('front-desk', false))
    const saved = afterSaved(row.edit!, V2)
    expect(shown(pat(), saved).flowRoles).toEqual([])
    // Someone else then gives pat the pharmacy queue: the row shows their change.
    const later = pat({ flowRoles: ['pharmacy'], version: V3 })
    expect(shown(later, saved).flowRoles).toEqual(['pharmacy'])
    // A next change starts from the version this screen saved while the list still shows the old one.
    expect(edited(pat(), saved, { active: false }).edit?.base).toBe(V2)
  })

  it('keeps a refused change on screen, and Reload sets aside only what the admin changed', () => {
    const row = edited(pat(), {}, queueChange('pharmacy', true))
    const refused = afterRefused({ ...row, saving: true }, stale)
    expect(refused).toMatchObject({ saving: false, refusal: stale })
    expect(shown(pat(), refused).flowRoles).toEqual(['front-desk', 'pharmacy'])
    // Another tick on the refused row joins its change; unticking what was ticked undoes it.
    const more = edited(pat(), refused, queueChange('billing', true))
    expect(more.edit?.change).toEqual({ add: ['billing', 'pharmacy'] })
    expect(edited(pat(), more, queueChange('billing', false)).edit?.change).toEqual({ add: ['pharmacy'] })

    // Meanwhile another admin took the front desk away: Reload shows that, with the tick set aside.
    const other = pat({ flowRoles: [], version: V2 })
    const reread = reloaded(refused)
    expect(reread).toEqual({ saved: undefined, setAside: { add: ['pharmacy'] } })
    expect(shown(other, reread).flowRoles).toEqual([])
    expect(changeWords(reread.setAside!)).toBe('works pharmacy')
    // Using the edit again adds only the ticked queue to what is saved now, on the new version: the
    // front desk the other admin removed stays removed.
    const again = reapplied(other, reread)
    expect(again.setAside).toBeUndefined()
    expect(again.edit?.base).toBe(V2)
    expect(savesOf(again.edit!)).toEqual({ queues: ['pharmacy'] })
  })

  it('holds changes made after a refusal as outdated until Reload, and sends after any other refusal', () => {
    const refused = afterRefused({ ...edited(pat(), {}, queueChange('pharmacy', true)), saving: true }, stale)
    expect(waitsForReload(refused)).toBe(true)
    // Two more changes on the refused row: each joins it, none would be sent on the outdated version.
    const held = edited(pat(), edited(pat(), refused, { role: 'analyst' }), queueChange('billing', true))
    expect(waitsForReload(held)).toBe(true)
    expect(held.edit?.base).toBe(V1)
    // Reload sets all three aside, to make again on the person as saved now.
    expect(changeWords(reloaded(held).setAside!)).toBe('works billing, pharmacy; product role analyst')
    // A refusal Reload would not cure (the runtime refused the change itself) lets a corrected change go.
    const invalid = afterRefused(refused, { message: 'No queue named "billing".', stale: false })
    expect(waitsForReload(invalid)).toBe(false)
    expect(waitsForReload({})).toBe(false)
  })

  it('says a change in words', () => {
    expect(changeWords({ add: ['pharmacy'], remove: ['front-desk'], role: 'analyst', active: false })).toBe(
      'works pharmacy; no longer works front-desk; product role analyst; may not log in',
    )
  })
})
