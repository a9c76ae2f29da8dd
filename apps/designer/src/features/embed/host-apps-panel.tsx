// Host applications, for admins: the CRM or contact-centre desktops that may frame the agent
// view, each with the audience its launch tokens are signed for and the origins of its pages.
import { useState, type FormEvent } from 'react'
import { api } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'

export function HostAppsPanel() {
  const apps = useLoader(() => api.hostApps(), [])
  const [name, setName] = useState('')
  const [audience, setAudience] = useState('')
  const [origins, setOrigins] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setNotice(null)
    try {
      const list = origins
        .split(/[\s,]+/)
        .map((o) => o.trim())
        .filter(Boolean)
      await api.saveHostApp({ name, audience, origins: list })
      setNotice(`“${name}” may now host the agent view.`)
      setName('')
      setAudience('')
      setOrigins('')
      apps.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The application was not saved.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="host-apps-heading" data-testid="host-apps">
      <h3 id="host-apps-heading">Applications hosting the agent view</h3>
      <p className="cp-hint">
        A registered desktop (a CRM, a contact centre) can frame the agent view from its origins and ask for launch
        tokens signed for its audience. Saving an existing audience changes its name and origins.
      </p>
      {apps.loading && !apps.data ? (
        <Loading what="the applications" />
      ) : apps.error ? (
        <ErrorState message={apps.error} retry={apps.reload} />
      ) : !apps.data?.length ? (
        <Empty>No application hosts the agent view yet.</Empty>
      ) : (
        <table className="cp-table" data-testid="host-app-table">
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Audience</th>
              <th scope="col">Origins</th>
            </tr>
          </thead>
          <tbody>
            {apps.data.map((app) => (
              <tr key={app.id} data-testid={`host-app-${app.audience}`}>
                <th scope="row">{app.name}</th>
                <td>{app.audience}</td>
                <td>{app.origins.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="cp-card" onSubmit={(e) => void submit(e)} data-testid="host-app-form">
        <label className="cp-field">
          <span className="cp-field-label">Name</span>
          <input className="cp-input" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="cp-field">
          <span className="cp-field-label">Audience (what its launch tokens are signed for)</span>
          <input
            className="cp-input"
            value={audience}
            onChange={(e) => setAudience(e.target.value)}
            placeholder="crm-desktop"
            required
          />
        </label>
        <label className="cp-field">
          <span className="cp-field-label">Origins of its pages (one per line)</span>
          <textarea
            className="cp-input"
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
            placeholder="https://crm.example.org"
            rows={2}
            required
          />
        </label>
        {error && (
          <p className="cp-error-text" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p className="cp-ok-text" role="status">
            {notice}
          </p>
        )}
        <button type="submit" className="cp-btn primary" disabled={busy}>
          Save application
        </button>
      </form>
    </section>
  )
}
