// The flow's roles as an analyst edits them: each role is a work queue (by name) and the PHI
// classes its members may see. An ordered list in the form, a record in the document.
import type { FlowRole, PhiClass } from '@carepath/dsl'

/** One role row of the form; `key` is for the form only. */
export interface RoleRow {
  key: string
  queue: string
  title: string
  phi: PhiClass[]
}

let counter = 0
const nextKey = () => `role-${++counter}`

/** The rows for a flow's roles, in the document's order. */
export function rolesToRows(roles: Readonly<Record<string, FlowRole>>): RoleRow[] {
  return Object.entries(roles).map(([queue, role]) => ({
    key: nextKey(),
    queue,
    title: role.title ?? '',
    phi: role.phi,
  }))
}

/** A new role with no queue chosen yet; it sees only data that is not PHI. */
export function newRoleRow(): RoleRow {
  return { key: nextKey(), queue: '', title: '', phi: ['none'] }
}

/** The roles record the rows stand for (a blank title is left out). */
export function rowsToRoles(rows: readonly RoleRow[]): Record<string, FlowRole> {
  return Object.fromEntries(
    rows.map((row) => [row.queue, row.title.trim() ? { title: row.title.trim(), phi: row.phi } : { phi: row.phi }]),
  )
}

const QUEUE = /^[a-z][a-z0-9-]*$/

/** What keeps the rows from being written: a missing, malformed or repeated queue name. */
export function roleProblems(rows: readonly RoleRow[]): { key: string; message: string }[] {
  const seen = new Set<string>()
  const problems: { key: string; message: string }[] = []
  for (const row of rows) {
    if (!row.queue) problems.push({ key: row.key, message: 'A role has no queue: choose or type one.' })
    else if (!QUEUE.test(row.queue))
      problems.push({
        key: row.key,
        message: `“${row.queue}” is not a usable queue name: lower-case letters, digits and dashes, starting with a letter.`,
      })
    else if (seen.has(row.queue)) problems.push({ key: row.key, message: `The queue “${row.queue}” is listed twice.` })
    seen.add(row.queue)
  }
  return problems
}
