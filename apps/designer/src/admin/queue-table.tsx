// The admin's table of work queues: each queue's description and PHI clearance (the classes its
// people are cleared to see, whatever a flow's role asks for), who works it and the flows sending
// work to it. Description and clearance are edited in place and saved together; a queue nobody
// works is flagged, since its tasks would reach no one. A save over another admin's change is
// refused beside its row with the edit kept, and a Reload shows the queue as saved now (queue-rows.ts).
import { useState } from 'react'
import type { QueueClearance, QueueEntry, QueueSave, QueueSaved } from '../api/carepath-api.ts'
import { ApiError } from '../api/trpc-client.ts'
import { PHI_CLASS_LABELS } from '../features/facts/phi-labels.ts'
import {
  afterRefused,
  afterSaved,
  CLEARABLE,
  changeWords,
  clearanceWords,
  edited,
  reapplied,
  reloaded,
  saveOf,
  shown,
  unsaved,
  type QueueRow,
  type QueueValues,
} from './queue-rows.ts'

/** A refusal in the row's words: the runtime's sentence, and whether Reload would help. */
const refusalOf = (error: unknown): NonNullable<QueueRow['refusal']> => ({
  message: error instanceof Error ? error.message : 'The queue was not saved.',
  stale: error instanceof ApiError && error.code === 'CONFLICT',
})

export function QueueTable({
  queues,
  onSave,
  onReload,
}: {
  queues: readonly QueueEntry[]
  /** Save one queue; rejects with the runtime's refusal. */
  onSave(queue: QueueSave): Promise<QueueSaved>
  /** Read the queues again. */
  onReload(): void
}) {
  const [rows, setRows] = useState<Record<string, QueueRow>>({})
  const [newName, setNewName] = useState('')
  const [addError, setAddError] = useState<string | null>(null)
  const rowOf = (q: QueueEntry): QueueRow => rows[q.name] ?? {}
  // Updates read the latest state: a save's answer arrives after other changes to the rows.
  const update = (name: string, next: (row: QueueRow) => QueueRow) =>
    setRows((all) => ({ ...all, [name]: next(all[name] ?? {}) }))
  const edit = (q: QueueEntry, change: Partial<QueueValues>) => update(q.name, (row) => edited(q, row, change))

  const save = async (q: QueueEntry) => {
    const draft = rowOf(q).edit
    if (!draft) return
    const sent = saveOf(q.name, draft)
    update(q.name, (row) => ({ ...row, saving: true, refusal: undefined }))
    try {
      const result = await onSave(sent)
      update(q.name, (row) => afterSaved(row, sent, result))
    } catch (error) {
      update(q.name, (row) => afterRefused(row, refusalOf(error)))
    }
  }
  const reload = (q: QueueEntry) => {
    update(q.name, reloaded)
    onReload()
  }
  const add = async (name: string) => {
    setAddError(null)
    // A listed queue is changed in its row: adding it again would blank its description and clearance.
    if (queues.some((q) => q.name === name)) {
      setAddError(`The queue “${name}” is already listed; change it in its row.`)
      return
    }
    try {
      await onSave({ name, description: '', phi: null, baseVersion: null })
      setNewName('')
    } catch (error) {
      setAddError(refusalOf(error).message)
    }
  }

  return (
    <>
      <table className="cp-table" data-testid="queue-table">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Description</th>
            <th scope="col">PHI clearance</th>
            <th scope="col">Who works it</th>
            <th scope="col">Flows sending work</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => {
            const row = rowOf(q)
            const values = shown(q, row)
            return (
              <tr key={q.name} data-testid={`queue-${q.name}`}>
                <th scope="row">{q.name}</th>
                <td>
                  <div className="cp-row">
                    <textarea
                      className="cp-input cp-queue-description"
                      rows={2}
                      aria-label={`Description of ${q.name}`}
                      value={values.description}
                      onChange={(e) => edit(q, { description: e.target.value })}
                    />
                    {unsaved(q, row) && (
                      <button
                        type="button"
                        className="cp-btn small"
                        // Saved again on the version it was refused on, it would be refused again: Reload first.
                        disabled={row.saving || row.refusal?.stale}
                        onClick={() => void save(q)}
                        data-testid={`queue-${q.name}-save`}
                      >
                        {row.saving ? 'Saving…' : 'Save'}
                      </button>
                    )}
                  </div>
                  {row.refusal && (
                    <div className="cp-error-text" role="alert" data-testid={`queue-${q.name}-error`}>
                      {row.refusal.message}{' '}
                      {row.refusal.stale && (
                        <button
                          type="button"
                          className="cp-btn small"
                          aria-label={`Reload the queue ${q.name}`}
                          onClick={() => reload(q)}
                          data-testid={`queue-${q.name}-reload`}
                        >
                          Reload
                        </button>
                      )}
                    </div>
                  )}
                  {row.setAside && (
                    <p className="cp-hint" data-testid={`queue-${q.name}-set-aside`}>
                      Your edit, not saved: {changeWords(row.setAside)}.{' '}
                      <button
                        type="button"
                        className="cp-btn small ghost"
                        aria-label={`Use my edit again for ${q.name}`}
                        onClick={() => update(q.name, (r) => reapplied(q, r))}
                        data-testid={`queue-${q.name}-reapply`}
                      >
                        Use my edit again
                      </button>
                    </p>
                  )}
                </td>
                <td>
                  <ClearanceChecks name={q.name} phi={values.phi} onChange={(phi) => edit(q, { phi })} />
                </td>
                <td>
                  {q.members.length ? (
                    q.members.join(', ')
                  ) : (
                    <span className="cp-badge warn" data-testid={`queue-unworked-${q.name}`}>
                      nobody: its tasks reach no one
                    </span>
                  )}
                </td>
                <td>
                  {q.flows.length === 0
                    ? '—'
                    : q.flows.map((f) => (
                        <div key={f.id}>
                          <a href={`#/flows/${encodeURIComponent(f.id)}`}>{f.title}</a>{' '}
                          <small className="cp-hint">({f.steps.join(', ')})</small>
                        </div>
                      ))}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <form
        className="cp-row"
        onSubmit={(e) => {
          e.preventDefault()
          void add(newName.trim())
        }}
      >
        <label className="cp-inline-label">
          New queue{' '}
          <input
            className="cp-input"
            value={newName}
            placeholder="pharmacy"
            onChange={(e) => setNewName(e.target.value)}
            data-testid="queue-new-name"
          />
        </label>
        <button type="submit" className="cp-btn small" disabled={!newName.trim()} data-testid="queue-new-add">
          Add queue
        </button>
      </form>
      {addError && (
        <p className="cp-error-text" role="alert" data-testid="queue-new-error">
          {addError}
        </p>
      )}
    </>
  )
}

/**
 * The queue's clearance in words, and behind a Change button one checkbox per PHI class its people
 * are cleared to see plus one for no clearance at all. Folded, a row is one stop for the Tab key,
 * not nine. Choosing a class sets a clearance; clearing "no clearance set" clears them for no PHI
 * until classes are chosen.
 */
function ClearanceChecks({
  name,
  phi,
  onChange,
}: {
  name: string
  phi: QueueClearance
  onChange(phi: QueueClearance): void
}) {
  const [open, setOpen] = useState(false)
  const groupId = `queue-${name}-clearance-classes`
  return (
    <div data-testid={`queue-${name}-clearance`}>
      <div className="cp-row">
        <span data-testid={`queue-${name}-clearance-words`}>{clearanceWords(phi)}</span>
        <button
          type="button"
          className="cp-btn small ghost"
          aria-expanded={open}
          aria-controls={groupId}
          aria-label={`${open ? 'Close' : 'Change'} the PHI clearance of ${name}`}
          onClick={() => setOpen(!open)}
          data-testid={`queue-${name}-clearance-edit`}
        >
          {open ? 'Close' : 'Change'}
        </button>
      </div>
      {open && (
        <fieldset className="cp-checks" id={groupId}>
          <legend className="cp-visually-hidden">PHI classes the {name} queue is cleared to see</legend>
          <label className="cp-inline-label">
            <input
              type="checkbox"
              checked={phi === null}
              onChange={(e) => onChange(e.target.checked ? null : [])}
              data-testid={`queue-${name}-clearance-unset`}
            />{' '}
            No clearance set (sees what each flow asks)
          </label>
          {CLEARABLE.map((c) => (
            <label key={c} className="cp-inline-label">
              <input
                type="checkbox"
                checked={phi?.includes(c) ?? false}
                onChange={(e) =>
                  onChange(
                    e.target.checked
                      ? CLEARABLE.filter((k) => k === c || (phi ?? []).includes(k))
                      : (phi ?? []).filter((k) => k !== c),
                  )
                }
                data-testid={`queue-${name}-clearance-${c}`}
              />{' '}
              {PHI_CLASS_LABELS[c]}
            </label>
          ))}
        </fieldset>
      )}
    </div>
  )
}
