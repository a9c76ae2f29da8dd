// Published versions still running with an older settings revision (they keep the one they were
// published with). Moving one to the current settings is itself a proposal another admin decides.
import { useState } from 'react'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'
import { settingsReviewApi, type PinnedVersion } from './settings-review.api.ts'

function VersionRow({ version, onProposed }: { version: PinnedVersion; onProposed(): void }) {
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const label = `${version.flowId} version ${version.hash.slice(0, 12)}`
  const propose = async () => {
    setBusy(true)
    setError(null)
    try {
      await settingsReviewApi.proposeRepin(version.flowId, version.hash, reason)
      onProposed()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The move was not proposed.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{version.revision}</td>
      <td>
        {error && <ErrorState message={error} />}
        <form
          className="cp-row"
          onSubmit={(e) => {
            e.preventDefault()
            void propose()
          }}
        >
          <label className="cp-inline-label">
            Why{' '}
            <input
              className="cp-input"
              value={reason}
              required
              aria-label={`Why move ${label} to the current settings`}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <button type="submit" className="cp-btn small" disabled={busy || !reason.trim()}>
            Propose moving to the current settings
          </button>
        </form>
      </td>
    </tr>
  )
}

export function VersionsBehind({ generation, onProposed }: { generation: number; onProposed(): void }) {
  const pins = useLoader(() => settingsReviewApi.pins(), [generation])
  if (pins.loading && !pins.data) return <Loading what="the versions on older settings" />
  if (pins.error) return <ErrorState message={pins.error} retry={pins.reload} />
  if (!pins.data?.length) return <Empty>Every published version runs with the current settings.</Empty>
  return (
    <table className="cp-table compact" data-testid="settings-versions-behind">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Settings revision</th>
          <th scope="col">Move it</th>
        </tr>
      </thead>
      <tbody>
        {pins.data.map((v) => (
          <VersionRow key={`${v.flowId}:${v.hash}`} version={v} onProposed={onProposed} />
        ))}
      </tbody>
    </table>
  )
}
