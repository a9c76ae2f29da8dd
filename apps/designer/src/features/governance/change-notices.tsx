// The inbox's change notices: flows the person owns or follows that were published, rolled back
// or retired, with what changed in plain sentences and the simulation's counts. Unread ones are
// marked and can be marked read (or unread again) from the keyboard.
import { useState } from 'react'
import { call, trpc, type RouterOutputs } from '../../api/trpc-client.ts'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading, when } from '../../screens/state-views.tsx'

type Notice = RouterOutputs['notices']['mine'][number]

const KIND_WORDS: Record<Notice['kind'], string> = {
  published: 'Published',
  'rolled-back': 'Rolled back',
  retired: 'Retired',
}

export function ChangeNotices() {
  const notices = useLoader(() => call(trpc.notices.mine.query()), [])
  const [error, setError] = useState<string | null>(null)
  const unread = notices.data?.filter((n) => !n.read).length ?? 0

  const mark = async (notice: Notice) => {
    setError(null)
    try {
      await call(trpc.notices.markRead.mutate({ id: notice.id, read: !notice.read }))
      notices.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The notice could not be marked.')
    }
  }

  return (
    <section data-testid="change-notices" aria-labelledby="change-notices-title">
      <h3 id="change-notices-title">
        Change notices {unread > 0 && <span className="cp-badge">{unread} unread</span>}
      </h3>
      <p className="cp-hint">Flows you own or follow that were published, rolled back or retired.</p>
      {notices.loading && !notices.data ? (
        <Loading what="your change notices" />
      ) : notices.error ? (
        <ErrorState message={notices.error} retry={notices.reload} />
      ) : !notices.data?.length ? (
        <Empty>No change notices for you.</Empty>
      ) : (
        <ul className="cp-list" data-testid="change-notice-list">
          {notices.data.map((n) => (
            <li key={n.id} className="cp-card inline" data-testid={`change-notice-${n.flowId}`} data-read={n.read}>
              <p>
                <strong>
                  {n.read ? '' : 'New · '}
                  {KIND_WORDS[n.kind]}:
                </strong>{' '}
                {n.title} <span className="cp-hint">{when(n.createdAt)}</span>
              </p>
              <ul>
                {n.summary.map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
              </ul>
              <button
                type="button"
                className="cp-btn small"
                onClick={() => void mark(n)}
                data-testid={`change-notice-mark-${n.id}`}
              >
                {n.read ? 'Mark unread' : 'Mark read'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorState message={error} />}
    </section>
  )
}
