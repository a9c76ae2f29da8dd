// The latest applied settings revisions: who proposed and who approved each, and what changed
// (credentials named, never shown). Bootstrap revisions (first-time set-up) say so.
import { Empty, when } from '../../screens/state-views.tsx'
import type { SettingsChange, SettingsRevision } from './settings-review.api.ts'

const summary = (c: SettingsChange) =>
  c.credential
    ? `${c.path}: credential ${c.change}`
    : c.change === 'added'
      ? `${c.path}: added ${JSON.stringify(c.after)}`
      : c.change === 'removed'
        ? `${c.path}: removed`
        : `${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`

export function SettingsHistory({ history }: { history: readonly SettingsRevision[] }) {
  if (history.length === 0) return <Empty>No settings revision yet.</Empty>
  return (
    <table className="cp-table compact" data-testid="settings-history">
      <thead>
        <tr>
          <th scope="col">Revision</th>
          <th scope="col">Proposed by</th>
          <th scope="col">Approved by</th>
          <th scope="col">What changed</th>
        </tr>
      </thead>
      <tbody>
        {history.map((r) => (
          <tr key={r.id}>
            <th scope="row">{r.number}</th>
            <td>{r.proposedBy}</td>
            <td>
              {r.kind === 'bootstrap' ? 'set up without review' : `${r.decidedBy ?? ''} on ${when(r.decidedAt)}`}
              {r.applyToRunning && ' (running versions too)'}
            </td>
            <td>
              <ul>
                {r.changes.map((c) => (
                  <li key={c.path}>{summary(c)}</li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
