// Hand a task on instead of answering it: release it to the queue, reassign it to a colleague who
// works the same queue, or escalate it to another queue of the flow with a reason. Each is a
// small form with its own error; the server checks who may take it and says so in plain words.
import { useState, type FormEvent } from 'react'
import { api } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'

type Action = 'reassign' | 'escalate'

interface TaskActionsProps {
  taskId: string
  flowId: string
  /** The queue (flow role) the task is in now. */
  role: string
  /** Called once the task has left this person's hands, with a sentence saying where it went. */
  onHandedOn(message: string): void
}

/** The other queues of the flow, with their titles, for the escalation form. */
async function otherQueues(flowId: string, role: string): Promise<{ id: string; title: string }[]> {
  const detail = await api.getFlow(flowId)
  const roles = detail.published?.document.roles ?? {}
  return Object.entries(roles)
    .filter(([id]) => id !== role)
    .map(([id, spec]) => ({ id, title: spec.title ?? id }))
}

export function TaskActions({ taskId, flowId, role, onHandedOn }: TaskActionsProps) {
  const [open, setOpen] = useState<Action | null>(null)
  const [to, setTo] = useState('')
  const [queue, setQueue] = useState('')
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const queues = useLoader(() => (open === 'escalate' ? otherQueues(flowId, role) : Promise.resolve([])), [open])

  const act = async (work: () => Promise<unknown>, message: string) => {
    setBusy(true)
    setError(null)
    try {
      await work()
      onHandedOn(message)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The task could not be handed on.')
    } finally {
      setBusy(false)
    }
  }
  const toggle = (action: Action) => {
    setError(null)
    setOpen(open === action ? null : action)
  }
  const reassign = (e: FormEvent) => {
    e.preventDefault()
    if (to.trim() === '') return setError('Enter the user name of a colleague who works this queue.')
    void act(() => api.reassignTask(taskId, to.trim()), `The task was reassigned to ${to.trim()}.`)
  }
  const escalate = (e: FormEvent) => {
    e.preventDefault()
    if (queue === '') return setError('Choose the queue to escalate to.')
    if (reason.trim() === '') return setError('Say why the task is escalated.')
    const title = queues.data?.find((q) => q.id === queue)?.title ?? queue
    void act(() => api.escalateTask(taskId, queue, reason.trim()), `The task was escalated to ${title}.`)
  }

  return (
    <section className="cp-task-actions" aria-label="Hand this task on" data-testid="task-actions">
      <div className="cp-row">
        <button
          type="button"
          className="cp-btn"
          disabled={busy}
          onClick={() => void act(() => api.releaseTask(taskId), 'The task is back in its queue for anyone to take.')}
          data-testid="task-release"
        >
          Release to the queue
        </button>
        <button
          type="button"
          className="cp-btn"
          aria-expanded={open === 'reassign'}
          aria-controls="task-reassign-form"
          onClick={() => toggle('reassign')}
          data-testid="task-reassign-open"
        >
          Reassign…
        </button>
        <button
          type="button"
          className="cp-btn"
          aria-expanded={open === 'escalate'}
          aria-controls="task-escalate-form"
          onClick={() => toggle('escalate')}
          data-testid="task-escalate-open"
        >
          Escalate…
        </button>
      </div>
      {open === 'reassign' && (
        <form id="task-reassign-form" onSubmit={reassign} data-testid="task-reassign-form">
          <label className="cp-field">
            Colleague in the {role} queue (user name)
            <input
              value={to}
              onChange={(e) => setTo(e.target.value)}
              autoComplete="off"
              data-testid="task-reassign-to"
            />
          </label>
          <button type="submit" className="cp-btn primary" disabled={busy} data-testid="task-reassign-submit">
            Reassign
          </button>
        </form>
      )}
      {open === 'escalate' && (
        <form id="task-escalate-form" onSubmit={escalate} data-testid="task-escalate-form">
          <label className="cp-field">
            Queue
            <select value={queue} onChange={(e) => setQueue(e.target.value)} data-testid="task-escalate-to">
              <option value="">{queues.loading ? 'Loading the queues…' : 'Choose a queue'}</option>
              {(queues.data ?? []).map((q) => (
                <option key={q.id} value={q.id}>
                  {q.title}
                </option>
              ))}
            </select>
          </label>
          {queues.error && <p className="cp-error-text">The queues could not be loaded: {queues.error}</p>}
          {queues.data && queues.data.length === 0 && <p className="cp-hint">This flow has no other queue.</p>}
          <label className="cp-field">
            Reason
            <textarea
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={500}
              rows={3}
              data-testid="task-escalate-reason"
            />
          </label>
          <button type="submit" className="cp-btn primary" disabled={busy} data-testid="task-escalate-submit">
            Escalate
          </button>
        </form>
      )}
      {error && (
        <p className="cp-error-text" role="alert" data-testid="task-action-error">
          {error}
        </p>
      )}
    </section>
  )
}
