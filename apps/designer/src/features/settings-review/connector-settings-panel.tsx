// Connector settings under review, for admins: the current revision's endpoints and allow-list
// as a form, where saving proposes a change (it applies only once another admin approves it),
// and the changes waiting for a second person with their masked diff.
import { useState } from 'react'
import { useLoader } from '../../api/use-loader.ts'
import { useSession } from '../../store/session.store.ts'
import { ErrorState, Loading } from '../../screens/state-views.tsx'
import { applyEdits, editsFrom, type ConnectorEdits } from './connector-edits.ts'
import { PendingSettingsChanges } from './pending-settings-changes.tsx'
import { SettingsHistory } from './settings-history.tsx'
import { VersionsBehind } from './versions-behind.tsx'
import { settingsReviewApi, type MaskedSettings } from './settings-review.api.ts'

export function ConnectorSettingsPanel() {
  const current = useLoader(() => settingsReviewApi.current(), [])
  const review = useLoader(() => settingsReviewApi.review(), [])
  const me = useSession((s) => s.user?.username ?? '')
  // Bumped after every proposal or decision, so the versions on older settings are read again.
  const [generation, setGeneration] = useState(0)
  const reload = () => {
    current.reload()
    review.reload()
    setGeneration((g) => g + 1)
  }

  return (
    <section aria-labelledby="connector-settings-heading" data-testid="connector-settings">
      <h3 id="connector-settings-heading">Connector settings</h3>
      <p className="cp-hint">
        Endpoints, credentials and allow-lists change through review: a change is proposed, and applies only when
        another admin approves it. Published flow versions keep the settings revision they were published with unless
        the change is approved for running versions too.
      </p>
      {review.data && (
        <p data-testid="settings-revision">
          {review.data.current === null
            ? 'No settings revision yet: the first approved change becomes revision 1.'
            : `Current settings: revision ${review.data.current}.`}
        </p>
      )}
      {current.loading && !current.data ? (
        <Loading what="the connector settings" />
      ) : current.error ? (
        <ErrorState message={current.error} retry={current.reload} />
      ) : current.data ? (
        <ProposeForm key={JSON.stringify(current.data)} settings={current.data} onProposed={reload} />
      ) : null}
      <h4 id="pending-settings-heading">Waiting for a second person</h4>
      {review.loading && !review.data ? (
        <Loading what="the proposed changes" />
      ) : review.error ? (
        <ErrorState message={review.error} retry={review.reload} />
      ) : (
        <PendingSettingsChanges pending={review.data?.pending ?? []} me={me} onDecided={reload} />
      )}
      <h4 id="versions-behind-heading">Published versions on older settings</h4>
      <VersionsBehind generation={generation} onProposed={reload} />
      <h4 id="settings-history-heading">Recent revisions</h4>
      {review.data && <SettingsHistory history={review.data.history} />}
    </section>
  )
}

function ProposeForm({ settings, onProposed }: { settings: MaskedSettings; onProposed(): void }) {
  const [edits, setEdits] = useState<ConnectorEdits>(() => editsFrom(settings))
  const [reason, setReason] = useState('')
  const [applyToRunning, setApplyToRunning] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [proposed, setProposed] = useState(false)
  const edit = (key: keyof ConnectorEdits) => (e: { target: { value: string } }) =>
    setEdits({ ...edits, [key]: e.target.value })
  const credentialSet = JSON.stringify(settings['fhir'] ?? null).includes('"Authorization":"set"')

  const submit = async () => {
    setBusy(true)
    setError(null)
    setProposed(false)
    try {
      await settingsReviewApi.propose({ settings: applyEdits(settings, edits), reason, applyToRunning })
      setProposed(true)
      setReason('')
      setEdits({ ...edits, fhirCredential: '' })
      onProposed()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The change was not proposed.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="cp-card"
      aria-labelledby="propose-settings-heading"
      data-testid="settings-propose-form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <h4 id="propose-settings-heading">Propose a change</h4>
      {error && <ErrorState message={error} />}
      {proposed && (
        <p className="cp-ok-text" role="status" data-testid="settings-proposed">
          Proposed — waiting for a second person. The current settings are unchanged until another admin approves.
        </p>
      )}
      <label className="cp-field">
        <span className="cp-field-label">FHIR server base URL</span>
        <input
          className="cp-input"
          type="url"
          value={edits.fhirBaseUrl}
          onChange={edit('fhirBaseUrl')}
          data-testid="settings-fhir-base-url"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">
          FHIR server credential (Authorization header){credentialSet ? ': set — leave empty to keep it' : ''}
        </span>
        <input
          className="cp-input"
          type="password"
          autoComplete="new-password"
          value={edits.fhirCredential}
          onChange={edit('fhirCredential')}
          data-testid="settings-fhir-credential"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Hosts outbound HTTP may call (one per line)</span>
        <textarea
          className="cp-input"
          rows={3}
          value={edits.allowHosts}
          onChange={edit('allowHosts')}
          data-testid="settings-allow-hosts"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">SMS gateway URL</span>
        <input
          className="cp-input"
          type="url"
          value={edits.smsUrl}
          onChange={edit('smsUrl')}
          data-testid="settings-sms-url"
        />
      </label>
      <label className="cp-field">
        <span className="cp-field-label">Why (the second person reads this)</span>
        <input
          className="cp-input"
          value={reason}
          required
          onChange={(e) => setReason(e.target.value)}
          data-testid="settings-reason"
        />
      </label>
      <label className="cp-inline-label">
        <input
          type="checkbox"
          checked={applyToRunning}
          onChange={(e) => setApplyToRunning(e.target.checked)}
          data-testid="settings-apply-to-running"
        />{' '}
        Apply to running versions too (otherwise only versions published after the change use it)
      </label>
      <button type="submit" className="cp-btn primary" disabled={busy || !reason.trim()} data-testid="settings-propose">
        Propose change
      </button>
    </form>
  )
}
