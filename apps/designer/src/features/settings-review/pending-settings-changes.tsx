// The settings changes waiting for a second person, each with its masked diff (a credential
// reads "credential changed", never a value) and, for anyone but its proposer, Approve/Reject.
import { useState } from 'react'
import { Empty, ErrorState, when } from '../../screens/state-views.tsx'
import { settingsReviewApi, type SettingsChange, type SettingsRevision } from './settings-review.api.ts'

const shown = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value))

function ChangeRow({ change }: { change: SettingsChange }) {
  return (
    <tr>
      <th scope="row">
        <code>{change.path}</code>
      </th>
      <td>{change.change}</td>
      {change.credential ? (
        <td colSpan={2}>
          <span className="cp-badge warn">credential {change.change}</span>
        </td>
      ) : (
        <>
          <td>
            <code>{shown(change.before)}</code>
          </td>
          <td>
            <code>{shown(change.after)}</code>
          </td>
        </>
      )}
    </tr>
  )
}

function PendingChange({ revision, me, onDecided }: { revision: SettingsRevision; me: string; onDecided(): void }) {
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const own = revision.proposedBy === me
  const decide = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await work()
      onDecided()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The decision was not recorded.')
      setBusy(false)
    }
  }
  const noteId = `settings-note-${revision.id}`
  return (
    <article
      className="cp-card"
      aria-label={`Settings change by ${revision.proposedBy}`}
      data-testid="settings-pending"
    >
      <p>
        <strong>{revision.proposedBy}</strong> proposed on {when(revision.proposedAt)}: {revision.reason}
        {revision.applyToRunning && <span className="cp-badge warn"> applies to running versions</span>}
      </p>
      <table className="cp-table compact" data-testid="settings-diff">
        <caption className="cp-visually-hidden">What this change does</caption>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Change</th>
            <th scope="col">Now</th>
            <th scope="col">Proposed</th>
          </tr>
        </thead>
        <tbody>
          {revision.changes.map((change) => (
            <ChangeRow key={change.path} change={change} />
          ))}
        </tbody>
      </table>
      {error && <ErrorState message={error} />}
      {own ? (
        <p className="cp-hint" data-testid="settings-own-proposal">
          Proposed — waiting for a second person: another admin must approve or reject your change.
        </p>
      ) : (
        <div className="cp-row">
          <label className="cp-field" htmlFor={noteId}>
            <span className="cp-field-label">Note (optional)</span>
            <input
              id={noteId}
              className="cp-input"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              data-testid="settings-decision-note"
            />
          </label>
          <button
            type="button"
            className="cp-btn primary"
            disabled={busy}
            onClick={() => void decide(() => settingsReviewApi.approve(revision.id, note))}
            data-testid="settings-approve"
          >
            Approve and apply
          </button>
          <button
            type="button"
            className="cp-btn"
            disabled={busy}
            onClick={() => void decide(() => settingsReviewApi.reject(revision.id, note))}
            data-testid="settings-reject"
          >
            Reject
          </button>
        </div>
      )}
    </article>
  )
}

export function PendingSettingsChanges({
  pending,
  me,
  onDecided,
}: {
  pending: readonly SettingsRevision[]
  me: string
  onDecided(): void
}) {
  if (pending.length === 0) return <Empty>No settings change is waiting for review.</Empty>
  return (
    <div data-testid="settings-pending-list">
      {pending.map((revision) => (
        <PendingChange key={revision.id} revision={revision} me={me} onDecided={onDecided} />
      ))}
    </div>
  )
}
