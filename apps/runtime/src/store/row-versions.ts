// Optimistic concurrency for rows an admin edits from a screen (a work queue, a person): a row's
// version is the time it was last saved, a save names the version it was based on, and one based
// on a version someone has saved over since is refused in plain words with nothing written, so two
// admins never silently undo each other's change.
import { AppError } from '../errors.ts'

/**
 * The version a save writes: the time it was saved, or a millisecond past the version it replaces
 * when the clock has not moved beyond it (two saves in one millisecond, a clock set back, a test's
 * fixed clock), so a row's versions only grow and no two of its saves share one.
 */
export function versionAfter(at: Date, baseVersion: string | null): string {
  const replaced = baseVersion === null ? Number.NaN : Date.parse(baseVersion)
  return (replaced >= at.getTime() ? new Date(replaced + 1) : at).toISOString()
}

/** A stored version in words: `2026-03-01 09:00:00 UTC`. */
const versionWords = (version: string) => version.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')

/** The save as it now stands: when, and by whom when that is known (rows saved before it was kept). */
export interface SavedSince {
  updatedAt: string
  updatedBy: string | null
}

/**
 * The refusal of a save based on a version someone has saved over since. `what` names the row as a
 * sentence would (`the queue "pharmacy"`); `who` is the admin saving, told when the change since
 * was their own (another window).
 */
export function staleSave(what: string, current: SavedSince | undefined, who: string): AppError {
  const mine = current?.updatedBy === who
  const by = current?.updatedBy && !mine ? `, by ${current.updatedBy}` : ''
  const when = current ? ` (at ${versionWords(current.updatedAt)}${by})` : ''
  const changed = mine
    ? `You changed ${what} in another window since you opened it here${when}.`
    : `Someone else changed ${what} since you opened it${when}.`
  return new AppError('conflict', `${changed} Reload to see ${mine ? 'that' : 'their'} change; nothing was saved.`, {
    path: 'baseVersion',
  })
}
