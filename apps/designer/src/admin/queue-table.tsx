// The admin's table of work queues: each queue's description and PHI clearance (the classes its
// people are cleared to see, whatever a flow's role asks for), who works it and the flows sending
// work to it. Description and clearance are edited in place and saved together; a queue nobody
// works is flagged, since its tasks would reach no one.
import { useState } from 'react'
import { PHI_CLASSES, type PhiClass } from '@carepath/dsl'
import type { QueueClearance, QueueEntry, QueueSave } from '../api/carepath-api.ts'
import { PHI_CLASS_LABELS } from '../features/facts/phi-labels.ts'

type ClearedClass = Exclude<PhiClass, 'none'>
/** What a clearance can name: every class but `none`, which is not PHI and everyone sees. */
const CLEARABLE: readonly ClearedClass[] = PHI_CLASSES.filter((c): c is ClearedClass => c !== 'none')

/** A clearance as listed, in the form a save sends it. */
const clearanceOf = (phi: QueueEntry['phi']): QueueClearance =>
  phi === null ? null : CLEARABLE.filter((c) => phi.includes(c))

const sameClearance = (a: QueueClearance, b: QueueClearance) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((c) => b.includes(c))

/** A row's unsaved edits. */
interface Draft {
  description: string
  phi: QueueClearance
}

export function QueueTable({ queues, onSave }: { queues: readonly QueueEntry[]; onSave(queue: QueueSave): void }) {
  const [drafts, setDrafts] = useState<Record<string, Draft>>({})
  const [newName, setNewName] = useState('')
  const draftOf = (q: QueueEntry): Draft => drafts[q.name] ?? { description: q.description, phi: clearanceOf(q.phi) }
  const edit = (q: QueueEntry, change: Partial<Draft>) =>
    setDrafts({ ...drafts, [q.name]: { ...draftOf(q), ...change } })
  const changed = (q: QueueEntry) => {
    const draft = draftOf(q)
    return draft.description !== q.description || !sameClearance(draft.phi, clearanceOf(q.phi))
  }
  // The edit stays as typed until the list comes back with it saved (Save then hides), so a
  // refused save loses nothing.
  const save = (q: QueueEntry) => {
    const draft = draftOf(q)
    onSave({ name: q.name, description: draft.description, phi: draft.phi, baseVersion: q.version })
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
            const draft = draftOf(q)
            return (
              <tr key={q.name} data-testid={`queue-${q.name}`}>
                <th scope="row">{q.name}</th>
                <td>
                  <div className="cp-row">
                    <textarea
                      className="cp-input cp-queue-description"
                      rows={2}
                      aria-label={`Description of ${q.name}`}
                      value={draft.description}
                      onChange={(e) => edit(q, { description: e.target.value })}
                    />
                    {changed(q) && (
                      <button
                        type="button"
                        className="cp-btn small"
                        onClick={() => save(q)}
                        data-testid={`queue-${q.name}-save`}
                      >
                        Save
                      </button>
                    )}
                  </div>
                </td>
                <td>
                  <ClearanceChecks name={q.name} phi={draft.phi} onChange={(phi) => edit(q, { phi })} />
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
          onSave({ name: newName.trim(), description: '', phi: null, baseVersion: null })
          setNewName('')
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
    </>
  )
}

/** The clearance in words: what the row shows while its checkboxes are folded away. */
function clearanceWords(phi: QueueClearance): string {
  if (phi === null) return 'No clearance set (sees what each flow asks)'
  return phi.length === 0 ? 'Cleared for no patient data' : `Cleared for ${phi.join(', ')}`
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
