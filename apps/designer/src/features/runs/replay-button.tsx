// For auditors (and admins): re-execute this run from its stored log against its pinned version
// and say whether the trace is byte-identical, or which event first differs.
import { useState } from 'react'
import { api } from '../../api/carepath-api.ts'
import { useSession } from '../../store/session.store.ts'

type Verdict = Awaited<ReturnType<typeof api.replayRun>>

function sentence(verdict: Verdict): string {
  const d = verdict.difference
  if (!d) return `Replayed: byte-identical (${verdict.events} events).`
  const where = d.type ? ` (${d.type}${d.nodeId ? ` at “${d.nodeTitle ?? d.nodeId}”` : ''})` : ''
  return `Replayed: differs at event ${d.seq}${where}. ${d.reason}`
}

export function ReplayButton({ runId }: { runId: string }) {
  const role = useSession((s) => s.user?.role)
  const [busy, setBusy] = useState(false)
  const [verdict, setVerdict] = useState<Verdict | null>(null)
  const [error, setError] = useState<string | null>(null)
  if (role !== 'auditor' && role !== 'admin') return null
  const replay = async () => {
    setBusy(true)
    setError(null)
    setVerdict(null)
    try {
      setVerdict(await api.replayRun(runId))
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The run could not be replayed.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button
        type="button"
        className="cp-btn small"
        disabled={busy}
        onClick={() => void replay()}
        data-testid="run-replay"
      >
        {busy ? 'Replaying…' : 'Replay'}
      </button>
      {verdict && (
        <span
          role="status"
          className={verdict.identical ? 'cp-hint' : 'cp-error-text'}
          data-testid="run-replay-verdict"
        >
          {sentence(verdict)}
        </span>
      )}
      {error && (
        <span role="alert" className="cp-error-text" data-testid="run-replay-error">
          {error}
        </span>
      )}
    </>
  )
}
