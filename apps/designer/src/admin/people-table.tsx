// The admin's table of people: each person's product role, whether they may log in, and the work
// queues they work. Each change is saved as it is made, naming the version of the person it started
// from; a change over another admin's is refused beside the person's row with the change kept on
// screen, and Reload shows the person as saved now with the change set aside to make again
// (person-rows.ts).
import { useState } from 'react'
import type { PersonAccess, PersonQueues, UserEntry } from '../api/carepath-api.ts'
import { ApiError } from '../api/trpc-client.ts'
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
  type PersonChange,
  type PersonEdit,
  type PersonRow,
} from './person-rows.ts'
import { PRODUCT_ROLES } from './product-roles.ts'

/** A refusal in the row's words: the runtime's sentence, and whether Reload would help. */
const refusalOf = (error: unknown): NonNullable<PersonRow['refusal']> => ({
  message: error instanceof Error ? error.message : 'The change was not saved.',
  stale: error instanceof ApiError && error.code === 'CONFLICT' && error.data?.field === 'baseVersion',
})

export function PeopleTable({
  users,
  queues,
  onSetQueues,
  onSetAccess,
  onReload,
}: {
  users: readonly UserEntry[]
  queues: readonly string[]
  /** Save a person's queues; rejects with the runtime's refusal. */
  onSetQueues(change: PersonQueues): Promise<{ version: string }>
  /** Save a person's product role and log-in (and queues, when given); rejects with the runtime's refusal. */
  onSetAccess(change: PersonAccess): Promise<{ version: string }>
  /** Read the people again. */
  onReload(): void
}) {
  const [rows, setRows] = useState<Record<string, PersonRow>>({})
  const rowOf = (u: UserEntry): PersonRow => rows[u.username] ?? {}
  // Updates read the latest state: a save's answer arrives after other changes to the rows.
  const update = (username: string, next: (row: PersonRow) => PersonRow) =>
    setRows((all) => ({ ...all, [username]: next(all[username] ?? {}) }))

  // One request per change, whatever it touches: a role and queues changed together are saved
  // together or not at all.
  const send = async (username: string, edit: PersonEdit) => {
    const { access, queues: flowRoles } = savesOf(edit)
    const baseVersion = edit.base
    try {
      // saveRow sends only a change that touches one or both (never an empty list for "no change").
      const { version } = access
        ? await onSetAccess({ username, ...access, ...(flowRoles ? { flowRoles } : {}), baseVersion })
        : flowRoles
          ? await onSetQueues({ username, flowRoles, baseVersion })
          : { version: baseVersion }
      update(username, () => afterSaved(edit, version))
    } catch (error) {
      update(username, (row) => afterRefused(row, refusalOf(error)))
    }
  }
  /** Make `next` the row and save its change, unless a save is already on its way. */
  const saveRow = (u: UserEntry, next: PersonRow) => {
    if (next.saving || !next.edit) return
    if (waitsForReload(next)) {
      update(u.username, () => next)
      return
    }
    const { access, queues: flowRoles } = savesOf(next.edit)
    if (!access && !flowRoles) {
      // The change undid itself (a queue ticked and unticked): nothing to send.
      update(u.username, () => ({ saved: next.saved }))
      return
    }
    update(u.username, () => ({ ...next, saving: true, refusal: undefined }))
    void send(u.username, next.edit)
  }
  const change = (u: UserEntry, c: PersonChange) => saveRow(u, edited(u, rowOf(u), c))
  const reload = (u: UserEntry) => {
    update(u.username, reloaded)
    onReload()
  }

  return (
    <table className="cp-table" data-testid="user-table">
      <thead>
        <tr>
          <th scope="col">Person</th>
          <th scope="col">Product role</th>
          <th scope="col">Queues worked</th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => {
          const row = rowOf(u)
          const values = shown(u, row)
          return (
            <tr key={u.id} data-testid={`user-${u.username}`}>
              <th scope="row">
                {u.username}
                {!values.active && <small className="cp-hint"> (disabled)</small>}
                {row.refusal && (
                  <div className="cp-error-text" role="alert" data-testid={`user-${u.username}-error`}>
                    {row.refusal.message} {row.refusal.stale && 'Further changes wait here until you reload. '}
                    {row.refusal.stale && (
                      <button
                        type="button"
                        className="cp-btn small"
                        aria-label={`Reload ${u.username}`}
                        onClick={() => reload(u)}
                        data-testid={`user-${u.username}-reload`}
                      >
                        Reload
                      </button>
                    )}
                  </div>
                )}
                {row.setAside && (
                  <p className="cp-hint" data-testid={`user-${u.username}-set-aside`}>
                    Your change, not saved: {changeWords(row.setAside)}.{' '}
                    <button
                      type="button"
                      className="cp-btn small ghost"
                      aria-label={`Use my edit again for ${u.username}`}
                      onClick={() => saveRow(u, reapplied(u, row))}
                      data-testid={`user-${u.username}-reapply`}
                    >
                      Use my edit again
                    </button>
                  </p>
                )}
              </th>
              <td>
                <select
                  className="cp-input"
                  value={values.role}
                  aria-label={`Product role of ${u.username}`}
                  onChange={(e) => {
                    const role = PRODUCT_ROLES.find((r) => r === e.target.value)
                    if (role) change(u, { role })
                  }}
                  data-testid={`user-${u.username}-role`}
                >
                  {PRODUCT_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <label className="cp-inline-label">
                  <input
                    type="checkbox"
                    checked={values.active}
                    onChange={(e) => change(u, { active: e.target.checked })}
                    data-testid={`user-${u.username}-active`}
                  />{' '}
                  may log in
                </label>
              </td>
              <td>
                {values.flowRoles.includes('*') ? (
                  <span>every queue</span>
                ) : (
                  <fieldset className="cp-checks">
                    <legend className="cp-visually-hidden">Queues {u.username} works</legend>
                    {queues.map((q) => (
                      <label key={q} className="cp-inline-label">
                        <input
                          type="checkbox"
                          checked={values.flowRoles.includes(q)}
                          onChange={(e) => change(u, queueChange(q, e.target.checked))}
                          data-testid={`user-${u.username}-queue-${q}`}
                        />{' '}
                        {q}
                      </label>
                    ))}
                  </fieldset>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
