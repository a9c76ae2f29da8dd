// One row of the admin's people table through a change and its save, pure so it is tested without a
// browser. The table saves each change as it is made (a ticked queue, a product role, the log-in
// switch), naming the version of the person it started from: a change over someone else's is
// refused by the runtime. A refused change stays on screen with the reason; Reload shows the person
// as saved now and sets aside only what the admin changed (a queue ticked or unticked, the role, the
// log-in), to make again on top of the other admin's change. The queue table does the same for a
// queue (queue-rows.ts).
import type { UserEntry } from '../api/carepath-api.ts'

type Role = UserEntry['role']

/** What an admin changes on a person. */
export interface PersonValues {
  role: Role
  active: boolean
  flowRoles: string[]
}

/** What the admin changed: the role or log-in as chosen, and the queues ticked and unticked. */
export interface PersonChange {
  role?: Role
  active?: boolean
  add?: string[]
  remove?: string[]
}

/** A change on its way or refused: what it changed, the person it started from and their version. */
export interface PersonEdit {
  change: PersonChange
  from: PersonValues
  base: string
}

/** A row's state beside the listed person; an empty object is a row nobody has touched. */
export interface PersonRow {
  edit?: PersonEdit
  /** A save is on its way: further changes wait for its answer (they are not taken). */
  saving?: boolean
  /** The last save that went through, shown until the list holds that version or a later one. */
  saved?: PersonValues & { version: string }
  /** Why the last save was refused; `stale` when it was based on a version someone changed since. */
  refusal?: { message: string; stale: boolean }
  /** What a refused change changed, put aside by Reload so the admin can make it again. */
  setAside?: PersonChange
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort()

/**
 * The person as last saved, as far as this screen knows: the list's row, or this screen's own save
 * while the list has not caught up (a person's versions only grow, so the later one is current).
 */
export function current(u: UserEntry, row: PersonRow): PersonValues & { version: string } {
  const listed = { role: u.role, active: !u.disabled, flowRoles: u.flowRoles, version: u.version }
  return row.saved && u.version < row.saved.version ? row.saved : listed
}

/** `values` with `change` made to them. */
export function applied(values: PersonValues, change: PersonChange): PersonValues {
  const removed = new Set(change.remove ?? [])
  return {
    role: change.role ?? values.role,
    active: change.active ?? values.active,
    flowRoles: sorted([...values.flowRoles.filter((q) => !removed.has(q)), ...(change.add ?? [])]),
  }
}

/** What the row shows: the admin's change, else the person as last saved. */
export function shown(u: UserEntry, row: PersonRow): PersonValues {
  if (row.edit) return applied(row.edit.from, row.edit.change)
  const { role, active, flowRoles } = current(u, row)
  return { role, active, flowRoles }
}

/** A queue ticked (`works`) or unticked, as a change. */
export const queueChange = (queue: string, works: boolean): PersonChange =>
  works ? { add: [queue] } : { remove: [queue] }

/** Two changes as one: the later role or log-in wins; ticking a queue undoes unticking it and back. */
function merged(a: PersonChange, b: PersonChange): PersonChange {
  const add = new Set(a.add ?? [])
  const remove = new Set(a.remove ?? [])
  for (const q of b.add ?? []) if (!remove.delete(q)) add.add(q)
  for (const q of b.remove ?? []) if (!add.delete(q)) remove.add(q)
  const role = b.role ?? a.role
  const active = b.active ?? a.active
  return {
    ...(role !== undefined ? { role } : {}),
    ...(active !== undefined ? { active } : {}),
    ...(add.size ? { add: sorted(add) } : {}),
    ...(remove.size ? { remove: sorted(remove) } : {}),
  }
}

/**
 * The row with `change` made: a new change starts from the person as last saved and that version;
 * one made to a refused change joins it (and is sent on the same version). None is taken while a
 * save is on its way.
 */
export function edited(u: UserEntry, row: PersonRow, change: PersonChange): PersonRow {
  if (row.saving) return row
  if (row.edit) return { ...row, edit: { ...row.edit, change: merged(row.edit.change, change) } }
  const { version, ...from } = current(u, row)
  return { ...row, edit: { change, from, base: version } }
}

/**
 * Whether the row's change waits for Reload instead of being sent: its last save was refused as
 * based on a version someone changed since, and sent on that version again it would be refused
 * again. A change made meanwhile joins the refused one on screen, and Reload sets it all aside to
 * make again on the person as saved now.
 */
export const waitsForReload = (row: PersonRow): boolean => row.refusal?.stale === true

/** What saving an edit sends: the role and log-in if it changed them, the queues if it changed them. */
export function savesOf(edit: PersonEdit): { access?: Pick<PersonValues, 'role' | 'active'>; queues?: string[] } {
  const values = applied(edit.from, edit.change)
  const { role, active, add, remove } = edit.change
  return {
    ...(role !== undefined || active !== undefined ? { access: { role: values.role, active: values.active } } : {}),
    ...(add?.length || remove?.length ? { queues: values.flowRoles } : {}),
  }
}

/** The row once its edit was saved as `version`: the saved person shows. */
export const afterSaved = (edit: PersonEdit, version: string): PersonRow => ({
  saved: { ...applied(edit.from, edit.change), version },
})

/** The row once its save was refused: the change stays as made, with the reason beside it. */
export const afterRefused = (row: PersonRow, refusal: NonNullable<PersonRow['refusal']>): PersonRow => ({
  ...row,
  saving: false,
  refusal,
})

const isEmpty = (change: PersonChange) => Object.keys(change).length === 0

/**
 * The row on Reload: the person shows as saved now, and what the refused change changed is set
 * aside (only that: the rest is what the admin had read, which the other change replaced).
 */
export function reloaded(row: PersonRow): PersonRow {
  const setAside = row.edit?.change ?? row.setAside
  return { saved: row.saved, setAside: setAside && !isEmpty(setAside) ? setAside : undefined }
}

/** What was set aside, made again to the person as last saved (the table then saves it). */
export function reapplied(u: UserEntry, row: PersonRow): PersonRow {
  if (!row.setAside) return row
  const { setAside, ...rest } = row
  return edited(u, rest, setAside)
}

/** A change in words: `works pharmacy; no longer works front-desk; product role analyst; may not log in`. */
export function changeWords(change: PersonChange): string {
  return [
    ...(change.add?.length ? [`works ${change.add.join(', ')}`] : []),
    ...(change.remove?.length ? [`no longer works ${change.remove.join(', ')}`] : []),
    ...(change.role ? [`product role ${change.role}`] : []),
    ...(change.active !== undefined ? [change.active ? 'may log in' : 'may not log in'] : []),
  ].join('; ')
}
