// Users and queues, for admins: who works which work queue (the roles flows send human steps
// to), each person's product role, and for each queue its description, its PHI clearance, its
// members and the flows that send work to it (queue-table.tsx). A queue nobody works is flagged:
// its tasks would reach no one.
import { useState } from 'react'
import { api, type NewUser, type PersonAccess, type PersonQueues, type QueueSave } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../screens/state-views.tsx'
import { AddUserForm } from './add-user-form.tsx'
import { QueueTable } from './queue-table.tsx'
import { PeopleTable } from './people-table.tsx'
import { HostAppsPanel } from '../features/embed/host-apps-panel.tsx'
import { SecurityPanel } from './security-panel.tsx'
import { PhiMapRollupSection } from '../features/phi-map/phi-map-rollup-section.tsx'
import { ConnectorSettingsPanel } from '../features/settings-review/connector-settings-panel.tsx'
import { ApprovalPolicyPanel } from '../features/governance/approval-policy-panel.tsx'

/** The queues a person works, in a notice's words. */
const queuesWords = (flowRoles: readonly string[]) => (flowRoles.length ? flowRoles.join(', ') : 'no queue')

/**
 * A list that was shown could not be read again: it stays on screen as last read (with any change
 * a row holds or has set aside), under the reason and a way to try again.
 */
function RereadFailed({ what, error, retry }: { what: string; error: string; retry(): void }) {
  return (
    <p className="cp-banner warn" role="alert" data-testid={`admin-${what}-stale`}>
      The {what} could not be read again ({error}); they are shown as last read.{' '}
      <button type="button" className="cp-btn small" onClick={retry}>
        Try again
      </button>
    </p>
  )
}

export function AdminScreen() {
  const users = useLoader(() => api.listUsers(), [])
  const queues = useLoader(() => api.listQueues(), [])
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const act = async (done: string, work: () => Promise<unknown>) => {
    setError(null)
    setNotice(null)
    try {
      await work()
      setNotice(done)
      users.reload()
      queues.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work.')
    }
  }
  // A queue's refusal is shown beside its row (queue-table.tsx), so it is thrown back to the table.
  const saveQueue = async (queue: QueueSave) => {
    setError(null)
    setNotice(null)
    const saved = await api.saveQueue(queue)
    setNotice(`Queue “${queue.name}” saved.`)
    queues.reload()
    return saved
  }
  // A person's refusal is shown beside their row (people-table.tsx), so it is thrown back to the table.
  // Queues are read again too: their members changed.
  const savePersonQueues = async (change: PersonQueues) => {
    setError(null)
    setNotice(null)
    const saved = await api.setQueues(change)
    const { username, flowRoles } = change
    setNotice(`${username} now works ${queuesWords(flowRoles)}.`)
    users.reload()
    queues.reload()
    return saved
  }
  const savePersonAccess = async (change: PersonAccess) => {
    setError(null)
    setNotice(null)
    const saved = await api.setUser(change)
    const { username, role, active, flowRoles } = change
    const access = active
      ? `${username} is now ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`
      : `${username} can no longer log in`
    setNotice(flowRoles ? `${access}; they work ${queuesWords(flowRoles)}.` : `${access}.`)
    users.reload()
    queues.reload()
    return saved
  }
  const names = (queues.data ?? []).map((q) => q.name)

  return (
    <div className="cp-page" data-testid="admin-screen">
      <div className="cp-page-head">
        <h1>Users and queues</h1>
      </div>
      {error && <ErrorState message={error} />}
      {notice && (
        <p className="cp-ok-text" role="status" data-testid="admin-notice">
          {notice}
        </p>
      )}
      <section aria-labelledby="queues-heading">
        <h3 id="queues-heading">Work queues</h3>
        <p className="cp-hint">
          A flow’s human steps send their tasks to a queue; the people who work it see them in their inbox. A queue’s
          PHI clearance caps the patient data its people see, whatever a flow’s role asks for.
        </p>
        {queues.loading && !queues.data ? (
          <Loading what="the queues" />
        ) : !queues.data ? (
          <ErrorState message={queues.error ?? 'The queues could not be read.'} retry={queues.reload} />
        ) : (
          <>
            {queues.error && <RereadFailed what="queues" error={queues.error} retry={queues.reload} />}
            <QueueTable queues={queues.data} onSave={saveQueue} onReload={queues.reload} />
          </>
        )}
      </section>
      <section aria-labelledby="users-heading">
        <h3 id="users-heading">People</h3>
        {users.loading && !users.data ? (
          <Loading what="the people" />
        ) : !users.data ? (
          <ErrorState message={users.error ?? 'The people could not be read.'} retry={users.reload} />
        ) : !users.data.length ? (
          <Empty>No one yet.</Empty>
        ) : (
          <>
            {users.error && <RereadFailed what="people" error={users.error} retry={users.reload} />}
            <PeopleTable
              users={users.data}
              queues={names}
              onSetQueues={savePersonQueues}
              onSetAccess={savePersonAccess}
              onReload={users.reload}
            />
          </>
        )}
        <AddUserForm
          queues={names}
          onAdd={(user: NewUser) => act(`${user.username} added.`, () => api.addUser(user))}
        />
      </section>
      <HostAppsPanel />
      <SecurityPanel />
      <PhiMapRollupSection />
      <ConnectorSettingsPanel />
      <ApprovalPolicyPanel />
    </div>
  )
}
