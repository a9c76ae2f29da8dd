// One row of the admin's queue table through an edit and its save, pure so it is tested without a
// browser. An edit remembers the version of the queue it started from, and its save sends that
// version: a save over someone else's change is refused by the runtime. A refused save keeps the
// edit on screen and says why; Reload sets what the edit changed aside (shown in words, to make
// again) and shows the queue as it is saved now. A save that went through shows what was saved,
// not the edit, until the list catches up, so a row never goes on showing an edit once saved.
import { PHI_CLASSES, type PhiClass } from '@carepath/dsl'
import type { QueueClearance, QueueEntry, QueueSave, QueueSaved } from '../api/carepath-api.ts'

type ClearedClass = Exclude<PhiClass, 'none'>
/** What a clearance can name: every class but `none`, which is not PHI and everyone sees. */
export const CLEARABLE: readonly ClearedClass[] = PHI_CLASSES.filter((c): c is ClearedClass => c !== 'none')

/** A clearance as listed, in the form a save sends it. */
export const clearanceOf = (phi: QueueEntry['phi']): QueueClearance =>
  phi === null ? null : CLEARABLE.filter((c) => phi.includes(c))

const sameClearance = (a: QueueClearance, b: QueueClearance) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((c) => b.includes(c))

/** What an admin edits on a queue. */
export interface QueueValues {
  description: string
  phi: QueueClearance
}
const sameValues = (a: QueueValues, b: QueueValues) => a.description === b.description && sameClearance(a.phi, b.phi)

/** An unsaved edit, the queue it started from and that queue's version (null: never saved). */
export interface QueueEdit extends QueueValues {
  base: string | null
  from: QueueValues
}

/** A row's state beside the listed queue; an empty object is a row nobody has touched. */
export interface QueueRow {
  edit?: QueueEdit
  /** A save is on its way. */
  saving?: boolean
  /** The last save that went through, shown until the list holds that version or a later one. */
  saved?: QueueValues & { version: string }
  /** Why the last save was refused; `stale` when it was based on a version someone saved over. */
  refusal?: { message: string; stale: boolean }
  /** What a refused edit changed, put aside by Reload so the admin can still use it. */
  setAside?: Partial<QueueValues>
}

/**
 * The queue as last saved, as far as this screen knows: the list's row, or this screen's own save
 * while the list has not caught up. A queue's versions only grow (the runtime's save makes each
 * later than the one it replaces), so the later of the two is the current one.
 */
export function current(q: QueueEntry, row: QueueRow): QueueValues & { version: string | null } {
  const listed = { description: q.description, phi: clearanceOf(q.phi), version: q.version }
  return row.saved && (q.version === null || q.version < row.saved.version) ? row.saved : listed
}

/** What the row shows: the admin's edit, else the queue as last saved. */
export function shown(q: QueueEntry, row: QueueRow): QueueValues {
  const { description, phi } = row.edit ?? current(q, row)
  return { description, phi }
}

/** Whether the row holds an edit that differs from the queue as last saved. */
export const unsaved = (q: QueueEntry, row: QueueRow): boolean =>
  row.edit !== undefined && !sameValues(row.edit, current(q, row))

/** The row with `change` made to what it shows; a new edit starts from the queue as last saved. */
export function edited(q: QueueEntry, row: QueueRow, change: Partial<QueueValues>): QueueRow {
  if (row.edit) return { ...row, edit: { ...row.edit, ...change } }
  const { version, ...from } = current(q, row)
  return { ...row, edit: { ...from, ...change, base: version, from } }
}

/** The fields an edit changed from the queue it started from. */
function changes(edit: QueueEdit): Partial<QueueValues> {
  return {
    ...(edit.description !== edit.from.description ? { description: edit.description } : {}),
    ...(!sameClearance(edit.phi, edit.from.phi) ? { phi: edit.phi } : {}),
  }
}

/** What saving the row's edit sends. */
export const saveOf = (name: string, edit: QueueEdit): QueueSave => ({
  name,
  description: edit.description,
  phi: edit.phi,
  baseVersion: edit.base,
})

/**
 * The row once `sent` was saved as `result`: the saved queue shows, and an edit made while the save
 * was on its way stays, now based on the version just saved.
 */
export function afterSaved(row: QueueRow, sent: QueueSave, result: QueueSaved): QueueRow {
  const saved = { description: result.description, phi: clearanceOf(result.phi), version: result.version }
  const later =
    row.edit && !sameValues(row.edit, sent)
      ? { ...row.edit, base: result.version, from: { description: saved.description, phi: saved.phi } }
      : undefined
  return { saved, edit: later }
}

/** The row once its save was refused: the edit stays as typed, with the reason beside it. */
export const afterRefused = (row: QueueRow, refusal: NonNullable<QueueRow['refusal']>): QueueRow => ({
  ...row,
  saving: false,
  refusal,
})

/**
 * The row on Reload: the queue shows as saved now, and what the refused edit changed is set aside
 * (only that: the rest of the edit is what the admin had read, which the other change replaced).
 */
export function reloaded(row: QueueRow): QueueRow {
  const setAside = row.edit ? changes(row.edit) : row.setAside
  return { saved: row.saved, setAside: setAside && Object.keys(setAside).length > 0 ? setAside : undefined }
}

/** What the set-aside edit changed, made again to the queue as last saved. */
export function reapplied(q: QueueEntry, row: QueueRow): QueueRow {
  if (!row.setAside) return row
  const { setAside, ...rest } = row
  return edited(q, rest, setAside)
}

/** What an edit changed, in words: `description “Refill checks”; PHI clearance: Cleared for contact`. */
export function changeWords(change: Partial<QueueValues>): string {
  return [
    ...(change.description !== undefined ? [`description “${change.description}”`] : []),
    ...(change.phi !== undefined ? [`PHI clearance: ${clearanceWords(change.phi)}`] : []),
  ].join('; ')
}

/** A clearance in words: what the row shows while its checkboxes are folded away. */
export function clearanceWords(phi: QueueClearance): string {
  if (phi === null) return 'No clearance set (sees what each flow asks)'
  return phi.length === 0 ? 'Cleared for no patient data' : `Cleared for ${phi.join(', ')}`
}
