// The installation's PHI map: every flow and every outside system patient data reaches, what a
// queue's PHI clearance withholds of what a flow asks for, with the date of the last quarterly
// review and a button to record today's (audited).
import { useState } from 'react'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'
import { phiMapApi, type PhiMapRollupView } from './phi-map-api.ts'
import './phi-map.css'

const day = (iso: string) => iso.slice(0, 10)

function ReviewLine({ rollup }: { rollup: PhiMapRollupView }) {
  if (!rollup.review)
    return <p className="cp-phi-overdue">Never reviewed: review the map below and mark it reviewed.</p>
  const text = `Last reviewed on ${day(rollup.review.reviewedOn)} by ${rollup.review.reviewedBy}; next review due ${day(rollup.reviewDue ?? rollup.review.reviewedOn)}.`
  return <p className={rollup.overdue ? 'cp-phi-overdue' : 'cp-hint'}>{rollup.overdue ? `Overdue. ${text}` : text}</p>
}

export function PhiMapRollupSection() {
  const rollup = useLoader(() => phiMapApi.rollup(), [])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const markReviewed = async () => {
    setBusy(true)
    setError(null)
    try {
      await phiMapApi.markReviewed()
      rollup.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The review could not be recorded.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <section aria-labelledby="phi-rollup-heading" className="cp-card" data-testid="phi-map-rollup">
      <h3 id="phi-rollup-heading">PHI touchpoint map of this installation</h3>
      {rollup.loading && !rollup.data ? (
        <Loading what="the PHI map" />
      ) : rollup.error ? (
        <ErrorState message={rollup.error} retry={rollup.reload} />
      ) : !rollup.data ? null : (
        <>
          <div role="status" data-testid="phi-map-review">
            <ReviewLine rollup={rollup.data} />
          </div>
          <button
            type="button"
            className="cp-btn primary small"
            disabled={busy}
            onClick={() => void markReviewed()}
            data-testid="phi-map-mark-reviewed"
          >
            Mark reviewed today
          </button>
          {error && <ErrorState message={error} />}
          {rollup.data.flows.length === 0 ? (
            <Empty>No flows yet.</Empty>
          ) : (
            <>
              <h4>Outside systems</h4>
              {rollup.data.systems.length === 0 ? (
                <Empty>No flow sends patient data outside.</Empty>
              ) : (
                <table className="cp-table compact" data-testid="phi-rollup-systems">
                  <thead>
                    <tr>
                      <th scope="col">System</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Encrypted</th>
                      <th scope="col">PHI classes</th>
                      <th scope="col">Flows</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rollup.data.systems.map((s, i) => (
                      <tr key={i}>
                        <td>
                          {s.system}
                          {s.endpoint && <small className="cp-hint"> {s.endpoint}</small>}
                        </td>
                        <td>{s.channel}</td>
                        <td>
                          {s.encrypted} <small className="cp-hint">({s.encryptionNote})</small>
                        </td>
                        <td>{s.classes.join(', ')}</td>
                        <td>{s.flows.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h4>Flows</h4>
              <table className="cp-table compact" data-testid="phi-rollup-flows">
                <thead>
                  <tr>
                    <th scope="col">Flow</th>
                    <th scope="col">Version</th>
                    <th scope="col">PHI classes</th>
                    <th scope="col">Sent to</th>
                    <th scope="col">Withheld by a queue&rsquo;s clearance</th>
                  </tr>
                </thead>
                <tbody>
                  {rollup.data.flows.map((f) => (
                    <tr key={f.flowId}>
                      <td>{f.title}</td>
                      <td>
                        {f.revision}
                        {!f.published && ' (draft, not published)'}
                      </td>
                      <td>{f.classes.join(', ') || 'none'}</td>
                      <td>{f.systems.join('; ') || 'nothing outside'}</td>
                      <td>{f.withheld.join('; ') || 'nothing'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  )
}
