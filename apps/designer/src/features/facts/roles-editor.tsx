// The flow's roles as a form: per role the work queue its tasks go to (chosen from the queues the
// installation knows, or a new name), a title, and the PHI classes its members may see.
import { useEffect, useRef, useState } from 'react'
import { canonicalJson, PHI_CLASSES, type FlowRole } from '@carepath/dsl'
import { api, type QueueEntry } from '../../api/carepath-api.ts'
import { PHI_CLASS_LABELS } from './phi-labels.ts'
import { newRoleRow, roleProblems, rolesToRows, rowsToRoles, type RoleRow } from './roles.model.ts'

export function RolesEditor({
  roles,
  readOnly,
  onChange,
}: {
  roles: Record<string, FlowRole>
  readOnly: boolean
  onChange(roles: Record<string, FlowRole>): void
}) {
  const [rows, setRows] = useState(() => rolesToRows(roles))
  const written = useRef(canonicalJson(roles))
  const queues = useKnownQueues()
  useEffect(() => {
    const incoming = canonicalJson(roles)
    if (incoming === written.current) return
    written.current = incoming
    setRows(rolesToRows(roles))
  }, [roles])
  const problems = roleProblems(rows)
  const edit = (next: RoleRow[]) => {
    setRows(next)
    if (roleProblems(next).length > 0) return
    const record = rowsToRoles(next)
    written.current = canonicalJson(record)
    onChange(record)
  }
  const change = (key: string, patch: Partial<RoleRow>) =>
    edit(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)))
  return (
    <div className="cp-roles-editor" data-testid="roles-editor">
      <datalist id="cp-known-queues">
        {queues.map((q) => (
          <option key={q.name} value={q.name}>
            {q.description || `${q.members.length} member${q.members.length === 1 ? '' : 's'}`}
          </option>
        ))}
      </datalist>
      {rows.length === 0 && (
        <p className="cp-hint" data-testid="roles-empty">
          No roles yet. Human steps send their tasks to a role’s work queue; add one for each group of people who work
          this flow.
        </p>
      )}
      {rows.map((row, index) => {
        const label = row.queue || `role ${index + 1}`
        const members = queues.find((q) => q.name === row.queue)?.members
        return (
          <fieldset key={row.key} className="cp-role" data-testid={`role-${index}`}>
            <legend>{row.title || row.queue || `Role ${index + 1}`}</legend>
            <label className="cp-field">
              <span className="cp-field-label">Work queue</span>
              <input
                className={problems.some((p) => p.key === row.key) ? 'cp-input invalid' : 'cp-input'}
                list="cp-known-queues"
                value={row.queue}
                disabled={readOnly}
                onChange={(e) => change(row.key, { queue: e.target.value.trim() })}
                data-testid={`role-${index}-queue`}
              />
            </label>
            {row.queue && members !== undefined && (
              <p className="cp-hint">
                {members.length === 0
                  ? 'Nobody works this queue yet: an admin adds people in Users and queues.'
                  : `Worked by ${members.join(', ')}.`}
              </p>
            )}
            <label className="cp-field">
              <span className="cp-field-label">Title</span>
              <input
                className="cp-input"
                value={row.title}
                disabled={readOnly}
                onChange={(e) => change(row.key, { title: e.target.value })}
                data-testid={`role-${index}-title`}
              />
            </label>
            <fieldset className="cp-role-phi">
              <legend>PHI classes {label} may see</legend>
              {PHI_CLASSES.map((phi) => (
                <label key={phi} className="cp-field-inline cp-check">
                  <input
                    type="checkbox"
                    checked={row.phi.includes(phi)}
                    disabled={readOnly}
                    onChange={(e) =>
                      change(row.key, {
                        phi: e.target.checked
                          ? PHI_CLASSES.filter((c) => c === phi || row.phi.includes(c))
                          : row.phi.filter((c) => c !== phi),
                      })
                    }
                    data-testid={`role-${index}-phi-${phi}`}
                  />
                  {PHI_CLASS_LABELS[phi]}
                </label>
              ))}
            </fieldset>
            {!readOnly && (
              <button
                type="button"
                className="cp-btn small ghost"
                onClick={() => edit(rows.filter((r) => r.key !== row.key))}
                data-testid={`role-${index}-remove`}
              >
                Remove {label}
              </button>
            )}
          </fieldset>
        )
      })}
      {problems.length > 0 && (
        <ul className="cp-error-text" data-testid="roles-problems">
          {problems.map((p) => (
            <li key={p.key}>{p.message} The roles keep their last valid form until this is fixed.</li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <button
          type="button"
          className="cp-btn small"
          onClick={() => edit([...rows, newRoleRow()])}
          data-testid="role-add"
        >
          + Add role
        </button>
      )}
    </div>
  )
}

/** The installation's work queues, for the queue picker; an empty list when they cannot be read. */
function useKnownQueues(): QueueEntry[] {
  const [queues, setQueues] = useState<QueueEntry[]>([])
  useEffect(() => {
    let live = true
    api.listQueues().then(
      (list) => live && setQueues(list),
      () => live && setQueues([]),
    )
    return () => {
      live = false
    }
  }, [])
  return queues
}
