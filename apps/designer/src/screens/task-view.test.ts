import { describe, expect, it } from 'vitest'
import type { InboxTask } from '../api/carepath-api.ts'
import { dueLabel, readTask } from './task-view.ts'

const task: InboxTask = {
  id: 'run-1:task:4',
  runId: 'run-1',
  flowId: 'visit-confirmation',
  nodeId: 'call',
  role: 'front-desk',
  status: 'open',
  claimedBy: null,
  createdAt: '2026-01-05T09:00:00.000Z',
  dueAt: null,
  overdue: false,
  timesOut: false,
  title: 'Call the patient',
  prompt: 'Confirm the visit.',
  fields: [{ name: 'note', label: 'Note', type: 'string', required: false }],
  options: [{ value: 'yes', label: 'Confirmed', port: 'confirmed' }],
  shows: ['patient.firstName', 'patient.mrn', 'visit.date'],
  view: { patient: { firstName: 'Ada', mrn: '[redacted]' }, visit: { date: '2026-02-01' } },
}

describe('readTask', () => {
  it('shows the declared facts in the step order, a withheld one as null, and the request as sent', () => {
    const view = readTask({ ...task, view: { patient: { firstName: 'Ada' }, visit: { date: '2026-02-01' } } })
    expect(view.shown).toEqual([
      { path: 'patient.firstName', value: 'Ada' },
      { path: 'patient.mrn', value: null },
      { path: 'visit.date', value: '2026-02-01' },
    ])
    expect(view).toMatchObject({
      id: 'run-1:task:4',
      flowId: 'visit-confirmation',
      title: 'Call the patient',
      prompt: 'Confirm the visit.',
      role: 'front-desk',
      fields: [{ name: 'note', label: 'Note', type: 'string', required: false }],
      options: [{ value: 'yes', label: 'Confirmed', port: 'confirmed' }],
      claimedBy: null,
    })
  })

  it('keeps a redacted value as the server sent it', () => {
    expect(readTask(task).shown[1]).toEqual({ path: 'patient.mrn', value: '[redacted]' })
  })
})

describe('dueLabel', () => {
  const at = (iso: string) => iso.slice(11, 16)
  it('says when a task is due, that it is overdue, and whether the run moves on without an answer', () => {
    expect(dueLabel({ dueAt: null, overdue: false, timesOut: false }, at)).toBeNull()
    expect(dueLabel({ dueAt: '2026-01-05T09:30:00.000Z', overdue: false, timesOut: false }, at)).toBe('due 09:30')
    expect(dueLabel({ dueAt: '2026-01-05T09:30:00.000Z', overdue: false, timesOut: true }, at)).toBe(
      'due 09:30, then it moves on without you',
    )
    expect(dueLabel({ dueAt: '2026-01-05T09:30:00.000Z', overdue: true, timesOut: false }, at)).toBe(
      'overdue since 09:30',
    )
  })
})
