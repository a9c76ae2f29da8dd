// Dead letters: inbound messages that started no run, searched by control id, type, sender and
// source; tick some and reprocess them (after confirming), each with its own result.
import { useState } from 'react'
import { api, type DeadLetterFilter } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from '../screens/state-views.tsx'

type Filter = NonNullable<DeadLetterFilter>
type Results = Awaited<ReturnType<typeof api.reprocess>>['results']

export function DeadLettersPanel() {
  const [form, setForm] = useState({ controlId: '', messageType: '', sender: '' })
  const [filter, setFilter] = useState<Filter>({ status: 'open' })
  const list = useLoader(() => api.deadLetters(filter), [filter])
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [confirming, setConfirming] = useState(false)
  const [results, setResults] = useState<Results | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const reprocess = async () => {
    setConfirming(false)
    setBusy(true)
    setError(null)
    try {
      setResults((await api.reprocess([...selected])).results)
      setSelected(new Set())
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The reprocess failed.')
    } finally {
      setBusy(false)
      list.reload()
    }
  }
  const toggle = (id: string) => {
    const next = new Set(selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setSelected(next)
  }

  return (
    <section aria-label="Dead letters">
      <form
        className="cp-ops-filters"
        onSubmit={(e) => {
          e.preventDefault()
          const next: Filter = { status: 'open' }
          if (form.controlId.trim()) next.controlId = form.controlId.trim()
          if (form.messageType.trim()) next.messageType = form.messageType.trim()
          if (form.sender.trim()) next.sender = form.sender.trim()
          setSelected(new Set())
          setFilter(next)
        }}
      >
        {(['controlId', 'messageType', 'sender'] as const).map((name) => (
          <label key={name} className="cp-field">
            <span>{{ controlId: 'Control id', messageType: 'Message type', sender: 'Sender' }[name]}</span>
            <input
              className="cp-input"
              value={form[name]}
              onChange={(e) => setForm({ ...form, [name]: e.target.value })}
              data-testid={`dead-letter-filter-${name}`}
            />
          </label>
        ))}
        <button type="submit" className="cp-btn small">
          Search
        </button>
      </form>
      {error && <ErrorState message={error} />}
      {list.loading && !list.data ? (
        <Loading what="dead letters" />
      ) : list.error ? (
        <ErrorState message={list.error} retry={list.reload} />
      ) : !list.data?.total ? (
        <Empty>No dead letters: every inbound message so far started its runs.</Empty>
      ) : (
        <>
          <div className="cp-ops-bulk">
            <span>
              {list.data.total} dead letter{list.data.total === 1 ? '' : 's'}; {selected.size} selected
            </span>
            {!confirming ? (
              <button
                type="button"
                className="cp-btn small primary"
                disabled={selected.size === 0 || busy}
                onClick={() => setConfirming(true)}
                data-testid="reprocess"
              >
                Reprocess selected
              </button>
            ) : (
              <span role="group" aria-label="Confirm reprocess" className="cp-confirm">
                Reprocess {selected.size} message{selected.size === 1 ? '' : 's'} through the flows published now?
                <button
                  type="button"
                  className="cp-btn small primary"
                  onClick={() => void reprocess()}
                  data-testid="reprocess-yes"
                >
                  Reprocess {selected.size}
                </button>
                <button type="button" className="cp-btn small ghost" onClick={() => setConfirming(false)}>
                  Not now
                </button>
              </span>
            )}
          </div>
          <table className="cp-table" data-testid="dead-letter-list">
            <thead>
              <tr>
                <th>
                  <span className="cp-sr-only">Select</span>
                </th>
                <th>Control id</th>
                <th>Type</th>
                <th>Sender</th>
                <th>Via</th>
                <th>Reason</th>
                <th>Received</th>
              </tr>
            </thead>
            <tbody>
              {list.data.deadLetters.map((d) => (
                <tr key={d.id} data-testid={`dead-letter-${d.controlId}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${d.controlId || d.id}`}
                      checked={selected.has(d.id)}
                      onChange={() => toggle(d.id)}
                    />
                  </td>
                  <td>
                    <code>{d.controlId || '—'}</code>
                  </td>
                  <td>{d.messageType || '—'}</td>
                  <td>{d.sender}</td>
                  <td>{d.source}</td>
                  <td>{d.reason}</td>
                  <td>
                    {when(d.receivedAt)}
                    {d.deliveries > 1 ? <small> ({d.deliveries}×)</small> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {results && (
        <section aria-label="Reprocess results" data-testid="reprocess-results">
          <h3>Reprocessed</h3>
          <ul>
            {results.map((r) => (
              <li key={r.id}>
                {r.ok ? (
                  <>
                    {r.outcome === 'already-started' ? 'Already started: ' : 'Started: '}
                    {(r.runIds ?? []).map((id) => (
                      <a key={id} href={`#/runs/${id}`}>
                        <code>{id.slice(0, 12)}</code>{' '}
                      </a>
                    ))}
                  </>
                ) : (
                  <>Still refused: {r.error}</>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  )
}
