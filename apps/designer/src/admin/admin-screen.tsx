// Users and queues, for admins: who works which work queue (the roles flows send human steps
// to), each person's product role, and for each queue its description, its PHI clearance, its
// members and the flows that send work to it (queue-table.tsx). A queue nobody works is flagged:
// its tasks would reach no one.
import { useState } from 'react'
import { api, type NewUser, type QueueSave, type UserEntry } from '../api/carepath-api.ts'
import { useLoader } from '../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../screens/state-views.tsx'
import { AddUserForm } from './add-user-form.tsx'
import { QueueTable } from './queue-table.tsx'
import { PRODUCT_ROLES } from './product-roles.ts'
import { HostAppsPanel } from '../features/embed/host-apps-panel.tsx'
import { SecurityPanel } from './security-panel.tsx'
import { PhiMapRollupSection } from '../features/phi-map/phi-map-rollup-section.tsx'
import { ConnectorSettingsPanel } from '../features/settings-review/connector-settings-panel.tsx'
import { ApprovalPolicyPanel } from '../features/governance/approval-policy-panel.tsx'

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
        ) : queues.error ? (
          <ErrorState message={queues.error} retry={queues.reload} />
        ) : (
          <QueueTable queues={queues.data ?? []} onSave={saveQueue} onReload={queues.reload} />
        )}
      </section>
      <section aria-labelledby="users-heading">
        <h3 id="users-heading">People</h3>
        {users.loading && !users.data ? (
          <Loading what="the people" />
        ) : users.error ? (
          <ErrorState message={users.error} retry={users.reload} />
        ) : !users.data?.length ? (
          <Empty>No one yet.</Empty>
        ) : (
          <UserTable
            users={users.data}
            queues={names}
            onSet={(u, next) =>
              void act(`${u.username} now works ${next.length ? next.join(', ') : 'no queue'}.`, () =>
                api.setQueues({ username: u.username, flowRoles: next, baseVersion: u.version }),
              )
            }
            onAccess={(u, role, active) =>
              void act(
                active
                  ? `${u.username} is now ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}.`
                  : `${u.username} can no longer log in.`,
                () => api.setUser({ username: u.username, role, active, baseVersion: u.version }),
              )
            }
          />
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

function UserTable({
  users,
  queues,
  onSet,
  onAccess,
}: {
  users: readonly UserEntry[]
  queues: readonly string[]
  onSet(user: UserEntry, flowRoles: string[]): void
  onAccess(user: UserEntry, role: UserEntry['role'], active: boolean): void
}) {
  return (
    <table className="cp-table" data-testid="user-table">
      <thead>
        <tr>
          <th scope="col">Person</th>
          <th scope="col">Product role</th>
          <th scope="col">Queues worked</th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id} data-testid={`user-${u.username}`}>
            <th scope="row">
              {u.username}
              {u.disabled && <small className="cp-hint"> (disabled)</small>}
            </th>
            <td>
              <select
                className="cp-input"
                value={u.role}
                aria-label={`Product role of ${u.username}`}
                onChange={(e) => onAccess(u, PRODUCT_ROLES.find((r) => r === e.target.value) ?? u.role, !u.disabled)}
                data-testid={`user-${u.username}-role`}
              >
                {PRODUCT_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              <label className="cp-inline-label">
                <input
                  type="checkbox"
                  checked={!u.disabled}
                  onChange={(e) => onAccess(u, u.role, e.target.checked)}
                  data-testid={`user-${u.username}-active`}
                />{' '}
                may log in
              </label>
            </td>
            <td>
              {u.flowRoles.includes('*') ? (
                <span>every queue</span>
              ) : (
                <fieldset className="cp-checks">
                  <legend className="cp-visually-hidden">Queues {u.username} works</legend>
                  {queues.map((q) => (
                    <label key={q} className="cp-inline-label">
                      <input
                        type="checkbox"
                        checked={u.flowRoles.includes(q)}
                        onChange={(e) =>
                          onSet(u, e.target.checked ? [...u.flowRoles, q].sort() : u.flowRoles.filter((r) => r !== q))
                        }
                        data-testid={`user-${u.username}-queue-${q}`}
                      />{' '}
                      {q}
                    </label>
                  ))}
                </fieldset>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
