// Break-glass reviews, for compliance (the auditor role): every time-boxed reveal of PHI classes
// for one run, with the person's reason; a pending one is signed off with a note. Someone who
// broke the glass cannot sign off their own reveal (the server refuses it).
import { useState } from 'react'
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from './state-views.tsx'

export function RevealsScreen() {
  const [pendingOnly, setPendingOnly] = useState(true)
  const reveals = useLoader(() => api.reveals(pendingOnly), [pendingOnly])
  const [notes, setNotes] = useState<Record<string, string>>({})
  const [status, setStatus] = useState<{ ok?: string; error?: string }>({})

  const signOff = async (id: string) => {
    setStatus({})
    try {
      await api.signOffReveal(id, (notes[id] ?? '').trim())
      setStatus({ ok: 'Signed off.' })
      reveals.reload()
    } catch (e) {
      setStatus({ error: e instanceof Error ? e.message : 'The sign-off failed.' })
    }
  }

  return (
    <div className="cp-page" data-testid="reveals-screen">
      <div className="cp-page-head">
        <h1>Break-glass reviews</h1>
        <label className="cp-inline-label">
          <input
            type="checkbox"
            checked={pendingOnly}
            data-testid="reveals-pending-only"
            onChange={(e) => setPendingOnly(e.target.checked)}
          />{' '}
          Waiting for sign-off only
        </label>
      </div>
      {status.error && <ErrorState message={status.error} />}
      {status.ok && (
        <p className="cp-ok-text" role="status">
          {status.ok}
        </p>
      )}
      {reveals.loading && !reveals.data ? (
        <Loading what="the reveals" />
      ) : reveals.error ? (
        <ErrorState message={reveals.error} retry={reveals.reload} />
      ) : !reveals.data?.length ? (
        <Empty>{pendingOnly ? 'No reveal is waiting for sign-off.' : 'Nobody has broken the glass yet.'}</Empty>
      ) : (
        <table className="cp-table compact" data-testid="reveals-list">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Run</th>
              <th scope="col">Classes</th>
              <th scope="col">Reason</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {reveals.data.map((r) => (
              <tr key={r.id} data-testid="reveal-row">
                <td>{when(r.createdAt)}</td>
                <td>{r.username}</td>
                <td>
                  <a href={`#/runs/${encodeURIComponent(r.runId)}`}>{r.runId.slice(0, 8)}</a>
                </td>
                <td>{r.classes.join(', ')}</td>
                <td>{r.reason}</td>
                <td>
                  {r.reviewedAt ? (
                    `Signed off by ${r.reviewedBy ?? '—'}: ${r.reviewNote ?? ''}`
                  ) : (
                    <form
                      className="cp-row"
                      onSubmit={(e) => {
                        e.preventDefault()
                        void signOff(r.id)
                      }}
                    >
                      <label className="cp-field">
                        <span className="cp-field-label">Review note</span>
                        <input
                          className="cp-input"
                          value={notes[r.id] ?? ''}
                          data-testid="reveal-note"
                          onChange={(e) => setNotes({ ...notes, [r.id]: e.target.value })}
                        />
                      </label>
                      <button
                        type="submit"
                        className="cp-btn small"
                        disabled={!(notes[r.id] ?? '').trim()}
                        data-testid="reveal-sign-off"
                      >
                        Sign off
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
