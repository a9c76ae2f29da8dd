// Waiting runs of older versions, and moving them to the published one. An analyst picks the
// version, maps any step the new version no longer has, and reads the simulator's report (which
// runs would have taken another path) before proposing; a reviewer approves and moves them.
import { useState } from 'react'
import { api, type RunMigration } from '../../api/carepath-api.ts'
import { useLoader } from '../../api/use-loader.ts'
import { Empty, ErrorState, Loading } from '../../screens/state-views.tsx'
import { useSession } from '../../store/session.store.ts'

export function MigrationsPanel({
  flowId,
  publishedHash,
  publishedNodes,
}: {
  flowId: string
  publishedHash: string | null
  publishedNodes: string[]
}) {
  const role = useSession((s) => s.user?.role)
  const runs = useLoader(() => api.listRuns(flowId), [flowId])
  const migrations = useLoader(() => api.listMigrations(flowId), [flowId])
  const [mapping, setMapping] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await work()
      migrations.reload()
      runs.reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'That did not work.')
    } finally {
      setBusy(false)
    }
  }

  if ((runs.loading && !runs.data) || (migrations.loading && !migrations.data)) return <Loading what="waiting runs" />
  if (runs.error) return <ErrorState message={runs.error} retry={runs.reload} />
  if (migrations.error) return <ErrorState message={migrations.error} retry={migrations.reload} />
  const waitingByVersion = new Map<string, number>()
  for (const run of runs.data ?? [])
    if (run.status === 'waiting' && run.hash !== publishedHash)
      waitingByVersion.set(run.hash, (waitingByVersion.get(run.hash) ?? 0) + 1)
  const plans = [...(migrations.data ?? [])].reverse()
  const mayPlan = role === 'analyst' || role === 'developer'
  const mayApprove = role === 'reviewer'

  return (
    <div className="cp-panel" data-testid="migrations-panel">
      <h3>Waiting runs of older versions</h3>
      {!publishedHash && <Empty>Nothing is published yet.</Empty>}
      {publishedHash && waitingByVersion.size === 0 && (
        <Empty>No run waits in an older version: every waiting run is on the published one.</Empty>
      )}
      {[...waitingByVersion].map(([hash, count]) => (
        <div key={hash} className="cp-card" data-testid="migration-source">
          <p>
            <strong>{count}</strong> run{count === 1 ? '' : 's'} waiting in version <code>{hash.slice(0, 12)}</code>
          </p>
          {mayPlan && (
            <button
              type="button"
              className="cp-btn small primary"
              disabled={busy}
              data-testid="migration-simulate"
              onClick={() => void act(() => api.planMigration(flowId, hash, mapping))}
            >
              Simulate moving them to the published version
            </button>
          )}
        </div>
      ))}
      {error && <ErrorState message={error} />}
      {plans.map((plan) => (
        <MigrationPlan
          key={plan.id}
          plan={plan}
          busy={busy}
          publishedNodes={publishedNodes}
          mapping={mapping}
          onMap={(from, to) => setMapping({ ...mapping, [from]: to })}
          onApprove={
            mayApprove && plan.status === 'proposed' ? () => void act(() => api.approveMigration(plan.id)) : undefined
          }
          onMove={
            mayApprove && plan.status === 'approved' ? () => void act(() => api.runMigration(plan.id)) : undefined
          }
        />
      ))}
    </div>
  )
}

function MigrationPlan({
  plan,
  busy,
  publishedNodes,
  mapping,
  onMap,
  onApprove,
  onMove,
}: {
  plan: RunMigration
  busy: boolean
  publishedNodes: string[]
  mapping: Record<string, string>
  onMap: (from: string, to: string) => void
  onApprove: (() => void) | undefined
  onMove: (() => void) | undefined
}) {
  const { summary } = plan.report
  const unmapped = [...new Set(plan.report.runs.filter((r) => r.waitingAt && !r.toNode).map((r) => r.waitingAt!))]
  return (
    <div className="cp-card" data-testid="migration-plan">
      <p data-testid="migration-summary">
        {summary.runs} waiting · {summary.movable} can move · {summary.changed} would have taken another path ·{' '}
        {summary.needsMapping} need a mapping — <strong data-testid="migration-status">{plan.status}</strong>
        {plan.approvedBy ? ` (approved by ${plan.approvedBy})` : ''}
      </p>
      <table className="cp-table compact">
        <thead>
          <tr>
            <th>Run</th>
            <th>Waits at</th>
            <th>Goes on at</th>
            <th>Replayed on the new version</th>
          </tr>
        </thead>
        <tbody>
          {plan.report.runs.map((run) => {
            const result = plan.results?.find((r) => r.runId === run.runId)
            return (
              <tr key={run.runId} data-testid="migration-run">
                <td>
                  <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{run.runId.slice(0, 8)}</a>
                </td>
                <td>{run.waitingAt ?? 'in a subflow'}</td>
                <td>{run.toNode ?? '—'}</td>
                <td>
                  {run.replay === 'unchanged' ? 'same path' : (run.note ?? run.replay)}
                  {result && (result.moved ? ' · moved' : ` · not moved: ${result.reason ?? ''}`)}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {plan.status === 'proposed' &&
        unmapped.map((from) => (
          <label key={from} className="cp-field">
            Map “{from}” to
            <select
              value={mapping[from] ?? ''}
              onChange={(e) => onMap(from, e.target.value)}
              data-testid="migration-map"
            >
              <option value="">choose a step of the published version</option>
              {publishedNodes.map((node) => (
                <option key={node} value={node}>
                  {node}
                </option>
              ))}
            </select>
          </label>
        ))}
      {onApprove && (
        <button
          type="button"
          className="cp-btn small"
          disabled={busy}
          onClick={onApprove}
          data-testid="migration-approve"
        >
          Approve this move
        </button>
      )}
      {onMove && (
        <button
          type="button"
          className="cp-btn small primary"
          disabled={busy}
          onClick={onMove}
          data-testid="migration-run-it"
        >
          Move the runs
        </button>
      )}
    </div>
  )
}
