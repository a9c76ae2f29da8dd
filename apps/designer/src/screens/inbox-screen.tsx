// The agent's inbox: open tasks for the caller's role(s), soonest due first, then oldest first.
import { api } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { navigate } from '../route.ts'
import { Empty, ErrorState, Loading, when } from './state-views.tsx'
import { dueLabel, readTask } from './task-view.ts'

/** A due time as a person reads a clock (their browser's time zone). */
const dueTime = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })

export function InboxScreen() {
  const tasks = useLoader(async () => (await api.inbox()).map(readTask), [])
  return (
    <div className="cp-page">
      <div className="cp-page-head">
        <h1>Inbox</h1>
        <span className="cp-spacer" />
        <button type="button" className="cp-btn small" onClick={tasks.reload} data-testid="inbox-refresh">
          Refresh
        </button>
      </div>
      {tasks.loading && !tasks.data ? (
        <Loading what="your tasks" />
      ) : tasks.error ? (
        <ErrorState message={tasks.error} retry={tasks.reload} />
      ) : !tasks.data?.length ? (
        <Empty>Nothing waiting for you. New tasks appear here when a run reaches a step for your role.</Empty>
      ) : (
        <ul className="cp-task-list" data-testid="inbox">
          {tasks.data.map((task) => (
            <li
              key={task.id}
              className="cp-card cp-clickable"
              onClick={() => navigate(`/inbox/${encodeURIComponent(task.id)}`)}
              data-testid="inbox-task"
            >
              {/* A real link, so the keyboard reaches every task (the card's click is for the mouse). */}
              <a href={`#/inbox/${encodeURIComponent(task.id)}`} className="cp-card-link">
                <strong>{task.title}</strong>
              </a>
              {task.dueAt && (
                <span className={`cp-badge ${task.overdue ? 'danger' : 'warn'}`} data-testid="inbox-task-due">
                  {dueLabel(task, dueTime)}
                </span>
              )}
              <small className="cp-hint">
                {task.flowId} · {task.role} · {when(task.createdAt)}{' '}
                {task.claimedBy ? `· claimed by ${task.claimedBy}` : ''}
              </small>
              {task.prompt && <p>{task.prompt}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
